"""Matrix-shaped ops: triangles and diagonals, ``trace``, ``mv``, ``cross``, ``kron``,
``tensordot``, ``cdist``, ``meshgrid``, ``chain_matmul``. Composites where the products
already exist."""

from __future__ import annotations

import builtins
from typing import Any, Sequence

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .elementwise import _operands
from .linalg import einsum, matmul
from .shape import cat, expand, reshape, strided_view

__all__ = ["tril", "triu", "diagonal", "diag", "diag_embed", "trace", "mv", "cross", "kron",
           "tensordot", "cdist", "meshgrid", "chain_matmul"]


class Tril(Function):
    def forward(self, x, k):
        self.k = k
        return xp.tril(x, k)

    def backward(self, gy):
        return xp.tril(gy, self.k)


class Triu(Function):
    def forward(self, x, k):
        self.k = k
        return xp.triu(x, k)

    def backward(self, gy):
        return xp.triu(gy, self.k)


def _at_least_2d(name: str, input: Tensor) -> None:
    if input._value.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got "
                           f"{input._value.ndim}")


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (on and below ``diagonal``); zeros above.

    Example:
        >>> import bricks
        >>> bricks.tril(bricks.ones(2, 2))
        tensor([[1., 0.],
                [1., 1.]])
    """
    _at_least_2d("tril", input)
    return Tril.apply(input, k=diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (on and above ``diagonal``); zeros below."""
    _at_least_2d("triu", input)
    return Triu.apply(input, k=diagonal)


class Diagonal(Function):
    """The diagonal as a view, as PyTorch's: writes through it reach the input."""

    is_view = True

    def forward(self, x, offset, axis1, axis2):
        self.shape, self.offset, self.axes = x.shape, offset, (axis1, axis2)
        return _diagonal_view(x, offset, axis1, axis2)

    def backward(self, gy):
        gx = array_module(gy).zeros(self.shape, gy.dtype)
        _diagonal_view(gx, self.offset, *self.axes)[...] = gy
        return gx

    def view_again(self, x):
        return _diagonal_view(x, self.offset, *self.axes)


class DiagonalCopy(Diagonal):
    """``diag`` of a matrix: PyTorch copies that diagonal (``DiagonalBackward0_copy``)."""

    is_view = False
    torch_name = "DiagonalBackward0_copy"

    def forward(self, x, offset, axis1, axis2):
        return Diagonal.forward(self, x, offset, axis1, axis2).copy()


