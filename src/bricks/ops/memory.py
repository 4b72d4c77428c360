"""Where a tensor's bytes are: ``data_ptr``, ``nbytes``, ``itemsize``, and page-locked
(pinned) host memory with ``pin_memory`` / ``is_pinned``, in torch's units and with its errors.

Pinned memory belongs to the CUDA driver: where CuPy finds a GPU, ``pin_memory()`` copies the
values into CuPy's pinned host memory (faster, asynchronous copies to the GPU); without one it
raises torch's CPU-build error, and ``is_pinned()`` is False.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import _shared_memory
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


# ----- shared memory (bricks._shared_memory; bricks.multiprocessing sends it) -----

def share_memory_(self: Tensor) -> Tensor:
    """Move the values into shared memory (if not there yet) and return the tensor.

    Sent to another process (as an argument of a ``spawn``/``forkserver`` process, through a
    multiprocessing ``Queue`` or ``Pipe``) or inherited by a ``fork`` child, the tensor then
    shares its memory: in-place writes on either side are seen by the other. A GPU tensor is
    left as it is, as torch does. Views made before the move keep the old memory.

    Example:
        >>> import bricks
        >>> t = bricks.zeros(3).share_memory_()
        >>> t.is_shared()
        True
    """
    value = self._value
    if isinstance(value, xp.ndarray) and _shared_memory.segment_of(value) is None:
        shared = _shared_memory.empty(value.shape, value.dtype)
        shared[...] = value
        self._value = shared
        register_reductions()
    return self


def is_shared(self: Tensor) -> bool:
    """Whether the values are in shared memory (a GPU tensor's always are, as torch says)."""
    value = self._value
    return not isinstance(value, xp.ndarray) or _shared_memory.segment_of(value) is not None


_NON_LEAF = ("Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
             "autograd does not support crossing process boundaries.  If you just want to "
             "transfer the data, call detach() on the tensor before serializing (e.g., putting "
             "it on the queue).")


class _SharedArray:
    """Pickles as the array's segment descriptor; unpickles as the array, mapped again."""

    def __init__(self, description: tuple) -> None:
        self.description = description

    def __reduce__(self) -> Any:
        return _shared_memory.rebuild_array, self.description


def _reduce_tensor(tensor: Tensor) -> Any:
    """multiprocessing's pickling of a tensor: its values (shared memory, by descriptor; the
    values of a view not in shared memory, as a copy), class, ``requires_grad`` and instance
    attributes; no graph, no ``grad``."""
    if tensor.requires_grad and tensor.grad_fn is not None:
        raise RuntimeError(_NON_LEAF)
    if tensor._view is None and type(tensor._value) is xp.ndarray:
        # torch moves a tensor it sends into shared memory; here only one that no view links
        # to another tensor (share_memory_ gives the tensor a new array; a view would not follow)
        share_memory_(tensor)
    description = _shared_memory.reduce_array(tensor._value)
    values = tensor._value if description is None else _SharedArray(description)
    extra = getattr(tensor, "__dict__", None) or None
    return _rebuild_tensor, (type(tensor), values, tensor.requires_grad, extra)


def _rebuild_tensor(cls: type[Tensor], values: Any, requires_grad: bool,
                    extra: dict | None) -> Tensor:
    tensor = cls._wrap(values)
    tensor.requires_grad = requires_grad
    if extra:
        vars(tensor).update(extra)
    return tensor


def register_reductions() -> None:
    """Have multiprocessing's pickler send tensors (every class of tensor) as above."""
    from multiprocessing.reduction import ForkingPickler

    classes = [Tensor]
    while classes:
        cls = classes.pop()
        ForkingPickler.register(cls, _reduce_tensor)
        classes.extend(cls.__subclasses__())
