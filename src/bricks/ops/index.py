"""Indexing primitives: ``x[i]``, ``x[i] = v``, gather, index_select, masked_fill."""

from __future__ import annotations

import re
from typing import Any

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim, bump_version
from ..autograd.function import Function, unbroadcast
from .elementwise import cast

__all__ = ["getitem", "setitem", "gather", "index_select", "masked_fill", "nonzero"]


def _index(key: Any) -> Any:
    """A Python index with Tensors replaced by arrays (bool tensors stay masks)."""
    if isinstance(key, Tensor):
        value = key._value
        if value.ndim == 0 and value.dtype.kind == "i" and type(value) is xp.ndarray:
            return int(value)  # torch selects with a 0-d integer tensor on the CPU: a view
        return value
    if isinstance(key, tuple):
        return tuple(_index(k) for k in key)
    if isinstance(key, list) and any(isinstance(k, Tensor) for k in key):
        return [_index(k) for k in key]
    return key


def _is_basic(key: Any) -> bool:
    """Whether NumPy answers this index with a view (ints, slices, None, Ellipsis)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) and not isinstance(
        k, bool) for k in parts)


class GetItem(Function):
    def forward(self, x, key):
        self.shape, self.dtype, self.key = x.shape, x.dtype, key
        try:
            return x[key]
        except IndexError as error:
            raise IndexError(f"{error} (indexing a tensor of shape {tuple(x.shape)})") from None

    def backward(self, gy):
        gx = array_module(gy).zeros(self.shape, gy.dtype)
        if _is_basic(self.key):
            gx[self.key] = gy
        else:
            xp.add.at(gx, self.key, gy)
        return gx

    def _name(self) -> str:
        # PyTorch applies a basic index part by part; its last real step names the node.
        if not _is_basic(self.key):
            return "IndexBackward0"
        for k in reversed(self.key if isinstance(self.key, tuple) else (self.key,)):
            if k is None:
                return "UnsqueezeBackward0"
            if isinstance(k, slice):
                if k != slice(None):
                    return "SliceBackward0"
            elif k is not Ellipsis:
                return "SelectBackward0"
        return "AliasBackward0"


class GetItemView(GetItem):
    is_view = True

    def forward(self, x, key):
        y = GetItem.forward(self, x, key)
        if not isinstance(y, type(x)):  # NumPy answers a full int index with a scalar copy
            y = x[_zero_d(key)]
        return y

    def view_again(self, x):
        y = x[self.key]
        return y if isinstance(y, type(x)) else x[_zero_d(self.key)]


def _zero_d(key: Any) -> tuple:
    """The index that gives the element at ``key`` as a 0-d view, not a scalar copy."""
    parts = key if isinstance(key, tuple) else (key,)
    return tuple(k for k in parts if k is not Ellipsis) + (Ellipsis,)


def getitem(input: Tensor, key: Any) -> Tensor:
    """``input[key]``: basic indexing gives a view, advanced indexing a copy."""
    key = _index(key)
    if _is_basic(key):
        return GetItemView.apply(input, key=key)
    return GetItem.apply(input, key=key)


class IndexPut(Function):
    """``x[key] = value`` out of place; ``setitem`` writes the result back into ``x``."""

    def forward(self, x, value, key):
        self.key = key
        self.value_shape = value.shape if isinstance(value, xp.ndarray) else ()
        y = x.copy()
        _assign(y, key, value)
        return y

    def backward(self, gy):
        nx, nv = self.needs_input_grad
        gx = gv = None
        if nx:
            gx = gy.copy()
            gx[self.key] = 0
        if nv:
            gv = unbroadcast(xp.broadcast_to(gy[self.key], gy[self.key].shape), self.value_shape)
        return gx, gv

    def _name(self) -> str:
        return "CopySlices" if _is_basic(self.key) else "IndexPutBackward0"


def _first_step(key: Any) -> Function | None:
    """The view ``x[key] = value`` writes into, for PyTorch's name of it; None when that is
    ``x`` itself (an advanced index writes into ``x``, as ``index_put_``)."""
    if not _is_basic(key):
        return None
    step = GetItemView()
    step.key = key
    return None if step.name() == "AliasBackward0" else step


def setitem(input: Tensor, key: Any, value: Any) -> None:
    """``input[key] = value`` in place, recorded for backward when a gradient is needed."""
    key = _index(key)
    if isinstance(value, Tensor) and value._value.dtype != input._value.dtype:
        value = cast(value, input._value.dtype)
    raw = value._value if isinstance(value, Tensor) else value
    grad_needed = (input.requires_grad or isinstance(value, Tensor) and value.requires_grad)
    from ..autograd.grad_mode import GRAD_ENABLED

    if input._view is not None and GRAD_ENABLED.enabled:
        from ..autograd._views import check_inplace_view

        check_inplace_view(input, isinstance(value, Tensor) and value.requires_grad,
                           _first_step(key))
    if not (grad_needed and GRAD_ENABLED.enabled):
        _write(input, key, raw)
        return
    from ..autograd._views import operand, rebase

    if input.requires_grad:
        from .inplace import check_not_leaf

        check_not_leaf(input)  # a leaf, or a view of one: PyTorch's error
    result = IndexPut.apply(operand(input), value, key=key)
    input._value[...] = result._value
    bump_version(input)
    rebase(input, result.grad_fn, True)


def _write(input: Tensor, key: Any, raw: Any) -> None:
    _assign(input._value, key, raw)
    bump_version(input)


def _assign(target: Any, key: Any, value: Any) -> None:
    """``target[key] = value``, with torch's errors: NumPy checks the shapes before the
    positions, torch the positions first. Either way nothing is written."""
    try:
        target[key] = value
    except (ValueError, IndexError):
        raise _assign_error(target, key, value) from None


def _assign_error(target: Any, key: Any, value: Any) -> Exception:
    try:
        place = target[key]
    except IndexError as error:
        found = re.match(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)",
                         str(error))
        if found is None:
            return error
        index, axis, size = found.groups()
        if size == "0":
            return IndexError("index is out of bounds for dimension with size 0")
        return IndexError(f"index {index} is out of bounds for dimension {axis} with size {size}")
    shape = list(xp.shape(value))
    if _is_basic(key):  # torch expands the value to the view it writes into
        from .shape import expand

        try:
            expand(Tensor._wrap(array_module(target).zeros(shape)), place.shape)
        except RuntimeError as error:
            return error
    return RuntimeError(f"shape mismatch: value tensor of shape {shape} cannot be broadcast to "
                        f"indexing result of shape {list(place.shape)}")


class Gather(Function):
    def forward(self, x, index, axis):
        self.shape, self.index, self.axis = x.shape, index, axis
        if index.shape != x.shape:  # torch reads only the part of x the index covers
            x = x[tuple(slice(None) if d == axis else slice(0, n)
                        for d, n in enumerate(index.shape))]
        return xp.take_along_axis(x, index, axis=axis)

    def backward(self, gy):
        gx = array_module(gy).zeros(self.shape, gy.dtype)
        _scatter_add(gx, self.index, gy, self.axis)
        return gx


def _scatter_add(target: Any, index: Any, values: Any, axis: int) -> None:
    grids = list(array_module(target).indices(index.shape, sparse=True))
    grids[axis] = index
    xp.add.at(target, tuple(grids), values)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Values of ``input`` picked along ``dim`` by ``index`` (same number of dimensions).

    Raises:
        RuntimeError: if ``index`` is not int64 or has another number of dimensions.
    """
    if index._value.dtype != xp.int64:
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
    if index._value.ndim != input._value.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           f"tensor: index has {index._value.ndim}, input {input._value.ndim}")
    axis = _check_dim(dim, input._value.ndim)
    shape, index_shape = input._value.shape, index._value.shape
    for d, (n, m) in enumerate(zip(shape, index_shape)):
        if d != axis and m > n:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index_shape)} to be no larger than self {list(shape)} "
                               f"apart from dimension {axis}")
    _check_positions(index._value, shape[axis] if shape else 1, axis)
    return Gather.apply(input, index._value, axis=axis)


