"""Matrix decompositions and inverses with their gradients: inv, det, slogdet, solve,
cholesky, eigh, svd, qr, pinv, and PyTorch's top-level names for them (``torch.inverse``...).
``bricks.linalg`` builds the ``torch.linalg`` namespace on these."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .._device import array_module, xp
from .._tensor import Tensor
from ..autograd.function import Function, rename

__all__ = ["inverse", "det", "logdet", "slogdet", "pinverse", "cholesky", "qr", "svd"]


class LinAlgError(RuntimeError):
    """A matrix that is singular, or not positive-definite, where the op needs it to be
    (PyTorch's ``torch.linalg.LinAlgError``, a RuntimeError)."""


def _mT(a: Any) -> Any:
    return xp.swapaxes(a, -1, -2)


def _square(name: str, a: Tensor) -> None:
    x = a._value
    if x.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as "
                           f"input. Got {a.dtype}")


def _checked(name: str, compute: Any, *arrays: Any) -> Any:
    try:
        return compute(*arrays)
    except xp.linalg.LinAlgError as error:
        raise LinAlgError(f"linalg.{name}: The factorization could not be completed because the "
                          f"input is not invertible or not positive-definite ({error}).") from None


class Inv(Function):
    saves_output = True

    def forward(self, a):
        self.y = _checked("inv", xp.linalg.inv, a)
        return self.y

    def backward(self, gy):
        yt = _mT(self.y)
        return -(yt @ gy @ yt)

    torch_name = "LinalgInvExBackward0"


class Det(Function):
    saves = (0,)
    saves_output = True

    def forward(self, a):
        self.a = a
        self.y = xp.linalg.det(a)
        return self.y

    def backward(self, gy):
        # d det(A) = det(A) A^{-T}; through the solve so that it stays finite while det != 0
        inverse_t = _mT(_checked("det", xp.linalg.inv, self.a))
        return (gy * self.y)[..., None, None] * inverse_t

    torch_name = "LinalgDetBackward0"


class LogAbsDet(Function):
    saves = (0,)

    def forward(self, a):
        self.a = a
        self.sign, y = xp.linalg.slogdet(a)
        return y

    def backward(self, gy):
        return gy[..., None, None] * _mT(_checked("slogdet", xp.linalg.inv, self.a))

    torch_name = "LinalgSlogdetBackward0"


class Solve(Function):
    saves = (0,)
    saves_output = True

    def forward(self, a, b, vector):
        self.a, self.vector, self.b_shape = a, vector, b.shape
        rhs = b[..., None] if vector else b
        y = _checked("solve", xp.linalg.solve, a, rhs)
        self.y = y
        return y[..., 0] if vector else y

    def backward(self, gy):
        g = gy[..., None] if self.vector else gy
        gb = _checked("solve", xp.linalg.solve, _mT(self.a), g)
        ga = -gb @ _mT(self.y) if self.needs_input_grad[0] else None
        gb_out = gb[..., 0] if self.vector else gb
        return _sum_to(ga, self.a.shape), _sum_to(gb_out, self.b_shape)

    torch_name = "LinalgSolveExBackward0"


# A primitive has one output, so the decompositions pack theirs side by side along one last
# axis (batch + (total,)) and hand out differentiable slices of it.
def _pack(arrays: tuple, batch: tuple) -> Any:
    # each part's size spelled out: -1 is ambiguous for an empty batch
    return xp.concatenate([a.reshape(batch + (math.prod(a.shape[len(batch):]),))
                           for a in arrays], axis=-1)


def _unpack(packed: Any, batch: tuple, shapes: list) -> list:
    """The parts of a packed array or Tensor, in their shapes (slices: views for a Tensor)."""
    parts, start = [], 0
    for shape in shapes:
        size = 1
        for n in shape:
            size *= n
        parts.append(packed[..., start:start + size].reshape(batch + shape))
        start += size
    return parts


def _sum_to(g: Any, shape: tuple) -> Any:
    """A batched gradient summed over the batch dimensions broadcasting added."""
    if g is None or g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra))) if extra > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


class Cholesky(Function):
    saves_output = True

    def forward(self, a, upper):
        self.upper = upper
        lower = _checked("cholesky", xp.linalg.cholesky, a)
        self.lower = lower
        return _mT(lower).copy() if upper else lower

    def backward(self, gy):
        # Murray (2016), "Differentiation of the Cholesky decomposition", eq. 10, symmetrized.
        lower = self.lower
        g = _mT(gy) if self.upper else gy
        phi = _mT(lower) @ g
        phi = xp.tril(phi) - 0.5 * array_module(phi).eye(phi.shape[-1]) * phi
        inverse = _checked("cholesky", xp.linalg.inv, lower)
        ga = _mT(inverse) @ phi @ inverse
        return 0.5 * (ga + _mT(ga))

    torch_name = "LinalgCholeskyExBackward0"


