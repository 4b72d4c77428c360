"""``bricks.cuda``: CUDA devices through CuPy, with torch.cuda's names.

Everything here answers without a GPU: ``is_available()`` is False and ``device_count()`` 0
where CuPy or a GPU is missing, and calls that need a device raise torch's errors there.
CuPy is imported by the first call that needs it, never by ``import bricks``.

Example:
    >>> import bricks
    >>> device = bricks.device("cuda" if bricks.cuda.is_available() else "cpu")
"""

from __future__ import annotations

from typing import Any

from .._cuda_backend import CUDA as _CUDA
from .._device import device as _device_type

__all__ = [
    "is_available", "device_count", "current_device", "set_device", "synchronize",
    "manual_seed", "manual_seed_all", "seed", "seed_all", "get_device_name",
    "memory_allocated", "max_memory_allocated", "memory_reserved", "empty_cache",
    "is_initialized", "device",
]


def is_available() -> bool:
    """Whether a CUDA device can be used: CuPy imports and finds a GPU."""
    return _CUDA.available()


def is_initialized() -> bool:
    """Whether CUDA has been set up (CuPy imported and a GPU found)."""
    return _CUDA._loaded and _CUDA._cupy is not None


def device_count() -> int:
    """The number of usable CUDA devices (0 without CuPy or a GPU)."""
    return _CUDA.device_count()


def _index(device: Any) -> int:
    if device is None:
        return current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        return _CUDA.check(device)
    dev = _device_type(device)
    if dev.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {dev}")
    return _CUDA.check(dev.index)


def current_device() -> int:
    """The index of the current CUDA device (of this thread)."""
    return _CUDA.check(None)


def set_device(device: Any) -> None:
    """Make ``device`` (an index, ``'cuda:i'`` or a device) the current CUDA device."""
    index = _index(device)
    _CUDA.cupy().cuda.Device(index).use()


def synchronize(device: Any = None) -> None:
    """Wait until all work queued on ``device`` (default: the current one) is done."""
    _CUDA.cupy().cuda.Device(_index(device)).synchronize()


def manual_seed(seed: int) -> None:
    """Seed the CUDA generators (without a GPU this is silently kept for later, as torch)."""
    _CUDA.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the generators of every CUDA device."""
    _CUDA.manual_seed(seed)


def seed() -> None:
    """Seed the CUDA generators from fresh entropy."""
    import numpy

    _CUDA.manual_seed(int(numpy.random.SeedSequence().entropy % 2**63))


seed_all = seed


def get_device_name(device: Any = None) -> str:
    """The name of a CUDA device, such as ``'NVIDIA H100 80GB HBM3'``."""
    cupy = _CUDA.cupy()
    name = cupy.cuda.runtime.getDeviceProperties(_index(device))["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def memory_allocated(device: Any = None) -> int:
    """Bytes held by arrays on the device (CuPy's memory pool); 0 when CUDA is unused."""
    if not is_initialized():
        return 0
    return int(_CUDA.cupy().get_default_memory_pool().used_bytes())


def max_memory_allocated(device: Any = None) -> int:
    """An upper bound of ``memory_allocated``: the bytes the memory pool has reserved."""
    return memory_reserved(device)


def memory_reserved(device: Any = None) -> int:
    """Bytes reserved by CuPy's memory pool (in use or cached)."""
    if not is_initialized():
        return 0
    return int(_CUDA.cupy().get_default_memory_pool().total_bytes())


def empty_cache() -> None:
    """Release the cached blocks of CuPy's memory pools to the driver (no-op without CUDA)."""
    if not is_initialized():
        return
    cupy = _CUDA.cupy()
    cupy.get_default_memory_pool().free_all_blocks()
    cupy.get_default_pinned_memory_pool().free_all_blocks()


class device:
    """Context manager that makes a CUDA device current inside a ``with`` block."""

    def __init__(self, device: Any) -> None:
        self.index = None if device is None else _index(device)
        self._previous: int | None = None

    def __enter__(self) -> device:
        if self.index is not None:
            self._previous = current_device()
            set_device(self.index)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            set_device(self._previous)


# ----- streams, events and mixed precision (issue 12: envmods) -----
from . import amp  # noqa: E402
from .streams import (  # noqa: E402
    Event, Stream, StreamContext, current_stream, default_stream, set_stream, stream,
)

__all__ += ["Event", "Stream", "StreamContext", "current_stream", "default_stream", "set_stream",
            "stream", "amp", "is_bf16_supported"]


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether bfloat16 arithmetic is supported on the GPU: never in bricks, whose bfloat16 is
    stored as float32 (NumPy and CuPy have no bfloat16)."""
    return False
