"""``mxnet.gluon.loss``: per-sample losses (one value per batch row), as Gluon's."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from ..._facade import unwrap
from .block import HybridBlock, wrap_like

__all__ = ["Loss", "L2Loss", "L1Loss", "SoftmaxCrossEntropyLoss", "SoftmaxCELoss",
           "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss", "HuberLoss", "HingeLoss",
           "SquaredHingeLoss", "LogisticLoss", "KLDivLoss"]


class Loss(HybridBlock):
    """The base of losses: ``weight`` scales the loss, ``batch_axis`` keeps one value per row."""

    def __init__(self, weight: float | None = None, batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def _per_sample(self, like: Any, loss: bricks.Tensor, total: bool = False) -> Any:
        if self._weight is not None:
            loss = loss * self._weight
        axes = [axis for axis in range(loss.ndim) if axis != self._batch_axis]
        if axes:
            loss = loss.sum(dim=axes) if total else loss.mean(dim=axes)
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


def _pair(pred: Any, label: Any) -> tuple[bricks.Tensor, bricks.Tensor]:
    scores = unwrap(pred)
    return scores, unwrap(label).reshape(scores.shape)


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross-entropy of ``sigmoid(pred)`` (or of ``pred`` if ``from_sigmoid``)."""

    def __init__(self, from_sigmoid: bool = False, weight: float | None = None,
                 batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def forward(self, pred: Any, label: Any, pos_weight: Any = None) -> Any:
        scores, target = _pair(pred, label)
        if self._from_sigmoid:
            eps = 1e-12
            loss = -(bricks.log(scores + eps) * target
                     + bricks.log(1.0 - scores + eps) * (1.0 - target))
        else:  # MXNet's stable form: relu(x) - x * y + softplus(-|x|)
            loss = F.relu(scores) - scores * target + F.softplus(-bricks.abs(scores))
        return self._per_sample(pred, loss)


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class HuberLoss(Loss):
    """``|d| - rho/2`` where ``|d| > rho``, else ``d^2 / (2 rho)``, with ``d = label - pred``."""

    def __init__(self, rho: float = 1, weight: float | None = None, batch_axis: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._rho = rho

    def forward(self, pred: Any, label: Any) -> Any:
        scores, target = _pair(pred, label)
        distance = bricks.abs(target - scores)
        loss = bricks.where(distance > self._rho, distance - 0.5 * self._rho,
                            (0.5 / self._rho) * bricks.square(distance))
        return self._per_sample(pred, loss)


class HingeLoss(Loss):
    """``max(0, margin - pred * label)`` for labels in {-1, 1}."""

    def __init__(self, margin: float = 1, weight: float | None = None, batch_axis: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def _hinge(self, pred: Any, label: Any) -> bricks.Tensor:
        scores, target = _pair(pred, label)
        return F.relu(self._margin - scores * target)

    def forward(self, pred: Any, label: Any) -> Any:
        return self._per_sample(pred, self._hinge(pred, label))


class SquaredHingeLoss(HingeLoss):
    """``max(0, margin - pred * label)^2`` for labels in {-1, 1}."""

    def forward(self, pred: Any, label: Any) -> Any:
        return self._per_sample(pred, bricks.square(self._hinge(pred, label)))


class LogisticLoss(Loss):
    """``log(1 + exp(-pred * label))``: labels in {-1, 1} (``'signed'``) or {0, 1}.

    Raises:
        ValueError: for a ``label_format`` other than ``'signed'`` or ``'binary'``.
    """

    def __init__(self, weight: float | None = None, batch_axis: int = 0,
                 label_format: str = "signed", **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        if label_format not in ("signed", "binary"):
            raise ValueError(f"label_format can only be signed or binary, recieved "
                             f"{label_format}.")
        self._label_format = label_format

    def forward(self, pred: Any, label: Any) -> Any:
        scores, target = _pair(pred, label)
        if self._label_format == "signed":
            target = (target + 1.0) / 2.0  # MXNet's formula works on {0, 1} labels
        loss = F.relu(scores) - scores * target + F.softplus(-bricks.abs(scores))
        return self._per_sample(pred, loss)


class KLDivLoss(Loss):
    """``label * (log(label) - pred)`` summed over all but the batch axis (MXNet sums).

    ``pred`` holds log-probabilities (``from_logits=True``) or scores that get a log-softmax
    along ``axis`` first.
    """

    def __init__(self, from_logits: bool = True, axis: int = -1, weight: float | None = None,
                 batch_axis: int = 0, **kwargs: Any) -> None:
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def forward(self, pred: Any, label: Any) -> Any:
        scores, target = _pair(pred, label)
        if not self._from_logits:
            scores = F.log_softmax(scores, dim=self._axis)
        loss = target * (bricks.log(target + 1e-12) - scores)
        return self._per_sample(pred, loss, total=True)
