"""``mindspore.ops``: functional operators on MindSpore Tensors, computed by bricks."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from .._facade import unwrap
from . import _primitives
from ._autodiff import GradOperation, grad, stop_gradient, value_and_grad
from ._primitives import *  # noqa: F403
from .tensor import Tensor, float32, to_bricks_dtype

__all__ = ["rand", "randn", "ones", "zeros", "matmul", "relu", "sigmoid", "tanh", "abs", "exp",
           "log", "sqrt", "square", "reshape", "concat", "cat", "stack", "transpose", "sum",
           "mean", "softmax", "ones_like", "zeros_like", "reduce_mean", "reduce_sum", "max",
           "min", "argmax", "argmin", "one_hot", "cast", "log_softmax", "where", "squeeze",
           "expand_dims", "binary_cross_entropy_with_logits", "cross_entropy", "mse_loss",
           "stop_gradient", "grad", "value_and_grad", "GradOperation",
           ] + _primitives.__all__


def _shape(size: Any) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def rand(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from U[0, 1) of the given shape (Float32)."""
    return Tensor._wrap(bricks.rand(_shape(size), dtype=to_bricks_dtype(dtype or float32)))


def randn(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from N(0, 1) of the given shape (Float32)."""
    return Tensor._wrap(bricks.randn(_shape(size), dtype=to_bricks_dtype(dtype or float32)))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ones (Float32)."""
    return Tensor._wrap(bricks.ones(_shape((shape,)), dtype=to_bricks_dtype(dtype or float32)))


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """A Tensor of zeros (Float32)."""
    return Tensor._wrap(bricks.zeros(_shape((shape,)), dtype=to_bricks_dtype(dtype or float32)))


def ones_like(input: Any, dtype: Any = None) -> Tensor:
    """Ones of ``input``'s shape (and dtype unless given)."""
    dtype = to_bricks_dtype(dtype) if dtype is not None else None
    return Tensor._wrap(bricks.ones_like(unwrap(input), dtype=dtype))


def zeros_like(input: Any, dtype: Any = None) -> Tensor:
    """Zeros of ``input``'s shape (and dtype unless given)."""
    dtype = to_bricks_dtype(dtype) if dtype is not None else None
    return Tensor._wrap(bricks.zeros_like(unwrap(input), dtype=dtype))


def matmul(input: Any, other: Any) -> Tensor:
    """The matrix product."""
    return Tensor._wrap(bricks.matmul(unwrap(input), unwrap(other)))


def _unary(name: str) -> Any:
    function = getattr(bricks, name)

    def op(input: Any) -> Tensor:
        return Tensor._wrap(function(unwrap(input)))

    op.__name__ = name
    op.__doc__ = f"``{name}`` of each element."
    return op


relu = _unary("relu")
sigmoid = _unary("sigmoid")
tanh = _unary("tanh")
abs = _unary("abs")
exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
square = _unary("square")


def reshape(input: Any, shape: Any) -> Tensor:
    """The same values in ``shape``."""
    return Tensor._wrap(unwrap(input).reshape(tuple(shape)))


def transpose(input: Any, input_perm: Any) -> Tensor:
    """The axes permuted by ``input_perm``."""
    return Tensor._wrap(unwrap(input).permute(*input_perm))


def concat(tensors: Any, axis: int = 0) -> Tensor:
    """The tensors joined along ``axis``."""
    return Tensor._wrap(bricks.cat([unwrap(t) for t in tensors], dim=axis))


cat = concat


def stack(tensors: Any, axis: int = 0) -> Tensor:
    """The tensors stacked along a new ``axis``."""
    return Tensor._wrap(bricks.stack([unwrap(t) for t in tensors], dim=axis))


def sum(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum over ``dim`` (all elements if None)."""
    return Tensor._wrap(unwrap(input)).sum(dim, keepdim)


def mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """The mean over ``axis`` (all elements if None)."""
    return Tensor._wrap(unwrap(input)).mean(axis, keep_dims)


def softmax(input: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``."""
    return Tensor._wrap(F.softmax(unwrap(input), dim=axis))


def _wrap(value: Any) -> Any:
    return Tensor._wrap(value) if isinstance(value, bricks.Tensor) else value


def _reduce(input: Any, name: str, axis: Any, keep_dims: bool) -> Tensor:
    tensor = unwrap(input)
    if name == "mean" and not tensor.is_floating_point():
        tensor = tensor.float()
    if axis is None or axis == ():
        result = getattr(bricks, name)(tensor)
        return Tensor._wrap(result.reshape((1,) * tensor.dim()) if keep_dims else result)
    return Tensor._wrap(getattr(bricks, name)(tensor, dim=axis, keepdim=keep_dims))


def reduce_mean(input: Any, axis: Any = (), keep_dims: bool = False) -> Tensor:
    """The mean over ``axis`` (an int or tuple; every axis when empty)."""
    return _reduce(input, "mean", axis, keep_dims)


def reduce_sum(input: Any, axis: Any = (), keep_dims: bool = False) -> Tensor:
    """The sum over ``axis`` (an int or tuple; every axis when empty)."""
    return _reduce(input, "sum", axis, keep_dims)


def max(input: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    """``(values, indices)`` of the maxima along ``axis``; the maximum when ``axis`` is None."""
    tensor = unwrap(input)
    if axis is None:
        return Tensor._wrap(tensor.max())
    values, indices = tensor.max(dim=axis, keepdim=keepdims)
    return Tensor._wrap(values), Tensor._wrap(indices)


def min(input: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    """``(values, indices)`` of the minima along ``axis``; the minimum when ``axis`` is None."""
    tensor = unwrap(input)
    if axis is None:
        return Tensor._wrap(tensor.min())
    values, indices = tensor.min(dim=axis, keepdim=keepdims)
    return Tensor._wrap(values), Tensor._wrap(indices)


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the largest value along ``dim`` (of all values when None)."""
    return Tensor._wrap(bricks.argmax(unwrap(input), dim=dim, keepdim=keepdim))


def argmin(input: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the smallest value along ``axis`` (of all values when None)."""
    return Tensor._wrap(bricks.argmin(unwrap(input), dim=axis, keepdim=keepdims))


def one_hot(indices: Any, depth: int, on_value: Any = 1.0, off_value: Any = 0.0,
            axis: int = -1) -> Tensor:
    """One-hot rows of length ``depth`` (``on_value`` at each index, ``off_value`` elsewhere)."""
    codes = F.one_hot(unwrap(indices).long(), depth)
    on, off = unwrap(on_value), unwrap(off_value)
    dtype = on.dtype if isinstance(on, bricks.Tensor) else bricks.float32
    result = bricks.where(codes.bool(), bricks.as_tensor(on, dtype=dtype),
                          bricks.as_tensor(off, dtype=dtype))
    if axis != -1:
        result = result.movedim(-1, axis)
    return Tensor._wrap(result)


def cast(input: Any, dtype: Any) -> Tensor:
    """The values converted to ``dtype`` (a MindSpore dtype)."""
    return Tensor._wrap(unwrap(input).to(to_bricks_dtype(dtype)))


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """The logarithm of softmax along ``axis``."""
    return Tensor._wrap(F.log_softmax(unwrap(logits), dim=axis))


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, ``other`` elsewhere."""
    return Tensor._wrap(bricks.where(unwrap(condition), unwrap(input), unwrap(other)))


def squeeze(input: Any, axis: Any = None) -> Tensor:
    """Without dimensions of size 1 (or only those in ``axis``)."""
    tensor = unwrap(input)
    if axis is None:
        return Tensor._wrap(tensor.squeeze())
    for dim in sorted((axis,) if isinstance(axis, int) else axis, reverse=True):
        tensor = tensor.squeeze(dim)
    return Tensor._wrap(tensor)


def expand_dims(input_x: Any, axis: int) -> Tensor:
    """With a new dimension of size 1 at ``axis``."""
    return Tensor._wrap(unwrap(input_x).unsqueeze(axis))


def binary_cross_entropy_with_logits(logits: Any, label: Any, weight: Any = None,
                                     pos_weight: Any = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits, with optional ``weight`` and ``pos_weight``."""
    return Tensor._wrap(F.binary_cross_entropy_with_logits(
        unwrap(logits), unwrap(label), None if weight is None else unwrap(weight),
        reduction=reduction, pos_weight=None if pos_weight is None else unwrap(pos_weight)))


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits against class indices (Int32 or Int64) or probabilities."""
    labels = unwrap(target)
    labels = labels.long() if not labels.is_floating_point() else labels
    return Tensor._wrap(F.cross_entropy(unwrap(input), labels,
                                        None if weight is None else unwrap(weight),
                                        ignore_index=ignore_index, reduction=reduction,
                                        label_smoothing=label_smoothing))


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """The mean squared error."""
    return Tensor._wrap(F.mse_loss(unwrap(input), unwrap(target), reduction=reduction))
