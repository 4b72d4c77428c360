"""Fractional max pooling of ``bricks.nn.functional`` (re-exported there): Graham's pooling
with pseudo-random window steps, in 2-D and 3-D (Graham, "Fractional Max-Pooling", 2014,
https://arxiv.org/abs/1412.6071).

A composite. Each (n, c) plane has one sample u in [0, 1) per spatial dimension; window i
starts at ``int((i + u) * alpha) - int(u * alpha)`` with ``alpha = (size - k) / (out - 1)``,
the last one at ``size - k`` (PyTorch's ``generate_intervals``, computed in the input's
dtype as there, so that passing torch's ``_random_samples`` gives torch's windows). The
winner of each window is found in NumPy (the first maximum, or the last NaN) and gathered,
so the gradient reaches it, added up where windows overlap.
"""

from __future__ import annotations

import math
from typing import Any

from .._creation import rand
from .._device import array_module, xp
from .._tensor import Tensor
from ._pooling import _check_pool_input, _gather_winners, _winner

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]

# PyTorch's words for each spatial dimension in its "too large" message
_AXIS_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _sizes(value: Any, dims: int, name: str, op: str) -> tuple:
    """An int or a tuple of ``dims`` ints, as PyTorch's fractional pooling takes them."""
    sizes = (value,) * dims if isinstance(value, int) else tuple(value)
    if len(sizes) == 1:
        sizes = sizes * dims
    if len(sizes) != dims:
        raise RuntimeError(f"{op}: {name} must either be a single Int or tuple of Ints")
    return sizes


def _output_size(input: Tensor, output_size: Any, output_ratio: Any, dims: int) -> Any:
    """``output_size``, or ``output_ratio`` times the input's spatial size (rounded down)."""
    name = f"fractional_max_pool{dims}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is not None:
        return output_size
    if dims == 2:  # torch's 2-D function takes len() of the ratio, so a plain float fails
        if len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or "
                             "tuple of Ints.")
    ratio = (output_ratio,) * dims if isinstance(output_ratio, (int, float)) else \
        tuple(output_ratio) * (dims if len(output_ratio) == 1 else 1)
    return [int(input.size(d - dims) * r) for d, r in enumerate(ratio)]


def _check_samples(input: Tensor, samples: Tensor, dims: int) -> None:
    """PyTorch's checks of ``_random_samples`` against the input: (>= N, C, dims), same dtype."""
    if samples._value.dtype != input._value.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batched = input.ndim == dims + 2
    batch, channels = (input.shape[0], input.shape[1]) if batched else (1, input.shape[0])
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got "
                           f"{samples.shape[2]}.")


def _check_fits(input: Tensor, kernel: tuple, size: tuple, name: str) -> None:
    spatial = input.shape[input.ndim - len(kernel):]
    slack = 1 if len(kernel) == 3 else 0  # torch's 3-D check is strict, its 2-D one not
    for axis, n, k, out in zip(_AXIS_NAMES[len(kernel)], spatial, kernel, size):
        if out + k - 1 + slack > n:
            raise RuntimeError(f"{name}(): pool {axis} {k} too large relative to input "
                               f"{axis} {n}")
    if min(size) < 0:
        shape = list(input.shape[:input.ndim - len(kernel)]) + list(size)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{shape}")


def _starts(sample: Any, size: int, out: int, kernel: int) -> Any:
    """(..., out) window starts along one dimension for the samples ``sample`` (...):
    PyTorch's ``generate_intervals``, in the samples' dtype."""
    module = array_module(sample)
    starts = module.full(sample.shape + (out,), size - kernel, xp.int64)
    if out > 1:
        alpha = sample.dtype.type(size - kernel) / sample.dtype.type(out - 1)
        steps = module.arange(out - 1).astype(sample.dtype)
        shifted = ((steps + sample[..., None]) * alpha).astype(xp.int64)
        starts[..., :-1] = shifted - (sample * alpha).astype(xp.int64)[..., None]
    return starts


