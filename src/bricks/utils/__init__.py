"""Utilities: ``bricks.utils.data`` (datasets, samplers, loaders) and ``tune_malloc``."""

from . import checkpoint, data
from .allocator import tune_malloc

__all__ = ["checkpoint", "data", "tune_malloc"]
