"""Shape primitives: reshape, transpose, expand, repeat, cat and friends."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .._device import array_module, xp
from .._promotion import result_type
from .._tensor import Tensor, _check_dim
from ..autograd._views import mark_outputs
from ..autograd.function import Function, link_view, rename, unbroadcast
from .elementwise import cast

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose",
           "permute", "expand", "repeat", "cat", "stack", "split", "chunk", "t", "movedim",
           "moveaxis", "swapaxes", "swapdims", "unbind", "contiguous", "clone", "expand_as",
           "view_as", "reshape_as", "split_with_sizes", "tensor_split", "hsplit", "vsplit",
           "dsplit"]


def _sizes(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


class Reshape(Function):
    is_view = True

    def forward(self, x, shape):
        self.input_shape, self.shape = x.shape, shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.size} "
                               f"(input shape {tuple(x.shape)})") from None

    def backward(self, gy):
        return gy.reshape(self.input_shape)

    def view_again(self, x):
        return x.reshape(self.shape)

    torch_name = "ViewBackward0"


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same values in a new shape (one dimension may be -1): a view when the layout allows.

    As in PyTorch, a tensor whose layout is not contiguous (a transpose, a strided slice) is
    copied first when the new shape cannot view its memory.
    """
    return _reshape(input, _sizes(shape), "ReshapeAliasBackward0")


def view(input: Tensor, *shape: Any) -> Tensor:
    """``input`` viewed in a new shape (one dimension may be -1), sharing its memory.

    Raises:
        RuntimeError: as PyTorch, when the layout of a non-contiguous tensor (a transpose, a
            strided slice) cannot be viewed in that shape without a copy: use ``reshape``.
    """
    sizes = _sizes(shape)
    x = input._value
    if not x.flags.c_contiguous and x.size:
        try:
            x.reshape(sizes, copy=False)
        except ValueError as error:
            if "cannot reshape array of size" not in str(error):  # a wrong shape: Reshape says
                raise RuntimeError(
                    "view size is not compatible with input tensor's size and stride (at least "
                    "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                    "instead.") from None
    return _reshape(input, sizes, "ViewBackward0")


def _reshape(input: Tensor, shape: tuple[int, ...], strided_name: str) -> Tensor:
    """``reshape`` and ``view``, which PyTorch names apart only for a strided layout."""
    x = input._value
    if not x.flags.c_contiguous:
        return _reshape_strided(input, shape, strided_name)
    if shape == x.shape and not input.requires_grad:
        return _view_of(input, x.view())
    return Reshape.apply(input, shape=shape)


def _reshape_strided(input: Tensor, shape: tuple[int, ...], view_name: str) -> Tensor:
    """Reshape a tensor that is not contiguous, with PyTorch's name for what it did."""
    try:
        input._value.reshape(shape, copy=False)
    except ValueError:  # the layout needs a copy (a wrong shape fails in Reshape, as usual)
        return ReshapeCopy.apply(contiguous(input), shape=shape)
    return rename(Reshape.apply(input, shape=shape), view_name)


class ReshapeCopy(Reshape):
    """The reshape of a copy (a layout that cannot be viewed in the new shape): not a view,
    as PyTorch's ``_unsafe_view``."""

    is_view = False
    torch_name = "UnsafeViewBackward0"


def _view_of(base: Tensor, value: Any) -> Tensor:
    out = Tensor._wrap(value)
    link_view(base, out, _Alias())
    return out


class _Alias(Function):
    """The same array again: the step of a same-shape ``reshape`` outside a graph."""

    is_view = True

    def backward(self, gy):
        return gy

    def view_again(self, x):
        return x


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` viewed with ``other``'s shape."""
    return view(input, other._value.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` reshaped to ``other``'s shape."""
    return reshape(input, other._value.shape)


class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def clone(input: Tensor) -> Tensor:
    """A copy that stays in the graph (its gradient flows back to ``input``)."""
    return Clone.apply(input)


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself if its layout is contiguous, else a contiguous copy in the graph."""
    if input._value.flags.c_contiguous:
        return input
    return Clone.apply(input)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` into one."""
    shape = input._value.shape
    if not shape:
        return reshape(input, (1,))
    start, end = _check_dim(start_dim, len(shape)), _check_dim(end_dim, len(shape))
    merged = 1
    for n in shape[start:end + 1]:
        merged *= n
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes``."""
    shape = input._value.shape
    d = _check_dim(dim, len(shape))
    sizes = list(sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        sizes[sizes.index(-1)] = shape[d] // known
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (all, or those named by ``dim``)."""
    shape = input._value.shape
    if dim is None:
        new = tuple(n for n in shape if n != 1)
        name = "SqueezeBackward0"
    else:
        several = isinstance(dim, (tuple, list))
        dims = {_check_dim(d, len(shape)) for d in (dim if several else (dim,))}
        new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
        name = "SqueezeBackward2" if several else "SqueezeBackward1"
    return rename(reshape(input, new), name)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    shape = input._value.shape
    d = _check_dim(dim, len(shape) + 1)
    return rename(reshape(input, shape[:d] + (1,) + shape[d:]), "UnsqueezeBackward0")


class Permute(Function):
    is_view = True

    def forward(self, x, axes):
        self.axes = axes
        return x.transpose(axes)

    def backward(self, gy):
        return gy.transpose(xp.argsort(self.axes))

    def view_again(self, x):
        return x.transpose(self.axes)


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions.

    Raises:
        RuntimeError: if ``dims`` is not a permutation of the dimensions.
    """
    dims = _sizes(dims)
    ndim = input._value.ndim
    axes = tuple(_check_dim(d, ndim) for d in dims)
    if sorted(axes) != list(range(ndim)):
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {ndim} is not equal to len(dims) = {len(dims)}")
    return Permute.apply(input, axes=axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    ndim = input._value.ndim
    axes = list(range(ndim))
    if ndim == 0:
        _check_dim(dim0, 0), _check_dim(dim1, 0)
        return input
    a, b = _check_dim(dim0, ndim), _check_dim(dim1, ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return rename(Permute.apply(input, axes=tuple(axes)), "TransposeBackward0")


def t(input: Tensor) -> Tensor:
    """The transpose of a tensor of at most 2 dimensions."""
    if input._value.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._value.ndim}D")
    if input._value.ndim < 2:
        return input
    return rename(Permute.apply(input, axes=(1, 0)), "TBackward0")


def movedim(input: Tensor, source: int | Sequence[int],
            destination: int | Sequence[int]) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination``; the others keep their
    order.

    Raises:
        RuntimeError: as PyTorch, when ``source`` and ``destination`` differ in length or
            either repeats a dimension.
        IndexError: when a dimension is out of range.
    """
    ndim = input._value.ndim
    sources, destinations = _dims(source, ndim), _dims(destination, ndim)
    if len(sources) != len(destinations):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({list(_listed(source))} dims) should contain the same number "
                           f"of dims as destination ({list(_listed(destination))} dims)")
    for name, dims, given in (("source", sources, source), ("destination", destinations,
                                                             destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(_listed(given))})")
    rest = iter(d for d in range(ndim) if d not in sources)
    placed = dict(zip(destinations, sources))
    axes = tuple(placed[i] if i in placed else next(rest) for i in range(ndim))
    return Permute.apply(input, axes=axes)


