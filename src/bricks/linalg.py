"""``torch.linalg``: norms, inverses, solves and decompositions, with their gradients.

The primitives live in ``ops/decompositions.py``; the norms are composites of ``ops`` with a
p-norm primitive whose gradient is 0 at 0, as torch's.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from ._device import array_module, xp
from ._tensor import Tensor, _check_dim
from .autograd.function import rename
from .ops.decompositions import (
    LinAlgError, QrResult, SvdResult, cholesky, det, eigh, inverse, pinverse, slogdet, solve,
    svd_reduced,
)
from .ops.decompositions import qr as _qr
from .ops.linalg import matmul
from .ops.matrix_functions import householder_product, matrix_exp
from .ops.matrix import _pnorm, cross as _cross, diagonal as _diagonal

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "solve", "det", "slogdet", "qr",
           "svd", "svdvals", "eigh", "eigvalsh", "cholesky", "pinv", "lstsq", "cross",
           "matmul", "diagonal", "matrix_power", "LinAlgError", "matrix_exp",
           "householder_product"]


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(_check_dim(d, ndim) for d in dims)


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of ``x`` as a vector (all values, or over ``dim``): inf is the
    largest absolute value, 0 the count of non-zeros.

    Raises:
        RuntimeError: for an integer input.
    """
    if dtype is not None:
        x = x.to(dtype)
    if x._value.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype}")
    ndim = x._value.ndim
    dims = _dims(dim, ndim)
    shape = x._value.shape
    if ord < 0 or ord == math.inf:
        _check_identity(shape, dims, dim is None, ord)
    kept = tuple(d for d in range(ndim) if d not in dims)
    moved = x.permute(*(kept + dims)) if ndim else x
    # the reduced size spelled out: -1 is ambiguous when a kept dimension is empty
    flat = moved.reshape(tuple(shape[d] for d in kept) + (math.prod(shape[d] for d in dims),))
    out = _pnorm(flat, float(ord), nan_blind_l1=True)
    if keepdim:
        out = out.reshape(tuple(1 if d in dims else x._value.shape[d] for d in range(ndim)))
    return rename(out, "LinalgVectorNormBackward0")


def _check_identity(shape: tuple, dims: tuple, every: bool, ord: float) -> None:
    """torch's error for a norm with no value on nothing (a max, a min, a negative power) over
    an empty dimension."""
    if every and 0 in shape:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty "
                           f"tensor because the operation does not have an identity")
    for d in dims:
        if shape[d] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on the "
                               f"dimension {d}because this dimension is empty and the "
                               f"operation does not have an identity")


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A matrix norm over the two dimensions ``dim``: ``'fro'``, ``'nuc'`` (sum of singular
    values), 1/-1 (max/min column sum), inf/-inf (max/min row sum), 2/-2 (largest/smallest
    singular value).

    Raises:
        RuntimeError: for an unknown ``ord`` or fewer than two dimensions.
    """
    if dtype is not None:
        A = A.to(dtype)
    if A._value.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got {A._value.ndim}")
    rows, cols = (_check_dim(d, A._value.ndim) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    moved = A.movedim(rows, -2).movedim(cols if cols < rows else cols, -1) \
        if (rows, cols) != (A._value.ndim - 2, A._value.ndim - 1) else A
    if ord in ("nuc", 2, -2):
        values = svd_reduced(moved).S
        if ord == "nuc":
            out = values.sum(-1)
        elif ord == 2 and not values._value.shape[-1]:  # torch: 0, outside the graph
            out = Tensor._wrap(array_module(values._value).zeros(values._value.shape[:-1],
                                                                 values._value.dtype))
        else:
            out = values.amax(-1) if ord == 2 else values.amin(-1)
    elif ord in (1, -1, math.inf, -math.inf):
        axis = -2 if ord in (1, -1) else -1
        sums = moved.abs().sum(axis)
        out = sums.amax(-1) if ord in (1, math.inf) else sums.amin(-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        out = out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols))
    return out


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """``vector_norm`` or ``matrix_norm`` by the arguments, as ``torch.linalg.norm``: a string
    ``ord``, a pair of ``dim``, or a 2-D input with ``ord`` and no ``dim`` mean a matrix norm."""
    if isinstance(ord, str) or (dim is not None and isinstance(dim, (tuple, list))
                                and len(dim) == 2 and ord is not None):
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim or (-2, -1)), keepdim,
                           dtype=dtype)
    if ord is not None and dim is None:
        if A._value.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A._value.ndim != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A._value.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def inv(A: Tensor) -> Tensor:
    """The inverse of a square matrix (or of each in a batch).

    Raises:
        LinAlgError: if a matrix is singular.
    """
    return inverse(A)


def svd(A: Tensor, full_matrices: bool = True) -> SvdResult:
    """``A = U diag(S) Vh``: the full SVD (no gradient), or the reduced one with
    ``full_matrices=False``."""
    if full_matrices and A._value.shape[-2] != A._value.shape[-1]:
        u, s, vh = xp.linalg.svd(A._value, full_matrices=True)
        return SvdResult(Tensor._wrap(u), Tensor._wrap(s), Tensor._wrap(vh))
    return svd_reduced(A)


def qr(A: Tensor, mode: str = "reduced") -> QrResult:
    """``A = QR``: ``mode`` ``'reduced'`` (with gradient), ``'complete'`` or ``'r'`` (Q empty).

    Raises:
        RuntimeError: for an unknown ``mode``.
    """
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    q, r = _qr(A, some=mode != "complete")
    if mode == "r":
        return QrResult(Tensor._wrap(array_module(A._value).zeros(0, A._value.dtype)), r)
    return QrResult(q, r)


def svdvals(A: Tensor) -> Tensor:
    """The singular values, descending."""
    return svd_reduced(A).S


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending."""
    return eigh(A, UPLO).eigenvalues


