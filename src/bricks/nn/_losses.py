"""The loss functions of ``bricks.nn.functional`` (re-exported there), PyTorch's formulas.

Cross-entropy and NLL with class-index targets run on fused primitives (``ops/nn/loss.py``);
the others are composites of elementwise ops and need no backward of their own.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import ops
from .._autocast import full_precision  # losses run in float32 in autocast regions
from .._device import array_module
from .._dtypes import scalar_type_name
from .._tensor import Tensor
from ..autograd.function import rename
from ..ops import nn as _prim  # the layer primitives (ops/nn/)

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "margin_ranking_loss", "triplet_margin_loss", "ctc_loss"]


def _reduction(reduction: str, size_average: bool | None = None,
               reduce: bool | None = None, stacklevel: int = 3) -> str:
    """The reduction, from the legacy ``size_average``/``reduce`` flags when one is given.

    The one rule for losses, functional and modules alike (``nn.modules.loss`` calls it).
    """
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction: expected one of "
                         "'none', 'mean', 'sum'")
    return reduction


def _apply(loss: Tensor, reduction: str, weight: Tensor | None = None) -> Tensor:
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum() if weight is not None else loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _check_pair(input: Tensor, target: Tensor, weight: Tensor | None = None) -> None:
    if target._value.shape != input._value.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"Weights and input must have the same size: got weight "
                         f"{list(weight.shape)} and input {list(input.shape)}.")


@full_precision
def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``(x - y)^2``, reduced; with ``weight``, the mean is weighted."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_pair(input, target, weight)
    if weight is None and input._value.dtype is target._value.dtype:
        return _prim.mse_loss(input, target, reduction)
    diff = input - target
    return _apply(diff * diff, reduction, weight)


@full_precision
def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error ``|x - y|``, reduced; with ``weight``, the mean is weighted."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_pair(input, target, weight)
    return _apply(ops.abs(input - target), reduction, weight)


def _huber(diff: Tensor, delta: float) -> Tensor:
    # 0.5 c^2 + delta (|d| - |c|) with c = clamp(d, -delta, delta): no branch computes d^2 on a
    # value it does not select, so an infinite difference gets PyTorch's gradient +-delta, not
    # the NaN of 0 * inf that ``where`` gives.
    inside = ops.clamp(diff, -delta, delta)
    return 0.5 * inside * inside + delta * (ops.abs(diff) - ops.abs(inside))


@full_precision
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Huber's loss (Huber, 1964): ``0.5 d^2`` if ``|d| < delta``, else ``delta (|d| - delta/2)``.

    Raises:
        RuntimeError: if ``delta`` is not positive.
    """
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got "
                           f"{delta}")
    _check_pair(input, target, weight)
    return rename(_apply(_huber(input - target, delta), reduction, weight), "HuberLossBackward0")


