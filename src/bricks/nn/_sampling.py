"""Padding, resampling and block rearrangement of ``bricks.nn.functional`` (re-exported there).

``pad`` (constant, reflect, replicate, circular), ``interpolate`` (nearest, nearest-exact,
linear, bilinear, trilinear, area), ``pixel_shuffle``/``pixel_unshuffle`` and
``unfold``/``fold``. Resampling is separable: one gather or one small matrix product per
spatial dimension, so it needs no backward of its own.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

from .. import ops
from .. import _device
from .._device import as_array, xp
from .._tensor import Tensor
from ..autograd.function import rename
from ..ops import nn as _prim  # the layer primitives (ops/nn/)

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "unfold", "fold"]

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_by_index(input: Tensor, dim: int, left: int, right: int, mode: str) -> Tensor:
    """Pad one dimension by gathering indices: 'reflect', 'replicate' or 'circular'.

    Written as ``index_select`` so that autograd sums the gradient of repeated positions.
    Negative amounts crop, as in PyTorch.
    """
    if left == 0 and right == 0:
        return input
    size = input.shape[dim]
    if mode == "reflect" and (left >= size or right >= size):
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                           f"input dimension, but got: padding ({left}, {right}) at dimension "
                           f"{dim % input.ndim} of input {list(input.shape)}")
    if mode == "circular" and (left > size or right > size):
        raise RuntimeError(f"Padding value causes wrapping around more than once: padding "
                           f"({left}, {right}) at dimension {dim % input.ndim} of input "
                           f"{list(input.shape)}")
    # host: a small index table, moved to the input's device below
    positions = xp.arange(-left, size + right)
    if mode == "reflect":
        positions = xp.abs(positions)
        positions = xp.where(positions >= size, 2 * (size - 1) - positions, positions)
    elif mode == "replicate":
        positions = xp.clip(positions, 0, size - 1)
    else:
        positions = positions % size
    return ops.index_select(input, dim, Tensor._wrap(as_array(positions, input._value)))


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions; ``pad`` is (left, right, top, bottom, ...)
    from the last dimension backwards. Negative amounts crop.

    Args:
        input: any shape for ``'constant'``; (N, C, *) or (C, *) with 1 to 3 padded
            dimensions for the other modes.
        pad: an even number of amounts.
        mode: ``'constant'`` (``value``, 0 by default), ``'reflect'`` (mirror without the
            edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around).
        value: the fill value of ``'constant'``.

    Raises:
        NotImplementedError: for an unknown mode, or a mode and input rank PyTorch rejects.
        RuntimeError: for an odd-length ``pad``, too many amounts, or (reflect) an amount as
            large as the dimension.
    """
    pad = list(pad)
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.ndim}")
    if mode == "constant":
        return _constant_pad(input, pad, value)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    dims = len(pad) // 2
    if dims > 3 or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    for k in range(dims):
        out = _pad_by_index(out, -1 - k, pad[2 * k], pad[2 * k + 1], mode)
    if mode == "circular":
        return out
    kind = "Reflection" if mode == "reflect" else "Replication"
    return rename(out, f"{kind}Pad{dims}DBackward0")


def _constant_pad(input: Tensor, pad: list, value: float | None) -> Tensor:
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    for n, (a, b) in zip(input.shape, widths):
        if n + a + b < 0:
            raise RuntimeError(f"The input size {n}, plus negative padding {a} and {b} "
                               "resulted in a negative output size")
    return _prim.pad(input, widths, 0.0 if value is None else value)


# ----- interpolate -----
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "area") + tuple(_LINEAR_MODES)


def _output_sizes(input: Tensor, size: Any, scale_factor: Any) -> tuple[list, list]:
    """The output size and the scale (input / output, PyTorch's) of each spatial dimension."""
    dims = input.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    if size is not None:
        sizes = [size] * dims if isinstance(size, int) else list(size)
        if len(sizes) != dims:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(input.shape[2:])} and output size of {sizes}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                             "size in (o1, o2, ...,oK) format.")
        return sizes, [n / m if m else 0.0 for n, m in zip(input.shape[2:], sizes)]
    factors = [scale_factor] * dims if isinstance(scale_factor, (int, float)) \
        else list(scale_factor)
    if len(factors) != dims:
        raise ValueError(f"Input and scale_factor must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of "
                         f"{list(input.shape[2:])} and scale_factor of shape {factors}.")
    sizes = [int(math.floor(n * f)) for n, f in zip(input.shape[2:], factors)]
    return sizes, [1.0 / f for f in factors]


def _on(array: Any, like: Tensor) -> Tensor:
    """A small host array (indices, weights) as a tensor on ``like``'s device."""
    return Tensor._wrap(_device.to_device(array, like.device))


