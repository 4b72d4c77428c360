"""``mxnet.gluon.loss``: per-sample losses (one value per batch row), as Gluon's."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from ..._facade import unwrap
from .block import HybridBlock, wrap_like

__all__ = ["Loss", "L2Loss", "L1Loss", "SoftmaxCrossEntropyLoss", "SoftmaxCELoss"]


class Loss(HybridBlock):
    """The base of losses: ``weight`` scales the loss, ``batch_axis`` keeps one value per row."""

    def __init__(self, weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def _per_sample(self, like: Any, loss: bricks.Tensor) -> Any:
        if self._weight is not None:
            loss = loss * self._weight
        axes = [axis for axis in range(loss.ndim) if axis != self._batch_axis]
        if axes:
            loss = loss.mean(dim=axes)
        return wrap_like(like, loss)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_axis={self._batch_axis}, w={self._weight})"


class L2Loss(Loss):
    """``weight / 2 * (pred - label)^2``, averaged over all but the batch axis."""

    def __init__(self, weight: float = 1.0, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)

    def forward(self, pred: Any, label: Any) -> Any:
        difference = unwrap(pred) - unwrap(label).reshape(unwrap(pred).shape)
        return self._per_sample(pred, bricks.square(difference) / 2)


class L1Loss(Loss):
    """``weight * |pred - label|``, averaged over all but the batch axis."""

    def __init__(self, weight: float | None = None, batch_axis: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)

    def forward(self, pred: Any, label: Any) -> Any:
        difference = unwrap(pred) - unwrap(label).reshape(unwrap(pred).shape)
        return self._per_sample(pred, bricks.abs(difference))


class SoftmaxCrossEntropyLoss(Loss):
    """Cross-entropy of softmax(pred) against integer class labels (``sparse_label=True``)."""

    def __init__(self, axis: int = -1, sparse_label: bool = True, from_logits: bool = False,
                 weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def forward(self, pred: Any, label: Any) -> Any:
        scores = unwrap(pred)
        log_p = scores if self._from_logits else F.log_softmax(scores, dim=self._axis)
        target = unwrap(label)
        if self._sparse_label:
            index = target.reshape((-1, 1)).long()
            loss = -bricks.gather(log_p, self._axis, index).reshape((-1,))
        else:
            loss = -(log_p * target).sum(dim=self._axis)
        return self._per_sample(pred, loss)


SoftmaxCELoss = SoftmaxCrossEntropyLoss
