"""Pooling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d,
AdaptiveMaxPool1d/2d/3d, MaxUnpool1d/2d/3d, LPPool1d/2d/3d and FractionalMaxPool2d/3d."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module
from .utils import (
    _check_positive, _check_sizes, _layer_text, _pair, _shape_text, _single, _triple,
)

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "MaxUnpool1d", "MaxUnpool2d", "LPPool1d", "LPPool2d",
           "AdaptiveMaxPool3d", "MaxUnpool3d", "LPPool3d", "FractionalMaxPool2d",
           "FractionalMaxPool3d"]


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


class AvgPool3d(AvgPool2d):
    """Average each kernel_size window of an input (N, C, D, H, W) or (C, D, H, W);
    arguments as ``AvgPool2d``, with three spatial dimensions.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.AvgPool3d(2)(bricks.ones(1, 3, 4, 6, 8)).shape
        bricks.Size([1, 3, 2, 3, 4])
    """

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input, 3)
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
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


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average an input (N, C, D, H, W) down to a fixed (N, C, *output_size); None in
    output_size keeps that dimension."""

    def forward(self, input: Tensor) -> Tensor:
        _check_rank(self, input, 3)
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptiveAvgPoolNd):
    """The config of the adaptive max poolings: the output size and return_indices."""

    _functional: Any = None

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return type(self)._functional(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Take the maximum of an input (N, C, L) over output_size adaptive windows; with
    return_indices, also each winner's index in L (for ``MaxUnpool1d``)."""

    _functional = F.adaptive_max_pool1d


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Take the maximum of an input (N, C, H, W) over output_size adaptive windows (None
    keeps a dimension); with return_indices, also each winner's flat index in (H, W).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.AdaptiveMaxPool2d((1, 1))(bricks.ones(2, 3, 7, 5)).shape
        bricks.Size([2, 3, 1, 1])
    """

    _functional = F.adaptive_max_pool2d


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Take the maximum of an input (N, C, D, H, W) over output_size adaptive windows (None
    keeps a dimension); with return_indices, also each winner's flat index in (D, H, W).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.AdaptiveMaxPool3d((1, 2, None))(bricks.ones(2, 3, 4, 7, 5)).shape
        bricks.Size([2, 3, 1, 2, 5])
    """

    _functional = F.adaptive_max_pool3d


class _MaxUnpoolNd(Module):
    """Config and repr of the unpoolings: sizes stored as tuples, as PyTorch."""

    _dims = 2
    _functional: Any = None

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        as_tuple = (_single, _pair, _triple)[self._dims - 1]
        self.kernel_size = as_tuple(kernel_size)
        self.stride = as_tuple(stride if stride is not None else kernel_size)
        self.padding = as_tuple(padding)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return type(self)._functional(input, indices, self.kernel_size, self.stride,
                                      self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d: values put back at their indices, zeros elsewhere."""

    _dims = 1
    _functional = F.max_unpool1d


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d: values put back at their indices, zeros elsewhere.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> x = bricks.arange(16.0).reshape(1, 1, 4, 4)
        >>> values, indices = nn.MaxPool2d(2, return_indices=True)(x)
        >>> nn.MaxUnpool2d(2)(values, indices)[0, 0, 1]
        tensor([0., 5., 0., 7.])
    """

    _functional = F.max_unpool2d


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d: values put back at their indices, zeros elsewhere.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> values, indices = nn.MaxPool3d(2, return_indices=True)(bricks.ones(1, 1, 2, 2, 2))
        >>> nn.MaxUnpool3d(2)(values, indices).sum()
        tensor(1.)
    """

    _dims = 3
    _functional = F.max_unpool3d


class _LPPoolNd(Module):
    """Power-average pooling: ``(sum of x ** norm_type over each window) ** (1 / norm_type)``."""

    _functional: Any = None

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._functional(input, self.norm_type, self.kernel_size, self.stride,
                                      self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling over each window of an input (N, C, L)."""

    _functional = F.lp_pool1d


class LPPool2d(_LPPoolNd):
    """Power-average pooling over each window of an input (N, C, H, W)."""

    _functional = F.lp_pool2d


class LPPool3d(_LPPoolNd):
    """Power-average pooling over each window of an input (N, C, D, H, W).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.LPPool3d(2, 2)(bricks.ones(1, 1, 2, 2, 2))
        tensor([[[[[2.8284]]]]])
    """

    _functional = F.lp_pool3d


class _FractionalMaxPoolNd(Module):
    """Config and checks of the fractional max poolings (Graham, 2014): the window, and the
    output size or ratio; ``_random_samples`` (a buffer, as in torch) fixes the windows."""

    _dims = 2
    _functional: Any = None

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        as_tuple = _pair if self._dims == 2 else _triple
        self._check_kernel(kernel_size)
        self.kernel_size = as_tuple(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = as_tuple(output_size) if output_size is not None else None
        self.output_ratio = as_tuple(output_ratio) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def _check_kernel(self, kernel_size: Any) -> None:
        """Nothing: torch's FractionalMaxPool2d takes any kernel_size here."""

    def forward(self, input: Tensor) -> Any:
        return type(self)._functional(input, self.kernel_size, self.output_size,
                                      self.output_ratio, self.return_indices,
                                      _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling of an input (N, C, H, W): the maximum over kernel_size windows
    at pseudo-random steps, to an output of output_size, or output_ratio times the input's.

    Args:
        kernel_size: the window's (height, width), or one int for both.
        output_size: the output's (height, width), or one int for both; or else
        output_ratio: fractions in (0, 1) of the input's height and width.
        return_indices: also return the flat index in (H, W) of each maximum.
        _random_samples: fixed samples (N, C, 2) in [0, 1) instead of fresh ones per call.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.FractionalMaxPool2d(3, output_ratio=0.5)(bricks.ones(2, 3, 10, 8)).shape
        bricks.Size([2, 3, 5, 4])
    """

    _functional = F.fractional_max_pool2d


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of an input (N, C, T, H, W); arguments as
    ``FractionalMaxPool2d`` with three spatial dimensions (samples (N, C, 3)).

    Raises:
        ValueError: for a kernel_size that is not positive, as torch's.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.FractionalMaxPool3d(2, output_size=(2, 3, 2))(bricks.ones(1, 2, 5, 6, 5)).shape
        bricks.Size([1, 2, 2, 3, 2])
    """

    _dims = 3
    _functional = F.fractional_max_pool3d

    def _check_kernel(self, kernel_size: Any) -> None:
        if (isinstance(kernel_size, int) and kernel_size <= 0) or (
                isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
