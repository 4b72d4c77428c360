"""Dropout: zero random elements in training, scaling the rest by ``1 / (1 - p)``."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["Dropout"]


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
