"""Moving tensors between devices and converting them: ``to``, ``cuda``, ``cpu``, ``new_*``."""

from __future__ import annotations

import builtins
from typing import Any

from .. import _device
from .._dtypes import to_dtype
from .._tensor import Tensor
from ..autograd.function import Function
from . import elementwise, shape

__all__: list[str] = []  # Tensor methods only (bound in ops/__init__.py)


class ToDevice(Function):
    """A copy of the values on another device; the gradient goes back to the source device."""

    def forward(self, x, device):
        self.source = _device.device_of(x)
        return _device.to_device(x, device)

    def backward(self, gy):
        return _device.to_device(gy, self.source)

    torch_name = "ToCopyBackward0"


def move(x: Tensor, device: _device.device) -> Tensor:
    """``x`` on ``device`` (a canonical device): itself when already there."""
    if x.device == device:
        return x
    return ToDevice.apply(x, device=device)


def _is_device(arg: Any) -> bool:
    return isinstance(arg, (str, _device.device)) or (
        isinstance(arg, builtins.int) and not isinstance(arg, builtins.bool))


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """The tensor on another device and/or with another dtype; itself when nothing changes.

    Forms as torch's: ``to(dtype)``, ``to(device, dtype=None)``, ``to(other)``, each with
    ``non_blocking=False`` and ``copy=False`` (``copy=True`` always returns a new tensor).
    Moving between devices is differentiable (``ToCopyBackward0``).

    Raises:
        RuntimeError: for an unknown device, or CUDA where there is none.
    """
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    flags = []
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, builtins.bool):
            flags.append(arg)
        elif _is_device(arg):
            device = arg
        elif arg is not None:
            dtype = arg
    kwargs.pop("non_blocking", None)  # copies are synchronous: the flag changes nothing
    kwargs.pop("memory_format", None)
    copy = kwargs.pop("copy", flags[1] if len(flags) > 1 else False)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    out = self
    if device is not None:
        out = move(out, _device.canonical(device))
    if dtype is not None:
        out = elementwise.cast(out, to_dtype(dtype).numpy)
    if copy and out is self:
        out = shape.clone(self)
    return out


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    """The tensor on a CUDA device (default: the current one); itself when already there."""
    if device is None:
        device = "cuda"
    elif isinstance(device, builtins.int) and not isinstance(device, builtins.bool):
        device = _device.device("cuda", device)
    return move(self, _device.canonical(device))


def cpu(self: Tensor) -> Tensor:
    """The tensor in host memory; itself when already there."""
    return move(self, _device.CPU)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}
_NAMED_DTYPES = {name: dtype for dtype, name in _TYPE_NAMES.items()}
_NAMED_DTYPES["BFloat16Tensor"] = "float32"  # NumPy has no bfloat16: bricks' is float32


def type_name(self: Tensor) -> str:
    """torch's name of the tensor's type: ``torch.FloatTensor``, ``torch.cuda.LongTensor``."""
    prefix = "torch.cuda." if self.device.type == "cuda" else "torch."
    return prefix + _TYPE_NAMES.get(self._value.dtype.name, "FloatTensor")


def _parse_type_name(name: str) -> tuple[str, str | None]:
    """The dtype and device that a name as ``torch.cuda.IntTensor`` stands for."""
    parts = name.split(".")
    device = "cuda" if parts[1:-1] == ["cuda"] else None if len(parts) == 2 else "invalid"
    if parts[0] != "torch" or device == "invalid" or parts[-1] not in _NAMED_DTYPES:
        raise ValueError(f"invalid type: '{name}'")
    return _NAMED_DTYPES[parts[-1]], device


def tensor_type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """``Tensor.type``: without an argument, the type's name (:func:`type_name`); else the
    tensor cast to ``dtype``, a dtype, a name as ``'torch.IntTensor'`` (``torch.cuda.``
    names move it to the GPU) or a legacy constructor as ``bricks.IntTensor``; itself when
    nothing changes.

    Raises:
        ValueError: for a string that names no tensor type.
        TypeError: for anything else that is no type, string or dtype.
    """
    if dtype is None:
        return type_name(self)
    if isinstance(dtype, str):
        dtype, device = _parse_type_name(dtype)
        return to(self, device=device, dtype=to_dtype(dtype))
    dtype = getattr(dtype, "legacy_dtype", dtype)  # bricks.IntTensor and friends
    try:
        to_dtype(dtype)
    except (TypeError, ValueError, KeyError):
        raise TypeError("dtype must be a type, str, or dtype object") from None
    return to(self, dtype)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """The tensor with ``other``'s dtype (and device, as torch's ``type(other.type())``)."""
    return to(self, other.device, other.dtype)


def new(factory: str) -> Any:
    """``Tensor.new_<factory>``: a new tensor with this one's dtype and device by default."""
    def method(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **kwargs: Any) -> Tensor:
        from .. import _creation

        kwargs.pop("layout", None)
        kwargs.pop("pin_memory", None)
        return getattr(_creation, factory)(
            *size, dtype=dtype or self.dtype, device=self.device if device is None else device,
            requires_grad=requires_grad, **kwargs)

    method.__name__ = f"new_{factory}"
    method.__doc__ = (f"A new tensor from ``{factory}`` with this tensor's dtype and device "
                      "unless ``dtype=``/``device=`` say otherwise.")
    return method


def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """A copy of ``data`` with this tensor's dtype and device unless told otherwise."""
    from .._creation import tensor

    return tensor(data, dtype=dtype or self.dtype,
                  device=self.device if device is None else device, requires_grad=requires_grad)
