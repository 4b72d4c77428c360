"""Fold and Unfold: sliding blocks to columns (im2col) and back (col2im)."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["Fold", "Unfold"]


class Unfold(Module):
    """Extract the sliding blocks of (N, C, H, W) as columns (N, C * kh * kw, L).

    Args:
        kernel_size, dilation, padding, stride: of the sliding blocks (ints or pairs).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Unfold(2)(bricks.ones(1, 3, 4, 4)).shape
        bricks.Size([1, 12, 9])
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Sum columns (N, C * kh * kw, L) of sliding blocks into (N, C, *output_size).

    Args:
        output_size: the spatial size of the output.
        kernel_size, dilation, padding, stride: of the sliding blocks (ints or pairs).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Fold((4, 4), 2)(bricks.ones(1, 12, 9)).shape
        bricks.Size([1, 3, 4, 4])
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
