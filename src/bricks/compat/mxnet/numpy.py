"""``mxnet.np``: the NumPy-like array interface of MXNet 1.6+ and 2.x (after ``npx.set_np()``).

Its ``ndarray`` prints as NumPy does, without ``dtype=float32`` (the default dtype).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy

import bricks

from .._facade import ArrayFacade, _bricks_dtype, unwrap
from .ndarray import NDArray

__all__ = ["ndarray", "array", "zeros", "ones", "full", "arange", "dot", "random", "float32",
           "float64", "int32", "int64"]

float32, float64, int32, int64 = numpy.float32, numpy.float64, numpy.int32, numpy.int64


class ndarray(NDArray):  # noqa: N801 (MXNet's name)
    """MXNet's NumPy-like array, computed by bricks.

    Example:
        >>> from bricks.compat.mxnet import np
        >>> np.ones((2,))
        array([1., 1.])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        text = repr(self.asnumpy())
        return text.replace(", dtype=float32)", ")")

    def __str__(self) -> str:
        return str(self.asnumpy())

    def asnumpy(self) -> numpy.ndarray:
        """A NumPy copy of the values."""
        return numpy.array(unwrap(self).detach().numpy())


def _dtype(dtype: Any) -> Any:
    return bricks.float32 if dtype is None else _bricks_dtype(dtype)


def array(object: Any, dtype: Any = None, ctx: Any = None) -> ndarray:
    """A new array holding a copy of ``object`` (float32 unless a dtype is given)."""
    if isinstance(object, ArrayFacade):
        object = object.asnumpy()
    if dtype is None and (not isinstance(object, numpy.ndarray) or object.dtype.kind == "f"):
        dtype = "float32"  # MXNet's default dtype, also for Python ints
    values = numpy.asarray(object)
    dtype = _bricks_dtype(values.dtype) if dtype is None else _bricks_dtype(dtype)
    return ndarray._wrap(bricks.tensor(values, dtype=dtype))


def zeros(shape: Any, dtype: Any = None, ctx: Any = None, **kwargs: Any) -> ndarray:
    """An array of zeros."""
    return ndarray._wrap(bricks.zeros(shape, dtype=_dtype(dtype)))


def ones(shape: Any, dtype: Any = None, ctx: Any = None, **kwargs: Any) -> ndarray:
    """An array of ones."""
    return ndarray._wrap(bricks.ones(shape, dtype=_dtype(dtype)))


def full(shape: Any, fill_value: Any, dtype: Any = None, ctx: Any = None) -> ndarray:
    """An array filled with ``fill_value``."""
    return ndarray._wrap(bricks.full(shape, fill_value, dtype=_dtype(dtype)))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None,
           ctx: Any = None) -> ndarray:
    """Evenly spaced values in [start, stop) (float32 by default)."""
    if stop is None:
        start, stop = 0, start
    return ndarray._wrap(bricks.arange(start, stop, step, dtype=_dtype(dtype)))


def dot(a: ndarray, b: ndarray) -> ndarray:
    """The matrix product."""
    return ndarray._wrap(bricks.matmul(unwrap(a), unwrap(b)))


def _size(size: Any) -> tuple:
    if size is None:
        return ()
    return (size,) if isinstance(size, int) else tuple(size)


def _uniform(low: float = 0.0, high: float = 1.0, size: Any = None, dtype: Any = None,
             ctx: Any = None) -> ndarray:
    """Samples from U(low, high)."""
    return ndarray._wrap(bricks.empty(_size(size), dtype=_dtype(dtype)).uniform_(low, high))


def _normal(loc: float = 0.0, scale: float = 1.0, size: Any = None, dtype: Any = None,
            ctx: Any = None) -> ndarray:
    """Samples from N(loc, scale^2)."""
    return ndarray._wrap(bricks.empty(_size(size), dtype=_dtype(dtype)).normal_(loc, scale))


random = SimpleNamespace(uniform=_uniform, normal=_normal, seed=bricks.manual_seed)
