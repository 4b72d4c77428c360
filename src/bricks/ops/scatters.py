"""Writing into a copy by place: ``select_scatter``, ``slice_scatter``, ``diagonal_scatter``
(``src`` embedded where ``select``/slicing/``diagonal`` would read), ``masked_scatter`` and
``put`` (values taken in order), ``index_reduce``; and the in-place methods
``masked_scatter_``, ``put_``, ``index_reduce_`` and ``fill_diagonal_`` (``METHODS``)."""

from __future__ import annotations

from typing import Any, Callable

from .._device import array_module, xp
from .._dtypes import scalar_type_name
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename, unbroadcast
from .elementwise import cast
from .indexing import ScatterReduce, _check_index, _in_place
from .inplace import inplace_of, masked_fill_
from .matrix import _diagonal_view

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "masked_scatter", "put",
           "index_reduce"]


class _Embed(Function):
    """``src`` written into a copy of ``x`` at a place given by the subclass's ``_place``."""

    def forward(self, x, src, **place):
        self.place = place
        y = x.copy()
        self._place(y)[...] = src
        return y

    def backward(self, gy):
        gx = gsrc = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            self._place(gx)[...] = 0
        if self.needs_input_grad[1]:
            gsrc = self._place(gy).copy()
        return gx, gsrc

    def _place(self, a: Any) -> Any:
        return a[self.place["key"]]


class SelectScatter(_Embed):
    pass


class SliceScatter(_Embed):
    pass


class DiagonalScatter(_Embed):
    def _place(self, a: Any) -> Any:
        return _diagonal_view(a, self.place["offset"], *self.place["axes"])


