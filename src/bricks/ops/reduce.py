"""Reductions over dimensions, and softmax/log-softmax."""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

from .._backend import get_default_dtype, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .elementwise import cast
from .unary import sqrt

__all__ = ["sum", "mean", "prod", "var", "std", "norm", "logsumexp", "max", "min", "argmax",
           "argmin", "all", "any", "softmax", "log_softmax", "amax", "amin"]


def _axes(dim: Any, ndim: int) -> Any:
    """A dim argument (None, int, tuple or list) as NumPy axes, checked like PyTorch."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(_check_dim(d, ndim) for d in dim) or None
    return _check_dim(dim, ndim)


def _expand_back(g: Any, shape: tuple, axes: Any, keepdim: bool) -> Any:
    """Reshape a reduced gradient so that it broadcasts against the input of ``shape``."""
    if not keepdim and axes is not None and len(shape) > 0:
        g = xp.expand_dims(g, axes)
    return g


class Sum(Function):
    def forward(self, x, axes, keepdim):
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    def backward(self, gy):
        return xp.broadcast_to(_expand_back(gy, self.shape, self.axes, self.keepdim), self.shape)

    def _name(self) -> str:
        return "SumBackward0" if self.axes is None else "SumBackward1"


class Mean(Function):
    def forward(self, x, axes, keepdim):
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        y = x.mean(axis=axes, keepdims=keepdim)
        self.count = x.size // builtins.max(y.size, 1) if x.size else 0
        return y

    def backward(self, gy):
        g = _expand_back(gy, self.shape, self.axes, self.keepdim) / builtins.max(self.count, 1)
        return xp.broadcast_to(g, self.shape)

    def _name(self) -> str:
        return "MeanBackward0" if self.axes is None else "MeanBackward1"


class Prod(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x, axes, keepdim):
        self.x, self.axes, self.keepdim = x, axes, keepdim
        self.y = x.prod(axis=axes, keepdims=keepdim)
        return self.y

    def backward(self, gy):
        x = self.x
        g = _expand_back(gy, x.shape, self.axes, self.keepdim)
        y = _expand_back(self.y, x.shape, self.axes, self.keepdim)
        zeros = x == 0
        if not zeros.any():
            return g * y / x
        # With zeros, the product of the others must be formed explicitly.
        axes = self.axes if self.axes is not None else tuple(range(x.ndim))
        others = xp.where(zeros, 1, x).prod(axis=axes, keepdims=True)
        count = zeros.sum(axis=axes, keepdims=True)
        grad = xp.where(zeros, xp.where(count == 1, others, 0), xp.where(count == 0, y / xp.where(
            zeros, 1, x), 0))
        return g * grad

    def _name(self) -> str:
        return "ProdBackward0" if self.axes is None else "ProdBackward1"


class Var(Function):
    saves = (0,)

    def forward(self, x, axes, correction, keepdim):
        self.x, self.axes, self.correction, self.keepdim = x, axes, correction, keepdim
        self.mean = x.mean(axis=axes, keepdims=True)
        n = x.size // builtins.max(self.mean.size, 1)
        self.denominator = n - correction
        with xp.errstate(divide="ignore", invalid="ignore"):
            return ((x - self.mean) ** 2).sum(axis=axes, keepdims=keepdim) / self.denominator

    def backward(self, gy):
        g = _expand_back(gy, self.x.shape, self.axes, self.keepdim)
        return g * 2 * (self.x - self.mean) / self.denominator


class LogSumExp(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x, axes, keepdim):
        self.x, self.axes, self.keepdim = x, axes, keepdim
        peak = x.max(axis=axes, keepdims=True, initial=-xp.inf)
        peak = xp.where(xp.isfinite(peak), peak, 0)
        with xp.errstate(divide="ignore"):  # an empty or all -inf slice gives -inf, as PyTorch
            y = xp.log(xp.exp(x - peak).sum(axis=axes, keepdims=True)) + peak
        self.y = y
        return y if keepdim else y.squeeze(axis=axes)

    def backward(self, gy):
        g = _expand_back(gy, self.x.shape, self.axes, self.keepdim)
        return g * xp.exp(self.x - self.y)

    torch_name = "LogsumexpBackward0"


class MaxAlong(Function):
    """max/min along one dimension: the gradient goes to the index that won."""

    def forward(self, x, axis, keepdim, reducer):
        self.shape, self.axis, self.keepdim, self.reducer = x.shape, axis, keepdim, reducer
        self.index = reducer(x, axis=axis, keepdims=True)
        y = xp.take_along_axis(x, self.index, axis=axis)
        return y if keepdim else y.squeeze(axis)

    def backward(self, gy):
        g = gy if self.keepdim else xp.expand_dims(gy, self.axis)
        gx = xp.zeros(self.shape, gy.dtype)
        xp.put_along_axis(gx, self.index, g, axis=self.axis)
        return gx

    def _name(self) -> str:
        return "MaxBackward0" if self.reducer is xp.argmax else "MinBackward0"


class MaxAll(Function):
    """max/min of all values: the gradient is split evenly among the ties, as in PyTorch."""

    saves = (0,)
    saves_output = True

    def forward(self, x, reducer):
        if x.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        self.x, self.reducer = x, reducer
        self.y = reducer(x)
        return self.y

    def backward(self, gy):
        winners = self.x == self.y
        return gy * winners / winners.sum()

    def _name(self) -> str:
        return "MaxBackward1" if self.reducer is xp.max else "MinBackward1"


class Softmax(Function):
    saves_output = True

    def forward(self, x, axis):
        self.axis = axis
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        self.y = e / e.sum(axis=axis, keepdims=True)
        return self.y

    def backward(self, gy):
        y = self.y
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    # A primitive for numerical stability: log(softmax(x)) underflows to -inf.
    saves_output = True

    def forward(self, x, axis):
        self.axis = axis
        shifted = x - x.max(axis=axis, keepdims=True)
        self.y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        return self.y

    def backward(self, gy):
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)


def _float(x: Tensor) -> Tensor:
    return x if x._value.dtype.kind == "f" else cast(x, get_default_dtype().numpy)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
    if dtype is not None:
        input = cast(input, dtype.numpy)
    elif input._value.dtype.kind in "biu":
        input = cast(input, xp.dtype(xp.int64))
    return Sum.apply(input, axes=_axes(dim, input.ndim), keepdim=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over ``dim`` (all dimensions by default).

    Raises:
        RuntimeError: for an integer tensor (as PyTorch; convert with ``.float()``).
    """
    if dtype is not None:
        input = cast(input, dtype.numpy)
    if input._value.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name.capitalize()}")
    return Mean.apply(input, axes=_axes(dim, input.ndim), keepdim=keepdim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over ``dim`` (all dimensions by default)."""
    return Prod.apply(input, axes=_axes(dim, input.ndim), keepdim=keepdim)


def var(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """The variance over ``dim``, with Bessel's correction unless ``unbiased=False``."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return Var.apply(_float(input), axes=_axes(dim, input.ndim), correction=correction,
                     keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """The standard deviation over ``dim``: ``sqrt(var(...))``."""
    return rename(sqrt(var(input, dim, unbiased, keepdim, correction=correction)), "StdBackward0")


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm over ``dim`` (2-norm, 'fro', inf, or any p > 0)."""
    return rename(_norm(_float(input), p, dim, keepdim), "LinalgVectorNormBackward0")


def _norm(x: Tensor, p: Any, dim: Any, keepdim: bool) -> Tensor:
    if p in ("fro", 2, 2.0):
        return sqrt(sum(x * x, dim, keepdim))
    if p in (float("inf"), "inf"):
        return amax(x.abs(), dim, keepdim)
    if p == 1:
        return sum(x.abs(), dim, keepdim)
    return sum(x.abs() ** p, dim, keepdim) ** (1.0 / p)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input), dim))``, computed without overflow."""
    return LogSumExp.apply(_float(input), axes=_axes(dim, input.ndim), keepdim=keepdim)


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def _extreme(input: Tensor, dim: Any, keepdim: bool, arg: Any, reducer: Any) -> Any:
    if isinstance(dim, Tensor):
        from .elementwise import maximum, minimum

        return (maximum if reducer is xp.max else minimum)(input, dim)
    if dim is None:
        return MaxAll.apply(input, reducer=reducer)
    axis = _check_dim(dim, input.ndim)
    if input._value.ndim and input._value.shape[axis] == 0:
        raise IndexError(f"max(): Expected reduction dim {axis} to have non-zero size.")
    if input._value.ndim == 0:
        return _ValuesIndices(input.clone(), Tensor._wrap(xp.zeros((), xp.int64)))
    values = MaxAlong.apply(input, axis=axis, keepdim=keepdim, reducer=arg)
    index = arg(input._value, axis=axis, keepdims=keepdim)
    return _ValuesIndices(values, Tensor._wrap(xp.asarray(index, dtype=xp.int64)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest value; with ``dim``, a ``(values, indices)`` pair; with a tensor, maximum."""
    return _extreme(input, dim, keepdim, xp.argmax, xp.max)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest value; with ``dim``, a ``(values, indices)`` pair; with a tensor, minimum."""
    return _extreme(input, dim, keepdim, xp.argmin, xp.min)


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest values over ``dim`` (one or several dimensions)."""
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) != 1:
        axes = _axes(dim, input.ndim)
        winners = input == Tensor._wrap(xp.asarray(input._value.max(axis=axes, keepdims=True)))
        w = winners._value
        weights = Tensor._wrap((w / w.sum(axis=axes, keepdims=True)).astype(input._value.dtype))
        return rename(sum(input * weights, dim, keepdim), "AmaxBackward0")
    values = max(input, dim[0] if isinstance(dim, (tuple, list)) else dim, keepdim).values
    return rename(values, "AmaxBackward0")


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest values over ``dim``."""
    return rename(-amax(-input, dim, keepdim), "AminBackward0")


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the largest value (in the flattened tensor when ``dim`` is None)."""
    if dim is None:
        return Tensor._wrap(xp.asarray(xp.argmax(input._value), dtype=xp.int64))
    axis = _check_dim(dim, input.ndim)
    return Tensor._wrap(xp.asarray(xp.argmax(input._value, axis=axis, keepdims=keepdim),
                                   dtype=xp.int64))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the smallest value (in the flattened tensor when ``dim`` is None)."""
    if dim is None:
        return Tensor._wrap(xp.asarray(xp.argmin(input._value), dtype=xp.int64))
    axis = _check_dim(dim, input.ndim)
    return Tensor._wrap(xp.asarray(xp.argmin(input._value, axis=axis, keepdims=keepdim),
                                   dtype=xp.int64))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether all values are true (non-zero) over ``dim``."""
    return Tensor._wrap(xp.asarray(input._value.all(axis=_axes(dim, input.ndim),
                                                    keepdims=keepdim)))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether any value is true (non-zero) over ``dim``."""
    return Tensor._wrap(xp.asarray(input._value.any(axis=_axes(dim, input.ndim),
                                                    keepdims=keepdim)))


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, shifted by the maximum for stability."""
    if dtype is not None:
        input = cast(input, dtype.numpy)
    return Softmax.apply(_float(input), axis=_check_dim(dim, input.ndim))


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``: the logarithm of softmax without underflow."""
    if dtype is not None:
        input = cast(input, dtype.numpy)
    return LogSoftmax.apply(_float(input), axis=_check_dim(dim, input.ndim))
