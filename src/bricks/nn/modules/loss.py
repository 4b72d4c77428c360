"""Loss layers: MSE, L1, Huber, smooth L1, cross-entropy, NLL, binary cross-entropy, KL
divergence, margin ranking, triplet margin, CTC, Gaussian and Poisson NLL, and the margin
and embedding losses (cosine and hinge embedding, soft margin, multi-label and multi-class
margins, triplet margin with any distance).

Each holds its config (``reduction``: ``'mean'``, ``'sum'`` or ``'none'``, and the like)
and calls the function of the same name in ``nn.functional``, where the formulas are.
"""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .._losses import _reduction
from ..module import Module

__all__ = ["L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "MarginRankingLoss", "TripletMarginLoss",
           "CTCLoss", "GaussianNLLLoss", "PoissonNLLLoss", "CosineEmbeddingLoss",
           "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
           "MultiLabelMarginLoss", "MultiMarginLoss", "TripletMarginWithDistanceLoss"]

class _Loss(Module):
    """A loss: records the reduction."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _reduction(reduction, size_average, reduce, stacklevel=4)


class _WeightedLoss(_Loss):
    """A loss with an optional per-class ``weight``, kept as a buffer (so in state_dict)."""

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """The mean (or sum) absolute error ``|input - target|``.

    Args:
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (elementwise).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.L1Loss()(bricks.tensor([1.0, 2.0]), bricks.tensor([0.0, 0.0]))
        tensor(1.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """The mean (or sum) squared error ``(input - target)^2``; arguments as ``L1Loss``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.MSELoss()(bricks.tensor([1.0, 2.0]), bricks.tensor([0.0, 0.0]))
        tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber's loss (Huber, 1964): ``0.5 d^2`` if ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    Args:
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (elementwise).
        delta: where the loss turns from quadratic to linear.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.HuberLoss()(bricks.tensor([0.5, 3.0]), bricks.tensor([0.0, 0.0]))
        tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1 (Girshick, 2015): ``0.5 d^2 / beta`` if ``|d| < beta``, else ``|d| - 0.5 beta``.

    Args:
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (elementwise).
        beta: where the loss turns from quadratic to linear.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.SmoothL1Loss()(bricks.tensor([0.5, 3.0]), bricks.tensor([0.0, 0.0]))
        tensor(1.3125)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits (N, C, ...) and class indices (N, ...) or probabilities.

    ``loss_n = -w[y_n] * log_softmax(x_n)[y_n]``; with reduction ``'mean'`` the sum is
    divided by the sum of the weights of the targets not ignored. label_smoothing mixes
    the target with the uniform distribution (Szegedy et al., 2016).

    Args:
        weight: a weight per class, of shape (C,).
        size_average, reduce: deprecated; use reduction.
        ignore_index: a target index that contributes neither loss nor gradient.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        label_smoothing: the amount of smoothing, in [0, 1].

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.CrossEntropyLoss()(bricks.zeros(2, 4), bricks.tensor([0, 3]))
        tensor(1.3863)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """The negative log-likelihood ``-w[y_n] * x_n[y_n]`` of log-probabilities (N, C, ...).

    Args:
        weight: a weight per class, of shape (C,).
        size_average, reduce: deprecated; use reduction.
        ignore_index: a target index that contributes neither loss nor gradient.
        reduction: ``'mean'`` (divided by the total weight), ``'sum'`` or ``'none'``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.NLLLoss()(bricks.tensor([[-1.0, -2.0]]), bricks.tensor([1]))
        tensor(2.)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 ignore_index: int = -100, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy ``-w (y log x + (1 - y) log(1 - x))`` of probabilities x.

    The logs are clamped at -100, as PyTorch does, so the loss stays finite.

    Args:
        weight: a rescaling weight, broadcast to the input.
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.BCELoss()(bricks.tensor([0.5]), bricks.tensor([1.0]))
        tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of ``sigmoid(x)``, computed stably from the logits x.

    ``-w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))``, p the pos_weight.

    Args:
        weight: a rescaling weight, broadcast to the input.
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
        pos_weight: a weight of the positive examples, per class (broadcast along the last
            dimension).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.BCEWithLogitsLoss()(bricks.tensor([0.0]), bricks.tensor([1.0]))
        tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence ``target (log target - input)`` of log-probabilities
    ``input`` from ``target``.

    Args:
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'`` (over elements, with PyTorch's warning), ``'batchmean'`` (the
            true KL divergence: the sum over the batch size), ``'sum'`` or ``'none'``.
        log_target: target is given as log-probabilities.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> p = bricks.tensor([[0.5, 0.5]])
        >>> nn.KLDivLoss(reduction="batchmean")(p.log(), p)
        tensor(0.)
    """

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        if reduction == "batchmean" and size_average is None and reduce is None:
            super().__init__()
            self.reduction = reduction
        else:
            super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """``max(0, -y (x1 - x2) + margin)``, ``y`` 1 where x1 should rank higher, -1 otherwise.

    Args:
        margin: the margin.
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
    """

    def __init__(self, margin: float = 0.0, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` with the pairwise p-norm distance ``d``
    (Balntas et al., 2016).

    Args:
        margin: the margin (positive).
        p: the order of the norm.
        eps: added to differences, as in ``PairwiseDistance``.
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance.
        size_average, reduce: deprecated; use reduction.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Raises:
        ValueError: if margin is not positive.
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    """The connectionist temporal classification loss (Graves et al., 2006).

    Args:
        blank: the blank label.
        reduction: ``'mean'`` (each loss over its target length, then averaged), ``'sum'``
            or ``'none'``.
        zero_infinity: replace infinite losses and their gradients by zero.

    Shape:
        log_probs (T, N, C) from log_softmax; targets (N, S) or concatenated; input_lengths
        and target_lengths (N,).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> log_probs = bricks.zeros(4, 1, 3).log_softmax(2)
        >>> loss = nn.CTCLoss()(log_probs, bricks.tensor([[1, 2]]), [4], [2])
        >>> round(loss.item(), 4)
        0.8432
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)


