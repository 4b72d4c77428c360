"""A small cache of scratch arrays, so that large temporaries are reused rather than reallocated.

Each training step of a convolutional network allocates the same large temporaries (the padded
input and the im2col matrix of every convolution). Freed and allocated again each step, they are
handed back to the kernel by the C allocator and page-faulted in again, which on a VM costs about
as much as the convolution itself. Keeping them here instead makes the step as fast as tuning
the process's allocator would, without changing anything outside bricks.

Only arrays that never escape an op go through this cache: an op takes a buffer, and gives it
back once nothing can read it any more. The cache is bounded (``MAX_BYTES``), keyed by shape,
dtype, array type and device (so device arrays stay apart), and emptied by :func:`empty_cache`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ._device import xp

__all__ = ["take", "give", "empty_cache", "cached_bytes", "MAX_BYTES"]

MAX_BYTES = 256 * 2**20
_free: OrderedDict[tuple, list[Any]] = OrderedDict()  # least recently given first
_state = {"bytes": 0}
_lock = threading.Lock()


def take(like: Any, shape: tuple, dtype: Any) -> Any:
    """An uninitialized array of ``shape`` and ``dtype``, of the same kind as ``like``."""
    key = (shape, dtype, type(like), _device_of(like))
    with _lock:
        kept = _free.get(key)
        if kept:
            array = kept.pop()
            _state["bytes"] -= array.nbytes
            return array
    # empty_like makes an array of like's kind (NumPy, CuPy, a test's device array).
    return xp.empty_like(like, shape=shape, dtype=dtype, order="C")


def give(array: Any) -> None:
    """Hand back an array from :func:`take` that nothing reads any more."""
    key = (array.shape, array.dtype, type(array), _device_of(array))
    with _lock:
        if array.nbytes > MAX_BYTES:
            return
        _free.setdefault(key, []).append(array)
        _free.move_to_end(key)
        _state["bytes"] += array.nbytes
        while _state["bytes"] > MAX_BYTES:
            oldest_key, oldest = next(iter(_free.items()))
            _state["bytes"] -= oldest.pop(0).nbytes
            if not oldest:
                del _free[oldest_key]


def _device_of(array: Any) -> Any:
    # CuPy arrays of different GPUs share one type: their device keeps their buffers apart.
    device = getattr(array, "device", None)
    return getattr(device, "id", device)


def cached_bytes() -> int:
    """How many bytes the cache holds now."""
    return _state["bytes"]


def empty_cache() -> None:
    """Release every cached scratch array (the memory goes back to the allocator).

    Example:
        >>> import bricks
        >>> bricks.empty_cache()
        >>> bricks._workspace.cached_bytes()
        0
    """
    with _lock:
        _free.clear()
        _state["bytes"] = 0
