"""``bricks.accelerator``: the device-neutral questions torch.accelerator answers.

bricks' one accelerator is CUDA through CuPy: where ``bricks.cuda.is_available()``, this
module speaks of ``device('cuda')`` and delegates to ``bricks.cuda``; elsewhere it answers as
torch's CPU build does (no accelerator, 0 devices, and torch's RuntimeError from the calls that
need one). The quickstart's first line works either way.

Example:
    >>> import bricks as torch
    >>> device = (torch.accelerator.current_accelerator().type
    ...           if torch.accelerator.is_available() else "cpu")
"""

from __future__ import annotations

import warnings
from typing import Any

from . import cuda as _cuda
from ._device import device

__all__ = [
    "is_available", "current_accelerator", "device_count", "current_device_index",
    "current_device_idx", "set_device_index", "set_device_idx", "device_index",
    "current_stream", "set_stream", "synchronize", "empty_cache", "memory_allocated",
    "max_memory_allocated", "memory_reserved",
]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """Whether an accelerator can be used now: a CUDA GPU through CuPy."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator's device type (``device(type='cuda')``), or None where there is none."""
    return device("cuda") if _cuda.is_available() else None


def device_count() -> int:
    """How many accelerator devices there are (0 without one)."""
    return _cuda.device_count()


def _require() -> None:
    if not _cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index() -> int:
    """The index of the current accelerator device."""
    _require()
    return _cuda.current_device()


def current_device_idx() -> int:
    """Deprecated name of :func:`current_device_index`."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device: Any, /) -> None:
    """Make ``device`` the current accelerator device (None changes nothing)."""
    _require()
    if device is not None:
        _cuda.set_device(device)


def set_device_idx(device: Any, /) -> None:
    """Deprecated name of :func:`set_device_index`."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


class device_index:
    """Context manager that makes accelerator device ``device`` current (None: no change)."""

    def __init__(self, device: int | None, /) -> None:
        self.index = device
        self._previous: int | None = None

    def __enter__(self) -> None:
        if self.index is not None:
            self._previous = current_device_index()
            set_device_index(self.index)

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            set_device_index(self._previous)


def current_stream(device: Any = None, /) -> Any:
    """The current stream of ``device`` (a ``bricks.cuda.Stream``)."""
    _require()
    return _cuda.current_stream(device)


def set_stream(stream: Any) -> None:
    """Make ``stream`` the current stream of its device."""
    _require()
    _cuda.set_stream(stream)


def synchronize(device: Any = None, /) -> None:
    """Wait until all work queued on ``device`` is done."""
    _require()
    _cuda.synchronize(device)


def empty_cache() -> None:
    """Release the accelerator's cached memory to the driver."""
    _require()
    _cuda.empty_cache()


def memory_allocated(device_index: Any = None, /) -> int:
    """Bytes held by tensors on the accelerator."""
    _require()
    return _cuda.memory_allocated(device_index)


def max_memory_allocated(device_index: Any = None, /) -> int:
    """An upper bound of :func:`memory_allocated` (see ``bricks.cuda``)."""
    _require()
    return _cuda.max_memory_allocated(device_index)


def memory_reserved(device_index: Any = None, /) -> int:
    """Bytes reserved by the accelerator's memory pool."""
    _require()
    return _cuda.memory_reserved(device_index)
