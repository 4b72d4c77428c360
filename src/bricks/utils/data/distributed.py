"""``DistributedSampler``: each rank's share of a dataset's indices, PyTorch's semantics."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..._creation import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of rank ``rank``'s share of ``dataset``, for data-parallel training.

    Each epoch, the indices (shuffled with seed ``seed + epoch``, the same order on every rank)
    are padded by repeating the first ones up to a multiple of ``num_replicas`` (or cut to
    one, with ``drop_last``), and rank ``r`` gets positions ``r, r + num_replicas, ...``: the
    ranks' shares are disjoint and together cover the dataset. Call ``set_epoch(epoch)`` at
    the start of each epoch to reshuffle.

    Args:
        dataset: the dataset to sample from (with ``len``).
        num_replicas: the number of ranks (default: the group's world size).
        rank: this process's rank (default: the group's rank).
        shuffle: shuffle the indices each epoch.
        seed: the shuffle's seed, identical on every rank.
        drop_last: drop the tail instead of padding, so no sample is seen twice.

    Raises:
        ValueError: for a rank outside ``[0, num_replicas - 1]``.
        RuntimeError: without ``num_replicas``/``rank`` when no process group is initialised.

    Example:
        >>> from bricks.utils.data.distributed import DistributedSampler
        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ... import distributed

            if not distributed.is_available() or not distributed.is_initialized():
                raise RuntimeError("Requires distributed package to be available: call "
                                   "bricks.distributed.init_process_group('mpi') or pass "
                                   "num_replicas and rank")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            generator = Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=generator).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the shuffle of epoch ``epoch`` (the same on every rank) from the next pass."""
        self.epoch = epoch