def _diagonal_view(x: Any, offset: int, axis1: int, axis2: int) -> Any:
    """The diagonal of ``x`` over two axes as a writeable view, last: NumPy's ``diagonal``
    is read-only, so the view is made from strides (one step down and one across)."""
    module = array_module(x)
    moved = module.moveaxis(x, (axis1, axis2), (-2, -1))
    rows, cols = moved.shape[-2:]
    n = builtins.max(0, builtins.min(rows + builtins.min(offset, 0),
                                     cols - builtins.max(offset, 0)))
    if n:  # an empty diagonal starts at the first element, as PyTorch's storage offset says
        moved = moved[..., builtins.max(-offset, 0):, builtins.max(offset, 0):]
    steps = moved.strides
    return strided_view(moved, moved.shape[:-2] + (n,), steps[:-2] + (steps[-2] + steps[-1],))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dimensions ``dim1`` and ``dim2``, as the last dimension of the result:
    a view of ``input``, as in PyTorch (writes through it change ``input``).

    Raises:
        RuntimeError: if ``dim1`` and ``dim2`` are the same dimension.
        IndexError: if either is out of range.
    """
    ndim = input._value.ndim
    a1, a2 = _check_dim(dim1, ndim), _check_dim(dim2, ndim)
    if a1 == a2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=offset, axis1=a1, axis2=a2)


class DiagEmbed(Function):
    def forward(self, x, offset):
        self.offset = offset
        n = x.shape[-1] + builtins.abs(offset)
        y = array_module(x).zeros(x.shape[:-1] + (n, n), x.dtype)
        _diagonal_view(y, offset, -2, -1)[...] = x
        return y

    def backward(self, gy):
        return _diagonal_view(gy, self.offset, -2, -1).copy()


def diag_embed(input: Tensor, offset: int = 0) -> Tensor:
    """Matrices whose ``offset`` diagonal holds the last dimension of ``input``."""
    return DiagEmbed.apply(input, offset=offset)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor as a diagonal matrix, or the diagonal of a matrix as a 1-D tensor.

    Raises:
        RuntimeError: if ``input`` is neither 1-D nor 2-D.
    """
    ndim = input._value.ndim
    if ndim == 1:
        return DiagEmbed.apply(input, offset=diagonal)
    if ndim == 2:
        return DiagonalCopy.apply(input, offset=diagonal, axis1=0, axis2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix.

    Raises:
        RuntimeError: if ``input`` is not 2-D.
    """
    if input._value.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._value.ndim}")
    return rename(Diagonal.apply(input, offset=0, axis1=0, axis2=1).sum(), "TraceBackward0")


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix and a vector.

    Raises:
        RuntimeError: unless ``input`` is 2-D and ``vec`` 1-D of matching size.
    """
    if input._value.ndim != 2 or vec._value.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._value.ndim}, "
                           f"{vec._value.ndim}")
    return matmul(input, vec)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (default: the first dimension of size 3).

    Raises:
        RuntimeError: if the shapes differ in that dimension or its size is not 3.
    """
    a, b = _operands(input, other)
    shape = xp.broadcast_shapes(a._value.shape, b._value.shape)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), -1)
    axis = _check_dim(dim, len(shape))
    if shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a._value.shape[axis] if a._value.ndim == len(shape) else '?'} "
                           f"and {b._value.shape[axis] if b._value.ndim == len(shape) else '?'}")
    a, b = expand(a, shape), expand(b, shape)

    a0, a1, a2 = (a[(slice(None),) * axis + (slice(i, i + 1),)] for i in range(3))
    b0, b1, b2 = (b[(slice(None),) * axis + (slice(i, i + 1),)] for i in range(3))
    out = cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)
    return rename(out, "LinalgCrossBackward0")


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    a, b = _operands(input, other)
    ndim = builtins.max(a._value.ndim, b._value.ndim)
    a = reshape(a, (1,) * (ndim - a._value.ndim) + a._value.shape)
    b = reshape(b, (1,) * (ndim - b._value.ndim) + b._value.shape)
    # a[i0, None, i1, None, ...] * b[None, j0, None, j1, ...], then merge each (i, j) pair.
    a_shape = tuple(n for size in a._value.shape for n in (size, 1))
    b_shape = tuple(n for size in b._value.shape for n in (1, size))
    product = reshape(a, a_shape) * reshape(b, b_shape)
    out_shape = tuple(m * n for m, n in zip(a._value.shape, b._value.shape))
    return rename(reshape(product, out_shape), "UnsafeViewBackward0")


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of two or more matrices, multiplied in the cheapest order, as torch's
    ``linalg.multi_dot`` (which torch deprecates this function for).

    Raises:
        RuntimeError: for no matrix, one that is not 2-D, dtypes that differ, or sizes that
            do not multiply.

    Example:
        >>> import bricks
        >>> bricks.chain_matmul(bricks.ones(2, 3), bricks.ones(3, 4), bricks.ones(4, 1)).tolist()
        [[12.0], [12.0]]
    """
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m._value.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m._value.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    for k, (a, b) in enumerate(zip(matrices, matrices[1:])):
        if a._value.dtype != b._value.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {matrices[0].dtype} and tensor {k + 1} {b.dtype}")
        if a._value.shape[1] != b._value.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {k} and {k + 1} with shapes "
                               f"{list(a._value.shape)} and {list(b._value.shape)} cannot be "
                               f"multiplied")
    return _chain(matrices, _cheapest_splits([m._value.shape for m in matrices]), 0,
                  len(matrices) - 1)


def _cheapest_splits(shapes: list) -> dict:
    """Where to split each run ``i..j`` of the chain: the matrix-chain order (Cormen et al.,
    15.2); for three matrices, torch's own comparison, which breaks a tie the other way."""
    n = len(shapes)
    if n == 3:
        a, b = shapes[0]
        c, d = shapes[2]
        return {(0, 2): 0 if a * c * (b + d) > b * d * (a + c) else 1}
    dims = [shapes[0][0]] + [s[1] for s in shapes]
    cost = {(i, i): 0 for i in range(n)}
    split = {}
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            totals = [cost[i, k] + cost[k + 1, j] + dims[i] * dims[k + 1] * dims[j + 1]
                      for k in range(i, j)]
            cost[i, j] = builtins.min(totals)
            split[i, j] = i + totals.index(cost[i, j])  # the first cheapest, as torch's
    return split


