"""How a tensor lies in memory, in PyTorch's units: ``stride``, ``storage_offset``, and
``as_strided``, a view of that memory with other strides."""

from __future__ import annotations

from typing import Any, Sequence

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from .shape import strided_view

__all__ = ["as_strided"]  # and the methods Tensor.stride, Tensor.storage_offset (_METHODS)


def stride(self: Tensor, dim: int | None = None) -> Any:
    """The step in elements between neighbours along each dimension (or along ``dim``)."""
    x = self._value
    steps = tuple(s // x.itemsize for s in x.strides)
    return steps if dim is None else steps[_check_dim(dim, x.ndim)]


def storage_offset(self: Tensor) -> int:
    """How many elements into its memory block this tensor's first element lies."""
    return storage(self._value)[1]


def storage(x: Any) -> tuple[Any, int]:
    """The array that owns ``x``'s memory block (PyTorch's storage), and how many elements
    into it ``x``'s first element lies."""
    base = x
    while getattr(base, "base", None) is not None and _address(base.base) is not None:
        base = base.base
    if base is x:
        return x, 0
    return base, (_address(x) - _address(base)) // x.itemsize


def _address(x: Any) -> Any:  # an int, or None for what is no array
    interface = getattr(x, "__array_interface__", None)
    if interface is not None:
        return interface["data"][0]
    data = getattr(x, "data", None)  # a device array: its memory pointer
    return getattr(data, "ptr", None)


class AsStrided(Function):
    """A view of the input's memory block with the given sizes, strides and offset (in
    elements), as PyTorch's ``as_strided``: its gradient goes to the places of the block the
    view reads (summed where it reads one place twice), and from there to the input's."""

    is_view = True
    torch_name = "AsStridedBackward0"

    def forward(self, x, size, stride, offset):
        self.size, self.stride, self.offset = size, stride, offset
        block, start = storage(x)
        steps = tuple(s // x.itemsize for s in x.strides)
        self.block_size, self.input_layout = block.size, (x.shape, steps, start)
        return self.view_again(x)

    def view_again(self, x):
        block = storage(x)[0]
        if not block.flags.c_contiguous:
            raise RuntimeError("as_strided: the tensor's memory is not one contiguous block")
        start = block.reshape(-1)[self.offset:]
        if type(start) is not type(x):  # the owner of a device array's memory may be another type
            start = start.view(type(x))
        return strided_view(start, self.size, tuple(s * x.itemsize for s in self.stride))

    def backward(self, gy):
        module = array_module(gy)
        g = module.zeros(self.block_size, gy.dtype)
        xp.add.at(g, _places(module, self.size, self.stride, self.offset).reshape(-1),
                  gy.reshape(-1))
        return g[_places(module, *self.input_layout)]


def _places(module: Any, size: tuple, stride: tuple, offset: int) -> Any:
    """The place in the memory block of every element of a strided view."""
    places = module.full(size, offset, dtype=xp.int64)
    for d, (n, step) in enumerate(zip(size, stride)):
        places = places + module.arange(n).reshape((n,) + (1,) * (len(size) - d - 1)) * step
    return places


def as_strided(input: Tensor, size: Sequence[int], stride: Sequence[int],
               storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s memory block (not only of its elements) with other sizes and
    strides, in elements, from ``storage_offset`` (default: ``input``'s own).

    Raises:
        RuntimeError: as PyTorch, for negative sizes, strides or offset, sizes and strides of
            different lengths, or a view that reaches past the end of the block.
    """
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    x = input._value
    block, start = storage(x)
    offset = start if storage_offset is None else int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    need = 0 if 0 in size else offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if need > block.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {x.itemsize} requiring a storage "
                           f"size of {need * x.itemsize} are out of bounds for storage of size "
                           f"{block.size * x.itemsize}")
    return AsStrided.apply(input, size=size, stride=stride, offset=offset)
