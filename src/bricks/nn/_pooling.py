"""More pooling of ``bricks.nn.functional`` (re-exported there): adaptive max pooling, max
unpooling, power-average (LP) pooling (1-D to 3-D each), 3-D average pooling, 3-D adaptive
average pooling and the ``*_with_indices`` forms.

All are composites. Adaptive max pooling finds each window's winner in NumPy (PyTorch's: the
first maximum, or the last NaN) and gathers it, so the gradient reaches that one element as
in PyTorch; unpooling scatters into zeros (its gradient gathers back); average pooling is
separable into sums over planes and over depth, adaptive average pooling into window means
along each dimension.
"""

from __future__ import annotations

import itertools
import math
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
           "lp_pool2d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
           "adaptive_max_pool3d_with_indices", "max_unpool3d", "lp_pool3d"]


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


def _adaptive_max_indices(x: Any, size: tuple) -> Any:
    """(..., *size) flat indices into the trailing ``len(size)`` dimensions of ``x`` of each
    adaptive window's winner: one NumPy pass per window."""
    dims = len(size)
    lead, spatial = x.shape[:-dims], x.shape[-dims:]
    indices = array_module(x).zeros(lead + size, xp.int64)
    windows = [_adaptive_windows(n, out) for n, out in zip(spatial, size)]
    for cell in itertools.product(*(range(out) for out in size)):
        bounds = [windows[d][i] for d, i in enumerate(cell)]
        block = x[(...,) + tuple(slice(start, end) for start, end in bounds)]
        k = _winner(block.reshape(lead + (math.prod(block.shape[-dims:]),)))
        offsets = xp.unravel_index(k, block.shape[-dims:])
        at = [start + offset for (start, _), offset in zip(bounds, offsets)]
        indices[(...,) + cell] = xp.ravel_multi_index(at, spatial)
    return indices


def _gather_winners(input: Tensor, indices: Any, dims: int) -> Tensor:
    """The elements of ``input`` at the flat ``indices`` into its last ``dims`` dimensions
    (one index array per leading position); the gradient goes back to those elements."""
    lead = input.shape[:input.ndim - dims]
    flat = input.reshape(*lead, math.prod(input.shape[input.ndim - dims:]))
    index = Tensor._wrap(indices.reshape(lead + (math.prod(indices.shape[len(lead):]),)))
    return ops.gather(flat, -1, index).reshape(indices.shape)


def _check_pool_input(input: Tensor, dims: int, name: str, kernel: str,
                      fractional: bool = False) -> None:
    """PyTorch's checks of an adaptive or fractional max pooling's input: its rank, every
    non-batch dimension non-empty, a floating dtype (``kernel`` names torch's kernel)."""
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            sizes = f"got{list(input.shape)}" if fractional else \
                f"input has sizes {list(input.shape)}"  # torch's two wordings
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but {sizes} with dimension {d} being empty"
                               + ("." if fractional else ""))
    if input._value.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input._value.dtype)}'")