@full_precision
def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` if ``|d| < beta``, else ``|d| - beta/2`` (Girshick, Fast R-CNN 2015).

    Equals ``huber_loss(delta=beta) / beta``; ``beta=0`` gives the L1 loss.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got "
                           f"{beta}")
    _check_pair(input, target)
    diff = input - target
    loss = ops.abs(diff) if beta == 0 else _huber(diff, beta) / beta
    return rename(_apply(loss, reduction), "SmoothL1LossBackward0")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """``-w (y log x + (1 - y) log(1 - x))`` with probabilities ``x``; logs clamped at -100.

    Raises:
        ValueError: if ``target`` and ``input`` differ in shape.
        RuntimeError: if an input value is outside [0, 1].
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target._value.shape != input._value.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    values = input._value
    if values.size and not ((values >= 0) & (values <= 1)).all():  # NaN is refused too
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = _prim.binary_cross_entropy(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * weight
    return rename(_apply(loss, reduction), "BinaryCrossEntropyBackward0")


@full_precision
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``-w (p y log s(x) + (1 - y) log(1 - s(x)))``, ``s`` the sigmoid, ``p`` = pos_weight.

    Computed as PyTorch does, stably for any logit:
    ``(1 - y) x + (1 + (p - 1) y) (log(1 + exp(-|x|)) + max(-x, 0))``.

    Raises:
        ValueError: if ``target`` and ``input`` differ in shape.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target._value.shape != input._value.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    softplus_neg = _prim.softplus_neg(input)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return rename(_apply(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")


def _classes_last(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) scores and (N, d1, ...) targets as (M, C) and (M,)."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1)
    if input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.ndim == 2:
        if target.ndim != 1:
            raise RuntimeError(f"Expected target of size [{input.shape[0]}] for input of size "
                               f"{list(input.shape)}, got {list(target.shape)}")
        return input, target
    expected = [input.shape[0]] + list(input.shape[2:])
    if list(target.shape) != expected:
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    return ops.movedim(input, 1, -1).reshape(-1, input.shape[1]), target.reshape(-1)


def _check_classes(target: Tensor, classes: int, ignore_index: int) -> None:
    t = target._value
    if t.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{scalar_type_name(t.dtype)}")
    bad = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")


def _shape_back(loss: Tensor, input: Tensor, target: Tensor, reduction: str) -> Tensor:
    shape = tuple(target.shape) if input.ndim > 1 else ()
    if reduction != "none" or tuple(loss.shape) == shape:
        return loss
    return loss.reshape(shape)


@full_precision
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between the softmax of ``input`` scores and ``target``.

    ``loss_i = -w[y_i] log softmax(x_i)[y_i]`` for class indices ``y``; with probabilities,
    ``-sum_c w_c p_ic log softmax(x_i)_c``. Label smoothing (Szegedy et al., 2016) mixes the
    target with the uniform distribution: ``(1 - s) * loss + s/C * (-sum_c w_c log p_ic)``.
    The mean with class indices divides by ``sum w[y_i]`` over non-ignored samples.

    Args:
        input: (N, C), (C,) or (N, C, d1, ...) unnormalised scores.
        target: int64 class indices (N,) / () / (N, d1, ...), or float probabilities shaped
            like ``input``.
        weight: (C,) class weights.
        ignore_index: class index that contributes neither loss nor gradient.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``.
        label_smoothing: in [0, 1].

    Raises:
        ValueError: if the batch sizes differ or the reduction is unknown.
        IndexError: for a class index outside [0, C).
        RuntimeError: for a target of the wrong shape or dtype.

    Example:
        >>> import bricks
        >>> scores = bricks.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> round(cross_entropy(scores, bricks.tensor([0, 1])).item(), 4)
        0.1269
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if target._value.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape):
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    scores, classes = _classes_last(input, target)
    _check_classes(classes, scores.shape[1], ignore_index)
    loss = _prim.cross_entropy(scores, classes, weight, ignore_index, reduction,
                               label_smoothing)
    return _shape_back(loss, input, target, reduction)


def _soft_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                        label_smoothing: float) -> Tensor:
    """Cross-entropy with class probabilities: a composite of log-softmax and a sum."""
    class_dim = 0 if input.ndim == 1 else 1
    classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = ops.log_softmax(input, class_dim) * target
    if weight is not None:
        terms = terms * weight.reshape((-1,) + (1,) * (input.ndim - class_dim - 1))
    loss = -terms.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // classes)
    return loss.sum() if reduction == "sum" else loss


@full_precision
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-w[y_i] input[i, y_i]`` of log-probabilities ``input``.

    Shapes, ``weight``, ``ignore_index`` and the weighted mean are as in ``cross_entropy``.
    """
    reduction = _reduction(reduction, size_average, reduce)
    scores, classes = _classes_last(input, target)
    _check_classes(classes, scores.shape[1], ignore_index)
    loss = _prim.nll_loss(scores, classes, weight, ignore_index, reduction)
    return _shape_back(loss, input, target, reduction)


@full_precision
def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence ``target (log target - input)`` of log-probabilities
    ``input`` from ``target`` (probabilities, or log-probabilities with ``log_target``).

    ``reduction='batchmean'`` divides the sum by the batch size (the true KL divergence);
    ``'mean'`` divides by the number of elements, with PyTorch's warning.
    """
    if reduction == "batchmean":
        batchmean, reduction = True, "sum"
    else:
        batchmean = False
        reduction = _reduction(reduction, size_average, reduce)
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        positive = target > 0
        safe = ops.where(positive, target, 1.0)
        loss = ops.where(positive, target * ops.log(safe), 0.0) - target * input
    out = _apply(loss, reduction)
    if batchmean and input.ndim != 0:
        return out / input.shape[0]
    return out


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``, ``y`` = 1 where x1 should rank higher, -1 else.

    Raises:
        RuntimeError: if the three shapes differ.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {input1.shape}, input2: "
                           f"{input2.shape}, target: {target.shape} ")
    return _apply(ops.clamp(-target * (input1 - input2) + margin, min=0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)``, ``d`` the pairwise p-norm distance
    (Balntas et al., 2016); ``swap`` uses ``min(d(a, n), d(p, n))``.

    Raises:
        RuntimeError: if the three inputs differ in rank.
    """
    from ._normalization import pairwise_distance

    reduction = _reduction(reduction, size_average, reduce)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                         f"{margin} instead")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ops.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply(ops.clamp(margin + d_pos - d_neg, min=0), reduction)


def _lengths(value: Any, name: str, batch: int) -> list[int]:
    lengths = [int(n) for n in (value.tolist() if isinstance(value, Tensor) else value)] \
        if not isinstance(value, int) else [value]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected {name} to have value at most {batch} elements, got "
                           f"{len(lengths)}")
    return lengths


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The connectionist temporal classification loss (Graves et al., 2006).

    Args:
        log_probs: (T, N, C) log-probabilities (``log_softmax`` over C), or (T, C).
        targets: (N, S) padded label sequences, or their concatenation (sum of lengths,).
        input_lengths: (N,) the length of each input, at most T.
        target_lengths: (N,) the length of each target.
        blank: the blank label.
        reduction: ``'mean'`` (each loss divided by its target length, then averaged),
            ``'sum'`` or ``'none'``.
        zero_infinity: replace infinite losses (no possible alignment) and their gradients
            by zero.

    Raises:
        RuntimeError: for lengths that do not fit the inputs, or a blank or label outside
            [0, C).
    """
    reduction = _reduction(reduction)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    steps, batch, classes = lp.shape
    inputs = _lengths(input_lengths, "input_lengths", batch)
    lengths = _lengths(target_lengths, "target_lengths", batch)
    labels = targets._value if batched or targets.ndim != 1 or len(lengths) != 1 \
        else targets._value.reshape(1, -1)
    if not 0 <= blank < classes:
        raise RuntimeError(f"blank must be in label range, got blank={blank} for {classes} "
                           "classes")
    per_sample, start = [], 0
    for b in range(batch):
        if not 0 < inputs[b] <= steps:
            raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got "
                               f"value {inputs[b]} (while checking arguments for ctc_loss_cpu)")
        if labels.ndim == 2:
            sample = labels[b, :lengths[b]]
        else:
            sample, start = labels[start:start + lengths[b]], start + lengths[b]
        if sample.size != lengths[b] or (sample.size and (sample.min() < 0
                                                         or sample.max() >= classes)):
            raise RuntimeError(f"ctc_loss: target {b} of length {lengths[b]} does not fit "
                               f"targets of shape {list(targets.shape)} with {classes} classes")
        per_sample.append(sample.astype("int64"))
    loss = _prim.ctc_loss(lp, per_sample, inputs, blank, zero_infinity)
    if reduction == "none":
        return loss if batched else loss.squeeze(0)
    if reduction == "sum":
        return loss.sum()
    module = array_module(lp._value)  # the divisor lives where the loss does
    divisor = Tensor._wrap(module.maximum(module.asarray(lengths), 1).astype(lp._value.dtype))
    return (loss / divisor).mean()