def _chain(matrices: tuple, split: dict, i: int, j: int) -> Tensor:
    if i == j:
        return matrices[i]
    k = split.get((i, j), i)
    return matmul(_chain(matrices, split, i, k), _chain(matrices, split, k + 1, j))


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dimensions of ``a`` with the first of ``b`` (or the listed
    pairs ``([dims of a], [dims of b])``).

    Raises:
        RuntimeError: if contracted dimensions differ in size.
    """
    na, nb = a._value.ndim, b._value.ndim
    if isinstance(dims, int) or isinstance(dims, Tensor) and dims._value.ndim == 0:
        count = int(dims)
        if count < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={count}")
        dims_a, dims_b = list(range(na - count, na)), list(range(count))
    else:
        dims_a, dims_b = ([int(d) for d in (x if isinstance(x, (list, tuple)) else [x])]
                          for x in dims)
    dims_a = [_check_dim(d, na) for d in dims_a]
    dims_b = [_check_dim(d, nb) for d in dims_b]
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        if a._value.shape[da] != b._value.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a._value.shape[da]} in dim {da} and second has size "
                               f"{b._value.shape[db]} in dim {db}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    terms_a = [next(letters) for _ in range(na)]
    terms_b = [next(letters) for _ in range(nb)]
    for da, db in zip(dims_a, dims_b):
        terms_b[db] = terms_a[da]
    kept = [terms_a[i] for i in range(na) if i not in dims_a]
    kept += [terms_b[i] for i in range(nb) if i not in dims_b]
    equation = f"{''.join(terms_a)},{''.join(terms_b)}->{''.join(kept)}"
    return rename(einsum(equation, a, b), "ViewBackward0")


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The p-norm distance between each row of ``x1`` (..., P, M) and of ``x2`` (..., R, M).

    Raises:
        RuntimeError: if the inputs are not at least 2-D or their last sizes differ.
    """
    if x1._value.ndim < 2 or x2._value.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: "
                           f"{x1._value.ndim}D, X2 got: {x2._value.ndim}D")
    if x1._value.shape[-1] != x2._value.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1._value.shape[-1]} X2: {x2._value.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    difference = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return rename(_pnorm(difference, p), "CdistBackward0")


class _PNorm(Function):
    """The p-norm over the last dimension, with a zero gradient at zero distance (as torch)."""

    saves = (0,)
    saves_output = True

    def forward(self, x, p, nan_blind_l1):
        self.x, self.p, self.nan_blind_l1 = x, p, nan_blind_l1
        a = xp.abs(x)
        if p == 0:
            self.y = (a != 0).sum(-1).astype(x.dtype)
        elif p == xp.inf:
            self.y = a.max(-1, initial=0)
        else:
            self.y = (a ** p).sum(-1) ** (1 / p)
        return self.y

    def backward(self, gy):
        x, p, y = self.x, self.p, self.y[..., None]
        g = gy[..., None]
        if p == 0:
            return xp.zeros_like(x)
        if p == 1 and self.nan_blind_l1:  # torch.linalg.vector_norm: sgn(x), 0 at NaN
            return g * xp.where(x != x, 0, xp.sign(x))
        if p == xp.inf:
            a = xp.abs(x)
            return g * xp.sign(x) * (a == y) / xp.maximum((a == y).sum(-1, keepdims=True), 1)
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad = xp.sign(x) * xp.abs(x) ** (p - 1) / y ** (p - 1)
        return g * xp.where(y == 0, 0, grad)  # NaN stays NaN, as torch


def _pnorm(x: Tensor, p: float, nan_blind_l1: bool = False) -> Tensor:
    return _PNorm.apply(x, p=float(p), nan_blind_l1=nan_blind_l1)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` the i-th output varies along
    dimension i; ``'xy'`` swaps the first two, as NumPy's default.

    Raises:
        RuntimeError: if a tensor is not 0-D or 1-D, or ``indexing`` is unknown.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t._value.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t._value.ndim}D")
    vectors: Sequence[Tensor] = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(vectors) >= 2
    if swap:
        vectors = [vectors[1], vectors[0], *vectors[2:]]
    shape = tuple(v._value.shape[0] for v in vectors)
    grids = []
    for i, v in enumerate(vectors):
        view = (1,) * i + (shape[i],) + (1,) * (len(shape) - i - 1)
        grids.append(expand(reshape(v, view), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
