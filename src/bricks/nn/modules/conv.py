"""Convolution layers: Conv1d, Conv2d and their lazy forms LazyConv1d, LazyConv2d."""

from __future__ import annotations

from typing import Any, Callable

from ..._creation import empty
from ..._backend import xp
from ..._device import array_module
from ..._tensor import Tensor
from ...ops import index_select
from .. import functional as F
from .._lazy import LazyModuleMixin
from ..module import Module
from ..parameter import Parameter, UninitializedParameter
from .utils import _layer_text, _pair, _reset_weight_and_bias, _shape_text, _single

__all__ = ["Conv1d", "Conv2d", "LazyConv1d", "LazyConv2d"]

_PADDING_STRINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The config, parameters, checks and repr shared by the convolutions of every rank."""

    _spatial_dims = 0
    _tuple: Callable[[Any], tuple] = _single
    _functional: Callable[..., Tensor]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, groups: int, bias: bool, padding_mode: str,
                 dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        stride = type(self)._tuple(stride)
        _check_config(in_channels, out_channels, groups, padding, stride, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = type(self)._tuple(kernel_size)
        self.stride = stride
        self.padding = padding if isinstance(padding, str) else type(self)._tuple(padding)
        self.dilation = type(self)._tuple(dilation)
        self.transposed = False
        self.output_padding = type(self)._tuple(0)
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weight and bias again: ``kaiming_uniform_(a=sqrt(5))`` and U(+-1/sqrt(fan_in))."""
        _reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        dims = self._spatial_dims
        if len(shape) not in (dims + 1, dims + 2) or shape[-dims - 1] != self.in_channels:
            raise RuntimeError(
                f"{_layer_text(self)}: expected {dims + 1}D (unbatched) or {dims + 2}D "
                f"(batched) input with {self.in_channels} channels, got shape "
                f"{_shape_text(shape)}")
        return self._conv_forward(input, self.weight, self.bias)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = type(self)._functional
        if self.padding_mode == "zeros":
            return conv(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.groups)
        padded = input
        for dim, (left, right) in zip(range(-self._spatial_dims, 0), self._padding_pairs()):
            padded = _pad_by_index(padded, dim, left, right, self.padding_mode)
        return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)

    def _padding_pairs(self) -> list[tuple[int, int]]:
        """(left, right) padding per spatial dimension; 'same' puts the odd one on the right."""
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            return [(total // 2, total - total // 2) for total in totals]
        if self.padding == "valid":
            return [(0, 0)] * self._spatial_dims
        return [(p, p) for p in self.padding]  # type: ignore[misc]  # not a string here

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


def _pad_by_index(input: Tensor, dim: int, left: int, right: int, mode: str) -> Tensor:
    """Pad one dimension by gathering indices: 'reflect', 'replicate' or 'circular'.

    Written as ``index_select`` so that autograd sums the gradient of repeated positions.
    """
    if left == 0 and right == 0:
        return input
    size = input.shape[dim]
    positions = array_module(input._value).arange(-left, size + right)
    if mode == "reflect":
        if left >= size or right >= size:
            raise RuntimeError(f"padding_mode='reflect': padding ({left}, {right}) must be "
                               f"smaller than the input dimension {size}")
        positions = xp.abs(positions)
        positions = xp.where(positions >= size, 2 * (size - 1) - positions, positions)
    elif mode == "replicate":
        positions = xp.clip(positions, 0, size - 1)
    else:
        positions = positions % size
    return index_select(input, dim, Tensor._wrap(positions))


def _check_config(in_channels: int, out_channels: int, groups: int, padding: Any,
                  stride: tuple, padding_mode: str) -> None:
    """Raise PyTorch's ValueError for an impossible convolution config."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError(f"in_channels must be divisible by groups, got in_channels="
                         f"{in_channels} and groups={groups}")
    if out_channels % groups != 0:
        raise ValueError(f"out_channels must be divisible by groups, got out_channels="
                         f"{out_channels} and groups={groups}")
    if isinstance(padding, str):
        if padding not in _PADDING_STRINGS:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             f"{set(_PADDING_STRINGS)}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                         f"padding_mode='{padding_mode}'")


class Conv1d(_ConvNd):
    """Apply a 1-D convolution (cross-correlation) over an input (N, C_in, L).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: the length of the kernel.
        stride: the step between windows.
        padding: zeros added on both sides, or ``'same'`` / ``'valid'``.
        dilation: the spacing between kernel elements.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, L) or (C_in, L); weight (C_out, C_in / groups, kernel_size).

    Raises:
        ValueError: for an impossible config (groups, padding string, padding_mode).
        RuntimeError: in forward, if the input's rank or channel count is wrong.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Conv1d(2, 4, 3, padding=1)(bricks.ones(5, 2, 10)).shape
        bricks.Size([5, 4, 10])
    """

    _spatial_dims = 1
    _tuple: Callable[[Any], tuple] = _single
    _functional = F.conv1d

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype, device)


class Conv2d(_ConvNd):
    """Apply a 2-D convolution (cross-correlation) over an input (N, C_in, H, W).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: the kernel's (height, width), or one int for both.
        stride: the step between windows.
        padding: zeros added on each side, or ``'same'`` / ``'valid'``.
        dilation: the spacing between kernel elements.
        groups: split the channels into this many independent groups.
        bias: whether to learn an additive bias.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in / groups, kH, kW).

    Raises:
        ValueError: for an impossible config (groups, padding string, padding_mode).
        RuntimeError: in forward, if the input's rank or channel count is wrong.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> conv = nn.Conv2d(1, 6, 5, padding=2)
        >>> conv
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
        >>> conv(bricks.ones(2, 1, 28, 28)).shape
        bricks.Size([2, 6, 28, 28])
    """

    _spatial_dims = 2
    _tuple: Callable[[Any], tuple] = _pair
    _functional = F.conv2d

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype, device)


class _LazyConvMixin(LazyModuleMixin):
    """Infer ``in_channels`` from the first input, then allocate and initialize."""

    # The convolution's, which a lazy convolution also derives from:
    in_channels: int
    out_channels: int
    kernel_size: tuple
    groups: int
    _spatial_dims: int
    weight: Any  # an UninitializedParameter until initialize_parameters
    bias: Any

    def reset_parameters(self) -> None:
        """Initialize as the convolution does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]  # the convolution's, next in MRO

    def initialize_parameters(self, input: Tensor) -> None:
        """Take in_channels from ``input``, then allocate and initialize weight and bias."""
        if not self.has_uninitialized_params():
            if self.in_channels == 0:  # parameters came from a state dict: size from them
                self.in_channels = self.weight.shape[1] * self.groups
            return
        dims = self._spatial_dims
        shape = input.shape
        if len(shape) not in (dims + 1, dims + 2):
            raise RuntimeError(f"{_layer_text(self)}: expected {dims + 1}D (unbatched) or "
                               f"{dims + 2}D (batched) input, got shape {_shape_text(shape)}")
        in_channels = shape[-dims - 1]
        if in_channels % self.groups != 0:
            raise ValueError(f"in_channels must be divisible by groups, got in_channels="
                             f"{in_channels} and groups={self.groups}")
        self.in_channels = in_channels
        self.weight.materialize((self.out_channels, in_channels // self.groups,
                                 *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


def _lazy_init(layer: Any, out_channels: int, bias: bool, dtype: Any, device: Any = None) -> None:
    """Replace the placeholder parameters of a lazy convolution by uninitialized ones."""
    layer.weight = UninitializedParameter(device=device, dtype=dtype)
    layer.out_channels = out_channels
    if bias:
        layer.bias = UninitializedParameter(device=device, dtype=dtype)


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A Conv1d whose in_channels is inferred from its first input; it then becomes a Conv1d.

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode:
            as for ``Conv1d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> conv = nn.LazyConv1d(4, 3)
        >>> _ = conv(bricks.ones(2, 3, 8))
        >>> conv
        Conv1d(3, 4, kernel_size=(3,), stride=(1,))
    """

    cls_to_become = Conv1d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, dtype=dtype, device=device)
        _lazy_init(self, out_channels, bias, dtype, device)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A Conv2d whose in_channels is inferred from its first input; it then becomes a Conv2d.

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode:
            as for ``Conv2d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> conv = nn.LazyConv2d(6, 5, padding=2)
        >>> conv
        LazyConv2d(0, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
        >>> _ = conv(bricks.ones(2, 3, 8, 8))
        >>> conv
        Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, dtype=dtype, device=device)
        _lazy_init(self, out_channels, bias, dtype, device)
