"""The margin, embedding and likelihood losses of ``bricks.nn.functional`` (re-exported
there): ``gaussian_nll_loss``, ``poisson_nll_loss``, ``cosine_embedding_loss``,
``hinge_embedding_loss``, ``soft_margin_loss``, ``multilabel_soft_margin_loss``,
``multilabel_margin_loss``, ``multi_margin_loss`` and ``triplet_margin_with_distance_loss``.

All are composites of elementwise ops with PyTorch's formulas. Hinges are written
``where(z > 0, z, 0)``, as PyTorch's kernels test them, so a term exactly at its margin gets
no gradient.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .. import ops
from .._creation import full_like
from .._device import array_module, xp
from .._dtypes import scalar_type_name
from .._tensor import Tensor
from ..autograd.function import rename
from ..autograd.grad_mode import is_grad_enabled
from ._losses import _apply, _reduction

__all__ = ["gaussian_nll_loss", "poisson_nll_loss", "cosine_embedding_loss",
           "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_with_distance_loss"]


def _hinge(z: Tensor) -> Tensor:
    return ops.where(z > 0, z, 0.0)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 (log(var) + (input - target)^2 / var)`` (+ ``0.5 log(2 pi)`` with ``full``): the
    negative log-likelihood of ``target`` under N(input, var).

    ``var`` is clamped to at least ``eps`` for the value only (the clamp passes the gradient,
    as PyTorch's clamp under ``no_grad``). It may have the input's shape, lack its last
    dimension, or have 1 there (one variance per sample).

    Raises:
        ValueError: for a var of another size, a negative var, or an unknown reduction.
    """
    v = var if isinstance(var, Tensor) else full_like(input, float(var))
    if tuple(v.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    if bool((v._value < 0).any()):
        raise ValueError("var has negative entry/entries")
    # var below eps takes the value eps and keeps the identity's gradient (a where, not
    # var + (clamp(var) - var), which is NaN for an infinite var)
    v = ops.where(v.detach() < eps, v - v.detach() + eps, v)
    loss = 0.5 * (ops.log(v) + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of ``target`` under Poisson(rate): ``exp(input) - target *
    input`` with ``log_input`` (input is the log-rate), else ``input - target * log(input +
    eps)``; ``full`` adds Stirling's approximation of ``log(target!)`` where target > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = ops.exp(input) - target * input
    else:
        loss = input - target * ops.log(input + eps)
    if full:
        stirling = target * ops.log(target) - target + 0.5 * ops.log(2 * math.pi * target)
        loss = loss + ops.where(target > 1, stirling, 0.0)
    return _apply(loss, reduction)


def _check_long(target: Tensor) -> None:
    if target._value.dtype != xp.int64:
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{scalar_type_name(target._value.dtype)}")


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1
    (cosine along the last dimension of (N, D) or (D))."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim not in (1, 2) or input2.ndim != input1.ndim or target.ndim != \
            input1.ndim - 1:
        raise RuntimeError(f"{target.ndim}D target tensor expects {target.ndim + 1}D input "
                           f"tensors, but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    dim = input1.ndim - 1
    tiny = 1e-12  # PyTorch's guard for zero vectors
    dot = (input1 * input2).sum(dim)
    norms = ((input1 * input1).sum(dim) + tiny) * ((input2 * input2).sum(dim) + tiny)
    cos = dot / ops.sqrt(norms)
    loss = ops.where(target == 1, 1 - cos, 0.0) + ops.where(
        target == -1, ops.clamp(cos - margin, min=0), 0.0)
    return _apply(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1 (x a distance)."""
    reduction = _reduction(reduction, size_average, reduce)
    loss = ops.where(target != 1, ops.clamp(margin - input, min=0), 0.0) + ops.where(
        target != -1, input, 0.0)
    return _apply(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y x))``, the logistic loss of targets ``y`` in {1, -1}.

    Raises:
        RuntimeError: for a target that requires grad, as PyTorch (it has no derivative
            for the target).
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with "
                           "respect to argument 'target'. This input cannot have "
                           "requires_grad True.")
    loss = ops.log1p(ops.exp(-target * input))
    return rename(_apply(loss, reduction), "SoftMarginLossBackward0")


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """The mean over the C classes of the binary cross-entropy of ``sigmoid(input)`` with the
    0/1 ``target``: one-vs-all multi-label classification of (N, C)."""
    from ._activations import logsigmoid

    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _apply(loss, reduction)


def _label_counts(target: Any, classes: int) -> tuple[Any, Any]:
    """From (N, C) label lists ended by -1: how often each class is listed, and which are."""
    module = array_module(target)
    counts = module.zeros(target.shape, target.dtype)
    for row, labels in enumerate(target):
        for label in labels.tolist():
            if label < 0:
                break
            if label >= classes:
                raise RuntimeError("argument #2 'target' is out of range")
            counts[row, label] += 1
    return counts, counts > 0


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``sum over listed j, unlisted i of max(0, 1 - (x[j] - x[i])) / C`` per sample of
    (N, C) or (C); ``target`` lists the sample's classes, ended by -1 (or the row's end).

    Raises:
        RuntimeError: for a target of another shape or a class out of range.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape) or input.ndim > 2:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    _check_long(target)
    batched = input.ndim == 2
    x = input if batched else input.reshape(1, -1)
    classes = x.shape[1]
    counts, listed = _label_counts(target._value.reshape(x.shape), classes)
    z = _hinge(1 - x.unsqueeze(2) + x.unsqueeze(1))  # z[n, j, i] = 1 - (x[j] - x[i])
    pairs = Tensor._wrap((counts[:, :, None] * ~listed[:, None, :]).astype(x._value.dtype))
    loss = ops.where(pairs > 0, z * pairs, 0.0).sum((1, 2)) / classes  # 0 * inf stays out
    return _apply(loss if batched else loss.reshape(()), reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss: ``sum over i != y of max(0, margin - x[y] + x[i]) ** p
    / C`` per sample (scaled by ``weight[y]``) of (N, C) or (C).

    Raises:
        ValueError: for p other than 1 or 2.
        RuntimeError: for a target that is not int64 or out of range.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _check_long(target)
    batched = input.ndim == 2
    x = input if batched else input.reshape(1, -1)
    index = target._value.reshape(-1)
    classes = x.shape[1]
    if index.size and (index.min() < 0 or index.max() >= classes):
        raise RuntimeError("target out of range")
    column = Tensor._wrap(index.reshape(-1, 1))
    z = _hinge(margin - ops.gather(x, 1, column) + x) ** p
    others = array_module(index).arange(classes)[None, :] != index[:, None]
    terms = z * Tensor._wrap(others.astype(x._value.dtype))
    if weight is not None:
        terms = terms * weight[column]
    loss = terms.sum(1) / classes
    loss = loss if batched else loss.reshape(target.shape)
    return rename(_apply(loss, reduction), "MultiMarginLossBackward0")


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[..., Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` for any distance ``d`` (default: the pairwise
    2-norm distance); ``swap`` uses ``min(d(a, n), d(p, n))``.

    Raises:
        ValueError: for a margin not above 0 or an unknown reduction.
        RuntimeError: if the three inputs differ in rank.
    """
    from ._normalization import pairwise_distance

    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    reduction = _reduction(reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = ops.minimum(d_neg, distance(positive, negative))
    return _apply(ops.clamp(margin + d_pos - d_neg, min=0), reduction)
