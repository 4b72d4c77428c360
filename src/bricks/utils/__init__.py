"""Utilities: ``bricks.utils.data`` (datasets, samplers, loaders)."""

from . import data

__all__ = ["data"]
