"""The arithmetic shared by both generations of weight and spectral normalization
(``nn.utils.weight_norm``/``spectral_norm`` and ``nn.utils.parametrizations``)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F

__all__ = ["norm_except_dim", "weight_norm_of", "as_matrix", "normalize_into"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, shaped to broadcast
    against ``v`` (``dim=-1``: the norm of the whole tensor), as ``torch.norm_except_dim``."""
    if dim == -1:
        return v.norm(pow)
    if dim != 0:
        return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)
    shape = (v.shape[0],) + (1,) * (v.dim() - 1)
    return v.reshape(v.shape[0], -1).norm(pow, 1).reshape(shape)


def weight_norm_of(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """``v * (g / ||v||)``, the norm over every dimension but ``dim`` (``torch._weight_norm``)."""
    return v * (g / norm_except_dim(v, 2, dim))


def as_matrix(weight: Tensor, dim: int) -> Tensor:
    """``weight`` with dimension ``dim`` first and the others flattened: the matrix whose
    largest singular value spectral normalization divides by."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.shape[0], -1)


def normalize_into(buffer: Tensor, value: Tensor, eps: float) -> None:
    """Store ``value / max(||value||, eps)`` into ``buffer`` in place (power iteration)."""
    buffer.copy_(F.normalize(value, dim=0, eps=eps))
