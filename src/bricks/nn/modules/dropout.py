"""Dropout: zero random elements (Dropout) or whole channels (Dropout1d, 2d, 3d) in training,
scaling the rest by ``1 / (1 - p)``; and alpha dropout (AlphaDropout, FeatureAlphaDropout)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode (Srivastava et al., 2014).

    The kept elements are scaled by ``1 / (1 - p)``, so evaluation mode is the identity.

    Args:
        p: the probability of zeroing an element.
        inplace: overwrite the input instead of allocating the output.

    Raises:
        ValueError: if p is not between 0 and 1.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Dropout(0.5).eval()(bricks.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _DropoutNd(Dropout):
    """Channel dropout: the config and repr of Dropout, a functional that zeroes channels."""

    _functional = staticmethod(F.dropout1d)

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._functional(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p`` in training
    (Tompson et al., 2015); the rest are scaled by ``1 / (1 - p)``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Dropout1d(0.3)
        Dropout1d(p=0.3, inplace=False)
    """

    _functional = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` in training.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Dropout2d().eval()(bricks.ones(1, 2, 2, 2)).sum().item()
        8.0
    """

    _functional = staticmethod(F.dropout2d)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``."""

    _functional = staticmethod(F.dropout3d)


class AlphaDropout(_DropoutNd):
    """Alpha dropout (Klambauer et al., 2017): dropout that keeps the zero mean and unit
    variance a SELU network needs; see ``F.alpha_dropout``."""

    _functional = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of (N, C, *); see ``F.feature_alpha_dropout``."""

    _functional = staticmethod(F.feature_alpha_dropout)
