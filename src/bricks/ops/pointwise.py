"""More elementwise math: hyperbolic and inverse trigonometric functions, ``atan2``,
``expm1``, ``erf``, ``lgamma``, ``nan_to_num``, and the aliases torch has for them."""

from __future__ import annotations

import math
from typing import Any

from .._device import xp
from .._tensor import Tensor
from ..autograd.function import Function, unbroadcast
from .elementwise import _binary, _broadcasting, _no_grad_unary, _shape
from .unary import _float, clamp

__all__ = ["sinh", "cosh", "tan", "asin", "acos", "atan", "asinh", "acosh", "atanh", "arcsin",
           "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "atan2", "arctan2", "expm1",
           "exp2", "log2", "log10", "erf", "erfc", "lgamma", "digamma", "clip", "nan_to_num",
           "signbit", "trunc", "frac", "hypot", "logaddexp", "deg2rad", "rad2deg"]


class Sinh(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.sinh(x)

    def backward(self, gy):
        return gy * xp.cosh(self.x)


class Cosh(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.cosh(x)

    def backward(self, gy):
        return gy * xp.sinh(self.x)


class Tan(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.tan(x)
        return self.y

    def backward(self, gy):
        return gy * (1 + self.y * self.y)


class Asin(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore"):  # NaN outside [-1, 1], as torch
            return xp.arcsin(x)

    def backward(self, gy):
        with xp.errstate(invalid="ignore", divide="ignore"):
            return gy / xp.sqrt(1 - self.x * self.x)


class Acos(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore"):
            return xp.arccos(x)

    def backward(self, gy):
        with xp.errstate(invalid="ignore", divide="ignore"):
            return -gy / xp.sqrt(1 - self.x * self.x)


class Atan(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.arctan(x)

    def backward(self, gy):
        return gy / (1 + self.x * self.x)


class Asinh(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return xp.arcsinh(x)

    def backward(self, gy):
        return gy / xp.sqrt(self.x * self.x + 1)


class Acosh(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore"):
            return xp.arccosh(x)

    def backward(self, gy):
        with xp.errstate(invalid="ignore", divide="ignore"):
            return gy / xp.sqrt(self.x * self.x - 1)


class Atanh(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore", divide="ignore"):
            return xp.arctanh(x)

    def backward(self, gy):
        with xp.errstate(divide="ignore"):
            return gy / (1 - self.x * self.x)


class Atan2(Function):
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting(xp.arctan2, a, b)

    def backward(self, gy):
        a, b = self.a, self.b
        denominator = a * a + b * b
        with xp.errstate(invalid="ignore", divide="ignore"):
            scale = xp.where(denominator == 0, 0, gy / denominator)  # 0 at the origin, as torch
        ga = unbroadcast(scale * b, _shape(a)) if self.needs_input_grad[0] else None
        gb = unbroadcast(-scale * a, _shape(b)) if self.needs_input_grad[1] else None
        return ga, gb


class Expm1(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.expm1(x)
        return self.y

    def backward(self, gy):
        return gy * (self.y + 1)


class Exp2(Function):
    saves_output = True

    def forward(self, x):
        self.y = xp.exp2(x)
        return self.y

    def backward(self, gy):
        return gy * self.y * math.log(2.0)


class Log2(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore", divide="ignore"):
            return xp.log2(x)

    def backward(self, gy):
        return gy / (self.x * math.log(2.0))


class Log10(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with xp.errstate(invalid="ignore", divide="ignore"):
            return xp.log10(x)

    def backward(self, gy):
        return gy / (self.x * math.log(10.0))


_erf = xp.frompyfunc(math.erf, 1, 1)


def erf_array(x: Any) -> Any:
    """The error function of an array (NumPy has none; ``math.erf`` is exact to 1 ulp)."""
    return _erf(x).astype(x.dtype) if x.dtype.kind == "f" else _erf(x).astype(xp.float64)


_erfc = xp.frompyfunc(math.erfc, 1, 1)


def erfc_array(x: Any) -> Any:
    """``erfc`` to full relative precision in the right tail, where ``1 - erf`` is 0."""
    out = _erfc(xp.atleast_1d(x)).reshape(x.shape)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out.astype(xp.float64)


class Erf(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return erf_array(xp.atleast_1d(x)).reshape(x.shape)

    def backward(self, gy):
        return gy * (2 / math.sqrt(math.pi)) * xp.exp(-self.x * self.x)


class Erfc(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return erfc_array(x)

    def backward(self, gy):
        return gy * (-2 / math.sqrt(math.pi)) * xp.exp(-self.x * self.x)


_lgamma = xp.frompyfunc(lambda v: math.lgamma(v) if v == v else v, 1, 1)


def _lgamma_array(x: Any) -> Any:
    """log|Gamma(x)| of an array (NumPy has none; ``math.lgamma``), inf at the poles as torch."""
    poles = (x <= 0) & (x == xp.floor(x))
    safe = xp.atleast_1d(xp.where(poles, 1, x))
    return xp.where(poles, xp.inf, _lgamma(safe).astype(x.dtype).reshape(x.shape))


def _digamma_array(x: Any) -> Any:
    """The digamma function psi(x) = d/dx log Gamma(x), to about 1e-12 in float64.

    Reflection psi(x) = psi(1 - x) - pi / tan(pi x) below 0.5, the recurrence
    psi(x) = psi(x + 1) - 1/x up to 6, then the asymptotic series (Abramowitz & Stegun 6.3.18).
    """
    x = x.astype(xp.float64)
    reflect = x < 0.5
    z = xp.where(reflect, 1 - x, x)
    result = xp.zeros_like(z)
    for _ in range(6):
        small = z < 6
        result -= xp.where(small, 1 / z, 0)
        z = xp.where(small, z + 1, z)
    inv2 = 1 / (z * z)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    result += xp.log(z) - 0.5 / z - series
    with xp.errstate(divide="ignore", invalid="ignore"):
        reflected = result - math.pi / xp.tan(math.pi * x)
    poles = (x < 0) & (x == xp.floor(x))
    out = xp.where(poles, xp.nan, xp.where(reflect, reflected, result))
    # torch: -inf at +0 and +inf at -0; NaN at the negative integers
    return xp.where(x == 0, -xp.copysign(xp.inf, x), out)


class Lgamma(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return _lgamma_array(x)

    def backward(self, gy):
        with xp.errstate(invalid="ignore"):
            return gy * _digamma_array(self.x).astype(gy.dtype)


class NanToNum(Function):
    saves = (0,)

    def forward(self, x, nan, posinf, neginf):
        self.x = x
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, gy):
        return gy * xp.isfinite(self.x)


class Hypot(Function):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = _broadcasting(xp.hypot, a, b)
        return self.y

    def backward(self, gy):
        with xp.errstate(invalid="ignore", divide="ignore"):
            scale = gy / self.y
        ga = unbroadcast(scale * self.a, _shape(self.a)) if self.needs_input_grad[0] else None
        gb = unbroadcast(scale * self.b, _shape(self.b)) if self.needs_input_grad[1] else None
        return ga, gb


class Logaddexp(Function):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = _broadcasting(xp.logaddexp, a, b)
        return self.y

    def backward(self, gy):
        # torch's form, finite where one operand is infinite: 1 / (1 + exp(other - self))
        a, b = self.a, self.b
        with xp.errstate(invalid="ignore", over="ignore"):
            ga = gy / (1 + xp.exp(b - a)) if self.needs_input_grad[0] else None
            gb = gy / (1 + xp.exp(a - b)) if self.needs_input_grad[1] else None
        return (unbroadcast(ga, _shape(a)) if ga is not None else None,
                unbroadcast(gb, _shape(b)) if gb is not None else None)


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine."""
    return Sinh.apply(_float(input))


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine."""
    return Cosh.apply(_float(input))


def tan(input: Tensor) -> Tensor:
    """The tangent."""
    return Tan.apply(_float(input))


def asin(input: Tensor) -> Tensor:
    """The arcsine (NaN outside [-1, 1])."""
    return Asin.apply(_float(input))


def acos(input: Tensor) -> Tensor:
    """The arccosine (NaN outside [-1, 1])."""
    return Acos.apply(_float(input))


def atan(input: Tensor) -> Tensor:
    """The arctangent."""
    return Atan.apply(_float(input))


def asinh(input: Tensor) -> Tensor:
    """The inverse hyperbolic sine."""
    return Asinh.apply(_float(input))


def acosh(input: Tensor) -> Tensor:
    """The inverse hyperbolic cosine (NaN below 1)."""
    return Acosh.apply(_float(input))


def atanh(input: Tensor) -> Tensor:
    """The inverse hyperbolic tangent (NaN outside [-1, 1])."""
    return Atanh.apply(_float(input))


arcsin = asin
arccos = acos
arctan = atan
arcsinh = asinh
arccosh = acosh
arctanh = atanh


def _floats(input: Any, other: Any) -> tuple[Any, Any]:
    """Two operands of a float-valued binary op: integer tensors become the default float."""
    if isinstance(input, Tensor):
        input = _float(input)
    if isinstance(other, Tensor):
        other = _float(other)
    return input, other


def atan2(input: Tensor, other: Any) -> Tensor:
    """The angle of the point (other, input): ``atan(input / other)`` in the right quadrant.

    Example:
        >>> import bricks
        >>> bricks.atan2(bricks.tensor([1.0]), bricks.tensor([-1.0]))
        tensor([2.3562])
    """
    return _binary(Atan2, *_floats(input, other))


arctan2 = atan2


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input ** 2 + other ** 2)`` without overflow."""
    return _binary(Hypot, input, other)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    return _binary(Logaddexp, input, other)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate for small inputs."""
    return Expm1.apply(_float(input))


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``."""
    return Exp2.apply(_float(input))


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm."""
    return Log2.apply(_float(input))


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm."""
    return Log10.apply(_float(input))


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral of exp(-t**2) from 0 to input``."""
    return Erf.apply(_float(input))


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(input)``."""
    return Erfc.apply(_float(input))


def lgamma(input: Tensor) -> Tensor:
    """``log|Gamma(input)|``; its gradient is the digamma function."""
    return Lgamma.apply(_float(input))


class Digamma(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return _digamma_array(x).astype(x.dtype)

    def backward(self, gy):
        from .special import trigamma_array  # special builds on this module

        return gy * trigamma_array(self.x)


def digamma(input: Tensor) -> Tensor:
    """The digamma function, ``d/dx lgamma(x)``; its gradient is the trigamma function."""
    return Digamma.apply(_float(input))


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``clamp``, by NumPy's name (torch has both)."""
    return clamp(input, min, max)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: the
    dtype's largest and smallest finite values); the gradient passes where the value was finite.
    """
    if input._value.dtype.kind != "f":
        return Tensor._wrap(input._value.copy())
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def signbit(input: Tensor) -> Tensor:
    """Where the sign bit is set (-0.0 included)."""
    return _no_grad_unary(xp.signbit, input)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero (gradient zero)."""
    return _no_grad_unary(xp.trunc, input)


def frac(input: Tensor) -> Tensor:
    """The fractional part, ``input - trunc(input)``; its gradient is 1."""
    return input - trunc(input)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians."""
    return _float(input) * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees."""
    return _float(input) * (180 / math.pi)
