"""Writing by index (``scatter``, ``scatter_add``, ``scatter_reduce``, ``index_add``,
``index_copy``, ``index_fill``, ``index_put`` and their in-place forms) and reading by index
(``take_along_dim``, ``narrow``, ``select``), ``roll`` and ``repeat_interleave``."""

from __future__ import annotations

from typing import Any, Callable

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from ..autograd.function import unbroadcast
from .index import IndexPut, _assign_error, _index, _scatter_add, gather, index_select
from .inplace import _rebase, _records, _store
from .shape import expand, reshape

__all__ = ["scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy", "index_fill",
           "index_put", "scatter_", "scatter_add_", "scatter_reduce_", "index_add_",
           "index_copy_", "index_fill_", "index_put_", "take_along_dim",
           "roll", "repeat_interleave", "narrow", "select"]


def _grids(index: Any, axis: int) -> tuple:
    grids = list(array_module(index).indices(index.shape, sparse=True))
    grids[axis] = index
    return tuple(grids)


def _check_scatter(name: str, input: Tensor, dim: int, index: Tensor, src: Any) -> int:
    """The axis of a scatter, after torch's checks of the index."""
    x, i = input._value, index._value
    if i.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if i.ndim != x.ndim and i.size:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as self "
                           f"tensor: index has {i.ndim}, self {x.ndim}")
    axis = _check_dim(dim, x.ndim)
    for d in range(i.ndim):
        src_too_small = isinstance(src, Tensor) and i.shape[d] > src._value.shape[d]
        if d != axis and i.shape[d] > x.shape[d] or src_too_small:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(i.shape)} to be smaller than self {list(x.shape)} apart "
                               f"from dimension {axis}")
    if i.size and (i.max() >= x.shape[axis] or i.min() < -x.shape[axis]):
        raise RuntimeError(f"index {int(i.max())} is out of bounds for dimension {axis} with "
                           f"size {x.shape[axis]}")
    return axis


def _region(index: Any) -> tuple:
    """The part of ``src`` a scatter reads: the leading block of the index's shape."""
    return tuple(slice(0, n) for n in index.shape)


class Scatter(Function):
    def forward(self, x, src, index, axis):
        self.index, self.axis, self.src_shape = index, axis, getattr(src, "shape", None)
        y = x.copy()
        y[_grids(index, axis)] = src[_region(index)] if self.src_shape is not None else src
        return y

    def backward(self, gy):
        gx = gsrc = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            gx[_grids(self.index, self.axis)] = 0
        if self.src_shape is not None and self.needs_input_grad[1]:
            gsrc = array_module(gy).zeros(self.src_shape, gy.dtype)
            gsrc[_region(self.index)] = gy[_grids(self.index, self.axis)]
        return gx, gsrc

    def _name(self) -> str:
        return "ScatterBackward0" if self.src_shape is not None else "ScatterBackward1"


class ScatterAdd(Function):
    def forward(self, x, src, index, axis):
        self.index, self.axis, self.src_shape = index, axis, src.shape
        y = x.copy()
        _scatter_add(y, index, src[_region(index)], axis)
        return y

    def backward(self, gy):
        gsrc = None
        if self.needs_input_grad[1]:
            gsrc = array_module(gy).zeros(self.src_shape, gy.dtype)
            gsrc[_region(self.index)] = gy[_grids(self.index, self.axis)]
        return gy, gsrc


# reduce name -> (the NumPy ufunc that folds values in, its identity); mean folds by adding
_REDUCTIONS = {"sum": (xp.add, 0), "mean": (xp.add, 0), "prod": (xp.multiply, 1),
               "amax": (xp.maximum, -xp.inf), "amin": (xp.minimum, xp.inf)}
_ALIASES = {"max": "amax", "min": "amin"}  # torch takes these too


def _identity(dtype: Any, reduce: str) -> Any:
    """The reduction's identity in ``dtype`` (an integer's extremes stand for -inf/+inf)."""
    value = _REDUCTIONS[reduce][1]
    if xp.dtype(dtype).kind in "iub" and abs(value) == xp.inf:
        info = xp.iinfo(dtype) if xp.dtype(dtype).kind != "b" else None
        return (info.min if value < 0 else info.max) if info else value > 0
    return value


