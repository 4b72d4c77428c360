"""Utilities: ``bricks.utils.data`` (datasets, samplers, loaders), ``checkpoint``,
``tensorboard`` (imported when first used, as torch's) and ``tune_malloc``."""

from __future__ import annotations

import importlib
from typing import Any

from . import checkpoint, data
from .allocator import tune_malloc

__all__ = ["checkpoint", "data", "tensorboard", "tune_malloc"]


def __getattr__(name: str) -> Any:
    if name == "tensorboard":  # not imported with bricks: most programs never log
        return importlib.import_module(f"{__name__}.tensorboard")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