class Eigh(Function):
    """Eigenvalues and eigenvectors of a symmetric matrix (its lower triangle is read)."""

    def forward(self, a):
        self.w, self.v = xp.linalg.eigh(a)
        self.batch, n = a.shape[:-2], a.shape[-1]
        self.shapes = [(n,), (n, n)]
        return _pack((self.w, self.v), self.batch)

    def backward(self, gy):
        gw, gv = _unpack(gy, self.batch, self.shapes)
        # gA = V (diag(gw) + F o (V^T gV)) V^T, F_ij = 1 / (w_j - w_i) off the diagonal
        w, v = self.w, self.v
        gaps = w[..., None, :] - w[..., :, None]
        eye = array_module(w).eye(w.shape[-1], dtype=bool)
        with xp.errstate(divide="ignore"):
            f = xp.where(eye, 0, 1 / xp.where(eye, 1, gaps))
        inner = f * (_mT(v) @ gv) + gw[..., None, :] * eye
        return v @ inner @ _mT(v)

    torch_name = "LinalgEighBackward0"


class Svd(Function):
    """The reduced SVD ``A = U diag(S) Vh``."""

    def forward(self, a):
        self.u, self.s, self.vh = xp.linalg.svd(a, full_matrices=False)
        self.batch = a.shape[:-2]
        self.shapes = [self.u.shape[-2:], self.s.shape[-1:], self.vh.shape[-2:]]
        return _pack((self.u, self.s, self.vh), self.batch)

    def backward(self, gy):
        gu, gs, gvh = _unpack(gy, self.batch, self.shapes)
        # Townsend (2016), "Differentiating the Singular Value Decomposition".
        u, s, vh = self.u, self.s, self.vh
        v = _mT(vh)
        k = s.shape[-1]
        eye = array_module(s).eye(k, dtype=bool)
        s2 = s * s
        with xp.errstate(divide="ignore", invalid="ignore"):
            f = xp.where(eye, 0, 1 / xp.where(eye, 1, s2[..., None, :] - s2[..., :, None]))
            s_inv = 1 / s
        middle = gs[..., None, :] * eye
        ga = u @ middle @ vh
        ut_gu = _mT(u) @ gu
        gv = _mT(gvh)
        vt_gv = _mT(v) @ gv
        ga = u @ ((f * (ut_gu - _mT(ut_gu))) * s[..., None, :]
                  + s[..., :, None] * (f * (vt_gv - _mT(vt_gv)))) @ vh + ga
        if u.shape[-2] > k:  # the part of gU outside the span of U
            ga = ga + (gu - u @ ut_gu) * s_inv[..., None, :] @ vh
        if v.shape[-2] > k:
            ga = ga + u @ (s_inv[..., :, None] * _mT(gv - v @ vt_gv))
        return ga

    torch_name = "LinalgSvdBackward0"


class Qr(Function):
    """The reduced QR decomposition; gradients for tall or square inputs (m >= n)."""

    def forward(self, a):
        self.q, self.r = xp.linalg.qr(a, mode="reduced")
        self.shape, self.batch = a.shape, a.shape[:-2]
        self.shapes = [self.q.shape[-2:], self.r.shape[-2:]]
        return _pack((self.q, self.r), self.batch)

    def backward(self, gy):
        gq, gr = _unpack(gy, self.batch, self.shapes)
        # Seeger et al. (2017), "Auto-differentiating linear algebra": for m >= n,
        # gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q.
        q, r = self.q, self.r
        if 0 in self.shape:  # nothing to differentiate: torch's gradient is empty or 0
            return array_module(gy).zeros(self.shape, gy.dtype)
        if self.shape[-2] < self.shape[-1]:
            raise NotImplementedError("the gradient of qr is implemented for inputs with at "
                                      "least as many rows as columns")
        m = r @ _mT(gr) - _mT(gq) @ q
        lower = xp.tril(m, -1)
        copyltu = lower + _mT(lower) + xp.tril(xp.triu(m))
        rhs = gq + q @ copyltu
        # rhs @ R^{-T}: solve R x^T = rhs^T
        return _mT(_checked("qr", xp.linalg.solve, r, _mT(rhs)))

    torch_name = "LinalgQrBackward0"


