"""Everyday composites: stacking (``hstack``, ``vstack``, ``tile``...), selection
(``masked_select``, ``take``, ``argwhere``, ``kthvalue``), more math (``lerp``, ``fmod``,
``fmax``, ``erfinv``, ``dist``, ``nansum``...), paired statistics (``std_mean``), ``cummax``.
All built on existing ops, so they need no backward of their own."""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .elementwise import _binary, _broadcasting, _shape, div, where
from .index import gather, index_select
from .shape import cat, expand, reshape
from .unary import _float

__all__ = ["concat", "concatenate", "hstack", "vstack", "dstack", "column_stack", "tile",
           "broadcast_to", "broadcast_tensors", "masked_select", "take", "argwhere", "fliplr",
           "flipud", "rot90", "true_divide", "fmod", "fmax", "fmin", "lerp", "erfinv", "dist",
           "nansum", "nanmean", "std_mean", "var_mean", "inner", "baddbmm", "kthvalue",
           "cummax", "cummin", "logspace"]


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def concat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """``cat``, by its other name."""
    return cat(tensors, dim)


concatenate = concat


def _atleast(t: Tensor, ndim: int) -> Tensor:
    if t.dim() >= ndim:
        return t
    if ndim == 2:
        return reshape(t, (1, -1) if t.dim() == 1 else (1, 1))
    if t.dim() == 0:
        return reshape(t, (1, 1, 1))
    return reshape(t, (1,) + tuple(t.shape) + (1,)) if t.dim() == 1 else t.unsqueeze(-1)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along columns (the first dimension of 1-D tensors)."""
    ts = [_atleast(t, 1) if t.dim() == 0 else t for t in tensors]
    return cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along rows, 1-D tensors becoming rows."""
    return cat([_atleast(t, 2) for t in tensors], 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the third dimension."""
    return cat([_atleast(t, 3) for t in tensors], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """1-D tensors as columns, side by side."""
    return cat([reshape(t, (-1, 1)) if t.dim() <= 1 else t for t in tensors], 1)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """``input`` repeated ``dims`` times along each dimension (leading ones added first)."""
    dims = tuple(dims)
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return input.repeat(*dims)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """``input`` expanded to ``size``."""
    return expand(input, tuple(size))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common shape."""
    shape = tuple(xp.broadcast_shapes(*(tuple(t.shape) for t in tensors)))
    return tuple(expand(t, shape) for t in tensors)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The values where ``mask`` (broadcast) is True, as a 1-D tensor.

    Raises:
        RuntimeError: if ``mask`` is not a bool tensor.
    """
    if mask._value.dtype != xp.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
    a, m = broadcast_tensors(input, mask)
    return rename(a[m], "MaskedSelectBackward0")


def take(input: Tensor, index: Tensor) -> Tensor:
    """The values at ``index`` of the flattened input, in ``index``'s shape.

    Raises:
        IndexError: for an index out of range.
    """
    flat = reshape(input, (-1,))
    i = index._value
    n = flat._value.shape[0]
    if i.size and (i.max() >= n or i.min() < -n):
        raise IndexError(f"out of range: tried to access index {int(i.max())} on a tensor of "
                         f"{n} elements.")
    picked = index_select(flat, 0, Tensor._wrap(xp.where(i < 0, i + n, i).reshape(-1)))
    return rename(reshape(picked, tuple(index.shape)), "TakeBackward0")


def argwhere(input: Tensor) -> Tensor:
    """The indices of the non-zero values, one row each."""
    return input.nonzero()


def fliplr(input: Tensor) -> Tensor:
    """Reversed left to right (the second dimension)."""
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input: Tensor) -> Tensor:
    """Reversed upside down (the first dimension)."""
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotated by 90 degrees ``k`` times in the plane of ``dims``."""
    d0, d1 = dims
    k %= 4
    if k == 1:
        out = input.flip(d1).transpose(d0, d1)
    elif k == 2:
        out = input.flip((d0, d1))
    elif k == 3:
        out = input.flip(d0).transpose(d0, d1)
    else:
        out = input.clone()
    return rename(out, "Rot90Backward0")


def true_divide(input: Any, other: Any) -> Tensor:
    """``div`` by its other name."""
    return div(input, other)


class Fmod(Function):
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        with xp.errstate(divide="ignore", invalid="ignore"):
            return _broadcasting(xp.fmod, a, b)

    def backward(self, gy):
        a, b = self.a, self.b
        ga = xp.broadcast_to(gy, gy.shape)
        with xp.errstate(divide="ignore", invalid="ignore"):
            gb = -gy * xp.trunc(a / b)
        from ..autograd.function import unbroadcast

        return unbroadcast(ga, _shape(a)), unbroadcast(gb, _shape(b))


def fmod(input: Tensor, other: Any) -> Tensor:
    """The remainder of division with the sign of the dividend (C's fmod)."""
    return _binary(Fmod, input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum, ignoring NaN where the other is a number."""
    nan = input.isnan()
    picked = where(nan, other, input)
    return where(other.isnan(), picked, where(picked >= other, picked, other))


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum, ignoring NaN where the other is a number."""
    nan = input.isnan()
    picked = where(nan, other, input)
    return where(other.isnan(), picked, where(picked <= other, picked, other))


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)``, computed from the nearer end as torch does."""
    step = end - input
    if isinstance(weight, Tensor):
        out = where(weight.abs() < 0.5, input + weight * step, end - step * (1 - weight))
        return rename(out, "LerpBackward1")
    out = input + weight * step if abs(weight) < 0.5 else end - step * (1 - weight)
    return rename(out, "LerpBackward0")


class Erfinv(Function):
    saves_output = True

    def forward(self, x):
        self.y = _erfinv_array(x)
        return self.y

    def backward(self, gy):
        return gy * (math.sqrt(math.pi) / 2) * xp.exp(self.y * self.y)


def _erfinv_array(x: Any) -> Any:
    """The inverse error function: Giles' approximation, then two Newton steps."""
    from .pointwise import erf_array

    with xp.errstate(divide="ignore", invalid="ignore"):
        w = -xp.log((1 - x) * (1 + x))
        small = w < 5
        ws, wl = w - 2.5, xp.sqrt(w) - 3
        ps = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            ps = c + ps * ws
        pl = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            pl = c + pl * wl
        y = xp.where(small, ps, pl) * x
        for _ in range(2):
            finite = xp.isfinite(y)
            err = erf_array(xp.atleast_1d(xp.where(finite, y, 0))).reshape(y.shape) - x
            y = xp.where(finite, y - err / (2 / math.sqrt(math.pi) * xp.exp(-y * y)), y)
        y = xp.where(x == 1, xp.inf, xp.where(x == -1, -xp.inf, y))
        return xp.where(xp.abs(x) > 1, xp.nan, y).astype(x.dtype)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function on (-1, 1)."""
    return Erfinv.apply(_float(input))


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other``."""
    from .matrix import _pnorm

    return rename(_pnorm(reshape(input - other, (-1,)), float(p), nan_blind_l1=True),
                  "DistBackward0")


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum, NaN values counted as 0."""
    clean = input.masked_fill(input.isnan(), 0.0)
    return clean.sum() if dim is None else clean.sum(dim, keepdim=keepdim)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The mean of the values that are not NaN."""
    count = (~input.isnan()).sum() if dim is None else (~input.isnan()).sum(dim, keepdim=keepdim)
    return nansum(input, dim, keepdim) / count


def std_mean(input: Tensor, dim: Any = None, *, correction: int = 1,
             keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim``."""
    if dim is None:
        return input.std(correction=correction), input.mean()
    return (input.std(dim, correction=correction, keepdim=keepdim),
            input.mean(dim, keepdim=keepdim))


def var_mean(input: Tensor, dim: Any = None, *, correction: int = 1,
             keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim``."""
    if dim is None:
        return input.var(correction=correction), input.mean()
    return (input.var(dim, correction=correction, keepdim=keepdim),
            input.mean(dim, keepdim=keepdim))


def inner(input: Tensor, other: Tensor) -> Tensor:
    """The sum of products over the last dimension of both: shape
    ``input.shape[:-1] + other.shape[:-1]``."""
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    from .matrix import tensordot

    return tensordot(input, other, ([-1], [-1]))


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1,
            alpha: float = 1) -> Tensor:
    """``beta * input + alpha * batch1 @ batch2`` for batches of matrices."""
    from .linalg import bmm

    product = bmm(batch1, batch2)
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return rename((input if beta == 1 else input * beta) + product, "BaddbmmBackward0")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> _ValuesIndices:
    """The ``k``-th smallest value along ``dim`` and its index.

    Raises:
        RuntimeError: if ``k`` is outside [1, size].
    """
    axis = _check_dim(dim, input.dim())
    size = input.shape[axis] if input.dim() else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    order = xp.argsort(input._value, axis=axis, kind="stable") if input.dim() else None
    if order is None:
        return _ValuesIndices(input.clone(),
                              Tensor._wrap(array_module(input._value).zeros((), xp.int64)))
    index = xp.take(order, [k - 1], axis=axis).astype(xp.int64)
    values = gather(input, axis, Tensor._wrap(index))
    indices = Tensor._wrap(index)
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return _ValuesIndices(rename(values, "KthvalueBackward0"), indices)


def _cumulative(input: Tensor, dim: int, better: Any, name: str) -> _ValuesIndices:
    axis = _check_dim(dim, input.dim())
    x = input._value
    module = array_module(x)
    if x.ndim == 0:
        return _ValuesIndices(input.clone(), Tensor._wrap(module.zeros((), xp.int64)))
    moved = module.moveaxis(x, axis, -1)
    best = module.zeros(moved.shape, xp.int64)
    if moved.size == 0:
        return _ValuesIndices(input.clone(), Tensor._wrap(xp.moveaxis(best, -1, axis)))
    running = moved[..., 0].copy()
    for i in range(1, moved.shape[-1]):
        value = moved[..., i]
        take_new = better(value, running) | (value != value) | (value == running)
        take_new &= ~(running != running)  # once NaN, NaN stays the extreme
        best[..., i] = module.where(take_new, i, best[..., i - 1])
        running = module.where(take_new, value, running)
    index = module.moveaxis(best, -1, axis)
    values = rename(gather(input, axis, Tensor._wrap(index)), name)
    return _ValuesIndices(values, Tensor._wrap(index))


def cummax(input: Tensor, dim: int) -> _ValuesIndices:
    """The running maximum along ``dim`` and where it was reached (the last tie)."""
    return _cumulative(input, dim, xp.greater, "CummaxBackward0")


def cummin(input: Tensor, dim: int) -> _ValuesIndices:
    """The running minimum along ``dim`` and where it was reached (the last tie)."""
    return _cumulative(input, dim, xp.less, "CumminBackward0")


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in exponent."""
    from .._creation import linspace

    exponents = linspace(start, end, steps, dtype=xp.float64 if dtype is None else dtype)
    values = Tensor._wrap(xp.power(base, exponents._value))
    from .._dtypes import get_default_dtype, to_dtype

    target = (to_dtype(dtype) if dtype is not None else get_default_dtype()).numpy
    out = Tensor._wrap(values._value.astype(target))
    return out.requires_grad_(True) if requires_grad else out

