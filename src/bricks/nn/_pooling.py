"""More pooling of ``bricks.nn.functional`` (re-exported there): adaptive max pooling, max
unpooling, power-average (LP) pooling, 3-D average pooling, 3-D adaptive average pooling and
the ``*_with_indices`` forms.

All are composites. Adaptive max pooling finds each window's winner in NumPy (PyTorch's: the
first maximum, or the last NaN) and gathers it, so the gradient reaches that one element as
in PyTorch; unpooling scatters into zeros (its gradient gathers back); average pooling is
separable into sums over planes and over depth, adaptive average pooling into window means
along each dimension.
"""

from __future__ import annotations

from typing import Any

from .. import ops
from .._creation import zeros
from .._device import array_module, xp
from .._dtypes import scalar_type_name
from .._tensor import Tensor
from .functional import (
    _adaptive_1d_size, _adaptive_windows, _tuple, avg_pool2d, max_pool2d,
)
from ._convolution import avg_pool1d, max_pool1d, max_pool3d

__all__ = ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "lp_pool1d",
           "lp_pool2d", "avg_pool3d", "adaptive_avg_pool3d"]


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """``max_pool1d`` that returns the indices too (by default)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """``max_pool2d`` that returns the indices too (by default)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """``max_pool3d`` that returns the indices too (by default)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# ----- adaptive max pooling -----
def _winner(block: Any) -> Any:
    """Index along the last axis of each row's winner: the first maximum, or the last NaN
    (PyTorch's kernels take every NaN they meet)."""
    nan = block != block
    last_nan = block.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1)
    return xp.where(nan.any(axis=-1), last_nan, xp.argmax(block, axis=-1))


def _adaptive_max_indices(x: Any, out_h: int, out_w: int) -> Any:
    """(..., out_h, out_w) flat indices into (H * W) of each adaptive window's winner."""
    h, w = x.shape[-2:]
    indices = array_module(x).zeros(x.shape[:-2] + (out_h, out_w), xp.int64)
    for i, (top, bottom) in enumerate(_adaptive_windows(h, out_h)):
        for j, (left, right) in enumerate(_adaptive_windows(w, out_w)):
            block = x[..., top:bottom, left:right]
            k = _winner(block.reshape(x.shape[:-2] + (-1,)))
            width = right - left
            indices[..., i, j] = (top + k // width) * w + left + k % width
    return indices


def _gather_winners(input: Tensor, indices: Any) -> Tensor:
    """The elements of (..., H, W) at the flat (H * W) ``indices`` (..., h, w)."""
    flat = input.reshape(*input.shape[:-2], -1)
    index = Tensor._wrap(indices.reshape(indices.shape[:-2] + (-1,)))
    return ops.gather(flat, -1, index).reshape(indices.shape)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of (N, C, H, W) or (C, H, W) over ``output_size`` adaptive windows
    (PyTorch's: cell i spans [floor(i H / out), ceil((i + 1) H / out))).

    ``None`` in ``output_size`` keeps that dimension; ``return_indices`` also returns each
    winner's flat index in (H, W), as ``max_unpool2d`` takes it.

    Raises:
        RuntimeError: for input that is not 3-D or 4-D, or an output_size not of two values.
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must "
                           "be 2")
    h, w = input.shape[-2:]
    out_h, out_w = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
    indices = _adaptive_max_indices(input._value, out_h, out_w)
    values = _gather_winners(input, indices)
    return (values, Tensor._wrap(indices)) if return_indices else values


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of (N, C, L) or (C, L) over ``output_size`` adaptive windows; arguments
    as ``adaptive_max_pool2d``, indices into L.

    Raises:
        RuntimeError: for input that is not 2-D or 3-D, or an output_size not of one int.
    """
    cells = _adaptive_1d_size(input, output_size, "adaptive_max_pool1d")
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, cells), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """``adaptive_max_pool1d`` that returns the indices too (by default)."""
    return adaptive_max_pool1d(input, output_size, return_indices)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """``adaptive_max_pool2d`` that returns the indices too (by default)."""
    return adaptive_max_pool2d(input, output_size, return_indices)


# ----- unpooling -----
def _unpool_size(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
                 output_size: Any) -> tuple:
    """The unpooled spatial size: the inverse of max pooling's, or ``output_size`` (the
    spatial sizes, or the whole shape) when it is one of the sizes that pooling maps to the
    input's."""
    dims = len(kernel)
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in
                    zip(input.shape[-dims:], stride, padding, kernel))
    if output_size is None:
        return default
    size = tuple(output_size)
    if len(size) == dims + 2 or (len(size) == dims + 1 and input.ndim == dims + 1):
        size = size[-dims:]
    if len(size) != dims:
        raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d, (want, base, s) in enumerate(zip(size, default, stride)):
        if not base - s < want < base + s:
            raise ValueError(f'invalid output_size "{size}" (dim {d} must be between '
                             f"{base - s} and {base + s})")
    return size