def moveaxis(input: Tensor, source: int | Sequence[int],
             destination: int | Sequence[int]) -> Tensor:
    """NumPy's name for :func:`movedim`."""
    return movedim(input, source, destination)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """NumPy's name for :func:`transpose` (``x.swapaxes(0, 1)``)."""
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Another name for :func:`transpose`."""
    return transpose(input, dim0, dim1)


def _listed(dims: int | Sequence[int]) -> tuple[int, ...]:
    return (int(dims),) if isinstance(dims, int) else tuple(int(d) for d in dims)


def _dims(dims: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    """``dims`` (one or several) as non-negative dimensions of an ``ndim``-d tensor."""
    return tuple(_check_dim(d, ndim) for d in _listed(dims))


def strided_view(x: Any, shape: tuple, strides: tuple) -> Any:
    """A view of ``x``'s memory with other sizes and strides (in bytes), of ``x``'s array type
    (NumPy's ``as_strided`` gives a plain ``ndarray`` of an array of a subclass)."""
    y = array_module(x).lib.stride_tricks.as_strided(x, shape, strides)
    return y if type(y) is type(x) else y.view(type(x))


class Unfold(Function):
    """Windows of ``size`` every ``step`` along a dimension, as a new last dimension: a view
    (windows overlap when ``step < size``, so the view may see an element several times)."""

    is_view = True

    def forward(self, x, axis, size, step):
        self.shape, self.axis, self.size, self.step = x.shape, axis, size, step
        return self.view_again(x)

    def view_again(self, x):
        axis, size, step = self.axis, self.size, self.step
        count = (x.shape[axis] - size) // step + 1
        shape = x.shape[:axis] + (count,) + x.shape[axis + 1:] + (size,)
        strides = (x.strides[:axis] + (x.strides[axis] * step,) + x.strides[axis + 1:]
                   + (x.strides[axis],))
        return strided_view(x, shape, strides)

    def backward(self, gy):
        gx = array_module(gy).zeros(self.shape, gy.dtype)
        along = xp.moveaxis(gx, self.axis, -1)
        windows = xp.moveaxis(gy, self.axis, -2)
        span = self.step * (windows.shape[-2] - 1) + 1
        for k in range(self.size):  # each place in the window: one strided slice
            along[..., k:k + span:self.step] += windows[..., k]
        return gx


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: every window of ``size`` elements, ``step`` apart, along
    ``dimension``, as a new last dimension of a view.

    Raises:
        RuntimeError: for a negative size, a size beyond the dimension, or a step below 1.
    """
    x = self._value
    axis = _check_dim(dimension, x.ndim)
    length = x.shape[axis] if x.ndim else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {axis} is {length} but size "
                           f"is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if not x.ndim:  # PyTorch: a scalar's one window, of ``size`` (0 or 1) elements
        return rename(Unfold.apply(reshape(self, (1,)), axis=0, size=size, step=step)[0],
                      "UnfoldBackward0")
    return Unfold.apply(self, axis=axis, size=int(size), step=int(step))


class Expand(Function):
    is_view = True

    def forward(self, x, shape):
        self.input_shape, self.shape = x.shape, shape
        return xp.broadcast_to(x, shape)

    def view_again(self, x):
        return xp.broadcast_to(x, self.shape)

    def backward(self, gy):
        return unbroadcast(gy, self.input_shape)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A broadcast view with the given sizes (-1 keeps a dimension).

    Raises:
        RuntimeError: if a dimension that is not 1 would change.
    """
    sizes = _sizes(sizes)
    shape = input._value.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(shape)})")
    target = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, n in enumerate(shape):
        if n != 1 and n != target[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match "
                               f"the existing size ({n}) at non-singleton dimension {i + lead}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
    return Expand.apply(input, shape=target)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` expanded to ``other``'s shape."""
    return expand(input, other._value.shape)


class Repeat(Function):
    def forward(self, x, repeats):
        self.input_shape = x.shape
        self.repeats = repeats
        lead = len(repeats) - x.ndim
        return xp.tile(x.reshape((1,) * lead + x.shape), repeats)

    def backward(self, gy):
        shape = (1,) * (len(self.repeats) - len(self.input_shape)) + self.input_shape
        split = []
        for r, n in zip(self.repeats, shape):
            split += [r, n]
        g = gy.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(self.input_shape)


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    """Tile the tensor ``repeats[i]`` times along each dimension."""
    repeats = _sizes(repeats)
    if len(repeats) < input._value.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return Repeat.apply(input, repeats=repeats)


class Cat(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.bounds = xp.cumsum([a.shape[axis] for a in arrays])[:-1].tolist()
        return xp.concatenate(arrays, axis=axis)

    def backward(self, gy):
        return tuple(xp.split(gy, self.bounds, axis=self.axis))


def _check_tensors(name: str, tensors: Sequence[Any]) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    if not all(isinstance(t, Tensor) for t in tensors):
        got = [type(t).__name__ for t in tensors]
        raise TypeError(f"{name}(): expected a sequence of Tensors, got {got}")
    return _promote_all(tensors)


def _promote_all(tensors: list) -> list:
    target = tensors[0]._value.dtype
    for t in tensors[1:]:
        # host: dtype arithmetic only
        target = result_type(xp.empty(1, target), xp.empty(1, t._value.dtype))
    return [cast(t, target) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension.

    Raises:
        RuntimeError: if the other dimensions differ.
    """
    tensors = _check_tensors("cat", tensors)
    tensors = [t for t in tensors if t._value.shape != (0,)] or tensors[:1]
    ndim = tensors[0]._value.ndim
    axis = _check_dim(dim, ndim)
    for i, t in enumerate(tensors[1:], 1):
        a, b = tensors[0]._value.shape, t._value.shape
        if len(a) != len(b) or any(x != y for k, (x, y) in enumerate(zip(a, b)) if k != axis):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected "
                               f"size {list(a)} but got size {list(b)} for tensor number {i} in "
                               "the list.")
    return Cat.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension.

    Raises:
        RuntimeError: if the shapes differ.
    """
    tensors = _check_tensors("stack", tensors)
    shape = tensors[0]._value.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._value.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._value.shape)} at entry {i}")
    d = _check_dim(dim, len(shape) + 1)
    return rename(cat([unsqueeze(t, d) for t in tensors], d), "StackBackward0")


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into chunks of a size, or of the listed sizes, along ``dim``: views, which, as
    PyTorch's, refuse in-place changes in a graph (they are one function's outputs).

    Raises:
        RuntimeError: for a negative size, a size 0 of a dimension that is not empty, or
            listed sizes that do not add up to the dimension.
    """
    if not isinstance(split_size_or_sections, int):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    d = _check_dim(dim, tensor._value.ndim)
    n = tensor._value.shape[d]
    step = split_size_or_sections
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    sizes = [min(step, n - i) for i in range(0, n, step)] if n else [0]
    return mark_outputs(_slices(tensor, d, sizes), "SplitBackward0")


def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Split into pieces of the listed sizes along ``dim`` (views, as ``split``'s).

    Raises:
        RuntimeError: for a negative size, or sizes that do not add up to the dimension.
    """
    d = _check_dim(dim, input._value.ndim)
    n = input._value.shape[d]
    sizes = [int(size) for size in split_sizes]
    if any(size < 0 for size in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return mark_outputs(_slices(input, d, sizes), "SplitWithSizesBackward0")


def _slices(tensor: Tensor, d: int, sizes: list[int]) -> tuple[Tensor, ...]:
    out, start = [], 0
    lead = (slice(None),) * d
    for size in sizes:
        out.append(tensor[lead + (slice(start, start + size),)])
        start += size
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` nearly equal pieces along ``dim``."""
    n = input._value.shape[_check_dim(dim, input._value.ndim)]
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if n == 0:  # torch: ``chunks`` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, with that dimension removed."""
    d = _check_dim(dim, input._value.ndim)
    lead = (slice(None),) * d
    pieces = [input[lead + (i,)] for i in range(input._value.shape[d])]
    return mark_outputs(tuple(pieces), "UnbindBackward0")


def tensor_split(input: Tensor, indices_or_sections: Any = None, dim: int = 0, *,
                 indices: Any = None, sections: Any = None) -> tuple[Tensor, ...]:
    """Split along ``dim`` into ``sections`` nearly equal pieces (the first ones one longer),
    or at the listed ``indices`` (slices between them, clamped as Python's): views, which,
    unlike ``split``'s, may be changed in place, as in PyTorch.

    Raises:
        RuntimeError: for sections below 1, or a tensor of positions that is not an integer
            tensor of at most one dimension.
    """
    spec = next(a for a in (indices_or_sections, indices, sections, 0) if a is not None)
    if isinstance(spec, Tensor):
        spec = _positions_of(spec)
    d = _check_dim(dim, input._value.ndim)
    lead = (slice(None),) * d
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        quotient, remainder = divmod(input._value.shape[d], spec)
        sizes = [quotient + 1] * remainder + [quotient] * (spec - remainder)
        return _slices(input, d, sizes)
    bounds = [None] + [int(i) for i in spec] + [None]
    return tuple(input[lead + (slice(a, b),)] for a, b in zip(bounds, bounds[1:]))


def _positions_of(spec: Tensor) -> Any:
    """A tensor's ``tensor_split`` positions: a number of sections (0-d) or indices (1-d)."""
    value = spec._value
    if value.dtype != xp.int64:
        kind = {"f": "Float", "i": "Int", "b": "Bool", "u": "Byte"}.get(value.dtype.kind, "")
        name = "Double" if value.dtype == xp.float64 else kind
        raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of "
                           f"long, but got {name}")
    if value.ndim > 1:
        raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                           f"zero-dimensional or one-dimensional tensor, but got a tensor with "
                           f"{value.ndim} dims")
    return int(value) if value.ndim == 0 else value.tolist()


def _split_along(name: str, least: int, axis: int) -> Callable[[Tensor, Any], tuple[Tensor, ...]]:
    def split_along(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
        ndim = input._value.ndim
        if ndim < least:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {least} dimension, "
                               f"but got a tensor with {ndim} dimensions!")
        d = axis if ndim > 1 else 0
        if isinstance(indices_or_sections, int):
            size = input._value.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but "
                                   f"the size of the dimension {size} is not divisible by the "
                                   f"split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)

    split_along.__name__ = name
    split_along.__doc__ = (f"``tensor_split`` along dimension {axis}, whose size ``sections`` "
                           f"must divide exactly (views).")
    return split_along


hsplit: Callable[[Tensor, Any], tuple[Tensor, ...]] = _split_along("hsplit", 1, 1)
vsplit: Callable[[Tensor, Any], tuple[Tensor, ...]] = _split_along("vsplit", 2, 0)
dsplit: Callable[[Tensor, Any], tuple[Tensor, ...]] = _split_along("dsplit", 3, 2)
