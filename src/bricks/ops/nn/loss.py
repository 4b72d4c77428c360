"""Loss primitives on (M, C) scores with class-index targets: cross-entropy and NLL.

The other losses of ``nn.functional`` are composites of elementwise and reduction ops.
"""

from __future__ import annotations

from typing import Any

from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function, unbroadcast
from ..unary import sigmoid_array
from .activation import softplus_array

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "softplus_neg",
           "binary_cross_entropy", "ctc_loss"]

def _targets(t: Any, weight: Any, ignore_index: int, dtype: Any) -> tuple:
    """Safe class indices, and each sample's weight (0 where the target is ignored)."""
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    w_t = valid.astype(dtype) if weight is None else weight[safe] * valid
    return safe, valid, w_t


def _reduce(per_sample: Any, reduction: str, denominator: Any) -> Any:
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    return total / denominator if reduction == "mean" else total


class CrossEntropy(Function):
    # A primitive for speed and stability: log-softmax and NLL fused, and the backward is
    # (softmax - onehot) / N without building the log-softmax's Jacobian product.
    saves = (0,)
    torch_name = "NllLossBackward0"  # PyTorch's cross_entropy ends in nll_loss

    def forward(self, x, t, weight, ignore_index, reduction, label_smoothing):
        shifted = x - x.max(axis=1, keepdims=True)
        e = xp.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        logp = shifted - xp.log(s)
        self.softmax = e / s
        safe, valid, w_t = _targets(t, weight, ignore_index, x.dtype)
        rows = array_module(x).arange(x.shape[0])
        # An ignored target adds exactly 0, even where its scores are inf or NaN (as PyTorch).
        nll = xp.where(valid, -w_t * logp[rows, safe], 0)
        n_valid = w_t.sum()
        self.t, self.safe, self.valid, self.w_t, self.weight = t, safe, valid, w_t, weight
        self.reduction, self.eps = reduction, label_smoothing
        self.n_valid = n_valid
        loss = _reduce(nll, reduction, n_valid)
        if label_smoothing > 0:
            wl = logp if weight is None else logp * weight
            smooth = xp.where(valid, -wl.sum(axis=1), 0)
            c = x.shape[1]
            loss = (1 - label_smoothing) * loss + label_smoothing / c * _reduce(
                smooth, reduction, n_valid)
        return array_module(x).asarray(loss, dtype=x.dtype)

    def backward(self, gy):
        m, c = self.softmax.shape
        eps, reduction = self.eps, self.reduction
        if reduction == "none":
            a = gy * (1 - eps)
            b = gy * (eps / c)
        else:
            scale = gy / self.n_valid if reduction == "mean" else gy
            a = scale * (1 - eps)
            b = scale * (eps / c)
        # d loss / d logp = -a w_t onehot - b valid w; then through log-softmax. An ignored
        # target's row gets exactly 0, as PyTorch's: also where the mean divides by a total
        # weight of 0 (every target ignored), or its incoming gradient is inf or NaN.
        module = array_module(gy)
        coef_hot = module.where(self.valid, a * self.w_t, 0)
        gx = self.softmax * coef_hot.reshape(-1, 1)
        gx[module.arange(m), self.safe] -= coef_hot
        if eps:
            bv = module.where(self.valid, b, 0).reshape(-1, 1)
            w = module.ones(c, gy.dtype) if self.weight is None else self.weight
            gx += bv * (self.softmax * w.sum() - w)
        return gx, None, None


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None,
                  ignore_index: int, reduction: str, label_smoothing: float) -> Tensor:
    """Checked (M, C) scores and (M,) class indices in; the loss out."""
    return CrossEntropy.apply(input, target, weight, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=label_smoothing)


