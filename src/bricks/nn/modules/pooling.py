"""Pooling layers: MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module
from .utils import _check_positive, _check_sizes, _layer_text, _shape_text, _single

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d"]


def _check_rank(layer: Module, input: Tensor, dims: int = 2) -> None:
    """Raise PyTorch's RuntimeError unless the input is (C, *spatial) or (N, C, *spatial)."""
    shape = input.shape
    if len(shape) not in (dims + 1, dims + 2):
        raise RuntimeError(f"{_layer_text(layer)}: expected {dims + 1}D (unbatched) or "
                           f"{dims + 2}D (batched) input, got shape {_shape_text(shape)}")


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
        _check_pool_sizes(type(self).__name__, kernel_size, stride, padding, dilation)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    _dims = 2
    _functional: Any = F.max_pool2d

    def forward(self, input: Tensor) -> Any:
        _check_rank(self, input, self._dims)
        return type(self)._functional(input, self.kernel_size, self.stride, self.padding,
                                      self.dilation, ceil_mode=self.ceil_mode,
                                      return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


def _check_pool_sizes(layer: str, kernel_size: Any, stride: Any, padding: Any,
                      dilation: Any) -> None:
    """Raise for sizes that are not ints, negative, or (kernel, stride, dilation) zero."""
    _check_sizes(layer, kernel_size=kernel_size, padding=padding, dilation=dilation)
    _check_positive(layer, kernel_size=kernel_size, dilation=dilation)
    if stride is not None:
        _check_sizes(layer, stride=stride)
        _check_positive(layer, stride=stride)


class MaxPool1d(MaxPool2d):
    """Take the maximum over each kernel_size window of an input (N, C, L) or (C, L).

    Args:
        kernel_size, stride, padding, dilation, return_indices, ceil_mode: as for
            ``MaxPool2d``, with one spatial dimension.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.MaxPool1d(2)(bricks.ones(1, 3, 8)).shape
        bricks.Size([1, 3, 4])
    """

    _dims = 1
    _functional = F.max_pool1d


class MaxPool3d(MaxPool2d):
    """Take the maximum over each kernel_size window of an input (N, C, D, H, W).

    Args:
        kernel_size, stride, padding, dilation, return_indices, ceil_mode: as for
            ``MaxPool2d``, with three spatial dimensions.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.MaxPool3d(2)(bricks.ones(1, 3, 4, 6, 8)).shape
        bricks.Size([1, 3, 2, 3, 4])
    """

    _dims = 3
    _functional = F.max_pool3d


class _AvgPoolNd(Module):
    """The config, checks and repr of the average poolings."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        _check_pool_sizes(type(self).__name__, kernel_size, stride, padding, 1)
        self.kernel_size = self._stored(kernel_size)
        self.stride = self._stored(stride if stride is not None else kernel_size)
        self.padding = self._stored(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def _stored(self, size: Any) -> Any:
        """A size as PyTorch keeps it in the layer: as given (AvgPool2d)."""
        return size

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Average each kernel_size window of an input (N, C, L) or (C, L).

    Args:
        kernel_size: the window's length.
        stride: the step between windows; defaults to kernel_size.
        padding: implicit zeros added on each side.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in the divisor.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> pool = nn.AvgPool1d(3)
        >>> pool
        AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))
        >>> pool(bricks.ones(1, 3, 9)).shape
        bricks.Size([1, 3, 3])
    """

    def _stored(self, size: Any) -> Any:
        """As a 1-tuple: PyTorch keeps AvgPool1d's sizes so (its repr shows them)."""
        return _single(size)

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input, 1)
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
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
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptiveAvgPoolNd(Module):
    """The config and repr of the adaptive average poolings: only the output size."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average an input (N, C, L) down to a fixed (N, C, output_size).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.AdaptiveAvgPool1d(1)(bricks.ones(2, 3, 7)).shape
        bricks.Size([2, 3, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
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

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input)
        return F.adaptive_avg_pool2d(input, self.output_size)