def _adaptive_max_pool(input: Tensor, output_size: Any, return_indices: bool,
                       dims: int) -> Any:
    """The adaptive max pooling over the last ``dims`` dimensions (PyTorch's windows)."""
    name = f"adaptive_max_pool{dims}d"
    _check_pool_input(input, dims, name, "adaptive_max_pool3d_cpu" if dims == 3 else
                      "adaptive_max_pool2d")
    size = (output_size,) * dims if isinstance(output_size, int) else tuple(output_size)
    if len(size) != dims:
        raise RuntimeError(f"{name}(): internal error: output_size.size() must be {dims}")
    spatial = input.shape[input.ndim - dims:]
    size = tuple(n if s is None else s for s, n in zip(size, spatial))
    if min(size) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(input.shape[:input.ndim - dims]) + list(size)}")
    indices = _adaptive_max_indices(input._value, size)
    values = _gather_winners(input, indices, dims)
    return (values, Tensor._wrap(indices)) if return_indices else values


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of (N, C, H, W) or (C, H, W) over ``output_size`` adaptive windows
    (PyTorch's: cell i spans [floor(i H / out), ceil((i + 1) H / out))).

    ``None`` in ``output_size`` keeps that dimension; ``return_indices`` also returns each
    winner's flat index in (H, W), as ``max_unpool2d`` takes it. The winner is the first
    maximum, or the last NaN, as in PyTorch.

    Raises:
        RuntimeError: for input that is not 3-D or 4-D, an empty non-batch dimension, or an
            output_size not of two values.
        NotImplementedError: for integer input.
    """
    return _adaptive_max_pool(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of (N, C, D, H, W) or (C, D, H, W) over ``output_size`` adaptive windows;
    arguments as ``adaptive_max_pool2d``, indices flat in (D, H, W).

    Example:
        >>> import bricks
        >>> from bricks.nn import functional as F
        >>> F.adaptive_max_pool3d(bricks.arange(24.0).reshape(1, 2, 3, 4), (1, 1, 2))
        tensor([[[[21., 23.]]]])
    """
    return _adaptive_max_pool(input, output_size, return_indices, 3)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of (N, C, L) or (C, L) over ``output_size`` adaptive windows; arguments
    as ``adaptive_max_pool2d``, indices into L.

    Raises:
        RuntimeError: for input that is not 2-D or 3-D, or an output_size not of one int.
    """
    cells = _adaptive_1d_size(input, output_size, "adaptive_max_pool1d")
    return _adaptive_max_pool(input, (cells,), return_indices, 1)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """``adaptive_max_pool1d`` that returns the indices too (by default)."""
    return adaptive_max_pool1d(input, output_size, return_indices)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """``adaptive_max_pool2d`` that returns the indices too (by default)."""
    return adaptive_max_pool2d(input, output_size, return_indices)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """``adaptive_max_pool3d`` that returns the indices too (by default)."""
    return adaptive_max_pool3d(input, output_size, return_indices)


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
    if input.ndim not in (dims + 1, dims + 2):
        planes = max(dims, 2)  # torch unpools 1-D input as 2-D, so its message says so
        raise RuntimeError(f"Input to max_unpooling{planes}d should be a {planes + 1}d or "
                           f"{planes + 2}d Tensor, but got a tensor with "
                           f"{input.ndim + planes - dims} dimensions.")
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
    pooled = math.prod(input.shape[input.ndim - dims:])  # spelled out: -1 fails when empty
    blank = zeros(*lead, cells, dtype=input.dtype, device=input.device)
    out = ops.scatter(blank, -1, indices.reshape(*lead, pooled), input.reshape(*lead, pooled))
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


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool3d``: each value of (N, C, d, h, w) put back at its
    flat index in (D, H, W), zeros elsewhere. Arguments as ``max_unpool2d``."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


# ----- power-average pooling -----
def _lp_from_mean(mean: Tensor, norm_type: float, cells: int) -> Tensor:
    """``(cells * mean) ** (1 / p)`` from the window means of ``x ** p``.

    PyTorch writes the mean as ``sign(m) * relu(|m|)``: the same values, but no gradient
    where ``m`` is 0 (there the root's infinite slope would give NaN); the ``where`` keeps
    that.
    """
    return (ops.where(mean != 0, mean, mean.detach()) * cells) ** (1.0 / norm_type)


def _lp_pool(input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool,
             dims: int) -> Tensor:
    """The power-average pooling over the last ``dims`` dimensions; ``norm_type`` of +-inf
    is the max (min) of ``|x|``, as in PyTorch."""
    max_pool, avg_pool = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d),
                          3: (max_pool3d, avg_pool3d)}[dims]
    kernel = _tuple(kernel_size, dims, "kernel_size", f"lp_pool{dims}d")
    if norm_type == math.inf:
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    mean = avg_pool(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _lp_from_mean(mean, norm_type, math.prod(kernel))


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** p over each window) ** (1 / p)`` along L of (N, C, L) or (C, L)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** p over each window) ** (1 / p)`` of (N, C, H, W) or (C, H, W): the
    power-average pooling; p = 1 is sum pooling, p = inf max pooling of ``|x|``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum of x ** p over each window) ** (1 / p)`` of (N, C, D, H, W) or (C, D, H, W);
    arguments as ``lp_pool2d``.

    Example:
        >>> import bricks
        >>> from bricks.nn import functional as F
        >>> F.lp_pool3d(bricks.ones(1, 2, 2, 2), 2, 2)
        tensor([[[[2.8284]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


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
    if input.ndim not in (4, 5) or 0 in input.shape[-4:]:  # an empty batch is allowed
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
