"""The primitives of ``torch.special`` that bricks had no op for.

Bessel functions, the scaled complementary error function, the normal distribution's
log-CDF and quantile, Hurwitz zeta and polygamma, ``xlogy``, ``sinc``, ``entr`` and ``logit``.
NumPy has none of them, so each is computed here to about 1e-13 relative in float64: power
series and asymptotic expansions where they converge fast, and Newton steps to invert. The
namespace ``bricks.special`` (``torch.special``) re-exports these next to the aliases of ops
bricks already had. Not a Tensor-method family: no ``__all__`` entries become methods.
"""

from __future__ import annotations

import math
from typing import Any

from .._device import array_module, xp
from .._tensor import Tensor
from ..autograd.function import Function, rename, unbroadcast
from .elementwise import _broadcasting, _operands, _shape
from .pointwise import erfc_array
from .unary import _float

_SQRT2 = math.sqrt(2.0)
_SQRT_PI = math.sqrt(math.pi)


def _quiet() -> Any:
    return xp.errstate(all="ignore")


# ----- modified Bessel functions of order 0 and 1 -----

def _bessel_i(x: Any, nu: int, scaled: bool) -> Any:
    """``I_nu(|x|)`` (times ``exp(-|x|)`` when scaled): the power series up to 30, above it
    the asymptotic expansion ``e^x / sqrt(2 pi x) * sum (-1)^k a_k(nu) / x^k``."""
    a = xp.abs(x).astype(xp.float64)
    small = a <= 30
    s = xp.where(small, a, 0.0)
    term = (s / 2) ** nu
    total = term.copy()
    for k in range(1, 120):
        term = term * (s * s / 4) / (k * (k + nu))
        total += term
    t = xp.where(small, 1.0, a)
    term, expansion = xp.ones_like(t), xp.ones_like(t)
    for k in range(1, 30):
        term = term * -(4 * nu * nu - (2 * k - 1) ** 2) / (8 * k * t)
        expansion += term
    with _quiet():
        expansion = expansion / xp.sqrt(2 * math.pi * t)
        if scaled:
            return xp.where(small, total * xp.exp(-s), expansion)
        return xp.where(small, total, expansion * xp.exp(a))


def _i0(x: Any, scaled: bool = False) -> Any:
    return _bessel_i(x, 0, scaled).astype(x.dtype)


def _i1(x: Any, scaled: bool = False) -> Any:
    return (xp.sign(x) * _bessel_i(x, 1, scaled)).astype(x.dtype)