def pinv(A: Tensor, *, atol: float | None = None, rtol: float | None = None,
         hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse (singular values below ``max(atol, rtol * largest)``
    count as zero)."""
    if atol is None and rtol is None:
        m, n = A._value.shape[-2:]
        rtol = float(xp.finfo(A._value.dtype).eps) * max(m, n)
    return pinverse(A, rcond=rtol or 0.0) if not atol else _pinv_atol(A, atol, rtol or 0.0)


def _pinv_atol(A: Tensor, atol: float, rtol: float) -> Tensor:
    u, s, vh = svd_reduced(A)
    cutoff = xp.maximum(atol, rtol * s._value.max(axis=-1, keepdims=True, initial=0))
    keep = Tensor._wrap(s._value > cutoff)
    inverse_s = (1 / s.masked_fill(~keep, 1.0)).masked_fill(~keep, 0.0)
    return vh.mT @ (inverse_s.unsqueeze(-1) * u.mT)


class LstsqResult(NamedTuple):
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *,
          driver: str | None = None) -> LstsqResult:
    """The least-squares solution X minimizing ``|A X - B|``, through the pseudo-inverse.

    As torch's default CPU driver (``gelsy``), ``residuals`` and ``singular_values`` are empty
    and ``rank`` is the numerical rank.

    Raises:
        RuntimeError: if the rows of ``A`` and ``B`` differ.
    """
    if A._value.shape[-2] != B._value.shape[-2 if B._value.ndim >= 2 else 0]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), "
                           f"got {A._value.shape[-2]} and {B._value.shape[-2]}")
    solution = pinv(A, rtol=rcond) @ B
    rank = xp.linalg.matrix_rank(A._value)
    module = array_module(A._value)
    empty = Tensor._wrap(module.zeros(0, A._value.dtype))
    return LstsqResult(solution, empty, Tensor._wrap(module.asarray(rank, xp.int64)), empty)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (default the last)."""
    return _cross(input, other, dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of a batch of matrices (the last two dimensions by default)."""
    return _diagonal(A, offset, dim1, dim2)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (the inverse's powers for negative ``n``).

    Raises:
        RuntimeError: unless ``A`` is a (batch of) square matrices.
    """
    shape = A._value.shape
    if len(shape) < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if shape[-2] != shape[-1]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {shape[-2]} by {shape[-1]} matrices")
    if n < 0:
        return matrix_power(inverse(A), -n)
    from .ops.elementwise import cast

    eye = array_module(A._value).eye(A._value.shape[-1])
    result = cast(Tensor._wrap(xp.broadcast_to(eye, A._value.shape).copy()), A._value.dtype)
    base = A
    while n:
        if n & 1:
            result = matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result

