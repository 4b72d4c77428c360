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
           "float64", "int32", "int64", "linalg", "matmul", "linspace", "meshgrid", "eye",
           "concatenate", "stack", "where", "expand_dims", "ones_like", "zeros_like", "sum",
           "mean", "max", "min", "argmax", "maximum", "minimum", "clip", "power", "cumsum",
           "split", "tile", "repeat", "transpose", "swapaxes", "reshape", "pi", "e", "newaxis",
           "abs", "exp", "log", "sin", "sinh", "cos", "cosh", "tanh", "sqrt", "square", "sign",
           "floor", "ceil", "log1p", "expm1", "arctan", "isnan", "isinf", "bool_", "uint8",
           "int8", "float16", "size", "shape", "prod", "std", "var", "multiply", "add",
           "subtract", "divide", "sort", "argsort", "diag", "outer", "tril", "triu", "full_like",
           "empty", "nonzero", "unique", "logical_and", "logical_or", "logical_not", "equal",
           "broadcast_to", "flip", "round", "log2", "log10", "exp2", "atleast_1d", "hstack",
           "vstack", "arctan2", "arcsin", "arccos", "hypot", "floor_divide", "mod", "greater",
           "less"]

float32, float64, int32, int64 = numpy.float32, numpy.float64, numpy.int32, numpy.int64
float16, int8, uint8, bool_ = numpy.float16, numpy.int8, numpy.uint8, numpy.bool_
pi, e, newaxis = numpy.pi, numpy.e, None


