"""Neural-network primitives: activations, normalisation, embedding and constant padding.

Activations that are one NumPy expression forward and backward (leaky ReLU, ELU, GELU) are
primitives for speed; SiLU and PReLU are composites in ``nn.functional``. Dropout is a
primitive because its forward draws: ``bricks.compile`` replays a forward, and so draws fresh
numbers on every step from the same generator, in the same order, as eager code.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import xp
from .._device import array_module, device_of
from .._tensor import Tensor, bump_version
from ..autograd.function import Function

__all__ = ["erf", "leaky_relu_primitive", "elu_primitive", "gelu_primitive",
           "layer_norm_primitive", "batch_norm_primitive", "group_norm_primitive",
           "embedding_primitive", "pad_primitive", "segment_sum_primitive", "dropout_primitive"]

_erf = xp.frompyfunc(math.erf, 1, 1)


def erf(x: Any) -> Any:
    """The error function of an array (NumPy has none; ``math.erf`` is exact to 1 ulp)."""
    return _erf(x).astype(x.dtype) if x.dtype.kind == "f" else _erf(x).astype(xp.float64)


class LeakyRelu(Function):
    saves = (0,)

    def forward(self, x, negative_slope):
        self.x, self.slope = x, negative_slope
        return xp.where(x > 0, x, x * negative_slope)

    def backward(self, gy):
        return xp.where(self.x > 0, gy, gy * self.slope)


def leaky_relu_primitive(input: Tensor, negative_slope: float) -> Tensor:
    """``max(0, x) + negative_slope * min(0, x)``."""
    return LeakyRelu.apply(input, negative_slope=negative_slope)


class Elu(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x, alpha):
        self.x, self.alpha = x, alpha
        self.y = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
        return self.y

    def backward(self, gy):
        # PyTorch's test is x <= 0, so NaN takes the identity branch.
        return xp.where(self.x <= 0, gy * (self.y + self.alpha), gy)


def elu_primitive(input: Tensor, alpha: float) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return Elu.apply(input, alpha=alpha)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class Gelu(Function):
    saves = (0,)

    def forward(self, x, approximate):
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            self.inner = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            return 0.5 * x * (1 + self.inner)
        self.cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        return x * self.cdf

    def backward(self, gy):
        x = self.x
        if self.approximate == "tanh":
            t = self.inner
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return gy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        pdf = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return gy * (self.cdf + x * pdf)


def gelu_primitive(input: Tensor, approximate: str) -> Tensor:
    """``x * Phi(x)`` (Hendrycks & Gimpel, 2016), or its tanh approximation."""
    return Gelu.apply(input, approximate=approximate)


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


def layer_norm_primitive(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                         n_dims: int, eps: float) -> Tensor:
    """Normalise over the last ``n_dims`` dimensions, then scale and shift."""
    return LayerNorm.apply(input, weight, bias, n_dims=n_dims, eps=eps)


class BatchNorm(Function):
    # A primitive for speed: per-channel statistics in one pass and the closed-form backward.
    # Running statistics are updated in place here, as PyTorch's kernel does.
    torch_name = "NativeBatchNormBackward0"
    def forward(self, x, w, b, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.axes, self.training = axes, training
        if training:
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            _update_running(running_mean, running_var, mean, var, x.size // x.shape[1],
                            momentum)
        else:
            mean, var = running_mean, running_var
        self.rstd = (1 / xp.sqrt(var + eps)).reshape(shape)
        self.x_hat = (x - mean.reshape(shape)) * self.rstd
        self.w = None if w is None else w.reshape(shape)
        y = self.x_hat * self.w if w is not None else self.x_hat.copy()
        if b is not None:
            y += b.reshape(shape)
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad[:3]
        gw, gb = _affine_grads(gy, self.x_hat, self.axes, (nw, nb))
        gx = None
        if nx:
            g = gy * self.w if self.w is not None else gy
            if self.training:
                m1 = g.mean(axis=self.axes, keepdims=True)
                m2 = (g * self.x_hat).mean(axis=self.axes, keepdims=True)
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


def batch_norm_primitive(input: Tensor, weight: Tensor | None, bias: Tensor | None,
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


def group_norm_primitive(input: Tensor, groups: int, weight: Tensor | None,
                         bias: Tensor | None, eps: float) -> Tensor:
    """Normalise (N, C, *) over each of ``groups`` groups of channels, then scale and shift."""
    return GroupNorm.apply(input, weight, bias, groups=groups, eps=eps)


class Embedding(Function):
    def forward(self, w, index, padding_idx):
        self.index, self.shape, self.padding_idx = index, w.shape, padding_idx
        return w[index]

    def backward(self, gy):
        gw = array_module(gy).zeros(self.shape, gy.dtype)
        xp.add.at(gw, self.index.reshape(-1), gy.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw, None


def embedding_primitive(weight: Tensor, index: Tensor, padding_idx: int | None) -> Tensor:
    """Rows of ``weight`` picked by ``index``; the padding row gets no gradient."""
    return Embedding.apply(weight, index, padding_idx=padding_idx)


class Pad(Function):
    def forward(self, x, widths, value):
        grow = [(max(a, 0), max(b, 0)) for a, b in widths]
        y = xp.pad(x, grow, constant_values=value) if any(a or b for a, b in grow) else x
        self.keep = tuple(slice(max(-a, 0), y.shape[i] - max(-b, 0))
                          for i, (a, b) in enumerate(widths))
        self.inner = tuple(slice(a, a + n) for (a, _), n in zip(grow, x.shape))
        self.padded_shape = y.shape
        return array_module(y).ascontiguousarray(y[self.keep])

    def backward(self, gy):
        full = array_module(gy).zeros(self.padded_shape, gy.dtype)
        full[self.keep] = gy
        return full[self.inner], None


def pad_primitive(input: Tensor, widths: list, value: float) -> Tensor:
    """``input`` with ``widths[d] = (before, after)`` cells of ``value`` (negative crops)."""
    return Pad.apply(input, widths=widths, value=value)


class SegmentSum(Function):
    # A primitive for embedding bags: each row added into its segment (bag), rows of segment -1
    # dropped. Unlike a product with a 0/1 membership matrix, it never forms 0 * inf.
    def forward(self, x, segments, count):
        self.segments, self.keep = segments, segments >= 0
        module = array_module(x)
        out = module.zeros((count,) + x.shape[1:], x.dtype)
        module.add.at(out, segments[self.keep], x[self.keep])
        return out

    def backward(self, gy):
        gx = array_module(gy).zeros((self.segments.size,) + gy.shape[1:], gy.dtype)
        gx[self.keep] = gy[self.segments[self.keep]]
        return gx


def segment_sum_primitive(input: Tensor, segments: Any, count: int) -> Tensor:
    """(count, *) sums of the rows of ``input`` (T, *) by their segment in [0, count) (or -1)."""
    return SegmentSum.apply(input, segments=segments, count=count)


class Dropout(Function):
    # Draws its mask in forward (see the module docstring); saves the mask, not the input.
    def forward(self, x, p):
        from .._creation import _draw

        keep = _draw(None, device_of(x), "random", x.shape) >= p  # the device's generator
        scale = x.dtype.type(0) if p == 1.0 else 1.0 / (1.0 - p)
        self.mask = (keep * scale).astype(x.dtype)
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask


def dropout_primitive(input: Tensor, p: float) -> Tensor:
    """``input`` times a fresh mask: 0 with probability ``p``, else ``1 / (1 - p)``."""
    return Dropout.apply(input, p=p)
