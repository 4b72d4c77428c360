"""The loss functions of ``bricks.nn.functional`` (re-exported there), PyTorch's formulas.

Cross-entropy and NLL with class-index targets run on fused primitives (``ops/loss.py``);
the others are composites of elementwise ops and need no backward of their own.
"""

from __future__ import annotations

import warnings

from .. import ops
from .._tensor import Tensor
from ..ops import loss as _loss

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits"]


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


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``(x - y)^2``, reduced; with ``weight``, the mean is weighted."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_pair(input, target, weight)
    if weight is None and input._value.dtype is target._value.dtype:
        return _loss.mse_primitive(input, target, reduction)
    diff = input - target
    return _apply(diff * diff, reduction, weight)


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
    return _apply(_huber(input - target, delta), reduction, weight)


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
    return _apply(loss, reduction)


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
    loss = _loss.binary_cross_entropy_primitive(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * weight
    return _apply(loss, reduction)


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
    softplus_neg = _loss.softplus_neg(input)
    if pos_weight is not None:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _apply(loss, reduction)


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
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype}")
    bad = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")


def _shape_back(loss: Tensor, input: Tensor, target: Tensor, reduction: str) -> Tensor:
    if reduction != "none":
        return loss
    return loss.reshape(tuple(target.shape)) if input.ndim > 1 else loss.reshape(())


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
    loss = _loss.cross_entropy_primitive(scores, classes, weight, ignore_index, reduction,
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


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-w[y_i] input[i, y_i]`` of log-probabilities ``input``.

    Shapes, ``weight``, ``ignore_index`` and the weighted mean are as in ``cross_entropy``.
    """
    reduction = _reduction(reduction, size_average, reduce)
    scores, classes = _classes_last(input, target)
    _check_classes(classes, scores.shape[1], ignore_index)
    loss = _loss.nll_loss_primitive(scores, classes, weight, ignore_index, reduction)
    return _shape_back(loss, input, target, reduction)
