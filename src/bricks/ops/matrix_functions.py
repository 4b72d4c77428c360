"""Matrix functions with their gradients: ``matrix_exp`` (a primitive) and
``householder_product`` (a composite of matrix products); ``bricks.linalg`` and the top
level re-export them under PyTorch's names."""

from __future__ import annotations

from typing import Any

from .._device import array_module, xp
from .._tensor import Tensor
from ..autograd.function import Function, rename
from .decompositions import _mT, _square
from .linalg import matmul
from .matrix import tril

__all__ = ["matrix_exp", "householder_product"]

# The [13/13] Padé approximant of exp and the 1-norm up to which it is accurate to double
# precision without scaling (Higham, "The scaling and squaring method for the matrix
# exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005, table 2.3).
_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
            129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
            40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def _expm(a: Any) -> Any:
    """exp of each matrix of ``a`` (..., n, n): scaling and squaring with the [13/13] Padé
    approximant, in float64; a matrix holding inf or NaN gives NaN, as in PyTorch."""
    module = array_module(a)
    x = a.astype(xp.float64)
    norm = module.abs(x).sum(axis=-2).max(axis=-1, initial=0.0)  # the 1-norm
    finite = module.isfinite(norm)
    x = module.where(finite[..., None, None], x, 0.0)
    scaled = module.where(finite, norm, 0.0) / _THETA_13
    squarings = module.ceil(module.log2(module.maximum(scaled, 1.0)))
    x = x / (2.0 ** squarings)[..., None, None]
    y = _pade_13(module, x)
    for k in range(int(squarings.max(initial=0))):
        y = module.where((squarings > k)[..., None, None], y @ y, y)
    y = module.where(finite[..., None, None], y, xp.nan)
    return y.astype(a.dtype, copy=False)


def _pade_13(module: Any, x: Any) -> Any:
    """The [13/13] Padé approximant ``(V - U)^-1 (V + U)`` of exp at each matrix of ``x``."""
    b = _PADE_13
    eye = module.eye(x.shape[-1], dtype=x.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2)
             + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
    v = (x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2)
         + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye)
    return module.linalg.solve(v - u, v + u)


class MatrixExp(Function):
    # A primitive: exp has no composite from the primitives. Its gradient is the Fréchet
    # derivative of exp at A^T applied to gy: the upper-right block of
    # exp([[A^T, gy], [0, A^T]]) (Najfeld and Havel, 1995), as PyTorch computes it.
    saves = (0,)

    def forward(self, a):
        self.a = a
        return _expm(a)

    def backward(self, gy):
        n = self.a.shape[-1]
        at = _mT(self.a)
        block = xp.zeros_like(gy, shape=gy.shape[:-2] + (2 * n, 2 * n))
        block[..., :n, :n] = at
        block[..., n:, n:] = at
        block[..., :n, n:] = gy
        return _expm(block)[..., :n, n:]

    torch_name = "LinalgMatrixExpBackward0"


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential ``sum_k A^k / k!`` of each square matrix of A (..., n, n).

    Raises:
        RuntimeError: for input of fewer than two dimensions, non-square matrices or an
            integer dtype.

    Example:
        >>> import bricks
        >>> bricks.linalg.matrix_exp(bricks.tensor([[0.0, 1.0], [-1.0, 0.0]]))
        tensor([[ 0.5403,  0.8415],
                [-0.8415,  0.5403]])
    """
    _square("matrix_exp", A)
    return MatrixExp.apply(A)


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of ``H_1 H_2 ... H_k`` for A (..., m, n) and tau (..., k), with
    ``H_i = I - tau_i v_i v_i^T`` and ``v_i`` column i of A below the diagonal, 1 on it
    (LAPACK's ``orgqr``; ``householder_product(*geqrf(A))`` is the Q of A's QR).

    A composite of products, so it needs no backward.

    Raises:
        RuntimeError: for A of fewer than two dimensions, m < n, more reflectors than
            columns, or batch dimensions that differ.

    Example:
        >>> import bricks
        >>> a = bricks.tensor([[0.0], [1.0]])
        >>> bricks.linalg.householder_product(a, bricks.tensor([1.0]))
        tensor([[ 0.],
                [-1.]])
    """
    _check_householder(A, tau)
    m, n = A.shape[-2], A.shape[-1]
    module = array_module(A._value)
    reflectors = tril(A, -1) + Tensor._wrap(module.eye(m, n, dtype=A._value.dtype))
    q = Tensor._wrap(module.broadcast_to(module.eye(m, dtype=A._value.dtype),
                                         A.shape[:-2] + (m, m)).copy())
    if tau.shape[-1] == 0:  # no reflector: the identity, still in A's graph as in torch
        q = q + A[..., :0, :].sum()
    for i in range(tau.shape[-1]):
        v = reflectors[..., :, i:i + 1]
        q = q - matmul(matmul(q, v) * tau[..., i:i + 1].unsqueeze(-1), v.mT)
    return rename(q[..., :, :n], "LinalgHouseholderProductBackward0")


def _check_householder(A: Tensor, tau: Tensor) -> None:
    name = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A.ndim - tau.ndim != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{A.ndim}")
    if tuple(A.shape[:-2]) != tuple(tau.shape[:-1]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
