"""Distance layers: CosineSimilarity and PairwiseDistance."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``.

    Args:
        dim: the dimension of the vectors.
        eps: the smallest norm divided by.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.CosineSimilarity(dim=0)(bricks.tensor([1.0, 0.0]), bricks.tensor([1.0, 1.0]))
        tensor(0.7071)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` along the last dimension.

    Args:
        p: the order of the norm.
        eps: added to the difference, so that the norm's gradient exists at 0.
        keepdim: keep the last dimension, of size 1.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.PairwiseDistance()(bricks.zeros(2, 3), bricks.ones(2, 3)).shape
        bricks.Size([2])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