class ndarray(NDArray):  # noqa: N801 (MXNet's name)
    """MXNet's NumPy-like array, computed by bricks.

    Example:
        >>> from bricks.compat.mxnet import np
        >>> np.ones((2,))
        array([1., 1.])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        values = self.asnumpy()
        if values.dtype != numpy.float32 or values.size == 0:
            return repr(values)
        # float32 is MXNet's default dtype: not named, and the lines wrap without it.
        body = numpy.array2string(values, separator=", ", prefix="array(", suffix=")")
        return f"array({body})"

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



def _t(value: Any) -> Any:
    """A bricks tensor (float32 for Python numbers and lists, as MXNet's default)."""
    if isinstance(value, ArrayFacade):
        return unwrap(value)
    if isinstance(value, bricks.Tensor):
        return value
    return unwrap(array(value))


def _w(value: Any) -> Any:
    return ndarray._wrap(value) if isinstance(value, bricks.Tensor) else value


def _function(name: str, bricks_name: str | None = None) -> Any:
    """An ``mxnet.np`` function computed by the bricks function of the same meaning."""
    function = getattr(bricks, bricks_name or name)

    def np_function(*args: Any, **kwargs: Any) -> Any:
        args = tuple(_t(a) if isinstance(a, (ArrayFacade, list)) else a for a in args)
        if args and not isinstance(args[0], bricks.Tensor):
            args = (_t(args[0]),) + args[1:]
        kwargs = {k: _t(v) if isinstance(v, ArrayFacade) else v for k, v in kwargs.items()}
        return _w(function(*args, **kwargs))

    np_function.__name__ = name
    np_function.__doc__ = f"NumPy's ``{name}``, computed by ``bricks.{bricks_name or name}``."
    return np_function


abs = _function("abs")
exp = _function("exp")
log = _function("log")
sin = _function("sin")
sinh = _function("sinh")
cos = _function("cos")
cosh = _function("cosh")
tanh = _function("tanh")
sqrt = _function("sqrt")
square = _function("square")
sign = _function("sign")
floor = _function("floor")
ceil = _function("ceil")
log1p = _function("log1p")
expm1 = _function("expm1")
arctan = _function("arctan", "atan")
arcsin = _function("arcsin", "asin")
arccos = _function("arccos", "acos")
arctan2 = _function("arctan2", "atan2")
isnan = _function("isnan")
isinf = _function("isinf")
maximum = _function("maximum")
minimum = _function("minimum")
power = _function("power", "pow")
multiply = _function("multiply", "mul")
add = _function("add")
subtract = _function("subtract", "sub")
divide = _function("divide", "div")
outer = _function("outer")
tril = _function("tril")
triu = _function("triu")
logical_and = _function("logical_and")
logical_or = _function("logical_or")
logical_not = _function("logical_not")
equal = _function("equal", "eq")
greater = _function("greater", "gt")
less = _function("less", "lt")
hypot = _function("hypot")
round = _function("round")
log2 = _function("log2")
log10 = _function("log10")
exp2 = _function("exp2")
floor_divide = _function("floor_divide")
mod = _function("mod", "remainder")


def matmul(a: Any, b: Any) -> ndarray:
    """The matrix product."""
    return ndarray._wrap(bricks.matmul(_t(a), _t(b)))


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _reduction(name: str) -> Any:
    def np_function(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                    keepdims: bool = False) -> ndarray:
        return ndarray._wrap(unwrap(ndarray._wrap(_t(a))._reduce(name, _axis(axis),
                                                                 keepdims)))

    np_function.__name__ = name
    np_function.__doc__ = f"NumPy's ``{name}`` over ``axis`` (every axis when None)."
    return np_function


sum = _reduction("sum")
mean = _reduction("mean")
max = _reduction("amax")
min = _reduction("amin")
prod = _reduction("prod")


def _spread(name: str, a: Any, axis: Any, ddof: int, keepdims: bool) -> ndarray:
    tensor = _t(a)
    function = getattr(bricks, name)
    if axis is None:
        return ndarray._wrap(function(tensor, correction=ddof))
    return ndarray._wrap(function(tensor, dim=_axis(axis), correction=ddof, keepdim=keepdims))


def std(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> ndarray:
    """The standard deviation (population by default, as NumPy)."""
    return _spread("std", a, axis, ddof, keepdims)


def var(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> ndarray:
    """The variance (population by default, as NumPy)."""
    return _spread("var", a, axis, ddof, keepdims)


def argmax(a: Any, axis: int | None = None) -> ndarray:
    """The index of the largest value (int64), along ``axis`` or of the flattened array."""
    return ndarray._wrap(bricks.argmax(_t(a), dim=axis))


def sort(a: Any, axis: int = -1) -> ndarray:
    """The values sorted along ``axis``."""
    return ndarray._wrap(bricks.sort(_t(a), dim=axis)[0])


def argsort(a: Any, axis: int = -1) -> ndarray:
    """The indices that sort ``a`` along ``axis``."""
    return ndarray._wrap(bricks.argsort(_t(a), dim=axis))


def clip(a: Any, a_min: Any, a_max: Any) -> ndarray:
    """The values limited to [a_min, a_max]."""
    return ndarray._wrap(bricks.clamp(_t(a), a_min, a_max))


def cumsum(a: Any, axis: int | None = None, dtype: Any = None) -> ndarray:
    """The running sum along ``axis`` (of the flattened array when None)."""
    tensor = _t(a)
    return ndarray._wrap(bricks.cumsum(tensor.reshape(-1) if axis is None else tensor,
                                       dim=0 if axis is None else axis))


def linspace(start: float, stop: float, num: int = 50, endpoint: bool = True,
             dtype: Any = None, ctx: Any = None) -> ndarray:
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    values = numpy.linspace(start, stop, num, endpoint=endpoint)
    return array(values, dtype=dtype)


def meshgrid(*xi: Any, indexing: str = "xy") -> list:
    """Coordinate matrices from coordinate vectors (NumPy's default ``indexing='xy'``)."""
    grids = bricks.meshgrid(*(_t(x) for x in xi), indexing=indexing)
    return [ndarray._wrap(grid) for grid in grids]


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> ndarray:  # noqa: N803
    """A 2-D array with ones on the ``k``-th diagonal."""
    return array(numpy.eye(N, M, k), dtype=dtype)


def diag(v: Any, k: int = 0) -> ndarray:
    """The ``k``-th diagonal of a matrix, or a matrix with ``v`` on it."""
    return ndarray._wrap(bricks.diag(_t(v), k))


def concatenate(seq: Any, axis: int | None = 0, out: Any = None) -> ndarray:
    """The arrays joined along ``axis`` (flattened first when ``axis`` is None)."""
    tensors = [_t(a) for a in seq]
    if axis is None:
        tensors, axis = [t.reshape(-1) for t in tensors], 0
    return ndarray._wrap(bricks.cat(tensors, dim=axis))


def stack(arrays: Any, axis: int = 0, out: Any = None) -> ndarray:
    """The arrays stacked along a new ``axis``."""
    return ndarray._wrap(bricks.stack([_t(a) for a in arrays], dim=axis))


def hstack(arrays: Any) -> ndarray:
    """The arrays joined along the second axis (the first for 1-D arrays)."""
    tensors = [_t(a) for a in arrays]
    return ndarray._wrap(bricks.cat(tensors, dim=0 if tensors[0].dim() == 1 else 1))


def vstack(arrays: Any) -> ndarray:
    """The arrays (1-D ones as rows) joined along the first axis."""
    rows = [_t(a) for a in arrays]
    return ndarray._wrap(bricks.cat([t.reshape(1, -1) if t.dim() == 1 else t for t in rows],
                                    dim=0))


def atleast_1d(a: Any) -> ndarray:
    """``a`` with at least one dimension."""
    tensor = _t(a)
    return ndarray._wrap(tensor.reshape(1) if tensor.dim() == 0 else tensor)


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """``ary`` split into equal sections or at the given indices."""
    pieces = numpy.split(numpy.arange(_t(ary).shape[axis]), indices_or_sections)
    tensor = _t(ary)
    return [ndarray._wrap(tensor.narrow(axis, int(p[0]) if len(p) else 0, len(p)))
            for p in pieces]


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """``x`` where ``condition`` holds, ``y`` elsewhere (the indices when only a condition)."""
    if x is None and y is None:
        return tuple(ndarray._wrap(i) for i in bricks.nonzero(_t(condition), as_tuple=True))
    return ndarray._wrap(bricks.where(_t(condition).bool(), _t(x), _t(y)))


def nonzero(a: Any) -> tuple:
    """The indices of the non-zero elements, one array per dimension."""
    return tuple(ndarray._wrap(i) for i in bricks.nonzero(_t(a), as_tuple=True))


def unique(ar: Any) -> ndarray:
    """The sorted unique values."""
    return ndarray._wrap(bricks.unique(_t(ar)))


def expand_dims(a: Any, axis: int) -> ndarray:
    """``a`` with a new dimension of size 1 at ``axis``."""
    return ndarray._wrap(_t(a).unsqueeze(axis))


def ones_like(a: Any, dtype: Any = None) -> ndarray:
    """Ones of ``a``'s shape and dtype."""
    return ndarray._wrap(bricks.ones_like(_t(a)))


def zeros_like(a: Any, dtype: Any = None) -> ndarray:
    """Zeros of ``a``'s shape and dtype."""
    return ndarray._wrap(bricks.zeros_like(_t(a)))


def full_like(a: Any, fill_value: Any, dtype: Any = None) -> ndarray:
    """``fill_value`` in ``a``'s shape and dtype."""
    return ndarray._wrap(bricks.full_like(_t(a), fill_value))


def empty(shape: Any, dtype: Any = None, ctx: Any = None) -> ndarray:
    """An uninitialized array (zeros here)."""
    return zeros(shape, dtype)


def tile(A: Any, reps: Any) -> ndarray:  # noqa: N803 (NumPy's name)
    """``A`` repeated ``reps`` times along each axis."""
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    tensor = _t(A)
    reps = (1,) * (tensor.dim() - len(reps)) + reps
    return ndarray._wrap(tensor.repeat(*reps))


def repeat(a: Any, repeats: int, axis: int | None = None) -> ndarray:
    """Each element repeated ``repeats`` times (of the flattened array when ``axis`` is None)."""
    tensor = _t(a)
    if axis is None:
        tensor, axis = tensor.reshape(-1), 0
    return ndarray._wrap(bricks.repeat_interleave(tensor, repeats, dim=axis))


def transpose(a: Any, axes: Any = None) -> ndarray:
    """The axes permuted (reversed when None)."""
    return ndarray._wrap(_t(a)).transpose(*(axes or ()))


def swapaxes(a: Any, axis1: int, axis2: int) -> ndarray:
    """Two axes exchanged."""
    return ndarray._wrap(_t(a).transpose(axis1, axis2))


def reshape(a: Any, newshape: Any) -> ndarray:
    """The values in ``newshape``."""
    return ndarray._wrap(_t(a)).reshape(newshape)


def broadcast_to(array: Any, shape: Any) -> ndarray:
    """``array`` broadcast to ``shape``."""
    return ndarray._wrap(_t(array).expand(*shape))


def flip(m: Any, axis: Any = None) -> ndarray:
    """The order of elements reversed along ``axis`` (every axis when None)."""
    tensor = _t(m)
    dims = tuple(range(tensor.dim())) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    return ndarray._wrap(bricks.flip(tensor, dims))


def size(a: Any, axis: int | None = None) -> int:
    """The number of elements (along ``axis``)."""
    tensor = _t(a)
    return tensor.numel() if axis is None else tensor.shape[axis]


def shape(a: Any) -> tuple:
    """The shape."""
    return tuple(_t(a).shape)


class _Linalg:
    """``mxnet.np.linalg``: norms, inverse, determinant."""

    @staticmethod
    def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> ndarray:
        """The vector 2-norm (the Frobenius norm of a matrix) unless ``ord`` says otherwise."""
        tensor = _t(x)
        if axis is None and ord is None:
            return ndarray._wrap(bricks.sqrt((tensor * tensor).sum()))
        return ndarray._wrap(bricks.linalg.norm(tensor, ord, dim=_axis(axis), keepdim=keepdims))

    @staticmethod
    def inv(a: Any) -> ndarray:
        """The matrix inverse."""
        return ndarray._wrap(bricks.linalg.inv(_t(a)))

    @staticmethod
    def det(a: Any) -> ndarray:
        """The determinant."""
        return ndarray._wrap(bricks.linalg.det(_t(a)))


linalg = _Linalg()


def _choice(a: Any, size: Any = None, replace: bool = True, p: Any = None,
            ctx: Any = None) -> ndarray:
    """Samples from ``a`` (an int n: range(n)) with optional probabilities ``p``."""
    population = numpy.arange(a) if isinstance(a, int) else _t(a).detach().numpy()
    weights = None if p is None else numpy.asarray(_t(p).detach().numpy(), numpy.float64)
    count = int(numpy.prod(_size(size))) if size is not None else 1
    probabilities = bricks.ones(len(population), dtype=bricks.float64) if weights is None \
        else bricks.from_numpy(weights / weights.sum())
    picks = bricks.multinomial(probabilities, count, replacement=replace).numpy()
    chosen = population[picks]
    return array(chosen.reshape(_size(size)) if size is not None else chosen[0],
                 dtype=chosen.dtype)


def _randn(*size: int) -> ndarray:
    """Standard normal samples of shape ``size``."""
    return _normal(0.0, 1.0, size)


def _rand(*size: int) -> ndarray:
    """U[0, 1) samples of shape ``size``."""
    return _uniform(0.0, 1.0, size)


def _randint(low: int, high: int | None = None, size: Any = None, dtype: Any = None,
             ctx: Any = None) -> ndarray:
    """Integers from [low, high)."""
    if high is None:
        low, high = 0, low
    return ndarray._wrap(bricks.randint(low, high, _size(size)))


def _shuffle(x: Any) -> None:
    """Shuffle ``x`` along its first axis, in place."""
    tensor = _t(x)
    order = bricks.randperm(tensor.shape[0])
    tensor.detach()[...] = tensor.detach()[order]


random = SimpleNamespace(uniform=_uniform, normal=_normal, seed=bricks.manual_seed,
                         choice=_choice, randn=_randn, rand=_rand, randint=_randint,
                         shuffle=_shuffle)
