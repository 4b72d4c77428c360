"""torch's other ways to make a tensor: ``range`` (inclusive end), ``scalar_tensor``,
``asarray`` (sharing memory where it can), ``frombuffer`` and ``empty_strided``."""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any, Sequence

from . import _device, _dtypes
from ._creation import _infer_array, _make, _new, _np_dtype, _size, tensor
from ._device import array_module, xp
from ._tensor import Tensor

__all__ = ["range", "scalar_tensor", "asarray", "frombuffer", "empty_strided"]

_RANGE_DEPRECATED = ("bricks.range is deprecated and will be removed in a future release "
                     "because its behavior is inconsistent with Python's range builtin. Instead, "
                     "use bricks.arange, which produces values in [start, end).")


def range(start: float, end: float, step: float = 1, *, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` *inclusive* by ``step``, in the default float dtype
    unless ``dtype`` says otherwise (deprecated in torch for ``arange``, and warns so).

    Raises:
        RuntimeError: for a zero step, or bounds that the step's sign does not lead across.

    Example:
        >>> import bricks
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     bricks.range(1, 4).tolist()
        [1.0, 2.0, 3.0, 4.0]
    """
    warnings.warn(_RANGE_DEPRECATED, UserWarning, stacklevel=2)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = math.trunc((end - start) / step) + 1
    values = start + xp.arange(count, dtype=xp.float64) * step
    return _new(_device.place(values.astype(_np_dtype(dtype)), _device.resolve(device)),
                requires_grad)


def scalar_tensor(s: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s``, in the default float dtype unless ``dtype``
    says otherwise (even for an int or a bool, as torch).

    Raises:
        TypeError: when ``s`` is not a number.

    Example:
        >>> import bricks
        >>> bricks.scalar_tensor(3)
        tensor(3.)
    """
    if isinstance(s, Tensor) and s._value.size == 1:
        s = s.item()
    if not isinstance(s, (builtins.bool, builtins.int, builtins.float, builtins.complex,
                          xp.number, xp.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    np_dtype = _np_dtype(dtype)
    if isinstance(s, builtins.complex) and xp.dtype(np_dtype).kind != "c":
        raise RuntimeError(f"value cannot be converted to type "
                           f"{_dtypes.from_numpy_dtype(np_dtype).name} without overflow")
    return _new(_make(device, "full", (), s, np_dtype), requires_grad)


def _alias_error(what: str, source: Any, dtype: Any) -> ValueError:
    return ValueError(f"can't alias {what} with dtype '{_dtypes.scalar_type_name(source)}' into "
                      f"dtype '{_dtypes.scalar_type_name(dtype)}'.")


def _from_tensor(obj: Tensor, np_dtype: Any, device: Any, copy: bool | None,
                 requires_grad: bool | None) -> Tensor:
    x = obj._value
    target = x.dtype if np_dtype is None else np_dtype
    moves = device is not None and _device.resolve(device) != _device.device_of(x)
    if copy is False and (target != x.dtype or moves):
        raise _alias_error("tensor", x.dtype, target)
    source = obj.detach() if requires_grad is False else obj
    if copy or target != x.dtype or moves:
        # differentiable, as torch's (CloneBackward0, ToCopyBackward0) unless asked not to be
        out = source.to(device=device, dtype=_dtypes.from_numpy_dtype(target), copy=True)
        return out.requires_grad_(True) if requires_grad and not out.requires_grad else out
    if requires_grad is None or obj.requires_grad == requires_grad:
        return obj
    # torch changes ``obj`` itself here (its flag, or cuts it from its graph); bricks leaves
    # the caller's tensor as it was and gives an alias that shares its memory.
    return obj.detach().requires_grad_(requires_grad)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` (a tensor, an ndarray, an object with the buffer protocol, a number or a nested
    sequence) as a tensor, sharing its memory unless ``copy=True`` or a conversion needs one.
    A tensor stays in its graph unless ``requires_grad`` is given (torch 2.13's default).

    Raises:
        ValueError: with ``copy=False``, when the memory cannot be shared (another dtype or
            device, or a Python sequence).
        RuntimeError: for ``requires_grad=True`` on a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> import numpy as np
        >>> a = np.zeros(2)
        >>> bricks.asarray(a)[0] = 5
        >>> a.tolist()
        [5.0, 0.0]
    """
    np_dtype = None if dtype is None else _dtypes.to_dtype(dtype).numpy
    if isinstance(obj, Tensor):
        return _from_tensor(obj, np_dtype, device, copy, requires_grad)
    if isinstance(obj, xp.ndarray) or hasattr(obj, "__cuda_array_interface__"):
        if copy is False and np_dtype is not None and np_dtype != obj.dtype:
            raise _alias_error("tensor", obj.dtype, np_dtype)
        return asarray(Tensor._wrap(array_module(obj).asarray(obj)), dtype=dtype, device=device,
                       copy=copy, requires_grad=bool(requires_grad))
    if isinstance(obj, (bytes, bytearray, memoryview)) or type(obj).__name__ == "array":
        shared = frombuffer(obj, dtype=dtype or _dtypes.get_default_dtype())
        return asarray(shared, device=device, copy=copy, requires_grad=bool(requires_grad))
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    if isinstance(obj, str):
        raise TypeError("new(): invalid data type 'str'")
    return tensor(_infer_array(obj, dtype), device=device, requires_grad=bool(requires_grad))


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor over the memory of an object with the buffer protocol (``bytearray``,
    ``memoryview``, ``array.array``): writes to one are seen by the other.

    Args:
        buffer: the object whose bytes the tensor reads.
        dtype: the element type the bytes are read as.
        count: how many elements to read (-1: all that remain after ``offset``).
        offset: how many bytes to skip first.

    Raises:
        ValueError: for an object without the buffer protocol, an empty read, an offset or
            count past the end, or a length that is not a multiple of the element size.

    Example:
        >>> import bricks
        >>> data = bytearray(8)
        >>> bricks.frombuffer(data, dtype=bricks.int32, count=1, offset=4).fill_(7)
        tensor([7], dtype=bricks.int32)
        >>> bytes(data[4:]) == (7).to_bytes(4, "little")
        True
    """
    try:
        length = memoryview(buffer).nbytes
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    np_dtype = _dtypes.to_dtype(dtype).numpy
    size = np_dtype.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({size})")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    return _new(xp.frombuffer(buffer, dtype=np_dtype, count=count, offset=offset), requires_grad)


def empty_strided(size: Sequence[int], stride: Sequence[int], *, dtype: Any = None,
                  layout: Any = None, device: Any = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """An uninitialized tensor of ``size`` whose elements lie ``stride`` elements apart in a
    fresh memory block (strides of 0 make elements share a place).

    Raises:
        RuntimeError: for sizes and strides of different lengths, or negative ones.

    Example:
        >>> import bricks
        >>> bricks.empty_strided((2, 3), (1, 2)).stride()
        (1, 2)
    """
    shape, steps = _size((size,)), tuple(builtins.int(s) for s in stride)
    if len(shape) != len(steps):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of "
                           f"strides ({len(steps)})")
    if any(s < 0 for s in steps):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(steps)}")
    need = 0 if 0 in shape else 1 + builtins.sum((n - 1) * s for n, s in zip(shape, steps))
    block = _make(device, "empty", (need,), _np_dtype(dtype))
    item = block.itemsize
    view = array_module(block).lib.stride_tricks.as_strided(
        block, shape, tuple(s * item for s in steps))
    return _new(view, requires_grad)