def _check_positions(index: Any, size: int, axis: int) -> None:
    """torch's RuntimeError for the first position of ``index`` outside ``[0, size)`` (no
    negative positions, unlike NumPy's)."""
    if not index.size:
        return
    outside = (index < 0) | (index >= size)
    if outside.any():
        bad = int(index.reshape(-1)[int(xp.argmax(outside.reshape(-1)))])
        raise RuntimeError(f"index {bad} is out of bounds for dimension {axis} with size {size}")


class IndexSelect(Function):
    def forward(self, x, index, axis):
        self.shape, self.index, self.axis = x.shape, index, axis
        return xp.take(x, index, axis=axis)

    def backward(self, gy):
        gx = array_module(gy).zeros(self.shape, gy.dtype)
        key = (slice(None),) * self.axis + (self.index,)
        xp.add.at(gx, key, gy)
        return gx


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` listed by the 1-D integer ``index``."""
    if index._value.ndim > 1 or index._value.dtype.kind not in "iu":
        raise IndexError(f"index_select(): Index is supposed to be a vector of integers, got "
                         f"dtype {index.dtype} with {index._value.ndim} dimensions")
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis] if input._value.ndim else 1
    if index._value.size:
        if size == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if index._value.max() >= size or index._value.min() < 0:
            raise IndexError("index out of range in self")
    return IndexSelect.apply(input, index._value.reshape(-1), axis=axis)


class MaskedFill(Function):
    def forward(self, x, mask, value):
        self.mask, self.input_shape = mask, x.shape
        return _where(mask, array_module(x).asarray(value, dtype=x.dtype), x)

    def backward(self, gy):
        return unbroadcast(xp.where(self.mask, gy.dtype.type(0), gy), self.input_shape)


class MaskedFillTensor(Function):
    """``masked_fill`` with a 0-d tensor value, whose gradient is the sum over masked places."""

    torch_name = "MaskedFillBackward1"

    def forward(self, x, value, mask):
        self.mask, self.input_shape, self.value_dtype = mask, x.shape, value.dtype
        return _where(mask, value.astype(x.dtype), x)

    def backward(self, gy):
        needs_x, needs_value = self.needs_input_grad[:2]
        zero = gy.dtype.type(0)  # a scalar, not a host array: it meets device arrays too
        gx = unbroadcast(xp.where(self.mask, zero, gy), self.input_shape) if needs_x else None
        gv = None
        if needs_value:
            gv = array_module(gy).asarray(xp.where(self.mask, gy, zero).sum(),
                                          dtype=self.value_dtype)
        return gx, gv


def _where(mask: Any, value: Any, x: Any) -> Any:
    try:
        return xp.where(mask, value, x)
    except ValueError:
        raise RuntimeError(f"masked_fill: the mask of shape {tuple(mask.shape)} does not "
                           f"broadcast with the input of shape {tuple(x.shape)}") from None


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` where the bool ``mask`` is true (broadcast).

    Args:
        input: the tensor to copy.
        mask: a bool tensor that broadcasts with ``input``.
        value: a number, or a 0-d tensor; when that requires grad, its gradient is the sum
            of the output gradient over the masked places, as in PyTorch.

    Returns:
        The filled copy.

    Raises:
        RuntimeError: if ``mask`` is not a bool tensor or does not broadcast with ``input``,
            or if ``value`` is a tensor with dimensions.
    """
    if mask._value.dtype != xp.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    if isinstance(value, Tensor):
        if value._value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._value.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, value, mask._value)
    return MaskedFill.apply(input, mask._value, value=value)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the non-zero values: an (n, ndim) int64 tensor, or one 1-D per dimension."""
    if as_tuple:
        found = xp.nonzero(xp.atleast_1d(input._value))
        return tuple(Tensor._wrap(i.astype(xp.int64)) for i in found)
    return Tensor._wrap(xp.argwhere(input._value).astype(xp.int64))
