"""MindSpore's operator classes (``ops.MatMul()``, ``ops.ReduceMean(keep_dims)``, ...): each
is configured when built and called on Tensors, computed by bricks."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from .._facade import unwrap
from .tensor import Tensor, to_bricks_dtype

__all__ = ["Primitive", "MatMul", "BatchMatMul", "ReduceMean", "ReduceSum", "ReduceMax",
           "ReduceMin", "Concat", "Stack", "Reshape", "Transpose", "Softmax", "LogSoftmax",
           "ReLU", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Square", "Abs", "Neg", "Add",
           "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Cast", "Shape", "OneHot",
           "Argmax", "ArgMaxWithValue", "ExpandDims", "Squeeze", "ZerosLike", "OnesLike",
           "Select"]


class Primitive:
    """The base of operator classes: built with its attributes, called on Tensors."""

    def __call__(self, *args: Any) -> Any:
        result = self.compute(*(unwrap(a) for a in args))
        if isinstance(result, tuple):
            return tuple(_wrap(r) for r in result)
        return _wrap(result)

    def compute(self, *args: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"Prim[{type(self).__name__}]"


def _wrap(value: Any) -> Any:
    return Tensor._wrap(value) if isinstance(value, bricks.Tensor) else value


class MatMul(Primitive):
    """``x @ y``, either side transposed first."""

    def __init__(self, transpose_a: bool = False, transpose_b: bool = False) -> None:
        self.transpose_a, self.transpose_b = transpose_a, transpose_b

    def compute(self, x, y):
        x = x.transpose(-2, -1) if self.transpose_a else x
        y = y.transpose(-2, -1) if self.transpose_b else y
        return bricks.matmul(x, y)


BatchMatMul = MatMul


class _Reduce(Primitive):
    _name = ""

    def __init__(self, keep_dims: bool = False) -> None:
        self.keep_dims = keep_dims

    def compute(self, x, axis=()):
        if self._name == "mean" and not x.is_floating_point():
            x = x.float()
        if axis is None or axis == ():
            result = getattr(bricks, self._name)(x)
            return result.reshape((1,) * x.dim()) if self.keep_dims else result
        return getattr(bricks, self._name)(x, dim=axis, keepdim=self.keep_dims)


class ReduceMean(_Reduce):
    """The mean over the axes given at call time (every axis when none)."""

    _name = "mean"


class ReduceSum(_Reduce):
    """The sum over the axes given at call time (every axis when none)."""

    _name = "sum"


class ReduceMax(_Reduce):
    """The maximum over the axes given at call time (every axis when none)."""

    _name = "amax"


class ReduceMin(_Reduce):
    """The minimum over the axes given at call time (every axis when none)."""

    _name = "amin"


class _AxisOp(Primitive):
    def __init__(self, axis: int = 0) -> None:
        self.axis = axis


class Concat(_AxisOp):
    """The tensors of a tuple joined along ``axis``."""

    def __call__(self, tensors: Any) -> Any:
        return _wrap(bricks.cat([unwrap(t) for t in tensors], dim=self.axis))


class Stack(_AxisOp):
    """The tensors of a tuple stacked along a new ``axis``."""

    def __call__(self, tensors: Any) -> Any:
        return _wrap(bricks.stack([unwrap(t) for t in tensors], dim=self.axis))


class Reshape(Primitive):
    """The values in the shape given at call time."""

    def compute(self, x, shape):
        return x.reshape(tuple(shape))


class Transpose(Primitive):
    """The axes permuted as given at call time."""

    def compute(self, x, perm):
        return x.permute(*perm)


class Softmax(Primitive):
    """Softmax along ``axis``."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def compute(self, x):
        return F.softmax(x, dim=self.axis)


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    def compute(self, x):
        return F.log_softmax(x, dim=self.axis)


def _elementwise(name: str, function: Any) -> type:
    def compute(self: Any, *args: Any) -> Any:
        return function(*args)

    doc = f"``{function.__name__}``, elementwise."
    return type(name, (Primitive,), {"compute": compute, "__doc__": doc})


ReLU = _elementwise("ReLU", bricks.relu)
Sigmoid = _elementwise("Sigmoid", bricks.sigmoid)
Tanh = _elementwise("Tanh", bricks.tanh)
Exp = _elementwise("Exp", bricks.exp)
Log = _elementwise("Log", bricks.log)
Sqrt = _elementwise("Sqrt", bricks.sqrt)
Square = _elementwise("Square", bricks.square)
Abs = _elementwise("Abs", bricks.abs)
Neg = _elementwise("Neg", bricks.neg)
Add = _elementwise("Add", bricks.add)
Sub = _elementwise("Sub", bricks.sub)
Mul = _elementwise("Mul", bricks.mul)
Div = _elementwise("Div", bricks.div)
Pow = _elementwise("Pow", bricks.pow)
Maximum = _elementwise("Maximum", bricks.maximum)
Minimum = _elementwise("Minimum", bricks.minimum)
ZerosLike = _elementwise("ZerosLike", bricks.zeros_like)
OnesLike = _elementwise("OnesLike", bricks.ones_like)
Select = _elementwise("Select", bricks.where)


class Cast(Primitive):
    """The values converted to the dtype given at call time."""

    def __call__(self, x: Any, dtype: Any) -> Any:
        return _wrap(unwrap(x).to(to_bricks_dtype(dtype)))


class Shape(Primitive):
    """The shape, as a tuple."""

    def __call__(self, x: Any) -> tuple:
        return tuple(unwrap(x).shape)


class OneHot(Primitive):
    """One-hot rows: called as ``(indices, depth, on_value, off_value)``."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def __call__(self, indices: Any, depth: int, on_value: Any, off_value: Any) -> Any:
        from .ops import one_hot

        return one_hot(indices, depth, on_value, off_value, self.axis)


class Argmax(Primitive):
    """The index of the largest value along ``axis``."""

    def __init__(self, axis: int = -1, output_type: Any = None) -> None:
        self.axis = axis
        self.output_type = output_type

    def compute(self, x):
        result = bricks.argmax(x, dim=self.axis)
        return result if self.output_type is None else result.to(
            to_bricks_dtype(self.output_type))


class ArgMaxWithValue(Primitive):
    """``(index, value)`` of the largest value along ``axis``."""

    def __init__(self, axis: int = 0, keep_dims: bool = False) -> None:
        self.axis, self.keep_dims = axis, keep_dims

    def compute(self, x):
        values, indices = x.max(dim=self.axis, keepdim=self.keep_dims)
        return indices, values


class ExpandDims(Primitive):
    """A new dimension of size 1 at the axis given at call time."""

    def compute(self, x, axis):
        return x.unsqueeze(axis)


class Squeeze(Primitive):
    """Without the dimensions of size 1 in ``axis`` (all of them when empty)."""

    def __init__(self, axis: Any = ()) -> None:
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)

    def compute(self, x):
        if not self.axis:
            return x.squeeze()
        for dim in sorted(self.axis, reverse=True):
            x = x.squeeze(dim)
        return x
