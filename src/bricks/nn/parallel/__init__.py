"""Parallel training wrappers: ``DistributedDataParallel`` (data parallel over MPI)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
