"""Data loading: datasets, samplers, ``DataLoader`` and collation, with PyTorch's API."""

from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (
    ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info", "DistributedSampler"]
