"""``bricks.backends.cudnn``: cuDNN's switches, kept as set; bricks does not call cuDNN.

Convolutions on a GPU run through CuPy's array operations, not cuDNN, so ``is_available()``
is False and ``version()`` None, as in torch's CPU build. The flags keep the values a program
gives them (``benchmark``, ``deterministic``, ``allow_tf32``, ``enabled``): bricks' kernels
are deterministic and compute float32 in full precision whatever they say. Unlike torch, a
non-bool value is stored as given rather than refused (a module cannot check assignments to
its attributes without swapping its class, which bricks does not do).

Example:
    >>> import bricks.backends.cudnn as cudnn
    >>> with cudnn.flags(enabled=True, benchmark=True):
    ...     cudnn.benchmark
    True
    >>> cudnn.benchmark
    False
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["is_available", "version", "is_acceptable", "flags", "enabled", "benchmark",
           "benchmark_limit", "deterministic", "allow_tf32"]

# torch's defaults, in both its CPU and CUDA builds.
enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether bricks computes through cuDNN: it does not (False, as in torch's CPU build)."""
    return False


def version() -> int | None:
    """cuDNN's version, or None where it is not used (always, in bricks)."""
    return None


def is_acceptable(tensor: Any) -> bool:
    """Whether cuDNN would compute with ``tensor``: never, in bricks."""
    return False


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True) -> Iterator[None]:
    """Set cuDNN's flags inside a ``with`` block and restore them after, as torch's."""
    module = sys.modules[__name__]
    wanted = {"enabled": enabled, "benchmark": benchmark, "benchmark_limit": benchmark_limit,
              "deterministic": deterministic, "allow_tf32": allow_tf32}
    previous = {name: getattr(module, name) for name in wanted}
    for name, value in wanted.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in previous.items():
            setattr(module, name, value)
