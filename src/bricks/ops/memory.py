"""Where a tensor's bytes are: ``data_ptr``, ``nbytes``, ``itemsize``, and page-locked
(pinned) host memory with ``pin_memory`` / ``is_pinned``, in torch's units and with its errors.

Pinned memory belongs to the CUDA driver: where CuPy finds a GPU, ``pin_memory()`` copies the
values into CuPy's pinned host memory (faster, asynchronous copies to the GPU); without one it
raises torch's CPU-build error, and ``is_pinned()`` is False.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._cuda_backend import CUDA
from .._device import device_of, xp
from .._tensor import Tensor
from ..autograd.function import Function

__all__: list[str] = []  # methods only: Tensor.data_ptr, nbytes, itemsize, pin_memory, ...


def data_ptr(self: Tensor) -> int:
    """The address of the tensor's first element (0 for a tensor with no elements)."""
    value = self._value
    if value.size == 0:
        return 0
    if isinstance(value, xp.ndarray):
        return int(value.__array_interface__["data"][0])
    return int(value.data.ptr)  # a CuPy array


def nbytes(self: Tensor) -> int:
    """The bytes the elements take: ``numel() * itemsize`` (of a view too, as torch's)."""
    return int(self._value.size * self._value.itemsize)


def itemsize(self: Tensor) -> int:
    """The size of one element in bytes (``element_size()``)."""
    return int(self._value.itemsize)


def _no_device_argument(device: Any, method: str) -> None:
    if device is None:
        return
    warnings.warn(f"The argument 'device' of Tensor.{method}() is deprecated. Please do not "
                  "pass this argument.", DeprecationWarning, stacklevel=3)
    if str(device).split(":")[0] == "cpu":
        raise RuntimeError("CPU device type not an accelerator.")


def _pinned(array: Any) -> bool:
    if not CUDA.available() or array.size == 0:
        return False
    cupy = CUDA.cupy()
    address = int(array.__array_interface__["data"][0])
    try:
        kind = cupy.cuda.runtime.pointerGetAttributes(address).type
    except Exception:  # noqa: BLE001 - memory the driver does not know is not pinned
        return False
    return int(kind) == int(cupy.cuda.runtime.memoryTypeHost)


def is_pinned(self: Tensor, device: Any = None) -> bool:
    """Whether the tensor's values are in pinned (page-locked) host memory."""
    _no_device_argument(device, "is_pinned")
    value = self._value
    return isinstance(value, xp.ndarray) and _pinned(value)


class _PinnedCopy(Function):
    """A copy of host values in pinned memory; the gradient passes through unchanged."""

    def forward(self, x):
        memory = CUDA.cupy().cuda.alloc_pinned_memory(max(x.nbytes, 1))
        out = xp.frombuffer(memory, x.dtype, x.size).reshape(x.shape)  # host: pinned host memory
        out[...] = x
        return out

    def backward(self, gy):
        return gy

    torch_name = "ToCopyBackward0"


def pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """A copy of the tensor in pinned host memory (itself if it already is there).

    Raises:
        RuntimeError: without a GPU ("Cannot access accelerator device when none is
            available.", as torch's CPU build), or for a tensor not on the CPU.
    """
    _no_device_argument(device, "pin_memory")
    if not CUDA.available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if device_of(self._value).type != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if is_pinned(self):
        return self
    return _PinnedCopy.apply(self)