class SignLogAbsDet(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


class EighResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class SvdResult(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


class SvdLegacyResult(NamedTuple):
    U: Tensor
    S: Tensor
    V: Tensor


class QrResult(NamedTuple):
    Q: Tensor
    R: Tensor


def inverse(input: Tensor) -> Tensor:
    """The inverse of a square matrix (or of each in a batch).

    Raises:
        LinAlgError: if a matrix is singular.
    """
    _square("inv", input)
    return Inv.apply(input)


def det(input: Tensor) -> Tensor:
    """The determinant of a square matrix (or of each in a batch)."""
    _square("det", input)
    return Det.apply(input)


def slogdet(input: Tensor) -> SignLogAbsDet:
    """The sign and the log of the absolute value of the determinant."""
    _square("slogdet", input)
    logabsdet = LogAbsDet.apply(input)
    sign, _ = xp.linalg.slogdet(input._value)
    sign_t = Tensor._wrap(array_module(input._value).asarray(sign, input._value.dtype))
    if logabsdet.requires_grad:  # torch records the sign too, with a zero gradient
        sign_t = logabsdet * 0 + sign_t
    return SignLogAbsDet(sign_t, logabsdet)


def logdet(input: Tensor) -> Tensor:
    """The log of the determinant (NaN where it is negative)."""
    sign, logabsdet = slogdet(input)
    with xp.errstate(divide="ignore", invalid="ignore"):
        fix = xp.where(sign._value < 0, xp.nan, xp.where(sign._value == 0, -xp.inf, 0))
    return rename(logabsdet + Tensor._wrap(fix.astype(logabsdet._value.dtype)),
                  "LogdetBackward0")


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution X of ``A X = B`` (``X A = B`` with ``left=False``).

    Raises:
        LinAlgError: if ``A`` is singular.
        RuntimeError: if the shapes do not fit.
    """
    _square("solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    b = B._value
    vector = b.ndim == 1 or (b.ndim == A._value.ndim - 1 and b.shape == A._value.shape[:-1])
    if A._value.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else -1)
    if rows != A._value.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A._value.shape[-2]}x{A._value.shape[-1]} and "
                           f"{'x'.join(map(str, b.shape))})")
    return Solve.apply(A, B, vector=vector)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The Cholesky factor L (``A = L L^T``) of a symmetric positive-definite matrix; U with
    ``upper=True``.

    Raises:
        LinAlgError: if the matrix is not positive-definite.
    """
    _square("cholesky", input)
    return Cholesky.apply(input, upper=upper)


def eigh(input: Tensor, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, read from its lower
    (``UPLO='L'``) or upper triangle."""
    _square("eigh", input)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    source = input if UPLO == "L" else input.mT
    n = input._value.shape[-1]
    w, v = _unpack(Eigh.apply(source), input._value.shape[:-2], [(n,), (n, n)])
    return EighResult(w, v)


def svd_reduced(input: Tensor) -> SvdResult:
    """``torch.linalg.svd(A, full_matrices=False)``."""
    if input._value.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    m, n = input._value.shape[-2:]
    k = min(m, n)
    u, s, vh = _unpack(Svd.apply(input), input._value.shape[:-2], [(m, k), (k,), (k, n)])
    return SvdResult(u, s, vh)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> SvdLegacyResult:
    """``torch.svd``: U, S and V (not V^T), reduced unless ``some=False`` (no gradient then)."""
    if not some:
        u, s, vh = xp.linalg.svd(input._value, full_matrices=True)
        return SvdLegacyResult(Tensor._wrap(u), Tensor._wrap(s), Tensor._wrap(_mT(vh).copy()))
    u, s, vh = svd_reduced(input)
    return SvdLegacyResult(u, s, vh.mT)


def qr(input: Tensor, some: bool = True) -> QrResult:
    """The QR decomposition ``A = QR``, reduced (``some=True``) or complete."""
    if input._value.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if not some:
        q, r = xp.linalg.qr(input._value, mode="complete")
        return QrResult(Tensor._wrap(q), Tensor._wrap(r))
    m, n = input._value.shape[-2:]
    k = min(m, n)
    q, r = _unpack(Qr.apply(input), input._value.shape[:-2], [(m, k), (k, n)])
    return QrResult(q, r)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """The Moore-Penrose pseudo-inverse, through the SVD (values below ``rcond`` times the
    largest singular value count as zero)."""
    u, s, vh = svd_reduced(input)
    cutoff = rcond * s._value.max(axis=-1, keepdims=True, initial=0)
    keep = Tensor._wrap(s._value > cutoff)
    inverse_s = (1 / s.masked_fill(~keep, 1.0)).masked_fill(~keep, 0.0)
    return vh.mT @ (inverse_s.unsqueeze(-1) * u.mT)
