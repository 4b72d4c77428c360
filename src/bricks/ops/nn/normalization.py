"""Normalisation primitives: layer, batch and group norm, each with its closed-form backward.

They are primitives for speed: the statistics in one pass, and the backward without the
graph of means and variances a composite would record.
"""

from __future__ import annotations

from typing import Any

from ..._device import xp
from ..._tensor import Tensor, bump_version
from ...autograd.function import Function

__all__ = ["layer_norm", "batch_norm", "group_norm"]


def _affine_grads(gy: Any, x_hat: Any, axes: tuple, needs: tuple) -> tuple:
    gw = (gy * x_hat).sum(axis=axes) if needs[0] else None
    gb = gy.sum(axis=axes) if needs[1] else None
    return gw, gb


class LayerNorm(Function):
    # A primitive for speed: one pass of statistics, and the closed-form backward.
    torch_name = "NativeLayerNormBackward0"
    def forward(self, x, w, b, n_dims, eps):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        self.rstd = 1 / xp.sqrt(var + eps)
        self.x_hat = centred * self.rstd
        self.axes, self.w = axes, w
        y = self.x_hat * w if w is not None else self.x_hat.copy()
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad
        lead = tuple(range(gy.ndim - len(self.axes)))
        gw, gb = _affine_grads(gy, self.x_hat, lead, (nw, nb))
        gx = None
        if nx:
            g = gy * self.w if self.w is not None else gy
            m1 = g.mean(axis=self.axes, keepdims=True)
            m2 = (g * self.x_hat).mean(axis=self.axes, keepdims=True)
            gx = self.rstd * (g - m1 - self.x_hat * m2)
        return gx, gw, gb


def layer_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               n_dims: int, eps: float) -> Tensor:
    """Normalise over the last ``n_dims`` dimensions, then scale and shift."""
    return LayerNorm.apply(input, weight, bias, n_dims=n_dims, eps=eps)


class BatchNorm(Function):
    # A primitive for speed: per-channel statistics in one pass and the closed-form backward.
    # Running statistics are updated in place here, as PyTorch's kernel does. SyncBatchNorm
    # (distributed/_sync_batch_norm.py) is this class with statistics over every rank: it
    # overrides ``_batch_statistics`` and ``_gradient_means`` only.
    torch_name = "NativeBatchNormBackward0"

    def forward(self, x, w, b, running_mean, running_var, training, momentum, eps):
        self.axes, self.training = (0,) + tuple(range(2, x.ndim)), training
        if training:
            mean, var, count = self._batch_statistics(x)
            _update_running(running_mean, running_var, mean.astype(x.dtype, copy=False),
                            var.astype(x.dtype, copy=False), count, momentum)
        else:
            mean, var = running_mean, running_var
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.rstd = (1 / xp.sqrt(var + eps)).astype(x.dtype, copy=False).reshape(shape)
        self.x_hat = (x - mean.astype(x.dtype, copy=False).reshape(shape)) * self.rstd
        self.w = None if w is None else w.reshape(shape)
        y = self.x_hat * self.w if w is not None else self.x_hat.copy()
        if b is not None:
            y += b.reshape(shape)
        return y

    def _batch_statistics(self, x):
        """Each channel's mean and biased variance, and the number of values per channel."""
        return x.mean(axis=self.axes), x.var(axis=self.axes), x.size // x.shape[1]

    def _gradient_means(self, g):
        """Each channel's mean of ``g`` and of ``g * x_hat``, the input gradient's two terms."""
        return (g.mean(axis=self.axes, keepdims=True),
                (g * self.x_hat).mean(axis=self.axes, keepdims=True))

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad[:3]
        gw, gb = _affine_grads(gy, self.x_hat, self.axes, (nw, nb))
        gx = None
        if nx:
            g = gy * self.w if self.w is not None else gy
            if self.training:
                m1, m2 = self._gradient_means(g)
                gx = self.rstd * (g - m1 - self.x_hat * m2)
            else:
                gx = g * self.rstd
        return gx, gw, gb, None, None


def _update_running(running_mean: Any, running_var: Any, mean: Any, var: Any, count: int,
                    momentum: float) -> None:
    # PyTorch keeps the unbiased variance in running_var, the biased one normalises.
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += momentum * mean
    if running_var is not None:
        running_var *= 1 - momentum
        running_var += momentum * var * (count / max(count - 1, 1))


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None,
               training: bool, momentum: float, eps: float) -> Tensor:
    """Normalise each channel (dimension 1) by batch or running statistics."""
    out = BatchNorm.apply(input, weight, bias, running_mean, running_var, training=training,
                          momentum=momentum, eps=eps)
    for stat in (running_mean, running_var):
        if training and stat is not None:
            bump_version(stat)
    return out


class GroupNorm(Function):
    # A primitive for the fused affine and PyTorch's node: statistics over each group of
    # channels (and the spatial dimensions), the closed-form backward of LayerNorm per group.
    torch_name = "NativeGroupNormBackward0"

    def forward(self, x, w, b, groups, eps):
        grouped = x.reshape(x.shape[0], groups, -1)
        mean = grouped.mean(axis=2, keepdims=True)
        centred = grouped - mean
        var = (centred * centred).mean(axis=2, keepdims=True)
        self.rstd = 1 / xp.sqrt(var + eps)
        self.x_hat = (centred * self.rstd).reshape(x.shape)
        self.shape = (1, -1) + (1,) * (x.ndim - 2)
        self.groups, self.w = groups, None if w is None else w.reshape(self.shape)
        y = self.x_hat * self.w if w is not None else self.x_hat.copy()
        if b is not None:
            y += b.reshape(self.shape)
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad
        axes = (0,) + tuple(range(2, gy.ndim))
        gw, gb = _affine_grads(gy, self.x_hat, axes, (nw, nb))
        gx = None
        if nx:
            n = gy.shape[0]
            g = (gy * self.w if self.w is not None else gy).reshape(n, self.groups, -1)
            x_hat = self.x_hat.reshape(n, self.groups, -1)
            m1 = g.mean(axis=2, keepdims=True)
            m2 = (g * x_hat).mean(axis=2, keepdims=True)
            gx = (self.rstd * (g - m1 - x_hat * m2)).reshape(gy.shape)
        return gx, gw, gb


def group_norm(input: Tensor, groups: int, weight: Tensor | None,
               bias: Tensor | None, eps: float) -> Tensor:
    """Normalise (N, C, *) over each of ``groups`` groups of channels, then scale and shift."""
    return GroupNorm.apply(input, weight, bias, groups=groups, eps=eps)
