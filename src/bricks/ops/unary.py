"""Elementwise primitives of one tensor: unary math, activations, clamp, rounding."""

from __future__ import annotations

from typing import Any

from .._device import array_module, as_array, xp
from .._dtypes import get_default_dtype
from .._tensor import Tensor
from ..autograd.function import Function
from .elementwise import _no_grad_unary, cast, maximum, minimum, pow

__all__ = [
    "neg", "abs", "exp", "log", "log1p", "sqrt", "rsqrt", "reciprocal", "square", "sin", "cos",
    "tanh", "sigmoid", "relu", "clamp", "sign", "logical_not", "isnan", "isinf", "isfinite",
    "floor", "ceil", "round",
]


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical not, as a bool tensor."""
    return _no_grad_unary(xp.logical_not, input)


def isnan(input: Tensor) -> Tensor:
    """Where the values are NaN."""
    return _no_grad_unary(xp.isnan, input)


def isinf(input: Tensor) -> Tensor:
    """Where the values are infinite."""
    return _no_grad_unary(xp.isinf, input)


def isfinite(input: Tensor) -> Tensor:
    """Where the values are finite."""
    return _no_grad_unary(xp.isfinite, input)


class Sign(Function):
    def forward(self, x):
        return xp.where(x != x, 0, xp.sign(x))  # 0 at NaN, as torch

    def backward(self, gy):
        return gy * 0


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each value (gradient zero, recorded as torch does)."""
    if input._value.dtype.kind == "b":
        return Tensor._wrap(input._value.copy())
    return Sign.apply(input)


def floor(input: Tensor) -> Tensor:
    """Round down (gradient zero)."""
    return _no_grad_unary(xp.floor, input)


def ceil(input: Tensor) -> Tensor:
    """Round up (gradient zero)."""
    return _no_grad_unary(xp.ceil, input)


def round(input: Tensor, decimals: int = 0) -> Tensor:
    """Round half to even (gradient zero)."""
    return Tensor._wrap(as_array(xp.round(input._value, decimals), input._value))


# ----- unary primitives: forward and backward side by side -----

class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Abs(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.abs(x)

    def backward(self, gy):
        # PyTorch's sgn(x): 0 at 0 and also at NaN (xp.sign gives NaN there).
        x = self.x
        if x.dtype.kind == "c":
            return gy * sgn_array(x)
        return xp.where(x > 0, gy, xp.where(x < 0, -gy, 0))


def sgn_array(z: Any) -> Any:
    """torch's ``sgn`` of a complex array: ``z / |z|``, and 0 at 0."""
    size = xp.abs(z)
    return xp.where(size == 0, z.dtype.type(0), z / xp.where(size == 0, 1, size))


class Exp(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y


class Log(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.log(x)

    def backward(self, gy):
        return gy / self.x


class Log1p(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.log1p(x)

    def backward(self, gy):
        return gy / (1 + self.x)

    torch_name = "Log1PBackward0"


class Sqrt(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Rsqrt(Function):
    saves_output = True

    def forward(self, x):
        self.y = 1 / xp.sqrt(x)
        return self.y

    def backward(self, gy):
        return gy * -0.5 * self.y ** 3


class Reciprocal(Function):
    saves_output = True

    def forward(self, x):
        self.y = 1 / x
        return self.y

    def backward(self, gy):
        return -gy * self.y * self.y


class Sin(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.sin(x)

    def backward(self, gy):
        return gy * xp.cos(self.x)


class Cos(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.cos(x)

    def backward(self, gy):
        return -gy * xp.sin(self.x)


class Tanh(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.tanh(x)
        return self.y

    def backward(self, gy):
        return gy * (1 - self.y * self.y)


def sigmoid_array(x: Any) -> Any:
    """The logistic function of an array, the one formula every sigmoid here uses.

    exp of -|x| never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
    """
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    saves_output = True

    def forward(self, x):
        self.y = sigmoid_array(x)
        return self.y

    def backward(self, gy):
        return gy * self.y * (1 - self.y)


class Relu(Function):
    saves_output = True

    def forward(self, x, out=None):
        self.y = xp.maximum(x, 0, out=out)
        return self.y

    def backward(self, gy):
        # PyTorch passes the gradient where not y <= 0: at NaN too. y = max(x, 0) is >= 0 or
        # NaN, so that is where y is truthy: one call (``y <= 0`` first cost 1 us more).
        if gy.size < _MANY or type(gy) is not xp.ndarray or gy.dtype.kind != "f":
            return xp.where(self.y, gy, 0)
        return masked(gy, xp.not_equal(self.y, 0))


# ``where`` branches on every element: on many elements of a random mask it mispredicts and
# costs ~4 ns each (LeNet's first ReLU: 1.2 ms), 15x ``masked``; on a few it is one call.
_MANY = 4096


def masked(g: Any, keep: Any) -> Any:
    """``g`` where ``keep``, +0.0 elsewhere (inf and NaN too), without a branch per element.

    The float's bits ANDed with all ones (keep) or all zeros: exactly ``where(keep, g, 0)``.
    """
    bits = xp.dtype(f"i{g.itemsize}")
    out = xp.empty_like(g)
    xp.bitwise_and(g.view(bits), xp.negative(keep, dtype=bits), out=out.view(bits))
    return out


class Clamp(Function):
    saves = (0,)

    def forward(self, x, min, max):
        self.x, self.min, self.max = x, min, max
        return xp.clip(x, min, max)

    def backward(self, gy):
        inside = array_module(gy).ones(self.x.shape, dtype=bool)
        if self.min is not None:
            inside &= self.x >= self.min
        if self.max is not None:
            inside &= self.x <= self.max
        return gy * inside

    torch_name = "ClampBackward1"


def neg(input: Tensor) -> Tensor:
    """``-input``."""
    return Neg.apply(input)


def _float(x: Tensor) -> Tensor:
    return x if x._value.dtype.kind in "fc" else cast(x, get_default_dtype().numpy)


def abs(input: Tensor) -> Tensor:
    """The absolute value; its gradient at 0 is 0."""
    return Abs.apply(input)


def exp(input: Tensor) -> Tensor:
    """``e ** input``."""
    return Exp.apply(_float(input))


def log(input: Tensor) -> Tensor:
    """The natural logarithm."""
    return Log.apply(_float(input))


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate for small inputs."""
    return Log1p.apply(_float(input))


def sqrt(input: Tensor) -> Tensor:
    """The square root."""
    return Sqrt.apply(_float(input))


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return Rsqrt.apply(_float(input))


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input``."""
    return Reciprocal.apply(_float(input))


def square(input: Tensor) -> Tensor:
    """``input * input``."""
    return pow(input, 2)


def sin(input: Tensor) -> Tensor:
    """The sine."""
    return Sin.apply(_float(input))


def cos(input: Tensor) -> Tensor:
    """The cosine."""
    return Cos.apply(_float(input))


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return Tanh.apply(_float(input))


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))``, computed without overflow."""
    return Sigmoid.apply(_float(input))


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``."""
    return Relu.apply(input)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit the values to [min, max]; the gradient passes where the value was inside.

    Raises:
        RuntimeError: if neither ``min`` nor ``max`` is given.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else input.new_tensor(min))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else input.new_tensor(max))
        return out
    return Clamp.apply(input, min=min, max=max)
