"""Ordering ops: sort, argsort, topk (values differentiable through gather), cumsum, flip."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .index import gather

__all__ = ["sort", "argsort", "topk", "cumsum", "flip"]


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def _order(x: Any, axis: int, descending: bool) -> Any:
    # A stable sort keeps ties in input order, as torch.sort(stable=True) does. NaN sorts as
    # the largest value (last ascending, first descending), as in PyTorch: so descending is
    # the stable ascending order of the flipped input, reversed and mapped back to positions
    # of the input (argsort(-x) would put NaN last).
    if descending:
        order = xp.flip(xp.argsort(xp.flip(x, axis), axis=axis, kind="stable"), axis)
        return x.shape[axis] - 1 - order
    return xp.argsort(x, axis=axis, kind="stable")


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64)."""
    if input._value.ndim == 0:
        return Tensor._wrap(array_module(input._value).zeros((), xp.int64))
    axis = _check_dim(dim, input._value.ndim)
    return Tensor._wrap(_order(input._value, axis, descending).astype(xp.int64, copy=False))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """The values sorted along ``dim`` and their indices, as ``(values, indices)``."""
    indices = argsort(input, dim, descending)
    if input._value.ndim == 0:
        return _ValuesIndices(input.clone(), indices)
    values = rename(gather(input, dim, indices), "SortBackward0")
    return _ValuesIndices(values, indices)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    Raises:
        RuntimeError: if ``k`` is larger than the size of ``dim``.
    """
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis] if input._value.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range: k={k} for a dimension of size {size}")
    module = array_module(input._value)
    if input._value.ndim:
        order = _order(input._value, axis, largest)
    else:
        order = module.zeros((), xp.int64)
    indices = Tensor._wrap(xp.take(order, module.arange(k), axis=axis).astype(xp.int64)
                           if input._value.ndim else order)
    values = rename(gather(input, dim, indices), "TopkBackward0")
    return _ValuesIndices(values, indices)


class Cumsum(Function):
    def forward(self, x, axis):
        self.axis = axis
        return xp.cumsum(x, axis=axis)

    def backward(self, gy):
        return xp.flip(xp.cumsum(xp.flip(gy, self.axis), axis=self.axis), self.axis)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``; integers and bools sum as int64, as in PyTorch."""
    from .elementwise import cast

    if dtype is not None:
        input = cast(input, dtype.numpy)
    elif input._value.dtype.kind in "biu":
        input = cast(input, xp.dtype(xp.int64))
    axis = _check_dim(dim, input._value.ndim)
    if input._value.ndim == 0:
        return input.clone()
    return Cumsum.apply(input, axis=axis)


class Flip(Function):
    def forward(self, x, axes):
        self.axes = axes
        return xp.flip(x, axes).copy()  # PyTorch's flip copies; a view would alias the input

    def backward(self, gy):
        return xp.flip(gy, self.axes)


def flip(input: Tensor, dims: Any) -> Tensor:
    """The values reversed along each dimension in ``dims``."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(_check_dim(d, input._value.ndim) for d in dims)
    return Flip.apply(input, axes=axes)