def _max_unpool(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any, padding: Any,
                output_size: Any, dims: int) -> Tensor:
    if indices._value.dtype != xp.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{scalar_type_name(indices._value.dtype)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    kernel = _tuple(kernel_size, dims, "kernel_size", "max_unpool")
    stride = kernel if stride is None else _tuple(stride, dims, "stride", "max_unpool")
    padding = _tuple(padding, dims, "padding", "max_unpool")
    size = _unpool_size(input, kernel, stride, padding, output_size)
    cells = 1
    for n in size:
        cells *= n
    index = indices._value
    if index.size and (index.min() < 0 or index.max() >= cells):
        bad = index.min() if index.min() < 0 else index.max()
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, size))})")
    lead = input.shape[:input.ndim - dims]
    flat = input.reshape(*lead, -1)
    blank = zeros(*lead, cells, dtype=input.dtype, device=input.device)
    out = ops.scatter(blank, -1, indices.reshape(*lead, -1), flat)
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool1d``: each value put back at its index in L, zeros
    elsewhere. Arguments as ``max_unpool2d``."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool2d``: each value of (N, C, h, w) put back at its flat
    index in (H, W) (from ``return_indices=True``), zeros elsewhere.

    Args:
        input, indices: the pooled values and their int64 indices, of one shape.
        kernel_size, stride, padding: those of the pooling (stride defaults to kernel_size).
        output_size: (H, W) or the whole shape, to undo a pooling that dropped cells.

    Raises:
        RuntimeError: for non-int64 indices, indices of another shape or out of range.
        ValueError: for an output_size pooling could not have come from.
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


# ----- power-average pooling -----
def _lp_from_mean(mean: Tensor, norm_type: float, cells: int) -> Tensor:
    """``(cells * mean) ** (1 / p)`` from the window means of ``x ** p``.

    PyTorch writes the mean as ``sign(m) * relu(|m|)``: the same values, but no gradient
    where ``m`` is 0 (there the root's infinite slope would give NaN); the ``where`` keeps
    that.
    """
    return (ops.where(mean != 0, mean, mean.detach()) * cells) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** p over each window) ** (1 / p)`` along L of (N, C, L) or (C, L)."""
    kernel = _tuple(kernel_size, 1, "kernel_size", "lp_pool1d")[0]
    mean = avg_pool1d(input ** norm_type, kernel, stride, 0, ceil_mode)
    return _lp_from_mean(mean, norm_type, kernel)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** p over each window) ** (1 / p)`` of (N, C, H, W) or (C, H, W): the
    power-average pooling; p = 1 is sum pooling, p = inf max pooling in the limit."""
    kh, kw = _tuple(kernel_size, 2, "kernel_size", "lp_pool2d")
    mean = avg_pool2d(input ** norm_type, (kh, kw), stride, 0, ceil_mode)
    return _lp_from_mean(mean, norm_type, kh * kw)


# ----- 3-D average pooling -----
def _window_counts(module: Any, size: int, out: int, kernel: int, stride: int, pad: int,
                   include_pad: bool) -> Any:
    """Cells of each window along one axis: clipped to the padded input with
    ``include_pad``, to the input itself without (PyTorch's divisors)."""
    start = module.arange(out) * stride - pad
    end = module.minimum(start + kernel, size + pad)
    if include_pad:
        return end - start
    return module.minimum(end, size) - module.maximum(start, 0)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean over each (kD, kH, kW) window of (N, C, D, H, W) or (C, D, H, W); arguments
    as ``avg_pool2d``.

    Separable: window sums over each plane, then over depth, divided by PyTorch's divisor.

    Raises:
        RuntimeError: for a wrong input rank, too much padding or an empty output.
    """
    if input.ndim not in (4, 5) or input.numel() == 0:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    kernel = _tuple(kernel_size, 3, "kernel_size", "avg_pool3d")
    stride = kernel if stride is None or stride == [] or stride == () else \
        _tuple(stride, 3, "stride", "avg_pool3d")
    padding = _tuple(padding, 3, "padding", "avg_pool3d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    batched = input.ndim == 5
    x = input if batched else input.unsqueeze(0)
    n, c, d, h, w = x.shape
    planes = avg_pool2d(x.reshape(n, c * d, h, w), kernel[1:], stride[1:], padding[1:],
                        ceil_mode, True, 1)
    out_h, out_w = planes.shape[2:]
    columns = planes.reshape(n, c, d, out_h * out_w)
    sums = avg_pool2d(columns, (kernel[0], 1), (stride[0], 1), (padding[0], 0), ceil_mode,
                      True, 1)
    out_d = sums.shape[2]
    sums = sums.reshape(n, c, out_d, out_h, out_w)
    if divisor_override is not None:
        y = sums / divisor_override
    else:
        module = array_module(x._value)
        counts = [_window_counts(module, size, out, k, s, p, count_include_pad)
                  for size, out, k, s, p
                  in zip((d, h, w), (out_d, out_h, out_w), kernel, stride, padding)]
        divisor = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
        y = sums / Tensor._wrap(divisor.astype(x._value.dtype))
    return y if batched else y.squeeze(0)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average (N, C, D, H, W) or (C, D, H, W) into ``output_size`` cells, PyTorch's
    windows; separable: over (H, W), then over D. ``None`` keeps that dimension.

    Raises:
        RuntimeError: for input that is not 4-D or 5-D.
    """
    if input.ndim not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got "
                           f"{list(input.shape)}")
    size = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    out = input
    for dim, cells in zip((-3, -2, -1), size):
        if cells is not None:
            out = _adaptive_mean(out, dim, cells)
    return out


def _adaptive_mean(input: Tensor, dim: int, cells: int) -> Tensor:
    """The mean of each of PyTorch's adaptive windows along ``dim``, window by window (not a
    matrix product, so an inf stays inf: inf * 0 would be NaN)."""
    windows = _adaptive_windows(input.shape[dim], cells)
    return ops.cat([input.narrow(dim, start, end - start).mean(dim, keepdim=True)
                    for start, end in windows], dim)