class I0(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return _i0(x)

    def backward(self, gy):
        return gy * _i1(self.x)


class SpecialI0E(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x):
        self.x, self.y = x, _i0(x, scaled=True)
        return self.y

    def backward(self, gy):
        return gy * (_i1(self.x, scaled=True) - xp.sign(self.x) * self.y)


def _at_zero(x: Any) -> Any:
    """Where the order-1 slopes take their limit 0.5: at 0, and (as torch) at NaN."""
    return (x == 0) | xp.isnan(x)


class SpecialI1(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x):
        self.x, self.y = x, _i1(x)
        return self.y

    def backward(self, gy):
        with _quiet():
            slope = _i0(self.x) - self.y / self.x
        return gy * xp.where(_at_zero(self.x), 0.5, slope)


class SpecialI1E(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x):
        self.x, self.y = x, _i1(x, scaled=True)
        return self.y

    def backward(self, gy):
        x = self.x
        with _quiet():
            slope = _i0(x, scaled=True) - self.y * (xp.sign(x) + 1 / x)
        return gy * xp.where(_at_zero(x), 0.5, slope)


# ----- the error function's relatives and the normal distribution -----

def _erfcx(x: Any) -> Any:
    """``exp(x^2) erfc(x)``: directly below 10, the asymptotic series above (no overflow)."""
    dtype, x = x.dtype, x.astype(xp.float64)  # exp(x^2) overflows float32 from 9.4
    with _quiet():
        direct = xp.exp(x * x) * erfc_array(x)
        t = xp.where(x < 10, 10.0, x)
        inv = 1 / (2 * t * t)
        term, series = xp.ones_like(t), xp.ones_like(t)
        for k in range(1, 20):
            term = term * -(2 * k - 1) * inv
            series += term
        return xp.where(x < 10, direct, series / (t * _SQRT_PI)).astype(dtype)


class SpecialErfcx(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x):
        self.x, self.y = x, _erfcx(x)
        return self.y

    def backward(self, gy):
        with _quiet():
            return gy * (2 * self.x * self.y - 2 / _SQRT_PI)


def _log_ndtr(x: Any) -> Any:
    """``log Phi(x)``: through erfcx in the left tail, ``log1p(-Phi(-x))`` on the right."""
    with _quiet():
        left = xp.log(_erfcx(-x / _SQRT2) / 2) - x * x / 2
        right = xp.log1p(-erfc_array(x / _SQRT2) / 2)
        return xp.where(x < 0, left, right).astype(x.dtype)


def _log_ndtr_slope(x: Any) -> Any:
    """``phi(x) / Phi(x)``, finite in both tails."""
    with _quiet():
        return xp.where(x == -xp.inf, xp.nan, math.sqrt(2 / math.pi) / _erfcx(-x / _SQRT2))


class SpecialLogNdtr(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return _log_ndtr(x)

    def backward(self, gy):
        return gy * _log_ndtr_slope(self.x)


def _ndtri(p: Any) -> Any:
    """The standard normal quantile: Abramowitz & Stegun 26.2.23 as the first guess for the
    lower half, then Newton steps on ``log Phi(x) = log p`` (quadratic, fine in the tails)."""
    p64 = p.astype(xp.float64)
    with _quiet():
        q = xp.minimum(p64, 1 - p64)
        inner = (q > 0) & (q <= 0.5)
        qs = xp.where(inner, q, 0.25)
        t = xp.sqrt(-2 * xp.log(qs))
        x = -(t - (2.515517 + t * (0.802853 + t * 0.010328))
              / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
        for _ in range(5):
            x = x - (_log_ndtr(x) - xp.log(qs)) / _log_ndtr_slope(x)
        x = xp.where(p64 > 0.5, -x, xp.where(p64 == 0.5, 0.0, x))
        x = xp.where(p64 == 0, -xp.inf, xp.where(p64 == 1, xp.inf, x))
        return xp.where((p64 < 0) | (p64 > 1) | xp.isnan(p64), xp.nan, x).astype(p.dtype)


class SpecialNdtri(Function):
    saves_output = True

    def forward(self, p):
        self.y = _ndtri(p)
        return self.y

    def backward(self, gy):
        with _quiet():
            return gy * math.sqrt(2 * math.pi) * xp.exp(self.y * self.y / 2)


# ----- zeta and polygamma -----

# B_2, B_4, ..., B_24 over (2j)!: the Euler-Maclaurin tail of the Hurwitz zeta function.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)
_EM = tuple(b / math.factorial(2 * j + 2) for j, b in enumerate(_BERNOULLI))


def _zeta(s: Any, q: Any) -> Any:
    """The Hurwitz zeta function ``sum_k (k + q)^-s``: direct terms until ``q + k >= 9``,
    then the Euler-Maclaurin tail; torch's (Cephes') values outside the domain."""
    mod = array_module(q if hasattr(q, "shape") else s)  # one operand may be a number
    s, q = mod.broadcast_arrays(mod.asarray(s, xp.float64), mod.asarray(q, xp.float64))
    with _quiet():
        a = xp.where(xp.isfinite(q), q, 9.0)
        total = xp.zeros_like(s)
        for _ in range(9):
            total += a ** -s
            a = a + 1
        while (a < 9).any():
            total += xp.where(a < 9, a ** -s, 0.0)
            a = xp.where(a < 9, a + 1, a)
        total += a ** (1 - s) / (s - 1) + a ** -s / 2
        rising, power = s.copy(), a ** (-s - 1)
        for j, coefficient in enumerate(_EM):
            total += coefficient * rising * power
            rising = rising * (s + 2 * j + 1) * (s + 2 * j + 2)
            power = power / (a * a)
        # Cephes' rules, each overriding those above it: NaN for q NaN or +inf or for q < 0
        # with s not an integer; inf at q's poles; NaN for s < 1; inf at s = 1 whatever q.
        total = xp.where(xp.isnan(q) | (q == xp.inf) | ((q < 0) & (s != xp.floor(s))),
                         xp.nan, total)
        total = xp.where((q <= 0) & (q == xp.floor(q)), xp.inf, total)
        total = xp.where(s < 1, xp.nan, total)
        return xp.where(s == 1, xp.inf, total)


class SpecialZeta(Function):
    saves = (0, 1)

    def forward(self, s, q):
        self.s, self.q = s, q
        return _zeta(s, q).astype(xp.result_type(s, q))

    def backward(self, gy):
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, unbroadcast(gy * -self.s * _zeta(self.s + 1, self.q), _shape(self.q))


def _polygamma(n: int, x: Any) -> Any:
    """``psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x)`` for n >= 1; digamma for n = 0."""
    if n == 0:
        from .pointwise import _digamma_array

        return _digamma_array(x).astype(x.dtype)
    if n == 1:
        return trigamma_array(x)
    return ((-1) ** (n + 1) * math.factorial(n) * _zeta(n + 1.0, x)).astype(x.dtype)


def trigamma_array(x: Any) -> Any:
    """``psi'(x)``, the gradient of digamma: ``zeta(2, x)``, reflected below 1/2 as torch
    does (``pi^2 / sin^2(pi x) - psi'(1 - x)``, with the sine in x's dtype, so the poles at
    the negative integers give torch's large finite values), 0 at +inf."""
    with _quiet():
        sine = xp.sin(math.pi * x)
        reflected = math.pi ** 2 / (sine * sine).astype(xp.float64) - _zeta(2.0, 1 - x)
        out = xp.where(x < 0.5, reflected, _zeta(2.0, x))
    return xp.where(x == xp.inf, 0.0, out).astype(x.dtype)


class Polygamma(Function):
    saves = (0,)

    def forward(self, x, n):
        self.x, self.n = x, n
        return _polygamma(n, x)

    def backward(self, gy):
        return gy * _polygamma(self.n + 1, self.x)


# ----- xlogy, xlog1py, sinc, entr, logit -----

class _XLog(Function):
    """``x * log(y)`` (``log1p`` in the subclass), 0 where x is 0 and y is not NaN."""

    saves = (0, 1)
    log = staticmethod(xp.log)
    edge = 0.0  # where the logarithm's domain ends

    def forward(self, x, y):
        self.x, self.y = x, y
        with _quiet():
            product = _broadcasting(xp.multiply, x, self.log(y))
            return xp.where((x == 0) & ~xp.isnan(y), 0.0, product).astype(product.dtype)

    def backward(self, gy):
        x, y = self.x, self.y
        with _quiet():
            # torch: log(y), except 0 where x is 0 and y is outside the domain
            gx = gy * xp.where((x == 0) & (y <= self.edge), 0.0, self.log(y))
            gy_ = gy * x / (y - self.edge)
        return (unbroadcast(gx, _shape(x)) if self.needs_input_grad[0] else None,
                unbroadcast(gy_, _shape(y)) if self.needs_input_grad[1] else None)


class Xlogy(_XLog):
    pass


class SpecialXlog1Py(_XLog):
    log = staticmethod(xp.log1p)
    edge = -1.0


class Sinc(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with _quiet():
            return xp.where(x == 0, 1.0, xp.sin(math.pi * x) / (math.pi * x)).astype(x.dtype)

    def backward(self, gy):
        px = math.pi * self.x
        with _quiet():
            top = px * xp.cos(px) - xp.sin(px)
            slope = top / (px * self.x)
        return gy * xp.where(top == 0, 0.0, slope)  # 0 at 0, and where x * x underflows


class SpecialEntr(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        with _quiet():
            inside = -x * xp.log(x)
        return xp.where(x > 0, inside, xp.where(x < 0, -xp.inf, xp.where(x == 0, 0.0, x)))

    def backward(self, gy):
        with _quiet():
            return gy * -(1 + xp.log(self.x))


class Logit(Function):
    saves = (0,)

    def forward(self, x, eps):
        self.x, self.eps = x, eps
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        with _quiet():
            return xp.log(z / (1 - z))

    def backward(self, gy):
        x = self.x
        with _quiet():
            slope = gy / (x * (1 - x))
        if self.eps is None:
            return xp.where((x < 0) | (x > 1), xp.nan, slope)
        return xp.where((x < self.eps) | (x > 1 - self.eps), 0.0, slope)


# ----- the public functions -----

def _float_pair(a: Any, b: Any) -> tuple[Any, Any]:
    """Promote two operands by torch's rules, then integer tensors to the default float."""
    a, b = _operands(a, b)
    a = _float(a) if isinstance(a, Tensor) else a
    b = _float(b) if isinstance(b, Tensor) else b
    # a number becomes a 0-d tensor of the other's dtype (NumPy would widen to float64)
    if not isinstance(a, Tensor):
        a = Tensor._wrap(array_module(b._value).asarray(a, b._value.dtype))
    if not isinstance(b, Tensor):
        b = Tensor._wrap(array_module(a._value).asarray(b, a._value.dtype))
    return a, b


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 0."""
    return I0.apply(_float(input))


def i0e(input: Tensor) -> Tensor:
    """``i0(x) * exp(-|x|)``, finite for large ``|x|``."""
    return SpecialI0E.apply(_float(input))


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 1."""
    return SpecialI1.apply(_float(input))


def i1e(input: Tensor) -> Tensor:
    """``i1(x) * exp(-|x|)``, finite for large ``|x|``."""
    return SpecialI1E.apply(_float(input))


def erfcx(input: Tensor) -> Tensor:
    """The scaled complementary error function ``exp(x^2) * erfc(x)``."""
    return SpecialErfcx.apply(_float(input))


def log_ndtr(input: Tensor) -> Tensor:
    """The log of the standard normal CDF, accurate far into the left tail."""
    return SpecialLogNdtr.apply(_float(input))


def ndtri(input: Tensor) -> Tensor:
    """The standard normal quantile (inverse CDF); -inf at 0, inf at 1, NaN outside."""
    return SpecialNdtri.apply(_float(input))


def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function ``sum_k (k + other)^-input``; differentiable in ``other``."""
    return SpecialZeta.apply(*_float_pair(input, other))


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma.

    Raises:
        RuntimeError: for a negative ``n``, as torch.
    """
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(_float(input), int(n))


def multigammaln(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma ``sum_i lgamma(a - i/2) + p(p-1)/4 log(pi)`` of dimension p."""
    from .pointwise import lgamma
    from .reduce import sum as _sum
    from .shape import stack

    x = _float(input)
    terms = stack([lgamma(x - i / 2) for i in range(p)], dim=-1)
    return rename(_sum(terms, -1) + p * (p - 1) / 4 * math.log(math.pi), "MvlgammaBackward0")


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return Xlogy.apply(*_float_pair(input, other))


def xlog1py(input: Any, other: Any) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return SpecialXlog1Py.apply(*_float_pair(input, other))


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc ``sin(pi x) / (pi x)``, 1 at 0."""
    return Sinc.apply(_float(input))


def entr(input: Tensor) -> Tensor:
    """The elementwise entropy ``-x log x``: 0 at 0, -inf below."""
    return SpecialEntr.apply(_float(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    return Logit.apply(_float(input), eps)