def _nearest_index(size: int, out: int, scale: float, exact: bool) -> Any:
    offset = 0.5 if exact else 0.0
    # host: a small index table, moved to the input's device by the caller
    source = xp.floor((xp.arange(out) + offset) * scale).astype(xp.int64)
    return xp.minimum(source, size - 1)


def _linear_weights(size: int, out: int, scale: float, align_corners: bool) -> tuple:
    """For each output cell: its two nearest input cells and the weight of the second."""
    # host: small index and weight tables, moved to the input's device by the caller
    target = xp.arange(out, dtype=xp.float64)
    if align_corners:
        source = target * ((size - 1) / (out - 1)) if out > 1 else target * 0
    else:
        source = xp.maximum((target + 0.5) * scale - 0.5, 0.0)
    low = xp.minimum(xp.floor(source).astype(xp.int64), size - 1)
    high = xp.minimum(low + 1, size - 1)
    return low, high, source - low


def _lerp(x: Tensor, dim: int, size: int, out: int, scale: float,
          align_corners: bool) -> Tensor:
    """Linear interpolation along ``dim`` from the two neighbours of each output cell, as
    PyTorch's kernel (so an infinite input spreads no NaN to cells that weigh it by 0)."""
    low, high, frac = _linear_weights(size, out, scale, align_corners)
    shape = [1] * x.ndim
    shape[dim] = out
    like = x._value
    weight = Tensor._wrap(as_array(frac.astype(like.dtype).reshape(shape), like))
    near = ops.index_select(x, dim, Tensor._wrap(as_array(low, like)))
    far = ops.index_select(x, dim, Tensor._wrap(as_array(high, like)))
    return near * (1 - weight) + far * weight


def _area_matrix(size: int, out: int, dtype: Any) -> Any:
    """(out, size) averaging: row i averages [floor(i*size/out), ceil((i+1)*size/out))."""
    m = xp.zeros((out, size), dtype)  # host: a small table, moved by _along
    for i in range(out):
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        m[i, start:end] = 1.0 / (end - start)
    return m


