"""torch's small structural helpers: ``atleast_1d/2d/3d``, ``diagflat``, ``cartesian_prod``,
``block_diag``, ``combinations``, ``broadcast_shapes``, ``tril_indices``/``triu_indices``,
``unravel_index``, the method ``Tensor.sum_to_size`` and the predicates ``is_nonzero``,
``is_same_size``, ``is_signed``. Built on existing ops (their gradients are those ops')."""

from __future__ import annotations

import builtins
import itertools
from typing import Any

from .._device import array_module, xp
from .._promotion import result_type_of
from .._tensor import Tensor
from ..autograd.function import rename
from .elementwise import cast
from .index import index_select
from .matrix import diag, meshgrid
from .reduce import sum as _sum
from .shape import cat, reshape, stack

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "diagflat", "cartesian_prod",
           "broadcast_shapes", "tril_indices", "triu_indices", "is_nonzero", "is_same_size",
           "is_signed", "block_diag", "combinations", "unravel_index"]


def _atleast(ndim: int, tensors: tuple) -> Any:
    def lift(t: Tensor) -> Tensor:
        if t.ndim >= ndim:
            return t
        shape = {0: (1,) * ndim, 1: (1, -1) if ndim == 2 else (1, -1, 1)}[t.ndim] \
            if t.ndim < 2 else tuple(t.shape) + (1,)
        return reshape(t, shape)

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(lift(t) for t in tensors[0])
    if len(tensors) == 1:
        return lift(tensors[0])
    return tuple(lift(t) for t in tensors)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dimension (a 0-d one becomes shape ``(1,)``)."""
    return _atleast(1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dimensions (1-D ``(n,)`` becomes ``(1, n)``)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dimensions (``(n,)`` -> ``(1, n, 1)``,
    ``(m, n)`` -> ``(m, n, 1)``)."""
    return _atleast(3, tensors)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on the ``offset``-th diagonal of a square matrix."""
    return diag(reshape(input, (-1,)), offset)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-D as one row, or 2-D) as blocks on the diagonal of one matrix,
    zeros elsewhere, in the dtype they promote to.

    Raises:
        RuntimeError: for a tensor of more than two dimensions.

    Example:
        >>> import bricks
        >>> bricks.block_diag(bricks.tensor([[1, 2]]), bricks.tensor(3)).tolist()
        [[1, 2, 0], [0, 0, 3]]
    """
    for k, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {k} has {t.ndim} dimensions")
    if not tensors:  # torch's answer: one empty row
        from .. import _device
        from .._dtypes import get_default_dtype

        # host: no input to take the device from; placed on the default device, as torch's
        empty = xp.zeros((1, 0), get_default_dtype().numpy)
        return Tensor._wrap(_device.place(empty, _device.resolve(None)))
    dtype = result_type_of([t._value for t in tensors])
    blocks = [reshape(cast(t, dtype), (1, -1) if t.ndim < 2 else tuple(t.shape))
              for t in tensors]
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        height, cols = b.shape
        right = width - left - cols
        rows.append(cat([b.new_zeros((height, left)), b, b.new_zeros((height, right))], 1))
        left += cols
    return rename(cat(rows, 0), "BlockDiagBackward0")


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of a 1-D tensor's values, one per row, in the order of
    ``itertools.combinations`` (or ``combinations_with_replacement``).

    Raises:
        RuntimeError: for an input that is not 1-D, or a negative ``r``.

    Example:
        >>> import bricks
        >>> bricks.combinations(bricks.tensor([1, 2, 3])).tolist()
        [[1, 2], [1, 3], [2, 3]]
    """
    x = input._value
    if x.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    module = array_module(x)
    if r == 0:
        return Tensor._wrap(module.empty((0,), x.dtype))
    pick = itertools.combinations_with_replacement if with_replacement \
        else itertools.combinations
    # host: positions from Python's combinations, moved next to the input column by column
    positions = xp.array(list(pick(range(x.shape[0]), r)), xp.int64).reshape(-1, r)
    columns = [index_select(input, 0, Tensor._wrap(module.asarray(positions[:, k])))
               for k in range(r)]
    return stack(columns, 1)


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of ``shape`` of flat positions ``indices``: one int64
    tensor per dimension, each of ``indices``' shape (positions wrap around, as torch's).

    Raises:
        TypeError: for ``indices`` that are not an integer tensor.
        ValueError: for a negative size in ``shape``.
        RuntimeError: for a size 0 in ``shape``.

    Example:
        >>> import bricks
        >>> [c.tolist() for c in bricks.unravel_index(bricks.tensor([4, 1]), (2, 3))]
        [[1, 0], [1, 1]]
    """
    if not isinstance(indices, Tensor) or indices._value.dtype.kind not in "iu":
        got = indices.dtype if isinstance(indices, Tensor) else type(indices).__name__
        raise TypeError(f"expected 'indices' to be integer dtype, but got {got}")
    sizes = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in sizes):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(sizes)}")
    if 0 in sizes:
        raise RuntimeError(f"unravel_index: a size 0 in shape {tuple(sizes)} holds no position")
    flat = indices._value.astype(xp.int64)
    coordinates = []
    for size in reversed(sizes):
        coordinates.append(Tensor._wrap(flat % size))
        flat = flat // size
    return tuple(reversed(coordinates))


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """``input.sum_to_size(*size)``: ``input`` summed down to ``size``, which must expand to
    its shape (the gradient of a broadcast, undone).

    Raises:
        RuntimeError: when ``size`` does not expand to ``input``'s shape.

    Example:
        >>> import bricks
        >>> bricks.ones(2, 3).sum_to_size(1, 3).tolist()
        [[2.0, 2.0, 2.0]]
    """
    target = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    shape = tuple(input.shape)
    lead = len(shape) - len(target)
    if lead < 0 or any(t not in (1, s) for t, s in zip(target, shape[lead:])):
        raise RuntimeError(f"size {{{list(target)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + k for k, t in enumerate(target)
                                      if t == 1 and shape[lead + k] != 1)
    if not dims:
        return input
    out = _sum(input, dims, keepdim=True)
    return out if lead == 0 else reshape(out, target)


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape tensors of these shapes broadcast to, as a ``Size``.

    Raises:
        RuntimeError: when they do not broadcast, as torch.
    """
    from .._tensor import Size

    given = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(xp.broadcast_shapes(*given))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{given}") from None


def _triangle_indices(row: int, col: int, offset: int, upper: bool, dtype: Any) -> Tensor:
    from .._creation import _np_dtype

    square = xp.ones((row, col), bool)  # host: indices from Python sizes, like arange's
    rows, cols = xp.nonzero(xp.triu(square, offset) if upper else xp.tril(square, offset))
    out = xp.stack([rows, cols]).astype(xp.int64 if dtype is None else _np_dtype(dtype))
    return Tensor._wrap(out)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The ``(2, N)`` row and column indices of the lower triangle of a ``row x col`` matrix."""
    return _triangle_indices(row, col, offset, False, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The ``(2, N)`` row and column indices of the upper triangle of a ``row x col`` matrix."""
    return _triangle_indices(row, col, offset, True, dtype)


def is_nonzero(input: Tensor) -> bool:
    """Whether the one-element tensor is not zero.

    Raises:
        RuntimeError: for a tensor of any other size, as torch.
    """
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._value.reshape(()).item() != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:
    """Whether the dtype is signed (floats, complex and signed integers; not bool, uint8)."""
    return input._value.dtype.kind in "fic"
