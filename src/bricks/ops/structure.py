"""torch's small structural helpers: ``atleast_1d/2d/3d``, ``diagflat``, ``cartesian_prod``,
``broadcast_shapes``, ``tril_indices``/``triu_indices`` and the predicates ``is_nonzero``,
``is_same_size``, ``is_signed``. Built on existing ops (their gradients are those ops')."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from .matrix import diag, meshgrid
from .shape import reshape, stack

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "diagflat", "cartesian_prod",
           "broadcast_shapes", "tril_indices", "triu_indices", "is_nonzero", "is_same_size",
           "is_signed"]


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
