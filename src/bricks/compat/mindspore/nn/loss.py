"""``mindspore.nn`` losses, computed by ``bricks.nn.functional``.

Class-index labels may be Int32 (MindSpore's usual) or Int64: they are widened for bricks.
"""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from ..._facade import unwrap
from ..tensor import Tensor
from .cell import Cell

__all__ = ["LossBase", "MSELoss", "L1Loss", "CrossEntropyLoss",
           "SoftmaxCrossEntropyWithLogits", "BCEWithLogitsLoss", "NLLLoss"]

_REDUCTIONS = ("mean", "sum", "none")


def _labels(labels: Any) -> bricks.Tensor:
    tensor = unwrap(labels)
    return tensor.long() if not tensor.is_floating_point() else tensor


def _optional(value: Any) -> Any:
    return None if value is None else unwrap(value)


class LossBase(Cell):
    """The base of losses: ``get_loss(x, weights)`` weights and reduces an elementwise loss.

    Args:
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Raises:
        ValueError: for another reduction.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"For '{type(self).__name__}', the 'reduction' must be in "
                             f"['mean', 'sum', 'none'], but got {reduction}.")
        self.reduction = reduction

    def get_loss(self, x: Any, weights: Any = 1.0) -> Tensor:
        """``x * weights`` reduced as ``reduction`` says."""
        loss = unwrap(x) * unwrap(weights)
        if self.reduction == "mean":
            loss = loss.mean()
        elif self.reduction == "sum":
            loss = loss.sum()
        return Tensor._wrap(loss)

    def extra_repr(self) -> str:
        return ""


class MSELoss(LossBase):
    """The mean squared error ``(logits - labels) ** 2``, reduced."""

    def construct(self, logits: Any, labels: Any) -> Tensor:
        return Tensor._wrap(F.mse_loss(unwrap(logits), unwrap(labels), reduction=self.reduction))


class L1Loss(LossBase):
    """The absolute error ``|logits - labels|``, reduced."""

    def construct(self, logits: Any, labels: Any) -> Tensor:
        return Tensor._wrap(F.l1_loss(unwrap(logits), unwrap(labels), reduction=self.reduction))


class CrossEntropyLoss(LossBase):
    """Cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C).

    Args:
        weight: a weight per class.
        ignore_index: a class index whose samples do not count.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        label_smoothing: the amount of smoothing of the targets, in [0, 1].
    """

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index
        self.label_smoothing = label_smoothing

    def construct(self, logits: Any, labels: Any) -> Tensor:
        return Tensor._wrap(F.cross_entropy(
            unwrap(logits), _labels(labels), _optional(self.weight),
            ignore_index=self.ignore_index, reduction=self.reduction,
            label_smoothing=self.label_smoothing))


class SoftmaxCrossEntropyWithLogits(LossBase):
    """Softmax cross-entropy; ``sparse=True`` takes class indices, else one-hot labels.

    The default reduction is ``'none'``, as MindSpore's.
    """

    def __init__(self, sparse: bool = False, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.sparse = sparse

    def construct(self, logits: Any, labels: Any) -> Tensor:
        target = _labels(labels) if self.sparse else unwrap(labels).to(unwrap(logits).dtype)
        return Tensor._wrap(F.cross_entropy(unwrap(logits), target, reduction=self.reduction))


class BCEWithLogitsLoss(LossBase):
    """Binary cross-entropy on logits, with optional ``weight`` and ``pos_weight``."""

    def __init__(self, reduction: str = "mean", weight: Any = None,
                 pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def construct(self, logits: Any, labels: Any) -> Tensor:
        return Tensor._wrap(F.binary_cross_entropy_with_logits(
            unwrap(logits), unwrap(labels), _optional(self.weight), reduction=self.reduction,
            pos_weight=_optional(self.pos_weight)))


class NLLLoss(LossBase):
    """The negative log-likelihood of log-probabilities (N, C) at class indices (N,)."""

    def __init__(self, weight: Any = None, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def construct(self, logits: Any, labels: Any) -> Tensor:
        return Tensor._wrap(F.nll_loss(unwrap(logits), _labels(labels), _optional(self.weight),
                                       ignore_index=self.ignore_index,
                                       reduction=self.reduction))
