"""Normalization layers: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, their lazy forms,
LayerNorm, GroupNorm, RMSNorm and LocalResponseNorm."""

from __future__ import annotations

import warnings
from typing import Any, Sequence

from ..._dtypes import int64
from ..._creation import empty, tensor
from ..._tensor import Tensor
from .. import functional as F
from .._lazy import LazyModuleMixin
from ..module import Module
from ..parameter import UninitializedBuffer, UninitializedParameter
from .utils import _add_affine, _check_sizes, _layer_text, _reset_affine, _shape_text

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d",
           "RMSNorm", "LocalResponseNorm"]


class _BatchNorm(Module):
    """Batch normalization over dimension 1 (Ioffe and Szegedy, 2015).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``. In training the batch statistics
    are used and the running ones updated as ``running = (1 - momentum) * running +
    momentum * batch`` (unbiased variance), or as a cumulative average when momentum is
    None; in evaluation the running statistics are used.
    """

    _ranks: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, num_features=num_features)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _add_affine(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", empty(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", empty(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Set the running mean to 0, the running variance to 1 and the batch count to 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, the weight to 1 and the bias to 0."""
        self.reset_running_stats()
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = self._count_batch()
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        keep_stats = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_stats else None,
                            self.running_var if keep_stats else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def _count_batch(self) -> float:
        """Count a training batch; return the weight of its statistics in the running ones:
        momentum, or ``1 / batches`` for the cumulative average that momentum None asks for.
        """
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        return factor

    def _check_input(self, input: Tensor) -> None:
        """Raise PyTorch's ValueError for a rank the layer does not take (``_check_rank``),
        and a RuntimeError for a channel count other than num_features."""
        shape = input.shape
        self._check_rank(shape)
        if shape[1] != self.num_features:
            raise RuntimeError(f"{_layer_text(self)}: expected input with "
                               f"{self.num_features} channels (dimension 1), got shape "
                               f"{_shape_text(shape)}")

    def _check_rank(self, shape: Any) -> None:
        if len(shape) not in self._ranks:
            expected = " or ".join(f"{n}D" for n in self._ranks)
            raise ValueError(f"{_layer_text(self)}: expected {expected} input, got shape "
                             f"{_shape_text(shape)}")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of an input (N, C) or (N, C, L) over N (and L), per channel C.

    Args:
        num_features: the number of channels C.
        eps: added to the variance for stability.
        momentum: the weight of the new batch in the running statistics; None for a
            cumulative average.
        affine: whether to learn a per-channel weight (and bias).
        track_running_stats: keep running statistics (buffers ``running_mean``,
            ``running_var``, ``num_batches_tracked``) and use them in evaluation.
        bias: with affine, whether to learn the bias too (keyword only, as in PyTorch).

    Raises:
        ValueError: in forward, if the input is not 2D or 3D.
        RuntimeError: in forward, if the input does not have num_features channels.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> bn = nn.BatchNorm1d(3)
        >>> [name for name, _ in bn.named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
    """

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of an input (N, C, H, W) over N, H and W, per channel C.

    Args:
        num_features, eps, momentum, affine, track_running_stats, bias: as for
            ``BatchNorm1d``.

    Raises:
        ValueError: in forward, if the input is not 4D.
        RuntimeError: in forward, if the input does not have num_features channels.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.BatchNorm2d(6)(bricks.randn(4, 6, 3, 3)).shape
        bricks.Size([4, 6, 3, 3])
    """

    _ranks = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization of an input (N, C, D, H, W) over N, D, H and W, per channel C;
    arguments as ``BatchNorm1d``.

    Raises:
        ValueError: in forward, if the input is not 5D.
        RuntimeError: in forward, if the input does not have num_features channels.
    """

    _ranks = (5,)


class _LazyBatchNorm(LazyModuleMixin, _BatchNorm):
    """Batch normalization whose num_features is inferred from the first input."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, dtype=dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=int64)

    def reset_parameters(self) -> None:
        """Initialize as batch normalization does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Take num_features from dimension 1 of ``input``, then allocate and initialize.

        Unlike PyTorch, num_features is set even when there is nothing to allocate
        (affine=False, track_running_stats=False), so that the layer prints its true size.
        """
        if self.num_features != 0:
            return
        shape = input.shape
        if len(shape) not in self._ranks:
            self._check_input(input)
        self.num_features = shape[1]
        if not self.has_uninitialized_params():  # loaded from a state dict: nothing to allocate
            return
        if self.affine:
            self.weight.materialize(  # still uninitialized here
                (self.num_features,))
            if self.bias is not None:
                self.bias.materialize((self.num_features,))
        if self.track_running_stats:
            self.running_mean.materialize((self.num_features,))
            self.running_var.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """A BatchNorm1d whose num_features is inferred from the first input; it then becomes one.

    Args:
        eps, momentum, affine, track_running_stats, bias: as for ``BatchNorm1d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> bn = nn.LazyBatchNorm1d()
        >>> _ = bn(bricks.randn(4, 3))
        >>> type(bn).__name__, bn.num_features
        ('BatchNorm1d', 3)
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """A BatchNorm2d whose num_features is inferred from the first input; it then becomes one.

    Args:
        eps, momentum, affine, track_running_stats, bias: as for ``BatchNorm2d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> bn = nn.LazyBatchNorm2d()
        >>> _ = bn(bricks.randn(4, 3, 2, 2))
        >>> type(bn).__name__, bn.num_features
        ('BatchNorm2d', 3)
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyBatchNorm, BatchNorm3d):
    """A BatchNorm3d whose num_features is inferred from the first input; it then becomes one.
    Arguments as ``BatchNorm3d``."""

    cls_to_become = BatchNorm3d


def _trailing_norm_config(layer: Module, normalized_shape: int | Sequence[int],
                          eps: float | None, elementwise_affine: bool, bias: bool, device: Any,
                          dtype: Any) -> None:
    """The config and parameters of a norm over trailing dims (LayerNorm, RMSNorm)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    layer.normalized_shape = tuple(normalized_shape)
    layer.eps = eps
    layer.elementwise_affine = elementwise_affine
    _add_affine(layer, layer.normalized_shape, elementwise_affine, bias, device, dtype)
    layer.reset_parameters()


class LayerNorm(Module):
    """Normalize over the last dimensions, those of normalized_shape (Ba et al., 2016).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the mean and the biased
    variance taken over the last ``len(normalized_shape)`` dimensions.

    Args:
        normalized_shape: the trailing shape to normalize over (an int for one dimension).
        eps: added to the variance for stability.
        elementwise_affine: whether to learn a weight (and bias) of normalized_shape.
        bias: whether to learn the bias too (with elementwise_affine).

    Raises:
        RuntimeError: in forward, if the input does not end with normalized_shape.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.LayerNorm(10)
        LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _trailing_norm_config(self, normalized_shape, eps, elementwise_affine, bias, device,
                              dtype)

    def reset_parameters(self) -> None:
        """Set the weight to 1 and the bias to 0."""
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        n = len(self.normalized_shape)
        if len(shape) < n or shape[len(shape) - n:] != self.normalized_shape:
            raise RuntimeError(f"{_layer_text(self)}: expected input with shape "
                               f"(*, {', '.join(map(str, self.normalized_shape))}), got shape "
                               f"{_shape_text(shape)}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalize each sample over groups of channels (Wu and He, 2018).

    The C channels of (N, C, *) are split into num_groups groups; each group of each sample
    is normalized over its channels and spatial cells, then scaled and shifted per channel.

    Args:
        num_groups: the number of groups; must divide num_channels.
        num_channels: C.
        eps: added to the variance for stability.
        affine: whether to learn a per-channel weight (ones) and bias (zeros).
        bias: with affine, whether to learn the bias too (keyword only).

    Raises:
        ValueError: if num_groups does not divide num_channels.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.GroupNorm(2, 4)
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        _check_sizes("GroupNorm", num_groups=num_groups, num_channels=num_channels)
        if num_groups == 0 or num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _add_affine(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set the weight to 1 and the bias to 0."""
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise RuntimeError(f"{_layer_text(self)}: expected input (N, {self.num_channels}, "
                               f"*), got shape {_shape_text(shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """Instance normalization (Ulyanov et al., 2016): each channel of each sample normalized
    over its spatial cells. Parameters, buffers and repr as batch normalization's."""

    _spatial = 1
    _ranks = (2, 3)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device=device, dtype=dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        unbatched = self._spatial + 1
        if input.ndim not in (unbatched, unbatched + 1):
            raise ValueError(f"{_layer_text(self)}: expected {unbatched}D or {unbatched + 1}D "
                             f"input (got {input.ndim}D input)")
        channels = input.shape[input.ndim - unbatched]
        if channels != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={input.ndim - unbatched} to "
                                 f"match num_features ({self.num_features}), but got: "
                                 f"{channels}.")
            warnings.warn(f"input's size at dim={input.ndim - unbatched} does not match "
                          f"num_features. You can silence this warning by not passing in "
                          f"num_features, which is not used because affine=False",
                          stacklevel=2)
        x = input.unsqueeze(0) if input.ndim == unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if input.ndim == unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L) over L, per sample and channel.

    Args:
        num_features: C.
        eps: added to the variance for stability.
        momentum: the weight of each new batch in the running statistics.
        affine: whether to learn a per-channel weight and bias (False by default).
        track_running_stats: keep running statistics and use them in evaluation (False by
            default: the input's own statistics always).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.InstanceNorm1d(3)(bricks.randn(2, 3, 5)).shape
        bricks.Size([2, 3, 5])
    """


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W) over H and W, per sample and
    channel; arguments as ``InstanceNorm1d``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> norm = nn.InstanceNorm2d(3, affine=True)
        >>> [name for name, _ in norm.named_parameters()]
        ['weight', 'bias']
    """

    _spatial = 2
    _ranks = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or (C, D, H, W); arguments as
    ``InstanceNorm1d``."""

    _spatial = 3
    _ranks = (4, 5)


class LazyInstanceNorm1d(_LazyBatchNorm, InstanceNorm1d):
    """An InstanceNorm1d whose num_features is inferred from the first input's dimension 1;
    it then becomes one. As PyTorch's lazy norms, affine and track_running_stats default
    to True here."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyBatchNorm, InstanceNorm2d):
    """An InstanceNorm2d whose num_features is inferred from the first input; it then
    becomes one. Arguments as ``LazyInstanceNorm1d``."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyBatchNorm, InstanceNorm3d):
    """An InstanceNorm3d whose num_features is inferred from the first input; it then
    becomes one. Arguments as ``LazyInstanceNorm1d``."""

    cls_to_become = InstanceNorm3d


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing ``normalized_shape`` dimensions
    (Zhang and Sennrich, 2019): ``x / sqrt(mean(x^2) + eps) * weight``, no centring.

    Args:
        normalized_shape: the trailing shape to normalize over (an int for one dimension).
        eps: added to the mean square; None for the input dtype's machine epsilon.
        elementwise_affine: whether to learn a weight of normalized_shape (initialised to 1).

    Example:
        >>> from bricks import nn
        >>> nn.RMSNorm([3, 4])
        RMSNorm((3, 4), eps=None, elementwise_affine=True)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _trailing_norm_config(self, normalized_shape, eps, elementwise_affine, False, device,
                              dtype)

    def reset_parameters(self) -> None:
        """Set the weight to 1."""
        _reset_affine(self.weight, None)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Local response normalization across channels (Krizhevsky et al., 2012): each element
    divided by ``(k + alpha / size * sum of x^2 over size neighbouring channels) ** beta``.

    Args:
        size: the number of channels in each window.
        alpha, beta, k: as in the formula.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
