"""SyncBatchNorm: batch normalization whose statistics cover the batches of every rank."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ..module import Module
from .normalization import _BatchNorm
from .utils import _layer_text, _shape_text

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalization over N (and the spatial dimensions) of all ranks' batches together.

    In training, with an initialised process group of more than one rank, the mean and
    variance are those of the global batch (the concatenation of every rank's input), and
    backward gives each rank its part of the gradient of that global normalization. Otherwise
    (evaluation, one process) it is ``BatchNorm``. Ranks may hold batches of different sizes.

    Args:
        num_features: the number of channels C (dimension 1 of the input (N, C, *)).
        eps: added to the variance for stability.
        momentum: the weight of the new batch in the running statistics; None for a
            cumulative average.
        affine: whether to learn a per-channel weight and bias.
        track_running_stats: keep running statistics and use them in evaluation.
        process_group: accepted for PyTorch's signature: the default group is used.

    Raises:
        ValueError: in forward, for an input with fewer than 2 dimensions.
        RuntimeError: in forward, if the input does not have num_features channels.

    Example:
        >>> from bricks import nn
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
        >>> nn.SyncBatchNorm.convert_sync_batchnorm(model)[1]
        SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         dtype=dtype)
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        if not (self.training and _world_size() > 1):
            return super().forward(input)
        from ...distributed._sync_batch_norm import sync_batch_norm

        factor = self._count_batch()
        keep = self.track_running_stats
        return sync_batch_norm(input, self.weight, self.bias,
                               self.running_mean if keep else None,
                               self.running_var if keep else None, factor, self.eps)

    def _check_rank(self, shape: Any) -> None:
        if len(shape) < 2:
            raise ValueError(f"{_layer_text(self)}: expected at least 2D input, got shape "
                             f"{_shape_text(shape)}")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every BatchNorm layer in ``module`` by a SyncBatchNorm sharing its state.

        The new layers hold the same Parameter and buffer objects (an optimizer made before
        keeps working) and the same mode. Returns ``module`` (or the new layer, when
        ``module`` itself is a BatchNorm).
        """
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
            return converted
        for name, child in list(module.named_children()):
            new = cls.convert_sync_batchnorm(child, process_group)
            if new is not child:
                module.add_module(name, new)
        return module


def _world_size() -> int:
    from ... import distributed

    return distributed.get_world_size() if distributed.is_initialized() else 1