def _counts(shape: tuple, index: Any, axis: int, include_self: bool, dtype: Any) -> Any:
    """How many values each position of a mean reduces (self counted when included)."""
    module = array_module(index)
    counts = module.full(shape, 1 if include_self else 0, dtype)
    _scatter_add(counts, index, module.ones(index.shape, dtype), axis)
    return counts


def _reduce_into(x: Any, src: Any, index: Any, axis: int, reduce: str,
                 include_self: bool) -> Any:
    """``x`` with ``src`` folded in at ``index`` along ``axis`` by the reduction."""
    ufunc = getattr(array_module(x), _REDUCTIONS[reduce][0].__name__)
    y = x.copy()
    grids = _grids(index, axis)
    if not include_self:
        y[grids] = _identity(y.dtype, reduce)
    ufunc.at(y, grids, src[_region(index)])
    if reduce == "mean":
        counts = xp.maximum(_counts(y.shape, index, axis, include_self, y.dtype), 1)
        y = y // counts if y.dtype.kind in "iub" else y / counts
    return y


class ScatterReduce(Function):
    def forward(self, x, src, index, axis, reduce, include_self):
        self.x, self.src, self.index, self.axis = x, src, index, axis
        self.reduce, self.include_self = reduce, include_self
        self.y = _reduce_into(x, src, index, axis, reduce, include_self)
        return self.y

    def backward(self, gy):
        gx, gsrc_region = getattr(self, f"_grad_{self.reduce}")(gy)
        if not self.include_self:
            gx[_grids(self.index, self.axis)] = 0
        gsrc = array_module(gy).zeros(self.src.shape, gy.dtype)
        gsrc[_region(self.index)] = gsrc_region
        return gx, gsrc

    def _gathered(self, a: Any) -> Any:
        return a[_grids(self.index, self.axis)]

    def _grad_sum(self, gy):
        return gy.copy(), self._gathered(gy)

    def _grad_mean(self, gy):
        counts = _counts(gy.shape, self.index, self.axis, self.include_self, gy.dtype)
        share = gy / xp.maximum(counts, 1)
        return share, self._gathered(share)

    def _grad_prod(self, gy):
        # Division by the factor, with zeros handled as torch: self's zero and a lone zero of
        # src are differentiated as the product of the others.
        x, src = self.x, self.src[_region(self.index)]
        reduce = lambda a, s: _reduce_into(a, s, self.index, self.axis,  # noqa: E731
                                           "prod", self.include_self)
        where = array_module(x).where
        masked_x = where(x == 0, 1, x)
        gx = gy * reduce(masked_x, src) / masked_x
        src_zero = src == 0
        zeros_per_slot = array_module(x).zeros(x.shape, gy.dtype)
        _scatter_add(zeros_per_slot, self.index, src_zero.astype(gy.dtype), self.axis)
        lone_zero = src_zero & (self._gathered(zeros_per_slot) == 1)
        without_lone = reduce(x, where(lone_zero, 1, src))
        gsrc = where(lone_zero, self._gathered(gy * without_lone),
                     self._gathered(gy * self.y) / where(src_zero, 1, src))
        return gx, gsrc

    def _grad_amax(self, gy):
        # The gradient is shared evenly among the values equal to the extreme.
        x_wins = (self.x == self.y).astype(gy.dtype)
        src_wins = (self.src[_region(self.index)] == self._gathered(self.y)).astype(gy.dtype)
        winners = x_wins.copy()
        _scatter_add(winners, self.index, src_wins, self.axis)
        share = gy / winners
        return x_wins * share, src_wins * self._gathered(share)

    _grad_amin = _grad_amax


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """A copy of ``input`` with ``src`` reduced in at ``index`` along ``dim`` by ``reduce``
    (``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``); with ``include_self=False``
    the positions written take only the scattered values.

    Raises:
        RuntimeError: for another ``reduce``, a dtype of ``src`` other than ``input``'s, or an
            index that is not int64, out of range, or larger than ``src``.
    """
    reduce = _ALIASES.get(reduce, reduce)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    axis = _check_scatter("scatter_reduce", input, dim, index, src)
    if src._value.dtype != input._value.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterReduce.apply(input, src, index._value.astype(xp.int64), axis=axis,
                               reduce=reduce, include_self=include_self)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` (or ``value``) written at
    ``out[index[i][j]][j]`` for ``dim=0`` (and likewise for other dims).

    Raises:
        RuntimeError: for an index that is not int64, out of range, or larger than ``src``.
    """
    if src is None:
        src = value
    if reduce is not None:
        if reduce != "add":
            raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported; use "
                                      "scatter_reduce or scatter_add")
        return scatter_add(input, dim, index, src if isinstance(src, Tensor)
                           else expand(input.new_tensor(src), index.shape))
    axis = _check_scatter("scatter", input, dim, index, src)
    if isinstance(src, Tensor):
        if src._value.dtype != input._value.dtype:
            raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype, got "
                               f"{input.dtype} and {src.dtype}")
    return Scatter.apply(input, src, index._value.astype(xp.int64), axis=axis)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices add
    up).

    Raises:
        RuntimeError: for an index that is not int64, out of range, or larger than ``src``.
    """
    axis = _check_scatter("scatter_add", input, dim, index, src)
    if src._value.dtype != input._value.dtype:
        raise RuntimeError(f"scatter_add(): Expected self.dtype to be equal to src.dtype, got "
                           f"{input.dtype} and {src.dtype}")
    return ScatterAdd.apply(input, src, index._value.astype(xp.int64), axis=axis)


def _check_index(name: str, input: Tensor, dim: int, index: Tensor, source: Any,
                 out_of_range: type[Exception] = IndexError) -> int:
    """The axis of an ``index_*`` op, after torch's checks (whose exception types vary)."""
    i = index._value
    if i.dtype.kind not in "iu":
        raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype}")
    if i.ndim > 1:
        raise IndexError(f"{name}_(): Index should have dimension 1 or 0 (got {i.ndim})")
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis] if input._value.ndim else 1
    if i.size and (i.max() >= size or i.min() < -size):
        bad = int(i.max()) if i.max() >= size else int(i.min())
        raise out_of_range(f"{name}_(): index {bad} is out of bounds for dimension {axis} with "
                           f"size {size}")
    if isinstance(source, Tensor):
        expected = list(input._value.shape)
        if expected:
            expected[axis] = i.size
        if list(source._value.shape) != expected and source._value.ndim:
            raise RuntimeError(f"{name}(): source of shape {list(source._value.shape)} does not "
                               f"match the indexed slices: expected {expected}")
    return axis


def _slices(index: Any, axis: int) -> tuple:
    return (slice(None),) * axis + (index,)


class IndexAdd(Function):
    def forward(self, x, source, index, axis, alpha):
        self.index, self.axis, self.alpha = index, axis, alpha
        y = x.copy()
        xp.add.at(y, _slices(index, axis), source * alpha if alpha != 1 else source)
        return y

    def backward(self, gy):
        gsource = None
        if self.needs_input_grad[1]:
            gsource = xp.take(gy, self.index, axis=self.axis)
            if self.alpha != 1:
                gsource = gsource * self.alpha
        return gy, gsource


class IndexCopy(Function):
    def forward(self, x, source, index, axis):
        self.index, self.axis = index, axis
        y = x.copy()
        y[_slices(index, axis)] = source
        return y

    def backward(self, gy):
        gx = gsource = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            gx[_slices(self.index, self.axis)] = 0
        if self.needs_input_grad[1]:
            gsource = xp.take(gy, self.index, axis=self.axis)
        return gx, gsource


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added to the slices listed by ``index``.

    Raises:
        RuntimeError: for an index out of range, or not of integers.
        IndexError: for an index of more than one dimension.
    """
    axis = _check_index("index_add", input, dim, index, source, RuntimeError)
    return IndexAdd.apply(input, source, index._value.reshape(-1), axis=axis, alpha=alpha)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the slices listed by ``index`` replaced by ``source``."""
    axis = _check_index("index_copy", input, dim, index, source)
    return IndexCopy.apply(input, source, index._value.reshape(-1), axis=axis)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with the slices listed by ``index`` set to ``value``."""
    axis = _check_index("index_fill", input, dim, index, None)
    mask = array_module(input._value).zeros(input._value.shape[axis] if input._value.ndim else 1,
                                            bool)
    mask[index._value.reshape(-1)] = True
    shape = [1] * input._value.ndim
    if shape:
        shape[axis] = mask.size
    return rename(input.masked_fill(Tensor._wrap(mask.reshape(shape)), value),
                  "IndexFillBackward0")


def _in_place(outplace: Any, name: str) -> Any:
    def method(self: Tensor, dim: int, index: Tensor, source: Any, *args: Any,
               **kwargs: Any) -> Tensor:
        if _records(self, source):
            return _rebase(self, outplace, dim, index, source, *args, **kwargs)
        _store(self, outplace(self.detach(), dim, index, source, *args, **kwargs)._value)
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{outplace.__name__}``."
    return method


scatter_: Callable[..., Tensor] = _in_place(scatter, "scatter_")
scatter_add_: Callable[..., Tensor] = _in_place(scatter_add, "scatter_add_")
scatter_reduce_: Callable[..., Tensor] = _in_place(scatter_reduce, "scatter_reduce_")
index_add_: Callable[..., Tensor] = _in_place(index_add, "index_add_")
index_copy_: Callable[..., Tensor] = _in_place(index_copy, "index_copy_")
index_fill_: Callable[..., Tensor] = _in_place(index_fill, "index_fill_")


class IndexPutAccumulate(Function):
    """``x[indices] += values`` out of place, repeated positions adding up."""

    def forward(self, x, values, key):
        self.key, self.values_shape = key, values.shape
        y = x.copy()
        try:
            place_shape = y[key].shape
            module = array_module(y)
            module.add.at(y, key, module.broadcast_to(values, place_shape))
        except (ValueError, IndexError):
            raise _assign_error(y, key, values) from None
        return y

    def backward(self, gy):
        return gy, unbroadcast(gy[self.key], self.values_shape)

    def _name(self) -> str:
        return "IndexPutBackward0"


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (a tuple of index
    tensors, one per leading dimension); ``accumulate=True`` adds them, repeats adding up.

    Raises:
        TypeError: when ``indices`` is not a tuple or list of tensors.
        RuntimeError: when the dtypes differ or ``values`` does not broadcast to the result.
        IndexError: for an index out of range.
    """
    _check_indices("index_put", indices)
    if values._value.dtype != input._value.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_scalar_name(input)} for the destination and "
                           f"{_scalar_name(values)} for the source.")
    key = _index(tuple(indices))
    if accumulate:
        return IndexPutAccumulate.apply(input, values, key=key)
    return IndexPut.apply(input, values, key=key)


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _scalar_name(t: Tensor) -> str:
    """torch's scalar type name of a tensor's dtype (``Float``, ``Double``, ``Long``)."""
    return _SCALAR_NAMES.get(str(t._value.dtype), str(t._value.dtype))


def _check_indices(name: str, indices: Any) -> None:
    if not isinstance(indices, (tuple, list)) or not all(
            isinstance(i, Tensor) or i is None for i in indices):
        raise TypeError(f"{name}(): argument 'indices' (position 1) must be tuple of "
                        f"Tensors, not {type(indices).__name__}")


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """In-place ``index_put``."""
    _check_indices("index_put_", indices)
    if _records(input, values):
        return _rebase(input, index_put, indices, values, accumulate)
    _store(input, index_put(input.detach(), indices, values, accumulate)._value)
    return input


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """Values of ``input`` picked by ``indices`` along ``dim`` (the flattened input when
    ``dim`` is None), the other dimensions broadcast.

    Raises:
        RuntimeError: if ``indices`` is not an integer tensor.
    """
    if indices._value.dtype.kind not in "iu":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype}")
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)).long())
    axis = _check_dim(dim, input._value.ndim)
    if indices._value.ndim != input._value.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input._value.ndim} dimensions for "
                           f"input, and {indices._value.ndim} dimensions for indices")
    in_shape, ix_shape = list(input._value.shape), list(indices._value.shape)
    in_shape[axis] = ix_shape[axis] = 1
    common = list(_broadcast_shapes(tuple(in_shape), tuple(ix_shape)))
    input_shape, index_shape = list(common), list(common)
    input_shape[axis], index_shape[axis] = input._value.shape[axis], indices._value.shape[axis]
    return gather(expand(input, tuple(input_shape)), axis,
                  expand(indices.long(), tuple(index_shape)))


def _broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """The shape ``a`` and ``b`` broadcast to, or torch's error naming the first dimension,
    from the last, where they differ."""
    try:
        return xp.broadcast_shapes(a, b)
    except ValueError:
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        d = next(d for d in reversed(range(n)) if 1 != a[d] != b[d] != 1)
        raise RuntimeError(f"The size of tensor a ({a[d]}) must match the size of tensor b "
                           f"({b[d]}) at non-singleton dimension {d}") from None


class Roll(Function):
    def forward(self, x, shifts, axes):
        self.shifts, self.axes = shifts, axes
        if axes is None:
            return xp.roll(x.reshape(-1), shifts).reshape(x.shape)
        return xp.roll(x, shifts, axes)

    def backward(self, gy):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        if self.axes is None:
            return xp.roll(gy.reshape(-1), back).reshape(gy.shape)
        return xp.roll(gy, back, self.axes)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """The elements shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor when
    ``dims`` is None).

    Raises:
        RuntimeError: if ``shifts`` and ``dims`` have different lengths.
    """
    shift_list = list(shifts) if isinstance(shifts, (tuple, list)) else [shifts]
    if dims is None:
        if len(shift_list) != 1:
            raise RuntimeError(f"roll: shifts must be a single value when dims is not given, "
                               f"got {len(shift_list)} shifts")
        return Roll.apply(input, shifts=int(shift_list[0]), axes=None)
    dim_list = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    if len(shift_list) != len(dim_list):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift_list)}, "
                           f"dims:{len(dim_list)}")
    axes = tuple(_check_dim(d, input._value.ndim) for d in dim_list)
    return Roll.apply(input, shifts=tuple(int(s) for s in shift_list), axes=axes)


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times, in place order.

    ``repeat_interleave(counts)`` with one integer tensor gives ``arange`` repeated by counts.

    Raises:
        RuntimeError: for negative repeats, or a repeats tensor of the wrong length.
    """
    if repeats is None:
        counts = input._value
        return Tensor._wrap(xp.repeat(array_module(counts).arange(counts.size), counts)
                            .astype(counts.dtype))
    if dim is None:
        input, axis = reshape(input, (-1,)), 0
    else:
        axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis] if input._value.ndim else 1
    module = array_module(input._value)
    counts = repeats._value.reshape(-1) if isinstance(repeats, Tensor) else module.asarray(
        [repeats])
    if counts.size == 1:
        counts = xp.broadcast_to(counts, (size,))
    if counts.size != size:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {counts.size} and input.size({axis}) = {size}")
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    positions = xp.repeat(module.arange(size), counts)
    out = index_select(input, axis, Tensor._wrap(positions))
    # torch expands and reshapes for a number of repeats, and selects for a tensor of them
    return out if isinstance(repeats, Tensor) else rename(out, "ViewBackward0")


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start + length`` of dimension ``dim`` (a view).

    Raises:
        RuntimeError: if the slice does not fit in the dimension.
    """
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return input[(slice(None),) * axis + (slice(start, start + length),)]


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of dimension ``dim``, without that dimension (a view).

    Raises:
        IndexError: if ``index`` is out of range.
    """
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._value.shape)} at dimension {axis}")
    return input[(slice(None),) * axis + (int(index),)]