def _along(x: Tensor, dim: int, matrix: Any) -> Tensor:
    """Apply the (out, size) ``matrix`` to dimension ``dim`` of ``x``."""
    moved = ops.movedim(x, dim, -1)
    table = Tensor._wrap(as_array(matrix.T, x._value))
    return ops.movedim(ops.matmul(moved, table), -1, dim)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resample (N, C, d1, ..., dk) to a new spatial size, as PyTorch's ``interpolate``.

    Args:
        input: 3-D (linear), 4-D (bilinear) or 5-D (trilinear) input; any of them for
            ``'nearest'``, ``'nearest-exact'`` and ``'area'``.
        size: the output's spatial size (an int for all dimensions).
        scale_factor: the multiplier of each spatial size (the output size is floored);
            the sampling positions use ``1 / scale_factor`` unless recompute_scale_factor.
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'trilinear'`` or ``'area'`` (adaptive average pooling).
        align_corners: for the linear modes, map the corner cells onto each other.
        recompute_scale_factor: sample at ``input / output`` sizes instead.
        antialias: not supported (False only).

    Raises:
        ValueError: for both or neither of size and scale_factor, or align_corners with a
            mode that does not interpolate.
        NotImplementedError: for an unknown mode, or a linear mode on the wrong rank.

    Example:
        >>> import bricks
        >>> x = bricks.tensor([[[1.0, 2.0]]])
        >>> interpolate(x, scale_factor=2, mode="linear", align_corners=True)
        tensor([[[1.0000, 1.3333, 1.6667, 2.0000]]])
    """
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    dims = input.ndim - 2
    if dims < 1 or dims > 3 or (mode in _LINEAR_MODES and _LINEAR_MODES[mode] != dims):
        needs = {1: "3D", 2: "4D", 3: "5D"}.get(_LINEAR_MODES.get(mode, 0), "3D, 4D or 5D")
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {needs} "
                                  "input")
    sizes, scales = _output_sizes(input, size, scale_factor)
    if recompute_scale_factor:
        scales = [n / m for n, m in zip(input.shape[2:], sizes)]
    out = input
    for k, (n, m, scale) in enumerate(zip(input.shape[2:], sizes, scales)):
        dim = 2 + k
        if mode in ("nearest", "nearest-exact"):
            index = _nearest_index(n, m, scale, mode == "nearest-exact")
            out = ops.index_select(out, dim, Tensor._wrap(as_array(index, out._value)))
        elif mode == "area":
            out = _along(out, dim, _area_matrix(n, m, input._value.dtype))
        else:
            out = _lerp(out, dim, n, m, scale, bool(align_corners))
    return rename(out, _interpolate_node_name(mode, dims))


def _interpolate_node_name(mode: str, dims: int) -> str:
    """PyTorch's node: ``UpsampleNearest2DBackward0``, ``UpsampleBilinear2DBackward0``, ..."""
    if mode == "area":
        return f"AdaptiveAvgPool{dims}DBackward0"
    kind = {"nearest": "Nearest", "nearest-exact": "NearestExact"}.get(mode, mode.capitalize())
    return f"Upsample{kind}{dims}DBackward0"


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", UserWarning, stacklevel=3)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """The deprecated name of ``interpolate`` (it warns, as PyTorch)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')`` (it warns, as PyTorch)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)`` (it warns, as
    PyTorch)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----- block rearrangement -----
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) to (*, C, H r, W r) (Shi et al., 2016).

    Raises:
        RuntimeError: for fewer than 3 dimensions or channels not divisible by r^2.
    """
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return rename(x.reshape(*lead, c // (r * r), h * r, w * r), "PixelShuffleBackward0")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the groups of channels of (N, C, *): (N, g, C / g, *) read as
    (N, C / g, g, *) (Zhang et al., ShuffleNet, 2017).

    Raises:
        RuntimeError: for input with fewer than 3 dimensions, groups below 1 or not dividing
            C, with PyTorch's messages.
    """
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value "
                           f"of groups:{groups}")
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = input.shape[2:]
    grouped = input.reshape(n, groups, c // groups, *rest)
    return grouped.transpose(1, 2).reshape(n, c, *rest)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) to (*, C r^2, H, W), the inverse of ``pixel_shuffle``.

    Raises:
        RuntimeError: for fewer than 3 dimensions or a size not divisible by r.
    """
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    for name, size in (("height", h), ("width", w)):
        if size % r:
            axis = -2 if name == "height" else -1
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})={size} is not "
                               f"divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return rename(x.reshape(*lead, c * r * r, h // r, w // r), "PixelUnshuffleBackward0")


def _pair_arg(value: Any, name: str, op: str) -> tuple:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2:
        raise RuntimeError(f"{op}(): {name} must be an int or a pair of ints, got {value!r}")
    return pair


def _block_args(kernel_size: Any, dilation: Any, padding: Any, stride: Any,
                op: str) -> tuple:
    kernel = _pair_arg(kernel_size, "kernel_size", op)
    dilation = _pair_arg(dilation, "dilation", op)
    padding = _pair_arg(padding, "padding", op)
    stride = _pair_arg(stride, "stride", op)
    for name, value in (("kernel_size", kernel), ("dilation", dilation), ("stride", stride)):
        if min(value) <= 0:
            raise RuntimeError(f"{op}(): {name} should be greater than zero, but got "
                               f"{name}={value}")
    if min(padding) < 0:
        raise RuntimeError(f"{op}(): padding should be non-negative, but got padding={padding}")
    return kernel, dilation, padding, stride


def _batched(input: Tensor, ndim: int, message: str) -> Tensor:
    """``input`` as a batch of ``ndim`` dimensions: as it is, or with a batch of one in front
    when it is one dimension short; PyTorch's NotImplementedError ``message`` otherwise."""
    if input.ndim not in (ndim - 1, ndim):
        raise NotImplementedError(message)
    return input if input.ndim == ndim else input.unsqueeze(0)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """The sliding blocks of (N, C, H, W) as columns (N, C * kh * kw, L) (im2col).

    Raises:
        RuntimeError: for a non-4-D (or 3-D unbatched) input, bad sizes, or no block.
    """
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride,
                                                    "unfold")
    x = _batched(input, 4, f"Input Error: Only 3D or 4D input Tensors are supported "
                           f"(got {input.ndim}D)")
    blocks = _prim.block_counts(x.shape[2:], kernel, dilation, padding, stride)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {list(x.shape[2:])}, "
                           f"kernel_size={kernel}, dilation={dilation}, padding={padding}, "
                           f"calculated shape of the array of sliding blocks as {list(blocks)}, "
                           "but its components must be at least one.")
    out = _prim.im2col(x, kernel, dilation, padding, stride)
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum columns (N, C * kh * kw, L) of sliding blocks into (N, C, *output_size) (col2im).

    Raises:
        RuntimeError: if dimension 1 is not divisible by kh * kw or L does not match the
            number of blocks of output_size.
    """
    size = _pair_arg(output_size, "output_size", "fold")
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride,
                                                    "fold")
    x = _batched(input, 3, f"Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                           f"are supported (got {input.ndim}D)")
    cells = kernel[0] * kernel[1]
    if x.shape[1] % cells:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={kernel}")
    blocks = _prim.block_counts(size, kernel, dilation, padding, stride)
    if x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, stride={stride}, expected "
                           f"size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={x.shape[2]}.")
    out = _prim.col2im(x, size, kernel, dilation, padding, stride)
    return out if input.ndim == 3 else out.squeeze(0)
