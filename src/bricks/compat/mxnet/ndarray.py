"""``mxnet.nd``: the ``NDArray`` over a bricks Tensor, and the functions that make them.

An NDArray prints as MXNet 1.x prints it: a blank line, the values, then
``<NDArray 2x20 @cpu(0)>``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy

import bricks

from .._facade import ArrayFacade, _bricks_dtype, unwrap
from . import autograd

__all__ = ["NDArray", "array", "zeros", "ones", "full", "arange", "zeros_like", "ones_like",
           "dot", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "square", "abs", "sum",
           "mean", "concat", "stack", "random", "cpu", "Context", "save", "load"]


class Context:
    """A device: only the CPU exists, printed ``cpu(0)``."""

    def __init__(self, device_type: str = "cpu", device_id: int = 0) -> None:
        self.device_type = device_type
        self.device_id = device_id

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Context) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


def cpu(device_id: int = 0) -> Context:
    """The CPU context."""
    return Context("cpu", device_id)


class NDArray(ArrayFacade):
    """MXNet's n-dimensional array, computed by bricks.

    Example:
        >>> from bricks.compat.mxnet import nd
        >>> nd.ones((2, 3))
        <BLANKLINE>
        [[1. 1. 1.]
         [1. 1. 1.]]
        <NDArray 2x3 @cpu(0)>
    """

    _float_indices = True  # MXNet indexes with float arrays (nd.array's default dtype)

    __slots__ = ()

    def __repr__(self) -> str:
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()}\n<{type(self).__name__} {shape} @{self.context}>"

    @property
    def dtype(self) -> type:
        return numpy.dtype(unwrap(self).dtype.numpy).type

    @property
    def context(self) -> Context:
        return cpu()

    ctx = context

    def _reduce(self, name: str, axis: Any, keepdims: bool) -> Any:
        # MXNet 1.x reduces all axes to shape (1,), not to a 0-d array.
        result = super()._reduce(name, axis, keepdims)
        if axis is None and not keepdims and type(self) is NDArray:
            result = result.reshape((1,))
        return result

    def asscalar(self) -> Any:
        """The value of a one-element array as a NumPy scalar."""
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(())[()]

    def as_in_context(self, context: Any) -> NDArray:
        """This array (only the CPU exists)."""
        return self

    as_in_ctx = as_in_context

    def copyto(self, other: Any) -> Any:
        """Copy into ``other`` (an NDArray) or to a context; returns the copy."""
        if isinstance(other, NDArray):
            other[:] = self
            return other
        return self.copy()

    def norm(self) -> NDArray:
        """The L2 norm of all elements."""
        return self._wrap(bricks.sqrt(bricks.sum(bricks.square(unwrap(self).float()))))

    def zeros_like(self) -> NDArray:
        """Zeros of this shape and dtype."""
        return self._wrap(bricks.zeros_like(unwrap(self)))

    def attach_grad(self, grad_req: str = "write") -> None:
        """Ask for this array's gradient in later backward passes (zeros until then)."""
        tensor = unwrap(self)
        tensor.grad = None
        tensor.requires_grad_(True)
        if grad_req == "write":
            autograd.write_grad(tensor)

    @property
    def grad(self) -> NDArray | None:
        tensor = unwrap(self)
        if not tensor.requires_grad:
            return None
        grad = tensor.grad if tensor.grad is not None else bricks.zeros_like(tensor)
        return self._wrap(grad)

    def backward(self, out_grad: Any = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        """Compute the gradients of this array with respect to the arrays that need them."""
        autograd.backward(self, out_grad, retain_graph, train_mode)

    def detach(self) -> NDArray:
        """The same values, cut from the graph."""
        return self._wrap(unwrap(self).detach())

    def relu(self) -> NDArray:
        """max(x, 0), elementwise."""
        return self._wrap(bricks.relu(unwrap(self)))

    def sigmoid(self) -> NDArray:
        """The logistic function, elementwise."""
        return self._wrap(bricks.sigmoid(unwrap(self)))

    def tanh(self) -> NDArray:
        """The hyperbolic tangent, elementwise."""
        return self._wrap(bricks.tanh(unwrap(self)))

    def argmax(self, axis: int | None = None) -> NDArray:
        """The indices of the maxima along ``axis`` (as float32, as in MXNet 1.x)."""
        return self._wrap(bricks.argmax(unwrap(self), dim=axis).float())

    def flatten(self) -> NDArray:
        """The array reshaped to (batch, -1)."""
        tensor = unwrap(self)
        return self._wrap(tensor.reshape((tensor.shape[0], -1)))

    def wait_to_read(self) -> None:
        """Wait until the values are computed: bricks computes eagerly, so they are."""

    def cumsum(self, axis: int | None = None, dtype: Any = None) -> NDArray:
        """The running sum along ``axis`` (of the flattened array when None)."""
        tensor = unwrap(self)
        if axis is None:
            tensor, axis = tensor.reshape(-1), 0
        return self._wrap(bricks.cumsum(tensor, dim=axis))

    def repeat(self, repeats: int, axis: int | None = None) -> NDArray:
        """Each element repeated (of the flattened array when ``axis`` is None)."""
        tensor = unwrap(self)
        if axis is None:
            tensor, axis = tensor.reshape(-1), 0
        return self._wrap(bricks.repeat_interleave(tensor, repeats, dim=axis))

    def swapaxes(self, axis1: int, axis2: int) -> NDArray:
        """Two axes exchanged."""
        return self._wrap(unwrap(self).transpose(axis1, axis2))

    def as_nd_ndarray(self) -> NDArray:
        """The same values as a classic ``NDArray``."""
        return NDArray._wrap(unwrap(self))

    def as_np_ndarray(self) -> Any:
        """The same values as an ``mxnet.np.ndarray``."""
        from .numpy import ndarray

        return ndarray._wrap(unwrap(self))


def _dtype(dtype: Any, default: Any = bricks.float32) -> Any:
    return default if dtype is None else _bricks_dtype(dtype)


def array(source_array: Any, ctx: Any = None, dtype: Any = None) -> NDArray:
    """A new array holding a copy of ``source_array`` (float32 unless it is a NumPy array)."""
    source = source_array
    if isinstance(source, ArrayFacade):
        source = source.asnumpy()
    default = (_bricks_dtype(source.dtype) if isinstance(source, numpy.ndarray)
               else bricks.float32)
    return NDArray._wrap(bricks.tensor(numpy.asarray(source), dtype=_dtype(dtype, default)))


def zeros(shape: Any, ctx: Any = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """An array of zeros."""
    return NDArray._wrap(bricks.zeros(shape, dtype=_dtype(dtype)))


def ones(shape: Any, ctx: Any = None, dtype: Any = None, **kwargs: Any) -> NDArray:
    """An array of ones."""
    return NDArray._wrap(bricks.ones(shape, dtype=_dtype(dtype)))


def full(shape: Any, val: Any, ctx: Any = None, dtype: Any = None) -> NDArray:
    """An array filled with ``val``."""
    return NDArray._wrap(bricks.full(shape, val, dtype=_dtype(dtype)))


def arange(start: Any, stop: Any = None, step: Any = 1.0, ctx: Any = None,
           dtype: Any = None) -> NDArray:
    """Evenly spaced values in [start, stop) (float32 by default)."""
    if stop is None:
        start, stop = 0, start
    return NDArray._wrap(bricks.arange(start, stop, step, dtype=_dtype(dtype)))


def zeros_like(data: NDArray) -> NDArray:
    """Zeros of ``data``'s shape and dtype."""
    return type(data)._wrap(bricks.zeros_like(unwrap(data)))


def ones_like(data: NDArray) -> NDArray:
    """Ones of ``data``'s shape and dtype."""
    return type(data)._wrap(bricks.ones_like(unwrap(data)))


def dot(lhs: NDArray, rhs: NDArray) -> NDArray:
    """The matrix product."""
    return type(lhs)._wrap(bricks.matmul(unwrap(lhs), unwrap(rhs)))


def _elementwise(name: str) -> Any:
    def function(data: NDArray) -> NDArray:
        return type(data)._wrap(getattr(bricks, name)(unwrap(data)))

    function.__name__ = name
    function.__doc__ = f"``{name}`` of each element."
    return function


relu = _elementwise("relu")
sigmoid = _elementwise("sigmoid")
tanh = _elementwise("tanh")
exp = _elementwise("exp")
log = _elementwise("log")
sqrt = _elementwise("sqrt")
square = _elementwise("square")
abs = _elementwise("abs")


def sum(data: NDArray, axis: Any = None, keepdims: bool = False) -> NDArray:
    """The sum over ``axis``."""
    return data.sum(axis, keepdims)


def mean(data: NDArray, axis: Any = None, keepdims: bool = False) -> NDArray:
    """The mean over ``axis``."""
    return data.mean(axis, keepdims)


def concat(*data: NDArray, dim: int = 1) -> NDArray:
    """The arrays joined along ``dim``."""
    return type(data[0])._wrap(bricks.cat([unwrap(d) for d in data], dim=dim))


def stack(*data: NDArray, axis: int = 0) -> NDArray:
    """The arrays stacked along a new ``axis``."""
    return type(data[0])._wrap(bricks.stack([unwrap(d) for d in data], dim=axis))


def _shape(shape: Any) -> tuple:
    if shape is None:
        return (1,)
    return (shape,) if isinstance(shape, int) else tuple(shape)


def _uniform(low: float = 0.0, high: float = 1.0, shape: Any = None, dtype: Any = None,
             ctx: Any = None, **kwargs: Any) -> NDArray:
    """Samples from U(low, high) of the given shape (float32)."""
    return NDArray._wrap(bricks.empty(_shape(shape), dtype=_dtype(dtype)).uniform_(low, high))


def _normal(loc: float = 0.0, scale: float = 1.0, shape: Any = None, dtype: Any = None,
            ctx: Any = None, **kwargs: Any) -> NDArray:
    """Samples from N(loc, scale^2) of the given shape (float32)."""
    return NDArray._wrap(bricks.empty(_shape(shape), dtype=_dtype(dtype)).normal_(loc, scale))


random = SimpleNamespace(uniform=_uniform, normal=_normal, seed=bricks.manual_seed)


def save(fname: str, data: Any) -> None:
    """Save an array, a list of arrays or a dict of name -> array (bricks' safe file format).

    Raises:
        ValueError: for anything else.
    """
    if isinstance(data, ArrayFacade):
        data = [data]
    if isinstance(data, dict):
        bricks.save({name: unwrap(value).detach() for name, value in data.items()}, fname)
    elif isinstance(data, (list, tuple)):
        bricks.save([unwrap(value).detach() for value in data], fname)
    else:
        raise ValueError(f"data needs to either be a NDArray, dict of (str, NDArray) pairs or a "
                         f"list of NDarrays, got {type(data).__name__}")


def load(fname: str) -> Any:
    """Load what ``save`` wrote: a list of arrays, or a dict of name -> array."""
    from . import npx

    loaded = bricks.load(fname)
    facade = npx.array_class()
    if isinstance(loaded, dict):
        return {name: facade._wrap(value) for name, value in loaded.items()}
    if isinstance(loaded, (list, tuple)):
        return [facade._wrap(value) for value in loaded]
    return [facade._wrap(loaded)]
