"""``parametrizations.orthogonal``: a matrix (or batch of matrices) kept orthogonal, as
torch's, by the matrix exponential or the Cayley map of a skew-symmetric matrix, or by a
product of Householder reflectors; with ``use_trivialization`` (Lezcano-Casado, 2019,
"Trivializations for gradient-based optimization on manifolds",
https://arxiv.org/abs/1909.09501) the map is applied around a stored orthogonal ``base``.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

from ... import linalg
from ..._creation import eye, randn, zeros_like
from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..._everyday import finfo
from ...ops import cat
from ..module import Module
from . import parametrize

__all__ = ["orthogonal"]


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _is_orthogonal(Q: Tensor) -> bool:
    """Whether ``Q^T Q`` is the identity to ``10 n eps`` (torch's test)."""
    n, k = Q.size(-2), Q.size(-1)
    identity = eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return bool((Q.mT @ Q).allclose(identity, atol=eps))


def _geqrf(A: Any) -> tuple[Any, Any]:
    """LAPACK's ``geqrf`` of each matrix of the array ``A``: the reflectors below the
    diagonal of the first array, R on and above it, and the scales ``tau``."""
    h, tau = array_module(A).linalg.qr(A, mode="raw")
    return xp.swapaxes(h, -1, -2).copy(), tau


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A's QR decomposition with R's diagonal made non-negative (torch's: the
    Householder product of ``geqrf``, each column times the sign of R's diagonal)."""
    reflectors, tau = _geqrf(A._value)
    q = linalg.householder_product(Tensor._wrap(reflectors), Tensor._wrap(tau))._value
    signs = array_module(q).sign(xp.diagonal(reflectors, axis1=-2, axis2=-1))
    return Tensor._wrap(q * signs[..., None, :])


class _Orthogonal(Module):
    """The orthogonal matrix of the shape of ``weight`` computed from the original: the
    map of its lower triangle (matrix_exp, cayley) or its reflectors (householder)."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex():
            raise NotImplementedError("orthogonal: complex (unitary) weights are not supported "
                                      "by bricks; use a real weight")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == _OrthMaps.householder:
            Q = self._householder(X)
        else:
            Q = self._skew_map(X, n, k)
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def _skew_map(self, X: Tensor, n: int, k: int) -> Tensor:
        """exp(A) or the Cayley map (I + A/2)(I - A/2)^-1 of the skew-symmetric A made from
        X's lower triangle (padded to n x n), cut to its first k columns."""
        X = X.tril()
        if n != k:
            X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
        A = X - X.mT
        if self.orthogonal_map == _OrthMaps.matrix_exp:
            Q = linalg.matrix_exp(A)
        else:
            identity = eye(n, dtype=A.dtype, device=A.device)
            Q = linalg.solve(identity - 0.5 * A, identity + 0.5 * A)
        return Q[..., :k] if n != k else Q

    def _householder(self, X: Tensor) -> Tensor:
        """The product of the reflectors below X's diagonal (each scaled to a reflection),
        its columns times the signs kept on X's diagonal, which get no gradient."""
        A = X.tril(diagonal=-1)
        tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
        Q = linalg.householder_product(A, tau)
        return Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)

    def right_inverse(self, Q: Tensor) -> Tensor:
        """An original whose forward is ``Q``: with a base, ``Q`` (made orthogonal, completed
        to a square with random columns when it is not one) becomes the base and the original
        is ``-I``; without, the reflectors of Q's QR (householder only)."""
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            return self._reflectors(Q, transpose)
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:  # complete Q to a square orthogonal matrix
            filler = randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, filler], dim=-1))
        self.base = Q
        # -I: then householder(zeros) is the identity, and every map starts at the base
        neg_identity = zeros_like(Q_init)
        neg_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_identity

    def _reflectors(self, Q: Tensor, transpose: bool) -> Tensor:
        if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
            raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                      "or the Cayley parametrizations when "
                                      "use_trivialization=False.")
        reflectors, tau = _geqrf(Q._value)
        # R's diagonal as signs (the diagonal of Q in the Householder map); LAPACK's tau is
        # exactly 0 where it made no reflection, whose sign is flipped, as in torch
        module = array_module(reflectors)
        diagonal = module.diagonal(reflectors, axis1=-2, axis2=-1)
        signs = module.sign(diagonal) * module.where(tau == 0.0, -1.0, 1.0)
        index = module.arange(diagonal.shape[-1])
        reflectors[..., index, index] = signs
        out = Tensor._wrap(reflectors)
        return out.mT if transpose else out


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Keep ``module.<name>`` an orthogonal matrix (or batch of them): orthonormal columns
    when it is tall, rows when it is wide.

    Args:
        module: the module to parametrize.
        name: the parameter (or buffer) to make orthogonal.
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``; by default
            ``"matrix_exp"`` for a square matrix, ``"householder"`` otherwise.
        use_trivialization: keep an orthogonal ``base`` (a buffer of the parametrization)
            that the map multiplies; the original then starts at ``-I``.

    Returns:
        The module, its class now ``Parametrized<Class>``.

    Raises:
        ValueError: for a missing tensor, one of fewer than 2 dimensions, or an unknown map.
        NotImplementedError: for a complex weight.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> layer = nn.utils.parametrizations.orthogonal(nn.Linear(3, 5))
        >>> q = layer.weight
        >>> bool((q.T @ q).allclose(bricks.eye(3), atol=1e-5))
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if not isinstance(orth_enum, _OrthMaps):
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
