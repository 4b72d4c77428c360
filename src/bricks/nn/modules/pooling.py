"""Pooling layers: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module
from .utils import _layer_text, _shape_text

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


def _check_rank(layer: Module, input: Tensor) -> None:
    """Raise PyTorch's RuntimeError unless the input is (C, H, W) or (N, C, H, W)."""
    shape = input.shape
    if len(shape) not in (3, 4):
        raise RuntimeError(f"{_layer_text(layer)}: expected 3D (unbatched) or 4D (batched) "
                           f"input, got shape {_shape_text(shape)}")


class MaxPool2d(Module):
    """Take the maximum over each kernel_size window of an input (N, C, H, W).

    Args:
        kernel_size: the window's (height, width), or one int for both.
        stride: the step between windows; defaults to kernel_size.
        padding: implicit negative infinity added on each side.
        dilation: the spacing between window elements.
        return_indices: also return the flat index of each maximum.
        ceil_mode: round the output size up instead of down.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> pool = nn.MaxPool2d(2)
        >>> pool
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> pool(bricks.ones(1, 3, 8, 8)).shape
        bricks.Size([1, 3, 4, 4])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        _check_rank(self, input)
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Average each kernel_size window of an input (N, C, H, W).

    Args:
        kernel_size: the window's (height, width), or one int for both.
        stride: the step between windows; defaults to kernel_size.
        padding: implicit zeros added on each side.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in the divisor.
        divisor_override: divide by this instead of the window size.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> pool = nn.AvgPool2d(2)
        >>> pool
        AvgPool2d(kernel_size=2, stride=2, padding=0)
        >>> pool(bricks.ones(1, 3, 8, 8)).shape
        bricks.Size([1, 3, 4, 4])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average an input (N, C, H, W) down to a fixed (N, C, *output_size).

    Args:
        output_size: the output's (height, width); one int for a square; None keeps
            that dimension of the input.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.AdaptiveAvgPool2d((1, 1))(bricks.ones(2, 3, 7, 5)).shape
        bricks.Size([2, 3, 1, 1])
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input)
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