class NLLLoss(Function):
    # A primitive for speed: picks one log-probability per row; backward scatters it back.
    torch_name = "NllLossBackward0"
    def forward(self, logp, t, weight, ignore_index, reduction):
        safe, valid, w_t = _targets(t, weight, ignore_index, logp.dtype)
        self.shape, self.safe, self.w_t, self.reduction = logp.shape, safe, w_t, reduction
        self.valid = valid
        self.n_valid = w_t.sum()
        module = array_module(logp)
        # An ignored target adds exactly 0, even where its log-probability is NaN (as PyTorch).
        nll = module.where(valid, -w_t * logp[module.arange(logp.shape[0]), safe], 0)
        return module.asarray(_reduce(nll, reduction, self.n_valid), dtype=logp.dtype)

    def backward(self, gy):
        scale = gy / self.n_valid if self.reduction == "mean" else gy
        module = array_module(gy)
        gx = module.zeros(self.shape, gy.dtype)
        # An ignored target's gradient is exactly 0 (as PyTorch's), even where every target
        # is ignored and the mean's scale is 0/0.
        gx[module.arange(self.shape[0]), self.safe] = module.where(self.valid,
                                                                   -scale * self.w_t, 0)
        return gx, None, None


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
             reduction: str) -> Tensor:
    """Checked (M, C) log-probabilities and (M,) class indices in; the loss out."""
    return NLLLoss.apply(input, target, weight, ignore_index=ignore_index, reduction=reduction)


class MSELoss(Function):
    # A primitive for speed: one node instead of sub, mul and mean (the small-model benchmark).
    saves = (0, 1)
    torch_name = "MseLossBackward0"

    def forward(self, x, t, reduction):
        self.diff, self.reduction = x - t, reduction
        self.shapes = (x.shape, t.shape)
        squared = self.diff * self.diff
        if reduction == "none":
            return squared
        total = squared.sum()
        return total / squared.size if reduction == "mean" else total

    def backward(self, gy):
        scale = 2 / self.diff.size if self.reduction == "mean" else 2
        g = self.diff * (gy * scale)
        nx, nt = self.needs_input_grad
        return (unbroadcast(g, self.shapes[0]) if nx else None,
                unbroadcast(-g, self.shapes[1]) if nt else None)


def mse_loss(input: Tensor, target: Tensor, reduction: str) -> Tensor:
    """``(input - target)^2`` reduced by ``'mean'``, ``'sum'`` or ``'none'``, as one node."""
    return MSELoss.apply(input, target, reduction=reduction)


def _ctc_alpha(lp: Any, labels: Any, length: int) -> Any:
    """Forward variables log alpha (T, 2S + 1) of Graves et al. (2006), eq. 6-7, in log space."""
    module = array_module(lp)
    extended = labels.size
    alpha = module.full((length, extended), -xp.inf, lp.dtype)
    alpha[0, 0] = lp[0, labels[0]]
    if extended > 1:
        alpha[0, 1] = lp[0, labels[1]]
    skip = _ctc_skips(labels)
    for t in range(1, length):
        previous = alpha[t - 1]
        total = previous.copy()
        total[1:] = xp.logaddexp(total[1:], previous[:-1])
        total[2:] = xp.where(skip[2:], xp.logaddexp(total[2:], previous[:-2]), total[2:])
        alpha[t] = total + lp[t, labels]
    return alpha


def _ctc_beta(lp: Any, labels: Any, length: int) -> Any:
    """Backward variables log beta (T, 2S + 1), eq. 10-11; like alpha, including y_t."""
    module = array_module(lp)
    extended = labels.size
    beta = module.full((length, extended), -xp.inf, lp.dtype)
    beta[length - 1, extended - 1] = lp[length - 1, labels[-1]]
    if extended > 1:
        beta[length - 1, extended - 2] = lp[length - 1, labels[-2]]
    skip = _ctc_skips(labels)
    for t in range(length - 2, -1, -1):
        following = beta[t + 1]
        total = following.copy()
        total[:-1] = xp.logaddexp(total[:-1], following[1:])
        total[:-2] = xp.where(skip[2:], xp.logaddexp(total[:-2], following[2:]), total[:-2])
        beta[t] = total + lp[t, labels]
    return beta


def _ctc_skips(labels: Any) -> Any:
    """Where a path may skip the blank before position s: a label unlike the one at s - 2."""
    skip = array_module(labels).zeros(labels.size, bool)
    skip[2:] = labels[2:] != labels[:-2]
    return skip


