"""Convolutions and pooling beyond 2-D of ``bricks.nn.functional`` (re-exported there).

``conv3d``, ``conv_transpose1d``, ``conv_transpose2d``, ``conv_transpose3d``, ``max_pool1d``,
``max_pool3d`` and ``avg_pool1d``, all composites of the 2-D primitives: a 3-D convolution
is a sum over the kernel's depth of 2-D convolutions; a transposed convolution is its own
2-D primitive (Conv2d's input gradient), and in 3-D a sum over the kernel's depth of 2-D ones,
each placed at its depth offset; 1-D pooling is 2-D pooling of height 1; and 3-D
max pooling is separable (the max over depth of the max over each plane).
"""

from __future__ import annotations

from typing import Any

from .. import ops
from .._autocast import lower_precision
from .._tensor import Tensor
from ..ops import nn as _prim  # the layer primitives (ops/nn/)
from .functional import (
    _check_conv, _check_positive, _conv_padding, _tuple, avg_pool2d, max_pool2d,
)

__all__ = ["conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool1d",
           "max_pool3d", "avg_pool1d"]


@lower_precision
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of (N, C_in, D, H, W) with weight (C_out, C_in / groups, kD, kH,
    kW); arguments as for ``conv2d`` with three spatial dimensions.

    Raises:
        RuntimeError: as ``conv2d``, for mismatched channels, shapes, dtypes or sizes.
    """
    _check_conv(input, weight, bias, groups, 3)
    stride = _tuple(stride, 3, "stride", "conv")
    dilation = _tuple(dilation, 3, "dilation", "conv")
    pads = _conv_padding(padding, tuple(weight.shape[2:]), stride, dilation)
    _check_positive(stride=stride, dilation=dilation)
    if min(min(p) for p in pads) < 0:
        raise RuntimeError(f"negative padding is not supported, got padding={padding}")
    batched = input.ndim == 5
    x = input if batched else input.unsqueeze(0)
    padded = [n + a + b for n, (a, b) in zip(x.shape[2:], pads)]
    effective = [d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation)]
    if any(p < e for p, e in zip(padded, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, effective))}). Kernel size can't be greater "
                           "than actual input size")
    x = _prim.pad(x, [(0, 0), (0, 0), pads[0], (0, 0), (0, 0)], 0.0)
    out_depth = (padded[0] - effective[0]) // stride[0] + 1
    n = x.shape[0]
    total: Tensor | None = None
    for k in range(weight.shape[2]):
        start = k * dilation[0]
        planes = x[:, :, start:start + stride[0] * (out_depth - 1) + 1:stride[0]]
        planes = planes.transpose(1, 2).reshape(n * out_depth, x.shape[1], *x.shape[3:])
        part = _prim.conv2d(planes, weight[:, :, k], None, stride[1:], pads[1:],
                                dilation[1:], groups)
        total = part if total is None else total + part
    assert total is not None  # the kernel has depth >= 1 (checked by _check_conv's shapes)
    y = total.reshape(n, out_depth, *total.shape[1:]).transpose(1, 2)
    if bias is not None:
        y = y + bias.reshape(-1, 1, 1, 1)
    return y if batched else y.squeeze(0)


def _output_padding(output_padding: Any, stride: tuple, dilation: tuple) -> tuple:
    extra = _tuple(output_padding, len(stride), "output_padding", "conv_transpose")
    for o, s, d in zip(extra, stride, dilation):
        if o >= s and o >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or "
                               f"dilation, but got output_padding={list(extra)}, "
                               f"stride={list(stride)}, dilation={list(dilation)}")
    return extra


@lower_precision
def _conv_transpose(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                    padding: Any, output_padding: Any, groups: int, dilation: Any,
                    dims: int) -> Tensor:
    name = f"conv_transpose{dims}d"
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    if weight.ndim != dims + 2:
        raise RuntimeError(f"expected weight to be {dims + 2}-dimensional for {name}, but got "
                           f"weight of size {list(weight.shape)}")
    channels = input.shape[-dims - 1]
    if channels != weight.shape[0] or groups < 1 or channels % groups:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[0]} channels, but "
                           f"got {channels} channels instead")
    stride = _tuple(stride, dims, "stride", "conv")
    dilation = _tuple(dilation, dims, "dilation", "conv")
    padding = _tuple(padding, dims, "padding", "conv")
    _check_positive(stride=stride, dilation=dilation)
    extra = _output_padding(output_padding, stride, dilation)
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    if dims == 3:
        y = _conv_transpose_depth(x, weight, bias, stride, padding, extra, groups, dilation)
        return y if batched else y.squeeze(0)
    if dims == 1:
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        stride, dilation, padding, extra = (1,) + stride, (1,) + dilation, (0,) + padding, \
            (0,) + extra
    out_size = _output_sizes(x.shape[2:], stride, padding, dilation, weight.shape[2:], extra)
    if min(out_size) < 1:
        raise RuntimeError(f"{name}: the output size {list(out_size)} is too small for input "
                           f"{list(input.shape)} with padding={list(padding)}")
    pads = tuple((p, p) for p in padding)
    y = _prim.conv_transpose2d(x, weight, bias, stride, pads, dilation, groups,
                                   out_size)
    if dims == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def _output_sizes(sizes: Any, stride: tuple, padding: tuple, dilation: tuple, kernel: Any,
                  extra: tuple) -> tuple:
    return tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in zip(
        sizes, stride, padding, dilation, kernel, extra))


def _conv_transpose_depth(x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple,
                          padding: tuple, extra: tuple, groups: int, dilation: tuple) -> Tensor:
    """The 3-D transposed convolution of (N, C, D, H, W): for each kernel depth k, the 2-D
    transposed convolution of every input plane, spread ``stride`` apart along depth and
    shifted by ``k * dilation``; the sum, cropped by the padding."""
    n, _, depth = x.shape[:3]
    out_size = _output_sizes(x.shape[2:], stride, padding, dilation, weight.shape[2:], extra)
    if min(out_size) < 1:
        raise RuntimeError(f"conv_transpose3d: the output size {list(out_size)} is too small "
                           f"for input {list(x.shape)} with padding={list(padding)}")
    planes = x.transpose(1, 2).reshape(n * depth, x.shape[1], *x.shape[3:])
    full = out_size[0] + 2 * padding[0]  # the depth before cropping the padding
    spread = (depth - 1) * stride[0] + 1
    total: Tensor | None = None
    for k in range(weight.shape[2]):
        part = _prim.conv_transpose2d(planes, weight[:, :, k], None, stride[1:],
                                      tuple((p, p) for p in padding[1:]), dilation[1:], groups,
                                      out_size[1:])
        part = part.reshape(n, depth, *part.shape[1:]).transpose(1, 2)
        if stride[0] > 1:  # interleave stride - 1 empty planes after each plane
            gaps = [(0, 0)] * 3 + [(0, stride[0] - 1)] + [(0, 0)] * 2
            part = _prim.pad(part.unsqueeze(3), gaps, 0.0).reshape(
                n, part.shape[1], depth * stride[0], *part.shape[3:])[:, :, :spread]
        before = k * dilation[0]
        part = _prim.pad(part, [(0, 0), (0, 0), (before, full - spread - before), (0, 0),
                                (0, 0)], 0.0)
        total = part if total is None else total + part
    assert total is not None  # the kernel has depth >= 1
    y = total[:, :, padding[0]:padding[0] + out_size[0]]
    return y + bias.reshape(-1, 1, 1, 1) if bias is not None else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed 1-D convolution of (N, C_in, L) with weight (C_in, C_out / groups, k).

    ``L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1``.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed 2-D convolution (the gradient of ``conv2d`` with respect to its input)
    of (N, C_in, H, W) with weight (C_in, C_out / groups, kH, kW).

    ``H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1``.

    Raises:
        RuntimeError: for mismatched channels or shapes, or output_padding not smaller than
            stride or dilation.

    Example:
        >>> import bricks
        >>> conv_transpose2d(bricks.ones(1, 2, 3, 3), bricks.ones(2, 4, 2, 2), stride=2).shape
        bricks.Size([1, 4, 6, 6])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def _as_planes(input: Tensor, dims: int, name: str) -> tuple[Tensor, bool]:
    if input.ndim not in (dims + 1, dims + 2) or 0 in input.shape[-dims - 1:]:  # N may be 0
        raise RuntimeError(f"{name}: non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor "
                           f"expected for input, got shape {list(input.shape)}")
    batched = input.ndim == dims + 2
    return (input if batched else input.unsqueeze(0)), batched


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum over each window of (N, C, L) or (C, L); arguments as ``max_pool2d``."""
    x, batched = _as_planes(input, 1, "max_pool1d")
    one = lambda v: (1, _tuple(v, 1, "pool", "pool")[0])  # noqa: E731
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    out = max_pool2d(x.unsqueeze(2), one(kernel_size), one(stride),
                     (0, _tuple(padding, 1, "padding", "pool")[0]), one(dilation), ceil_mode,
                     return_indices)
    if return_indices:
        values, indices = out[0].squeeze(2), out[1].squeeze(2)
        return (values, indices) if batched else (values.squeeze(0), indices.squeeze(0))
    out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean over each window of (N, C, L) or (C, L); arguments as ``avg_pool2d``."""
    x, batched = _as_planes(input, 1, "avg_pool1d")
    kernel = _tuple(kernel_size, 1, "kernel_size", "pool")[0]
    step = kernel if stride is None or stride == [] or stride == () else \
        _tuple(stride, 1, "stride", "pool")[0]
    out = avg_pool2d(x.unsqueeze(2), (1, kernel), (1, step),
                     (0, _tuple(padding, 1, "padding", "pool")[0]), ceil_mode,
                     count_include_pad).squeeze(2)
    return out if batched else out.squeeze(0)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum over each window of (N, C, D, H, W) or (C, D, H, W).

    Separable: the max over each (kH, kW) plane window, then over kD of those; the first
    maximum in (d, h, w) order wins ties, as in PyTorch.
    """
    x, batched = _as_planes(input, 3, "max_pool3d")
    kernel = _tuple(kernel_size, 3, "kernel_size", "pool")
    stride = kernel if stride is None or stride == [] or stride == () else \
        _tuple(stride, 3, "stride", "pool")
    padding = _tuple(padding, 3, "padding", "pool")
    dilation = _tuple(dilation, 3, "dilation", "pool")
    n, c, d, h, w = x.shape
    planes = max_pool2d(x.reshape(n, c * d, h, w), kernel[1:], stride[1:], padding[1:],
                        dilation[1:], ceil_mode, return_indices)
    plane_max = planes[0] if return_indices else planes
    out_h, out_w = plane_max.shape[2:]
    columns = plane_max.reshape(n, c, d, out_h * out_w)
    result = max_pool2d(columns, (kernel[0], 1), (stride[0], 1), (padding[0], 0),
                        (dilation[0], 1), ceil_mode, return_indices)
    out_d = (result[0] if return_indices else result).shape[2]
    values = (result[0] if return_indices else result).reshape(n, c, out_d, out_h, out_w)
    if not return_indices:
        return values if batched else values.squeeze(0)
    # The depth index of each winner, then the plane index found there by the first stage.
    depth = result[1]._value // (out_h * out_w)
    plane_index = planes[1]._value.reshape(n, c, d, out_h * out_w)
    within = ops.gather(Tensor._wrap(plane_index), 2, Tensor._wrap(depth))._value
    indices = Tensor._wrap((depth * h * w + within).reshape(values.shape))
    return (values, indices) if batched else (values.squeeze(0), indices.squeeze(0))


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed 3-D convolution of (N, C_in, D, H, W) with weight
    (C_in, C_out / groups, kD, kH, kW); arguments as ``conv_transpose2d``."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3)
