"""Reductions over dimensions, and softmax/log-softmax."""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

from .._device import array_module, as_array, xp
from .._dtypes import get_default_dtype
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .elementwise import cast

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


def _mean(x: Any, axes: Any, keepdims: bool) -> Any:
    """``x.mean``, but an empty slice gives NaN without NumPy's "Mean of empty slice" warning."""
    if x.size:
        return x.mean(axis=axes, keepdims=keepdims)
    total = x.sum(axis=axes, keepdims=keepdims)
    return total / total.dtype.type(0)  # 0/0 = nan, silently inside Function.apply


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
        y = _mean(x, axes, keepdim)
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
        zeros = xp.count_nonzero(x == 0)
        if not zeros:
            return g * (_expand_back(self.y, x.shape, self.axes, self.keepdim) / x)
        if self.axes is None and zeros > 1:
            return xp.zeros_like(x)  # PyTorch's shortcut for the product of all: exact
        # With a zero anywhere, PyTorch forms the product of the others explicitly, as the
        # products before and after each position: exact with zeros, inf and NaN alike.
        axes = self.axes if self.axes is not None else tuple(range(x.ndim))
        axes = (axes,) if isinstance(axes, int) else axes
        last = tuple(range(-len(axes), 0))
        moved = xp.moveaxis(x, axes, last)
        flat = moved.reshape(moved.shape[:moved.ndim - len(axes)] + (-1,))
        ones = array_module(x).ones(flat.shape[:-1] + (1,), x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (before * after).reshape(moved.shape)
        return g * xp.moveaxis(others, last, axes)

    def _name(self) -> str:
        return "ProdBackward0" if self.axes is None else "ProdBackward1"


class Var(Function):
    saves = (0,)

    def forward(self, x, axes, correction, keepdim):
        self.x, self.axes, self.correction, self.keepdim = x, axes, correction, keepdim
        self.mean = _mean(x, axes, True)
        n = x.size // builtins.max(self.mean.size, 1)
        self.denominator = builtins.max(n - correction, 0)  # as torch: 0/0 = nan when n <= c
        with xp.errstate(divide="ignore", invalid="ignore"):
            return ((x - self.mean) ** 2).sum(axis=axes, keepdims=keepdim) / self.denominator

    def backward(self, gy):
        g = _expand_back(gy, self.x.shape, self.axes, self.keepdim)
        return g * 2 * (self.x - self.mean) / self.denominator


class Std(Var):
    """``sqrt(var)`` in one node: its gradient is 0 where the std is 0, as in PyTorch."""

    saves_output = True

    def forward(self, x, axes, correction, keepdim):
        self.y = xp.sqrt(super().forward(x, axes, correction, keepdim))
        return self.y

    def backward(self, gy):
        return super().backward(xp.where(self.y == 0, 0, gy / (2 * self.y)))


class Norm(Function):
    """The vector p-norm, with PyTorch's gradient: 0 for a zero vector, ``sgn(x)`` for p = 1."""

    saves = (0,)
    saves_output = True
    torch_name = "LinalgVectorNormBackward0"

    def forward(self, x, p, axes, keepdim):
        self.x, self.p, self.axes, self.keepdim = x, p, axes, keepdim
        a = xp.abs(x)
        if p == 2:
            y = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        elif p == xp.inf:
            y = a.max(axis=axes, keepdims=keepdim, initial=0)
        elif p == 0:
            y = (a != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
        elif p == 1:
            y = a.sum(axis=axes, keepdims=keepdim)
        else:
            y = (a ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
        self.y = array_module(x).asarray(y, x.dtype)
        return self.y

    def backward(self, gy):
        x, p = self.x, self.p
        g = _expand_back(gy, x.shape, self.axes, self.keepdim)
        y = _expand_back(self.y, x.shape, self.axes, self.keepdim)
        sgn = xp.where(x > 0, 1, xp.where(x < 0, -1, 0)).astype(x.dtype)  # 0 at NaN, as torch
        if p == 0:
            return xp.zeros_like(x)
        if p == 1:
            return sgn * g
        if p == 2:
            return g * xp.where(y == 0, 0, x / y)
        a = xp.abs(x)
        if p == xp.inf:
            winners = (a == y) | xp.isnan(a)
            return sgn * (g / winners.sum(axis=self.axes, keepdims=True) * winners)
        if p < 1:
            return sgn * xp.where(x == 0, 0, a ** (p - 1)) * g * y ** (1 - p)
        scaled = sgn * a ** (p - 1) if p < 2 else x * a ** (p - 2)
        return scaled * xp.where(y == 0, 0, g / y ** (p - 1))


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
        gx = array_module(gy).zeros(self.shape, gy.dtype)
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
        # Split evenly among the ties; when the result is NaN, among the NaNs (as PyTorch).
        winners = xp.isnan(self.x) if xp.isnan(self.y) else self.x == self.y
        return gy * winners / winners.sum()

    def _name(self) -> str:
        return "MaxBackward1" if self.reducer is xp.max else "MinBackward1"


class Softmax(Function):
    saves_output = True

    def forward(self, x, axis):
        self.axis = axis
        e = xp.exp(x - x.max(axis=axis, keepdims=True, initial=-xp.inf))  # initial: empty x
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
        shifted = x - x.max(axis=axis, keepdims=True, initial=-xp.inf)  # initial: empty x
        self.y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        return self.y

    def backward(self, gy):
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)


def _float(x: Tensor) -> Tensor:
    return x if x._value.dtype.kind in "fc" else cast(x, get_default_dtype().numpy)


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
    if input._value.dtype.kind not in "fc":
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
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return Std.apply(_float(input), axes=_axes(dim, input.ndim), correction=correction,
                     keepdim=keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm over ``dim`` (2-norm, 'fro', inf, or any p > 0)."""
    if p == "fro":
        p = 2
    p = xp.inf if p == "inf" else -xp.inf if p == "-inf" else p
    if p == -xp.inf:
        return rename(amin(input.abs(), dim, keepdim), "LinalgVectorNormBackward0")
    return Norm.apply(_float(input), p=p, axes=_axes(dim, input.ndim), keepdim=keepdim)


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
        zero = array_module(input._value).zeros((), xp.int64)
        return _ValuesIndices(input.clone(), Tensor._wrap(zero))
    values = MaxAlong.apply(input, axis=axis, keepdim=keepdim, reducer=arg)
    index = arg(input._value, axis=axis, keepdims=keepdim)
    return _ValuesIndices(values, Tensor._wrap(_int64(index, input._value)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest value; with ``dim``, a ``(values, indices)`` pair; with a tensor, maximum."""
    return _extreme(input, dim, keepdim, xp.argmax, xp.max)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest value; with ``dim``, a ``(values, indices)`` pair; with a tensor, minimum."""
    return _extreme(input, dim, keepdim, xp.argmin, xp.min)


class Amax(Function):
    """The largest values over dims: the gradient is split evenly among the ties (as PyTorch)."""

    saves = (0,)
    saves_output = True

    def forward(self, x, axes, keepdim):
        self.x, self.axes, self.keepdim = x, axes, keepdim
        self.y = x.max(axis=axes, keepdims=keepdim)
        return self.y

    def backward(self, gy):
        # PyTorch's formula: where the result is NaN no value equals it, and 0/0 gives NaN.
        g = _expand_back(gy, self.x.shape, self.axes, self.keepdim)
        winners = self.x == _expand_back(self.y, self.x.shape, self.axes, self.keepdim)
        return g / winners.sum(axis=self.axes, keepdims=True) * winners


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest values over ``dim`` (one or several dimensions; all by default).

    Raises:
        IndexError: when a reduced dimension has size 0.
    """
    axes = _axes(() if dim is None else dim, input.ndim)
    shape = input._value.shape
    for axis in range(len(shape)) if axes is None else (axes,) if isinstance(axes, int) else axes:
        if shape[axis] == 0:
            raise IndexError(f"amax(): Expected reduction dim {axis} to have non-zero size.")
    return rename(Amax.apply(input, axes=axes, keepdim=keepdim), "AmaxBackward0")


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest values over ``dim``."""
    return rename(-amax(-input, dim, keepdim), "AminBackward0")


def _check_not_empty(input: Tensor, dim: int | None, name: str) -> None:
    shape = input._value.shape
    if dim is None:
        if input._value.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
    elif shape and shape[_check_dim(dim, len(shape))] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {_check_dim(dim, len(shape))} to "
                         f"have non-zero size.")


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the largest value (in the flattened tensor when ``dim`` is None)."""
    _check_not_empty(input, dim, "argmax")
    if dim is None:
        return Tensor._wrap(_int64(xp.argmax(input._value), input._value))
    axis = _check_dim(dim, input.ndim)
    return Tensor._wrap(_int64(xp.argmax(input._value, axis=axis, keepdims=keepdim),
                               input._value))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the smallest value (in the flattened tensor when ``dim`` is None)."""
    _check_not_empty(input, dim, "argmin")
    if dim is None:
        return Tensor._wrap(_int64(xp.argmin(input._value), input._value))
    axis = _check_dim(dim, input.ndim)
    return Tensor._wrap(_int64(xp.argmin(input._value, axis=axis, keepdims=keepdim),
                               input._value))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether all values are true (non-zero) over ``dim``."""
    return Tensor._wrap(as_array(input._value.all(axis=_axes(dim, input.ndim),
                                                  keepdims=keepdim), input._value))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether any value is true (non-zero) over ``dim``."""
    return Tensor._wrap(as_array(input._value.any(axis=_axes(dim, input.ndim),
                                                  keepdims=keepdim), input._value))


def _int64(index: Any, like: Any) -> Any:
    """Indices from argmax/argmin as an int64 array on ``like``'s device."""
    return array_module(like).asarray(index, dtype=xp.int64)


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
