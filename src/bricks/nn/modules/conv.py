"""Convolution layers: Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
ConvTranspose3d, and their lazy forms (LazyConv1d, ..., LazyConvTranspose3d)."""

from __future__ import annotations

from typing import Any, Callable

from ..._tensor import Tensor
from .. import functional as F
from .._lazy import LazyModuleMixin
from .._sampling import _pad_by_index
from ..module import Module
from ..parameter import UninitializedParameter
from .utils import (
    _add_weight_and_bias, _check_positive, _check_sizes, _layer_text, _pair,
    _reset_weight_and_bias, _shape_text, _single, _triple,
)

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "ConvTranspose3d", "LazyConvTranspose3d"]

_PADDING_STRINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The config, parameters, checks and repr shared by the convolutions of every rank."""

    _spatial_dims = 0
    _functional: Callable[..., Tensor]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self._configure(in_channels, out_channels, kernel_size, stride, padding, dilation,
                        groups, padding_mode, transposed=False, output_padding=0)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        _add_weight_and_bias(self, shape, out_channels, bias, device, dtype)
        self.reset_parameters()

    def _configure(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                   padding: Any, dilation: Any, groups: int, padding_mode: str,
                   transposed: bool, output_padding: Any) -> None:
        """Check the config (PyTorch's errors) and record it, sizes as tuples of the rank.

        The one constructor path of the plain and the transposed convolutions, which differ
        only in their public signatures and their weight's layout.
        """
        to_tuple = (_single, _pair, _triple)[self._spatial_dims - 1]  # ints repeated per dim
        stride = to_tuple(stride)
        padding = padding if isinstance(padding, str) else to_tuple(padding)
        _check_arguments(type(self).__name__, in_channels, out_channels, to_tuple(kernel_size),
                         stride, padding, to_tuple(dilation), to_tuple(output_padding))
        _check_config(in_channels, out_channels, groups, padding, stride, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = to_tuple(kernel_size)
        self.stride = stride
        self.padding = padding
        self.dilation = to_tuple(dilation)
        self.transposed = transposed
        self.output_padding = to_tuple(output_padding)
        self.groups = groups
        self.padding_mode = padding_mode

    def reset_parameters(self) -> None:
        """Draw weight and bias again: ``kaiming_uniform_(a=sqrt(5))`` and U(+-1/sqrt(fan_in))."""
        _reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        return self._conv_forward(input, self.weight, self.bias)

    def _check_input(self, input: Tensor) -> None:
        """Raise unless ``input`` is (C_in, *spatial) or (N, C_in, *spatial)."""
        shape = input.shape
        dims = self._spatial_dims
        if len(shape) not in (dims + 1, dims + 2) or shape[-dims - 1] != self.in_channels:
            raise RuntimeError(
                f"{_layer_text(self)}: expected {dims + 1}D (unbatched) or {dims + 2}D "
                f"(batched) input with {self.in_channels} channels, got shape "
                f"{_shape_text(shape)}")

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = type(self)._functional
        if self.padding_mode == "zeros":
            return conv(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.groups)
        padded = input
        try:
            for dim, (left, right) in zip(range(-self._spatial_dims, 0), self._padding_pairs()):
                padded = _pad_by_index(padded, dim, left, right, self.padding_mode)
        except RuntimeError as error:
            raise RuntimeError(f"{_layer_text(self)} with padding_mode='{self.padding_mode}': "
                               f"{error}") from None
        return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)

    def _padding_pairs(self) -> list[tuple[int, int]]:
        """(left, right) padding per spatial dimension; 'same' puts the odd one on the right."""
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            return [(total // 2, total - total // 2) for total in totals]
        if self.padding == "valid":
            return [(0, 0)] * self._spatial_dims
        return [(p, p) for p in self.padding]  # not a string here

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


def _check_arguments(layer: str, in_channels: Any, out_channels: Any, kernel_size: tuple,
                     stride: tuple, padding: Any, dilation: tuple, output_padding: tuple) -> None:
    """Raise for sizes that are not ints, negative, or (kernel, stride, dilation) zero."""
    _check_sizes(layer, in_channels=in_channels, out_channels=out_channels,
                 kernel_size=kernel_size, stride=stride, dilation=dilation,
                 output_padding=output_padding)
    if not isinstance(padding, str):
        _check_sizes(layer, padding=padding)
    _check_positive(layer, kernel_size=kernel_size, stride=stride, dilation=dilation)


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
    _functional = F.conv1d


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
    _functional = F.conv2d


class Conv3d(_ConvNd):
    """Apply a 3-D convolution (cross-correlation) over an input (N, C_in, D, H, W).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
        padding_mode: as for ``Conv2d``, with three spatial dimensions.

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W); weight (C_out, C_in / groups, kD, kH, kW).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Conv3d(2, 4, 3, padding=1)(bricks.ones(1, 2, 4, 5, 6)).shape
        bricks.Size([1, 4, 4, 5, 6])
    """

    _spatial_dims = 3
    _functional = F.conv3d


class _ConvTransposeNd(_ConvNd):
    """A transposed convolution: the config of a convolution, the weight (C_in, C_out / groups,
    *kernel) and a forward that takes an optional output_size."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} does not accept a padding string, got "
                             f"padding={padding!r}")
        Module.__init__(self)  # not _ConvNd's, which would build a convolution's weight
        self._configure(in_channels, out_channels, kernel_size, stride, padding, dilation,
                        groups, padding_mode, transposed=True, output_padding=output_padding)
        shape = (in_channels, out_channels // groups, *self.kernel_size)
        _add_weight_and_bias(self, shape, out_channels, bias, device, dtype)
        self.reset_parameters()

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        self._check_input(input)
        extra = self._output_padding(input, output_size)
        conv = type(self)._functional
        return conv(input, self.weight, self.bias, self.stride, self.padding, extra,
                    self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        """output_padding, or what makes the output exactly ``output_size``."""
        if output_size is None:
            return self.output_padding
        dims = self._spatial_dims
        wanted = list(output_size)[-dims:]
        if len(wanted) != dims:
            raise ValueError(f"ConvTranspose{dims}D: for {input.ndim}D input, output_size "
                             f"must have {dims} or {dims + 2} elements (got {len(output_size)})")
        sizes = input.shape[-dims:]
        smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(
            sizes, self.stride, self.padding, self.dilation, self.kernel_size)]
        largest = [low + s - 1 for low, s in zip(smallest, self.stride)]
        if any(not low <= w <= high for w, low, high in zip(wanted, smallest, largest)):
            raise ValueError(f"requested an output size of {wanted}, but valid sizes range "
                             f"from {smallest} to {largest} (for an input of {list(sizes)})")
        return tuple(w - low for w, low in zip(wanted, smallest))


class ConvTranspose1d(_ConvTransposeNd):
    """Apply a 1-D transposed convolution (the gradient of Conv1d) over (N, C_in, L).

    ``L_out = (L - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1``.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, groups, bias, dilation:
            as for ``Conv1d``; padding removes that many cells from each end of the output.
        output_padding: cells added at the end of the output (smaller than stride or
            dilation), to reach sizes that several input sizes map to.
        padding_mode: ``'zeros'`` only.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ConvTranspose1d(2, 3, 4, stride=2)(bricks.ones(1, 2, 5)).shape
        bricks.Size([1, 3, 12])
    """

    _spatial_dims = 1
    _functional = F.conv_transpose1d


class ConvTranspose2d(_ConvTransposeNd):
    """Apply a 2-D transposed convolution (the gradient of Conv2d) over (N, C_in, H, W).

    ``H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1``.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, output_padding, groups,
        bias, dilation, padding_mode: as for ``ConvTranspose1d``, per spatial dimension.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> up = nn.ConvTranspose2d(3, 4, 2, stride=2)
        >>> up
        ConvTranspose2d(3, 4, kernel_size=(2, 2), stride=(2, 2))
        >>> up(bricks.ones(1, 3, 5, 5)).shape
        bricks.Size([1, 4, 10, 10])
    """

    _spatial_dims = 2
    _functional = F.conv_transpose2d


class ConvTranspose3d(_ConvTransposeNd):
    """Apply a 3-D transposed convolution (the gradient of Conv3d) over (N, C_in, D, H, W);
    arguments as ``ConvTranspose1d``, per spatial dimension.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ConvTranspose3d(3, 4, 2, stride=2)(bricks.ones(1, 3, 2, 3, 4)).shape
        bricks.Size([1, 4, 4, 6, 8])
    """

    _spatial_dims = 3
    _functional = F.conv_transpose3d


class _LazyConvMixin(LazyModuleMixin):
    """Infer ``in_channels`` from the first input, then allocate and initialize."""

    # The convolution's, which a lazy convolution also derives from:
    in_channels: int
    out_channels: int
    kernel_size: tuple
    groups: int
    transposed: bool
    _spatial_dims: int
    weight: Any  # an UninitializedParameter until initialize_parameters
    bias: Any

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        """The convolution's arguments but in_channels; the parameters stay without shape."""
        super().__init__(0, 0, kernel_size, stride=stride, padding=padding, dilation=dilation,
                         groups=groups, bias=False, padding_mode=padding_mode, device=device,
                         dtype=dtype)
        self._unshaped(out_channels, bias, device, dtype)

    def _unshaped(self, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """Initialize as the convolution does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]  # the convolution's, next in MRO

    def initialize_parameters(self, input: Tensor) -> None:
        """Take in_channels from ``input``, then allocate and initialize weight and bias."""
        if not self.has_uninitialized_params():
            if self.in_channels == 0:  # parameters came from a state dict: size from them
                self.in_channels = (self.weight.shape[0] if self.transposed else
                                    self.weight.shape[1] * self.groups)
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
        if self.transposed:  # the weight of a transposed convolution is (C_in, C_out / g, *k)
            self.weight.materialize((in_channels, self.out_channels // self.groups,
                                     *self.kernel_size))
        else:
            self.weight.materialize((self.out_channels, in_channels // self.groups,
                                     *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


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


class LazyConv3d(_LazyConvMixin, Conv3d):
    """A Conv3d whose in_channels is inferred from its first input; it then becomes a Conv3d.

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode:
            as for ``Conv3d``.
    """

    cls_to_become = Conv3d


class _LazyConvTransposeMixin(_LazyConvMixin):
    """The lazy form of a transposed convolution: its own argument order (output_padding
    after padding, dilation after bias)."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        """The transposed convolution's arguments but in_channels; no shapes yet."""
        super(_LazyConvMixin, self).__init__(  # the transposed convolution's, next in MRO
            0, 0, kernel_size, stride=stride, padding=padding, output_padding=output_padding,
            groups=groups, bias=False, dilation=dilation, padding_mode=padding_mode,
            device=device, dtype=dtype)
        self._unshaped(out_channels, bias, device, dtype)


class LazyConvTranspose1d(_LazyConvTransposeMixin, ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is inferred from its first input.

    Args:
        out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
            padding_mode: as for ``ConvTranspose1d``.
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeMixin, ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is inferred from its first input.

    Args:
        out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
            padding_mode: as for ``ConvTranspose2d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> up = nn.LazyConvTranspose2d(4, 2, stride=2)
        >>> up(bricks.ones(1, 3, 5, 5)).shape
        bricks.Size([1, 4, 10, 10])
        >>> up
        ConvTranspose2d(3, 4, kernel_size=(2, 2), stride=(2, 2))
    """

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeMixin, ConvTranspose3d):
    """A ConvTranspose3d whose in_channels is inferred from its first input; arguments as
    ``ConvTranspose3d`` but in_channels."""

    cls_to_become = ConvTranspose3d