class GaussianNLLLoss(_Loss):
    """The negative log-likelihood of the target under N(input, var); see
    ``F.gaussian_nll_loss``. ``forward(input, target, var)``.

    Args:
        full: add the constant ``0.5 log(2 pi)``.
        eps: the least variance used (for the value; the gradient passes).
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """The negative log-likelihood of the target under Poisson(rate); see
    ``F.poisson_nll_loss`` (``log_input``: the input is the log-rate)."""

    def __init__(self, log_input: bool = True, full: bool = False,
                 size_average: bool | None = None, eps: float = 1e-8,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class _MarginLoss(_Loss):
    """A loss with a ``margin`` (and the legacy reduction flags)."""

    _default_margin = 1.0

    def __init__(self, margin: float | None = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = self._default_margin if margin is None else margin


class CosineEmbeddingLoss(_MarginLoss):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1."""

    _default_margin = 0.0

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """``x`` for target 1, ``max(0, margin - x)`` for target -1 (x a distance)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """The logistic loss ``log(1 + exp(-y x))`` of targets ``y`` in {1, -1}."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-vs-all binary cross-entropy on logits (N, C) with 0/1 targets, averaged over the
    classes; ``weight`` scales each class."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss; targets list each sample's classes, ended by -1."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss ``sum over i != y of max(0, margin - x[y] + x[i]) ** p /
    C``, ``p`` 1 or 2, ``weight`` per class.

    Raises:
        ValueError: for p other than 1 or 2.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.ndim}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` for any distance function ``d`` (default
    ``PairwiseDistance()``, a child module as in PyTorch).

    Raises:
        ValueError: if margin is not positive.
    """

    def __init__(self, *, distance_function: Any = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        from .distance import PairwiseDistance

        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)