def _candidates(samples: Any, spatial: tuple, size: tuple, kernel: tuple) -> Any:
    """(N, C, *size, prod(kernel)) flat indices into the spatial dimensions of every cell of
    every window, cells in (d, h, w) order so that the first maximum is PyTorch's."""
    dims = len(size)
    order = (1, 0) if dims == 2 else (0, 1, 2)  # torch's samples are (w, h) and (t, h, w)
    lead = samples.shape[:2]
    flat: Any = 0
    for d in range(dims):
        start = _starts(samples[..., order[d]], spatial[d], size[d], kernel[d])
        along = start[..., None] + array_module(samples).arange(kernel[d])  # (N, C, out, k)
        shape = [1] * (2 * dims)
        shape[d], shape[dims + d] = size[d], kernel[d]
        flat = flat * spatial[d] + along.reshape(lead + tuple(shape))
    return flat.reshape(lead + size + (math.prod(kernel),))


def _fractional_max_pool(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
                         return_indices: bool, samples: Tensor | None, dims: int) -> Any:
    name = f"fractional_max_pool{dims}d"
    kernel = _sizes(kernel_size, dims, "kernel_size", name)
    if min(kernel) <= 0:  # torch's 2-D kernel returns -inf for empty windows; bricks refuses
        raise RuntimeError(f"{name}(): kernel_size must be greater than 0, but got "
                           f"{kernel_size}")
    size = _sizes(_output_size(input, output_size, output_ratio, dims), dims, "output_size",
                  name)
    # torch's order: the samples' shape is read, the input checked, then the samples
    shape = (1 if input.ndim == dims + 1 else input.size(0), input.size(-dims - 1), dims)
    kernel_name = name if dims == 2 else "fractional_max_pool3d_out"
    _check_pool_input(input, dims, kernel_name, "check_uniform_bounds", fractional=True)
    if samples is None:
        samples = rand(*shape, dtype=input.dtype, device=input.device)
    _check_samples(input, samples, dims)
    _check_fits(input, kernel, size, kernel_name)
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    indices = _winner_indices(x._value, samples._value[:x.shape[0]], size, kernel)
    values = _gather_winners(x, indices, dims)
    if not batched:
        values, indices = values.squeeze(0), indices[0]
    return (values, Tensor._wrap(indices)) if return_indices else values


def _winner_indices(x: Any, samples: Any, size: tuple, kernel: tuple) -> Any:
    """(N, C, *size) flat spatial indices of each window's winner."""
    lead, spatial = x.shape[:2], x.shape[2:]
    candidates = _candidates(samples, spatial, size, kernel)
    flat = x.reshape(lead + (math.prod(spatial),))
    cells = candidates.reshape(lead + (math.prod(candidates.shape[2:]),))
    values = xp.take_along_axis(flat, cells, axis=-1).reshape(candidates.shape)
    k = _winner(values)
    return xp.take_along_axis(candidates, k[..., None], axis=-1)[..., 0]


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling of (N, C, H, W) or (C, H, W): the maximum over (kH, kW)
    windows placed at pseudo-random steps so that the output is ``output_size``.

    Args:
        input: (N, C, H, W) or (C, H, W), floating point.
        kernel_size: int or (kH, kW).
        output_size: int or (oH, oW); or else
        output_ratio: a pair of fractions of (H, W) (rounded down).
        return_indices: also return the flat index in (H, W) of each maximum.
        _random_samples: (N, C, 2) samples in [0, 1) of the input's dtype, one per plane for
            (W, H); drawn with ``bricks.rand`` when not given.

    Returns:
        The pooled tensor, and the int64 indices when ``return_indices``.

    Raises:
        ValueError: when neither output_size nor output_ratio is given.
        RuntimeError: for a wrong input rank, an empty non-batch dimension, a window that
            does not fit, or samples of the wrong shape or dtype.

    Example:
        >>> import bricks
        >>> from bricks.nn import functional as F
        >>> x = bricks.arange(25.0).reshape(1, 1, 5, 5)
        >>> F.fractional_max_pool2d(x, 2, output_size=2,
        ...                         _random_samples=bricks.full((1, 1, 2), 0.5))
        tensor([[[[ 6.,  9.],
                  [21., 24.]]]])
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, 2)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W); arguments as
    ``fractional_max_pool2d`` with three spatial dimensions (samples (N, C, 3) for (T, H, W),
    indices flat in (T, H, W)).
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices,
                                _random_samples, 3)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> Any:
    """``fractional_max_pool2d`` that returns (values, indices) whatever ``return_indices``."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True,
                                _random_samples, 2)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> Any:
    """``fractional_max_pool3d`` that returns (values, indices) whatever ``return_indices``."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, True,
                                _random_samples, 3)
