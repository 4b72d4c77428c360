"""Parallel training wrappers: ``DistributedDataParallel`` (data parallel over MPI) and
``DataParallel`` (torch's single-process wrapper)."""

from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