def _embed(cls: type[_Embed], input: Tensor, src: Tensor, place: Any, **config: Any) -> Tensor:
    """``cls`` applied after torch's check that ``src`` has the shape of the place."""
    expected = place.shape
    if tuple(src._value.shape) != tuple(expected):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._value.shape)}, slice size = {list(expected)}")
    if src._value.dtype != input._value.dtype:
        src = cast(src, input._value.dtype)
    return cls.apply(input, src, **config)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written where ``input.select(dim, index)`` reads.

    Raises:
        IndexError: for ``dim`` or ``index`` out of range.
        RuntimeError: when ``src``'s shape is not that of the selected slice.

    Example:
        >>> import bricks
        >>> bricks.select_scatter(bricks.zeros(2, 2), bricks.ones(2), 0, 1).tolist()
        [[0.0, 0.0], [1.0, 1.0]]
    """
    axis = _check_dim(dim, input._value.ndim)
    size = input._value.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._value.shape)} at dimension {axis}")
    key = (slice(None),) * axis + (int(index) % size,)
    return _embed(SelectScatter, input, src, input._value[key], key=key)


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written where ``input[..., start:end:step]`` (along
    ``dim``) reads.

    Raises:
        IndexError: for ``dim`` out of range.
        RuntimeError: for a step that is not positive, or a ``src`` of another shape than
            the slice's.

    Example:
        >>> import bricks
        >>> bricks.slice_scatter(bricks.zeros(2, 4), bricks.ones(2, 2), 1, step=2).tolist()
        [[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]]
    """
    axis = _check_dim(dim, input._value.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * axis + (slice(start, end, step),)
    return _embed(SliceScatter, input, src, input._value[key], key=key)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written on the diagonal ``input.diagonal(offset, dim1,
    dim2)`` reads.

    Raises:
        IndexError: for a dimension out of range.
        RuntimeError: for ``dim1 == dim2``, or a ``src`` of another shape than the diagonal's.

    Example:
        >>> import bricks
        >>> bricks.diagonal_scatter(bricks.zeros(2, 2), bricks.ones(2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    ndim = input._value.ndim
    axes = (_check_dim(dim1, ndim), _check_dim(dim2, ndim))
    if axes[0] == axes[1]:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    place = _diagonal_view(input._value, offset, *axes)
    return _embed(DiagonalScatter, input, src, place, offset=offset, axes=axes)


class MaskedScatter(Function):
    """The first values of ``source`` (flattened) written in order where ``mask`` is true."""

    def forward(self, x, source, mask):
        module = array_module(x)
        shape = module.broadcast_shapes(x.shape, mask.shape)
        self.mask, self.input_shape = module.broadcast_to(mask, shape), x.shape
        self.source_shape, self.count = source.shape, int(self.mask.sum())
        y = module.broadcast_to(x, shape).copy()
        y[self.mask] = source.reshape(-1)[:self.count]
        return y

    def backward(self, gy):
        gx = gsource = None
        if self.needs_input_grad[0]:
            gx = unbroadcast(xp.where(self.mask, gy.dtype.type(0), gy), self.input_shape)
        if self.needs_input_grad[1]:
            flat = array_module(gy).zeros(int(xp.prod(self.source_shape)), gy.dtype)
            flat[:self.count] = gy[self.mask]
            gsource = flat.reshape(self.source_shape)
        return gx, gsource


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` (broadcast with ``mask``) whose places where ``mask`` is true take
    the values of ``source`` in order, flattened.

    Raises:
        RuntimeError: for a mask that is not bool or does not broadcast with ``input``, a
            ``source`` of another dtype, or one with fewer values than the mask's trues.

    Example:
        >>> import bricks
        >>> mask = bricks.tensor([True, False, True])
        >>> bricks.masked_scatter(bricks.zeros(3), mask, bricks.tensor([5.0, 6.0])).tolist()
        [5.0, 0.0, 6.0]
    """
    m = mask._value
    if m.dtype != xp.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {scalar_type_name(m.dtype)}")
    if source._value.dtype != input._value.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got {scalar_type_name(input._value.dtype)} and "
                           f"{scalar_type_name(source._value.dtype)}")
    try:
        shape = xp.broadcast_shapes(input._value.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter: the mask of shape {list(m.shape)} does not "
                           f"broadcast with the input of shape {list(input._value.shape)}"
                           ) from None
    if int(xp.broadcast_to(m, shape).sum()) > source._value.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, mask=m)


class Put(Function):
    """``source`` written (or added) at positions of the flattened input."""

    def forward(self, x, source, index, accumulate):
        self.index, self.accumulate, self.source_shape = index, accumulate, source.shape
        y = x.copy()
        flat = y.reshape(-1)  # a view: y is a fresh contiguous copy
        if accumulate:
            array_module(x).add.at(flat, index, source.reshape(-1))
        else:
            flat[index] = source.reshape(-1)
        return y

    def backward(self, gy):
        gx = gsource = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            if not self.accumulate:
                gx.reshape(-1)[self.index] = 0
        if self.needs_input_grad[1]:
            gsource = gy.reshape(-1)[self.index].reshape(self.source_shape)
        return gx, gsource


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source``'s values written at ``index`` of the flattened
    tensor (negative positions count from the end); ``accumulate=True`` adds them instead,
    repeated positions adding up.

    Raises:
        RuntimeError: for an index that is not int64, or a ``source`` of another dtype.
        IndexError: for an index out of range, or ``source`` and ``index`` of other sizes.

    Example:
        >>> import bricks
        >>> bricks.put(bricks.zeros(2, 2), bricks.tensor([0, -1]), bricks.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    i, x = index._value, input._value
    if i.dtype != xp.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(i.dtype)}")
    if source._value.dtype != x.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {scalar_type_name(x.dtype)} and source.dtype = "
                           f"{scalar_type_name(source._value.dtype)}")
    if source._value.size != i.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._value.size}, "
                         f"index.numel() = {i.size}")
    if i.size and x.size == 0:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if i.size and (i.max() >= x.size or i.min() < -x.size):
        bad = int(i.max()) if i.max() >= x.size else int(i.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {x.size} "
                         f"elements.")
    return Put.apply(input, source, index=i.reshape(-1), accumulate=bool(accumulate))


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """A copy of ``input`` whose slices ``index[i]`` along ``dim`` are reduced with the slices
    ``source[i]`` by ``reduce`` (``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``); with
    ``include_self=False`` the slices reached take only ``source``'s values.

    Raises:
        RuntimeError: for another ``reduce``, an index that is not of integers, a ``source``
            of another dtype or shape.
        IndexError: for an index of more than one dimension or out of range.

    Example:
        >>> import bricks
        >>> out = bricks.index_reduce(bricks.ones(2), 0, bricks.tensor([1, 1]),
        ...                           bricks.tensor([2.0, 3.0]), "prod")
        >>> out.tolist()
        [1.0, 6.0]
    """
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if index._value.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{index._value.ndim} with type: {scalar_type_name(index._value.dtype)}"
                         f" and size: {list(index._value.shape)}")
    _check_reduce_source(input, dim, index, source)
    axis = _check_index("index_reduce", input, dim, index, source)
    if index._value.size and index._value.min() < 0:
        raise IndexError("index out of range in self")
    x, s = input._value, source._value
    if x.ndim == 0:  # a 0-d tensor is reduced as the one slice of a 1-D one
        out = index_reduce(input.reshape(1), 0, index.reshape(-1), source.reshape(-1), reduce,
                           include_self=include_self)
        return out.reshape(())
    shape = [1] * x.ndim
    shape[axis] = -1
    full_index = xp.broadcast_to(index._value.astype(xp.int64).reshape(shape), s.shape)
    out = ScatterReduce.apply(input, source, array_module(x).ascontiguousarray(full_index),
                              axis=axis, reduce=reduce, include_self=bool(include_self))
    return rename(out, "IndexReduceBackward0")


def _check_reduce_source(input: Tensor, dim: int, index: Tensor, source: Tensor) -> None:
    x, s = input._value, source._value
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_reduce_(): self ({scalar_type_name(x.dtype)}) and source "
                           f"({scalar_type_name(s.dtype)}) must have the same scalar type")
    if x.ndim == 0 and s.ndim > 0 and s.size != 1:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(x.shape)} source.shape "
                           f"= {list(s.shape)}")
    if x.ndim and s.ndim == x.ndim:
        axis = _check_dim(dim, x.ndim)
        if index._value.size != s.shape[axis]:
            raise RuntimeError(f"index_reduce_(): Number of indices ({index._value.size}) "
                               f"should be equal to source.size(dim): ({s.shape[axis]}), for "
                               f"dim: {dim}")


def fill_diagonal_(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """``input.fill_diagonal_(fill_value, wrap=False)``: write ``fill_value`` on the main
    diagonal, in place; for a tall matrix, ``wrap=True`` starts it again every ``N + 1`` rows.

    Raises:
        RuntimeError: for fewer than two dimensions, or more than two of unequal lengths.
    """
    x = input._value
    if x.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if x.ndim > 2 and len(set(x.shape)) > 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = array_module(x).zeros(x.shape, bool)
    array_module(x).fill_diagonal(mask, True, wrap=bool(wrap))
    return rename(masked_fill_(input, Tensor._wrap(mask), fill_value), "CopySlices")


masked_scatter_: Callable[..., Tensor] = inplace_of(masked_scatter)
put_: Callable[..., Tensor] = inplace_of(put)
index_reduce_: Callable[..., Tensor] = _in_place(index_reduce, "index_reduce_")

# Methods with no ``bricks.<name>`` function (torch has them on Tensor only): ops/__init__.py
METHODS: dict[str, Callable[..., Tensor]] = {
    "masked_scatter_": masked_scatter_, "put_": put_, "index_reduce_": index_reduce_,
    "fill_diagonal_": fill_diagonal_}
