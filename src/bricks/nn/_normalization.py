"""Group, instance, RMS and local response normalization, ``normalize`` and the distances of
``bricks.nn.functional`` (re-exported there): ``cosine_similarity``, ``pairwise_distance``,
``pdist``.
"""

from __future__ import annotations

from typing import Sequence

from .. import ops
from .._everyday import finfo
from .._tensor import Tensor, bump_version
from ..autograd.function import rename
from ..ops import nn as _prim  # the layer primitives (ops/nn/)

__all__ = ["group_norm", "instance_norm", "normalize", "cosine_similarity", "pairwise_distance",
           "rms_norm", "local_response_norm", "pdist"]


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) over each group of ``C / num_groups`` channels (Wu and He, 2018).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, statistics per sample and group,
    weight and bias per channel.

    Raises:
        RuntimeError: if the input has fewer than 2 dimensions or C is not divisible by
            num_groups.
    """
    if input.ndim < 2 or num_groups <= 0 or input.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    return _prim.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) over its spatial dimensions
    (Ulyanov et al., 2016).

    As PyTorch: batch normalization of the input seen as (1, N * C, *); the running
    statistics, when given, are updated with the mean over the samples.

    Raises:
        ValueError: with use_input_stats and a single spatial element.
    """
    n, c = input.shape[:2]
    spatial = input.numel() // max(n * c, 1)
    if use_input_stats and spatial <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    x = input.reshape(1, n * c, *input.shape[2:])
    stats = [None if t is None else Tensor._wrap(t._value.reshape(1, -1).repeat(n, 0).ravel())
             for t in (running_mean, running_var)]
    w = None if weight is None else ops.repeat(weight, n)
    b = None if bias is None else ops.repeat(bias, n)
    out = _prim.batch_norm(x, w, b, stats[0], stats[1], use_input_stats, momentum, eps)
    if use_input_stats:
        for target, updated in zip((running_mean, running_var), stats):
            if target is not None and updated is not None:
                target._value[...] = updated._value.reshape(n, c).mean(axis=0)
                bump_version(target)
    return out.reshape(input.shape)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    norm = ops.norm(input, p, dim, keepdim=True)
    return input / ops.clamp(norm, min=eps).expand_as(input)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``, inputs broadcast."""
    n1 = ops.clamp(ops.norm(x1, 2, dim, keepdim=True), min=eps)
    n2 = ops.clamp(ops.norm(x2, 2, dim, keepdim=True), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension."""
    return rename(ops.norm(x1 - x2 + eps, p, -1, keepdim=keepdim), "NormBackward1")


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims
    (Zhang and Sennrich, 2019); ``eps`` defaults to the dtype's machine epsilon.

    Raises:
        RuntimeError: if the input's trailing dimensions or the weight's shape differ from
            ``normalized_shape``, with PyTorch's messages.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if input.ndim < len(shape) or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(shape)}")
    if eps is None:
        eps = float(finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ops.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out * weight if weight is not None else out


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Divide each element by ``(k + alpha / size * sum of x^2 over size neighbouring
    channels) ** beta`` (Krizhevsky et al., 2012, the AlexNet normalization).

    The window over the channels (dim 1) spans ``size // 2`` before and ``(size - 1) // 2``
    after, zero beyond the edges, as PyTorch.

    Raises:
        ValueError: for input with fewer than 3 dimensions.
    """
    if input.ndim < 3:
        # PyTorch's message, with the run of spaces its source's line continuation leaves
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got "
                         f"{input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    squares = _prim.pad(input * input, [(0, 0), (size // 2, (size - 1) // 2)]
                        + [(0, 0)] * (input.ndim - 2), 0.0)
    total = squares[:, 0:channels]
    for shift in range(1, size):
        total = total + squares[:, shift:shift + channels]
    return input / (total * (alpha / size) + k) ** beta


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The ``p``-norm distance between every pair of rows of (N, M): the N (N - 1) / 2
    entries above the diagonal of ``cdist(input, input)``, row by row.

    Raises:
        RuntimeError: for input that is not 2-D or a negative ``p``, as PyTorch.
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return _prim.pdist(input, p)
