"""Activation primitives beyond ReLU, ELU and GELU: each one NumPy expression forward and back.

They are primitives, not composites, for two reasons: the exponentials of softplus, mish,
CELU and SELU overflow harmlessly only when computed under ``errstate`` in one place, and the
graph then shows PyTorch's node names (``SoftplusBackward0``, ``HardtanhBackward0``, ...).
"""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["hardtanh_primitive", "softplus_primitive", "hardswish_primitive",
           "hardsigmoid_primitive", "mish_primitive", "celu_primitive", "selu_primitive",
           "rrelu_primitive"]

# SELU's constants (Klambauer et al., 2017), to PyTorch's digits.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(z: Any) -> Any:
    """The logistic function, without overflow for large ``|z|``."""
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(z: Any) -> Any:
    """``log(1 + exp(z))`` without overflow."""
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


class Hardtanh(Function):
    saves = (0,)

    def forward(self, x, min_val, max_val):
        self.x, self.bounds = x, (min_val, max_val)
        return xp.clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def backward(self, gy):
        low, high = self.bounds
        # Written as PyTorch's kernel: zero at or beyond a bound, so a NaN passes its gradient.
        return gy * ~((self.x <= low) | (self.x >= high))


def hardtanh_primitive(input: Tensor, min_val: float, max_val: float) -> Tensor:
    """``clamp(x, min_val, max_val)``; the gradient is 1 strictly inside the bounds."""
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


class Softplus(Function):
    saves = (0,)

    def forward(self, x, beta, threshold):
        self.x, self.beta, self.threshold = x, beta, threshold
        z = x * beta
        return xp.where(z > threshold, x, _softplus(z) / beta).astype(x.dtype, copy=False)

    def backward(self, gy):
        z = self.x * self.beta
        return gy * xp.where(z > self.threshold, 1, _sigmoid(z))


def softplus_primitive(input: Tensor, beta: float, threshold: float) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


class Hardswish(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return x * xp.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        x = self.x
        return xp.where(x < -3, 0, xp.where(x <= 3, gy * (x / 3 + 0.5), gy)).astype(gy.dtype)


def hardswish_primitive(input: Tensor) -> Tensor:
    """``x * relu6(x + 3) / 6`` (Howard et al., 2019)."""
    return Hardswish.apply(input)


_ONE_SIXTH_FLOAT32 = float(xp.float32(1 / 6))


class Hardsigmoid(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.clip(x + 3, 0, 6) / 6

    def backward(self, gy):
        # PyTorch's kernel multiplies by 1/6 rounded to float32, in every dtype: kept, so
        # that float64 gradients agree to the last digit.
        return gy * ((self.x > -3) & (self.x < 3)) * _ONE_SIXTH_FLOAT32


def hardsigmoid_primitive(input: Tensor) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return Hardsigmoid.apply(input)


class Mish(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        self.t = xp.tanh(_softplus(x))
        return x * self.t

    def backward(self, gy):
        t = self.t
        return gy * (t + self.x * _sigmoid(self.x) * (1 - t * t))


def mish_primitive(input: Tensor) -> Tensor:
    """``x * tanh(softplus(x))`` (Misra, 2019)."""
    return Mish.apply(input)


class Celu(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x, alpha):
        self.x, self.alpha = x, alpha
        self.y = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0) / alpha))
        return self.y.astype(x.dtype, copy=False)

    def backward(self, gy):
        # The negative branch only where x <= 0, as PyTorch's kernel: a NaN takes the other.
        return xp.where(self.x <= 0, gy * (self.y / self.alpha + 1), gy)


def celu_primitive(input: Tensor, alpha: float) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` (Barron, 2017)."""
    return Celu.apply(input, alpha=alpha)


class Selu(Function):
    saves = (0,)
    torch_name = "EluBackward0"  # PyTorch runs SELU as a scaled ELU

    def forward(self, x):
        self.x = x
        self.negative = SELU_ALPHA * xp.exp(xp.minimum(x, 0))
        y = SELU_SCALE * xp.where(x > 0, x, self.negative - SELU_ALPHA)
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        slope = xp.where(self.x <= 0, self.negative, 1)  # a NaN takes the positive branch
        return (gy * SELU_SCALE * slope).astype(gy.dtype)


def selu_primitive(input: Tensor) -> Tensor:
    """``scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))`` (Klambauer et al., 2017)."""
    return Selu.apply(input)


class RreluWithNoise(Function):
    saves = (0,)

    def forward(self, x, slopes):
        self.slopes = xp.where(x > 0, 1, slopes).astype(x.dtype, copy=False)
        return x * self.slopes

    def backward(self, gy):
        return gy * self.slopes


def rrelu_primitive(input: Tensor, slopes: Any) -> Tensor:
    """``x`` where positive, ``x * slope`` elsewhere, with one drawn slope per element."""
    return RreluWithNoise.apply(input, slopes=slopes)

