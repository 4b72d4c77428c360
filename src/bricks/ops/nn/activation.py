"""Activation primitives: each one NumPy expression forward and back.

They are primitives, not composites, for speed (leaky ReLU, ELU, GELU) and for two more
reasons: the exponentials of softplus, mish, CELU and SELU overflow harmlessly only when
computed under ``errstate`` in one place, and the graph then shows PyTorch's node names
(``SoftplusBackward0``, ``HardtanhBackward0``, ...). SiLU and PReLU are composites in
``nn.functional``. ReLU, sigmoid and tanh are Tensor methods (``bricks.relu``, ``x.sigmoid()``)
and so live with the other elementwise functions in ``ops/unary.py``, which also holds
``sigmoid_array``, the one logistic formula every sigmoid here uses.
"""

from __future__ import annotations

import math
from typing import Any

from ..._device import xp
from ..._tensor import Tensor
from ...autograd.function import Function
from ..pointwise import erf_array
from ..unary import sigmoid_array

__all__ = ["leaky_relu", "elu", "gelu", "hardtanh",
           "softplus", "hardswish", "hardsigmoid", "mish",
           "celu", "selu", "rrelu"]


class LeakyRelu(Function):
    saves = (0,)

    def forward(self, x, negative_slope):
        self.x, self.slope = x, negative_slope
        return xp.where(x > 0, x, x * negative_slope)

    def backward(self, gy):
        return xp.where(self.x > 0, gy, gy * self.slope)


def leaky_relu(input: Tensor, negative_slope: float) -> Tensor:
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


def elu(input: Tensor, alpha: float) -> Tensor:
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
        self.cdf = 0.5 * (1 + erf_array(x / math.sqrt(2)))
        return x * self.cdf

    def backward(self, gy):
        x = self.x
        if self.approximate == "tanh":
            t = self.inner
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return gy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        pdf = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return gy * (self.cdf + x * pdf)


def gelu(input: Tensor, approximate: str) -> Tensor:
    """``x * Phi(x)`` (Hendrycks & Gimpel, 2016), or its tanh approximation."""
    return Gelu.apply(input, approximate=approximate)


# SELU's constants (Klambauer et al., 2017), to PyTorch's digits.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def softplus_array(z: Any) -> Any:
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


def hardtanh(input: Tensor, min_val: float, max_val: float) -> Tensor:
    """``clamp(x, min_val, max_val)``; the gradient is 1 strictly inside the bounds."""
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


class Softplus(Function):
    saves = (0,)

    def forward(self, x, beta, threshold):
        self.x, self.beta, self.threshold = x, beta, threshold
        z = x * beta
        return xp.where(z > threshold, x, softplus_array(z) / beta).astype(x.dtype, copy=False)

    def backward(self, gy):
        z = self.x * self.beta
        return gy * xp.where(z > self.threshold, 1, sigmoid_array(z))


def softplus(input: Tensor, beta: float, threshold: float) -> Tensor:
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


def hardswish(input: Tensor) -> Tensor:
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


def hardsigmoid(input: Tensor) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return Hardsigmoid.apply(input)


class Mish(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        self.t = xp.tanh(softplus_array(x))
        return x * self.t

    def backward(self, gy):
        t = self.t
        return gy * (t + self.x * sigmoid_array(self.x) * (1 - t * t))


def mish(input: Tensor) -> Tensor:
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


def celu(input: Tensor, alpha: float) -> Tensor:
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


def selu(input: Tensor) -> Tensor:
    """``scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))`` (Klambauer et al., 2017)."""
    return Selu.apply(input)


class RreluWithNoise(Function):
    saves = (0,)

    def forward(self, x, slopes):
        self.slopes = xp.where(x > 0, 1, slopes).astype(x.dtype, copy=False)
        return x * self.slopes

    def backward(self, gy):
        return gy * self.slopes


def rrelu(input: Tensor, slopes: Any) -> Tensor:
    """``x`` where positive, ``x * slope`` elsewhere, with one drawn slope per element."""
    return RreluWithNoise.apply(input, slopes=slopes)