class CtcLoss(Function):
    # A primitive: the alpha-beta recursions of Graves et al., "Connectionist Temporal
    # Classification" (ICML 2006), one sample at a time, in log space. The gradient is the
    # true one with respect to log_probs, -exp(log(sum alpha beta) - lp + nll); PyTorch's
    # kernel adds exp(lp), which cancels once log_probs come from log_softmax, as they must.
    saves = (0,)

    def forward(self, lp, targets, input_lengths, blank, zero_infinity):
        batch = lp.shape[1]
        module = array_module(lp)
        self.lp, self.zero_infinity = lp, zero_infinity
        self.samples = []
        nll = module.zeros(batch, lp.dtype)
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for b in range(batch):
                labels = module.full(2 * len(targets[b]) + 1, blank, "int64")
                labels[1::2] = targets[b]
                length = int(input_lengths[b])
                alpha = _ctc_alpha(lp[:length, b], labels, length)
                nll[b] = -xp.logaddexp.reduce(alpha[length - 1, -2:]) if labels.size > 1 \
                    else -alpha[length - 1, 0]
                self.samples.append((labels, length, alpha))
        self.nll = nll
        if zero_infinity:
            nll = xp.where(xp.isinf(nll), 0, nll).astype(lp.dtype)
        return nll

    def backward(self, gy):
        gx = xp.zeros_like(self.lp)
        module = array_module(gy)
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for b, (labels, length, alpha) in enumerate(self.samples):
                if xp.isinf(self.nll[b]) and self.zero_infinity:
                    continue
                lp = self.lp[:length, b]
                both = alpha + _ctc_beta(lp, labels, length)
                summed = module.full(lp.shape, -module.inf, lp.dtype)
                steps = module.broadcast_to(module.arange(length)[:, None], both.shape)
                module.logaddexp.at(summed, (steps, module.broadcast_to(labels, both.shape)),
                                    both)
                gx[:length, b] = -module.exp(summed - lp + self.nll[b]) * gy[b]
        return gx


def ctc_loss(log_probs: Tensor, targets: list, input_lengths: list, blank: int,
             zero_infinity: bool) -> Tensor:
    """Checked (T, N, C) log-probabilities and one label array per sample in; the (N,)
    negative log-likelihoods out."""
    return CtcLoss.apply(log_probs, targets=targets, input_lengths=input_lengths, blank=blank,
                         zero_infinity=zero_infinity)


class SoftplusNeg(Function):
    # A primitive for exact gradients at 0: log(1 + exp(-x)), computed as
    # log1p(exp(-|x|)) + max(-x, 0), has the derivative sigmoid(x) - 1 everywhere; the composite
    # of abs and relu takes their subgradient 0 at x = 0 and gave 0 instead of -1/2.
    saves = (0,)

    def forward(self, x):
        self.x = x
        return softplus_array(-x)

    def backward(self, gy):
        return -gy * sigmoid_array(-self.x)


def softplus_neg(input: Tensor) -> Tensor:
    """``log(1 + exp(-input))`` without overflow, with its exact gradient at every point."""
    return SoftplusNeg.apply(input)


class BinaryCrossEntropy(Function):
    # A primitive for the saturated ends: PyTorch's gradient (x - y) / max(x (1 - x), 1e-12) is
    # finite at x = 0 and x = 1, where the composite of clamped logs gave NaN (0 / 0).
    saves = (0, 1)

    def forward(self, x, y):
        self.x, self.y = x, y
        log_x = xp.maximum(xp.log(x), -100)  # PyTorch clamps each log at -100
        log_1mx = xp.maximum(xp.log1p(-x), -100)
        return -(y * log_x + (1 - y) * log_1mx)

    def backward(self, gy):
        nx, ny = self.needs_input_grad
        x, y = self.x, self.y
        gx = gy * (x - y) / xp.maximum((1 - x) * x, 1e-12) if nx else None
        # The target's gradient uses the logs unclamped, as PyTorch's: infinite at x = 0 or 1.
        gt = gy * (xp.log1p(-x) - xp.log(x)) if ny else None
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor) -> Tensor:
    """The elementwise binary cross-entropy of probabilities ``input`` and ``target``."""
    return BinaryCrossEntropy.apply(input, target)
