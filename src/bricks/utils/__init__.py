"""Utilities: ``bricks.utils.data`` (datasets, samplers, loaders) and ``tune_malloc``."""

from . import data
from .allocator import tune_malloc

__all__ = ["data", "tune_malloc"]
