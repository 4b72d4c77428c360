"""``mindspore.ops``: functional operators on MindSpore Tensors, computed by bricks."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from .._facade import unwrap
from .tensor import Tensor, float32, to_bricks_dtype

__all__ = ["rand", "randn", "ones", "zeros", "matmul", "relu", "sigmoid", "tanh", "abs", "exp",
           "log", "sqrt", "square", "reshape", "concat", "cat", "stack", "transpose", "sum",
           "mean", "softmax", "ones_like", "zeros_like"]


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
