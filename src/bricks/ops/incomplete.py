"""The regularized incomplete gamma function (``torch.special.gammainc`` and ``gammaincc``) and
the reparameterized gradients of gamma and beta draws in their shape parameters.

Three evaluations serve them all (Numerical Recipes, 3rd ed., 6.2 and 6.4): the power series
of the lower incomplete gamma function for ``x < a + 1``, Legendre's continued fraction of the
upper one elsewhere, and the continued fraction of the incomplete beta function. Each carries
its derivative in the shape parameter along, term by term (forward mode), so the implicit
gradient of a draw, ``dx/da = -(dF/da) / (dF/dx)`` for the CDF ``F`` (Figurnov et al. 2018,
"Implicit reparameterization gradients"), needs no differencing and no exponentials that
overflow: both derivatives share the factor ``x^a e^-x / Gamma(a)``, which cancels. From a
gamma shape of 100 on, where the series would need about ``sqrt(74 a)`` terms, a 64-node
Gauss-Legendre quadrature of the same integrals takes over (below). The loops run in float64
until every element has converged, setting converged ones aside; the beta fraction needs about
``sqrt(max(a, b)) / 2`` terms.

torch approximates the same gradients by series, saddle-point and rational fits (off by up to
1e-2 relative in far tails, see tests/ops/test_incomplete.py); these follow the exact ones to
about 1e-10 relative in float64 (digamma's accuracy and the cancellation in
``log x - psi(a)`` bound them).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from .._device import array_module, xp
from .._dtypes import scalar_type_name
from .._tensor import Tensor
from ..autograd.function import Function, unbroadcast
from .elementwise import _broadcasting, _operands, _shape
from .pointwise import _digamma_array, _lgamma_array

_EPS = 2.0 ** -53
_TINY = 1e-300
_MAX_TERMS = 200_000  # the beta fraction's, for shapes up to about 1e11


def _converge(step: Callable[[int, list], tuple[list, Any]], state: list) -> list:
    """Run ``step(n, state) -> (state, done)`` for n = 1, 2, ... on flat arrays until every
    element is done; finished elements are set aside every 16 steps, so that a few slow ones
    (a large shape) do not hold the whole array in the loop."""
    mod = array_module(state[0])
    results = [s.copy() for s in state]
    index = mod.arange(state[0].size)
    for n in range(1, _MAX_TERMS + 1):
        if index.size == 0:
            break
        state, done = step(n, state)
        if n % 16 == 0 or n == _MAX_TERMS or bool(done.all()):
            finished = done | (n == _MAX_TERMS)
            for result, values in zip(results, state):
                result[index[finished]] = values[finished]
            index = index[~finished]
            state = [values[~finished] for values in state]
    return results


def _quiet() -> Any:
    return xp.errstate(all="ignore")


def _not_above(value: Any, bound: Any) -> Any:
    return ~(value > bound)  # NaN counts as converged


def _nonzero(value: Any) -> Any:
    mod = array_module(value)
    return mod.where(value == 0, _TINY, value)


# ----- the lower series and the upper continued fraction of the incomplete gamma function -----

def _gamma_series(a: Any, x: Any) -> tuple[Any, Any]:
    """``S = sum_n x^n / ((a+1)...(a+n))`` and ``dS/da``; ``P(a, x) = x^a e^-x S / Gamma(a+1)``."""
    def step(n: int, state: list) -> tuple[list, Any]:
        a, x, term, harmonic, total, dtotal = state
        term = term * x / (a + n)
        harmonic = harmonic + 1 / (a + n)  # d log(term) / da = -harmonic
        total = total + term
        dtotal = dtotal - term * harmonic
        done = _not_above(term, _EPS * total) & _not_above(term * harmonic, -_EPS * dtotal)
        return [a, x, term, harmonic, total, dtotal], done

    one, zero = a * 0 + 1, a * 0
    results = _converge(step, [a, x, one, zero, one.copy(), zero.copy()])
    return results[4], results[5]


def _lentz(coefficients: Callable[[int, Any], tuple[Any, Any, Any, Any]], head: Any,
           dhead: Any, params: list) -> tuple[Any, Any]:
    """``f = b0 + a1 / (b1 + a2 / (b2 + ...))`` by the modified Lentz method, and
    ``d log f``: ``coefficients(n, params)`` gives ``a_n, da_n, b_n, db_n``."""
    count = len(params)

    def step(n: int, state: list) -> tuple[list, Any]:
        params, (c, dc, d, dd, f, dlogf) = state[:count], state[count:]
        an, dan, bn, dbn = coefficients(n, params)
        denominator = _nonzero(bn + an * d)
        ddenominator = dbn + dan * d + an * dd
        d = 1 / denominator
        dd = -ddenominator * d * d
        c_next = _nonzero(bn + an / c)
        dc = dbn + dan / c - an * (dc / c) / c
        c = c_next
        delta = c * d
        dlogdelta = dc / c - ddenominator / denominator
        f = f * delta
        dlogf = dlogf + dlogdelta
        done = (_not_above(abs(delta - 1), _EPS)
                & _not_above(abs(dlogdelta), _EPS * (1 + abs(dlogf))))
        return params + [c, dc, d, dd, f, dlogf], done

    head = _nonzero(head)
    zero = head * 0
    results = _converge(step, params + [head, dhead, zero, zero.copy(), head.copy(),
                                        dhead / head])
    return results[-2], results[-1]


def _gamma_fraction(a: Any, x: Any) -> tuple[Any, Any]:
    """``C`` and ``d log C / da`` of ``Q(a, x) = x^a e^-x C / Gamma(a)``:
    ``C = 1 / (x+1-a - 1(1-a) / (x+3-a - 2(2-a) / (x+5-a - ...)))``."""
    def coefficients(n: int, params: list) -> tuple[Any, Any, Any, Any]:
        a, x = params
        return n * (a - n), n, x + (2 * n + 1) - a, -1.0

    f, dlogf = _lentz(coefficients, x + 1 - a, a * 0 - 1, [a, x])
    return 1 / f, -dlogf


def _beta_fraction(a: Any, b: Any, x: Any, wrt_first: bool) -> tuple[Any, Any]:
    """``C`` and ``d log C`` (in ``a`` or in ``b``) of
    ``I_x(a, b) = x^a (1-x)^b C / (a B(a, b))``, the continued fraction
    ``1 / (1 + d1 / (1 + d2 / (1 + ...)))`` for ``x < (a + 1) / (a + b + 2)``."""
    def coefficients(n: int, params: list) -> tuple[Any, Any, Any, Any]:
        a, b, x = params
        m = n // 2
        if n % 2:  # d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1))
            m = (n - 1) // 2
            numerator = -(a + m) * (a + b + m) * x
            dnumerator = -x * (2 * a + b + 2 * m) if wrt_first else -x * (a + m)
            denominator = (a + 2 * m) * (a + 2 * m + 1)
            ddenominator = 2 * a + 4 * m + 1
        else:  # d_{2m} = m(b-m) x / ((a+2m-1)(a+2m))
            numerator = m * (b - m) * x
            dnumerator = 0.0 * x if wrt_first else m * x
            denominator = (a + 2 * m - 1) * (a + 2 * m)
            ddenominator = 2 * a + 4 * m - 1
        if not wrt_first:
            ddenominator = 0.0
        an = numerator / denominator
        dan = (dnumerator - an * ddenominator) / denominator
        return an, dan, 1.0, 0.0

    one = a * 0 + 1
    f, dlogf = _lentz(coefficients, one, one * 0, [a, b, x])
    return 1 / f, -dlogf


# ----- a large shape: Gauss-Legendre quadrature of the incomplete gamma integrals -----

# From this shape on, the loops above would need many terms (about sqrt(74 a)), while the
# integrands below are smooth on the scale of their support: 64 nodes give about 1e-14.
_QUADRATURE_SHAPE = 100.0
_NODES = 64
_BLOCK = 4096
_PRECISE_ABOVE = 1e6  # the x from which e^v - 1 - v takes its series


@functools.cache
def _legendre() -> tuple[Any, Any]:
    import numpy

    return numpy.polynomial.legendre.leggauss(_NODES)


def _exp_minus_linear(v: Any, mod: Any, precise: bool = True) -> Any:
    """``e^v - 1 - v``. ``expm1(v) - v`` is off by about ``eps |v|``, which ``h`` below
    multiplies by ``x`` (at most ``1.4e-15 sqrt(x)`` over the nodes): ``precise`` takes the
    Taylor series for ``|v| < 0.1`` instead, for a large ``x``."""
    direct = mod.expm1(v) - v
    if not precise:
        return direct
    small = abs(v) < 0.1
    s = mod.where(small, v, 0.0)
    total = 1 + s / 12
    for k in range(11, 2, -1):  # v^2/2 (1 + v/3 (1 + v/4 (1 + ...)))
        total = 1 + s * total / k
    return mod.where(small, s * s / 2 * total, direct)


def _log_ratio(x: Any, a: Any, mod: Any) -> tuple[Any, Any]:
    """``log(x/a)`` and ``log(x/a) - (x-a)/a`` without cancellation near ``x = a``: for
    ``d = (x-a)/a`` small, ``log(1+d) - d = -d^2/(2+d) + 2 (y^3/3 + y^5/5 + ...)`` with
    ``y = d / (2+d)`` (from ``log(1+d) = 2 atanh(y)``)."""
    d = (x - a) / a
    small = abs(d) < 0.5
    s = mod.where(small, d, 0.0)
    y = s / (2 + s)
    power, total = y * y * y, 0.0 * s
    for k in range(1, 18):
        total = total + power / (2 * k + 1)
        power = power * y * y
    curvature = -s * s / (2 + s) + 2 * total
    direct = mod.log(x) - mod.log(a)
    return mod.where(small, curvature + d, direct), mod.where(small, curvature, direct - d)


def _stirling_tail(a: Any) -> Any:
    """``lgamma(a) - (a - 1/2) log a + a - log(2 pi) / 2``, for ``a >= 10`` (to 1e-15)."""
    i = 1 / (a * a)
    return (1 / a) * (1 / 12 - i * (1 / 360 - i * (1 / 1260 - i * (1 / 1680 - i * (
        1 / 1188 - i * (691 / 360360 - i / 156))))))


def _log_minus_digamma(a: Any) -> Any:
    """``log a - psi(a)`` for ``a >= 10`` (A&S 6.3.18)."""
    i = 1 / (a * a)
    return 1 / (2 * a) + i * (1 / 12 - i * (1 / 120 - i * (1 / 252 - i * (1 / 240 - i / 132))))


def _quadrature_end(a: Any, x: Any, lower: Any, mod: Any) -> Any:
    """Where ``h(v) = (a-x) v - x (e^v - 1 - v)`` falls to -50, on the side of 0 that the
    integral covers. Two points lie past it: where the tangent at 0 reaches -50, and where
    ``-x (e^v - 1 - v) >= h`` does (``|v| >= sqrt(100/x)`` above 0; below, ``sqrt(150/x)``
    or ``1 + 50/x``). From the nearer, Newton steps approach the concave ``h``'s crossing
    from outside, so the interval never cuts the integrand short."""
    with _quiet():
        gap = 50 / abs(a - x)
    width = mod.where(lower, mod.maximum(mod.sqrt(150 / x), 1 + 50 / x), mod.sqrt(100 / x))
    end = mod.where(lower, -1.0, 1.0) * mod.minimum(gap, width)
    for _ in range(3):
        h = (a - x) * end - x * _exp_minus_linear(end, mod)
        end = end - (h + 50) / (a - x * mod.exp(end))
    return end


def _gamma_quadrature(a: Any, x: Any, mod: Any) -> tuple[Any, Any, Any]:
    """``P``, ``Q`` and ``dx/da`` for ``a >= 100``, in blocks that keep the nodes' arrays
    small (one array per block of a few thousand elements)."""
    parts = [_gamma_quadrature_block(a[i:i + _BLOCK], x[i:i + _BLOCK], mod)
             for i in range(0, x.size, _BLOCK)]
    return tuple(mod.concatenate(values) for values in zip(*parts))


def _gamma_quadrature_block(a: Any, x: Any, mod: Any) -> tuple[Any, Any, Any]:
    """With ``t = x e^v``, the integrals of the density from the nearer end are
    ``x f(x) int e^h dv`` (``h`` as in ``_quadrature_end``), with no cancellation: over
    ``v <= 0`` for ``x < a`` (``P``, and ``dP/da`` over the density,
    ``int (log t - psi(a)) e^h dv``, whose integrand keeps one sign), else over ``v >= 0``."""
    lower = x < a
    end = _quadrature_end(a, x, lower, mod)
    nodes, weights = (mod.asarray(v) for v in _legendre())
    v = end[:, None] * ((nodes + 1) / 2)
    precise = bool((x > _PRECISE_ABOVE).any())
    density = mod.exp((a - x)[:, None] * v - x[:, None] * _exp_minus_linear(v, mod, precise))
    log_ratio, log_ratio_minus_linear = _log_ratio(x, a, mod)
    log_gap = log_ratio + _log_minus_digamma(a)  # log x - psi(a)
    # the sums over the nodes v = end (u + 1) / 2, weighted w |end| / 2, as two products
    mass = density @ weights * (abs(end) / 2)
    moment = density @ (weights * (nodes + 1)) * (end * abs(end) / 4) + log_gap * mass
    # log(x f(x)) = a log x - x - lgamma(a), Stirling's form without its large terms
    near_end = mod.exp(a * log_ratio_minus_linear + 0.5 * mod.log(a / (2 * math.pi))
                       - _stirling_tail(a)) * mass
    return (mod.where(lower, near_end, 1 - near_end), mod.where(lower, 1 - near_end, near_end),
            mod.where(lower, -x * moment, x * moment))


# ----- values and gradients -----

def _incomplete_gamma(a: Any, x: Any, mod: Any) -> tuple[Any, Any, Any]:
    """``P(a, x)``, ``Q(a, x)`` and the implicit gradient ``dx/da = -(dP/da) / (dP/dx)`` for
    finite positive ``a`` and ``x`` (flat float64 arrays)."""
    lower, upper, grad = mod.empty_like(x), mod.empty_like(x), mod.empty_like(x)
    large = a >= _QUADRATURE_SHAPE
    near = ~large & (x < a + 1)
    far = ~large & ~near
    if large.any():
        lower[large], upper[large], grad[large] = _gamma_quadrature(a[large], x[large], mod)
    if near.any():  # P = x^a e^-x S / Gamma(a+1); dx/da = -(x/a) (S (log x - psi(a+1)) + dS)
        an, xn = a[near], x[near]
        series, dseries = _gamma_series(an, xn)
        log_x = mod.log(xn)
        lower[near] = mod.exp(an * log_x - xn - _lgamma_array(an + 1)) * series
        upper[near] = 1 - lower[near]
        grad[near] = -(xn / an) * (series * (log_x - _digamma_array(an + 1)) + dseries)
    if far.any():  # Q = x^a e^-x C / Gamma(a); dx/da = x C (log x - psi(a) + d log C / da)
        af, xf = a[far], x[far]
        fraction, dlog = _gamma_fraction(af, xf)
        log_x = mod.log(xf)
        upper[far] = mod.exp(af * log_x - xf - _lgamma_array(af)) * fraction
        lower[far] = 1 - upper[far]
        grad[far] = xf * fraction * (log_x - _digamma_array(af) + dlog)
    return lower, upper, grad


def _flat(*arrays: Any) -> tuple[list, tuple, Any]:
    mod = array_module(arrays[-1])
    broadcast = mod.broadcast_arrays(*(mod.asarray(v, mod.float64) for v in arrays))
    return [v.ravel() for v in broadcast], broadcast[0].shape, mod


def _regular(a: Any, x: Any, mod: Any) -> Any:
    """Where the evaluations run: finite positive shape and point."""
    return (a > 0) & (x > 0) & mod.isfinite(a) & mod.isfinite(x)


def gammainc_array(a: Any, x: Any, upper: bool = False) -> Any:
    """``P(a, x)`` (``Q(a, x) = 1 - P`` when ``upper``) in float64, with Cephes' (torch's)
    values off the domain: NaN for a negative argument, and the limits at 0 and infinity."""
    (a, x), shape, mod = _flat(a, x)
    regular = _regular(a, x, mod)
    out = mod.full(x.shape, mod.nan)
    if regular.any():
        out[regular] = _incomplete_gamma(a[regular], x[regular], mod)[1 if upper else 0]
    low, high = (1.0, 0.0) if upper else (0.0, 1.0)  # the values at x = 0 and at x = inf
    # Cephes' cascade, the first rule that holds deciding: x < 0 or a < 0; a = 0; x = 0;
    # a = inf; x = inf.
    rules = [((x < 0) | (a < 0), mod.nan), (a == 0, mod.where(x > 0, high, mod.nan)),
             (x == 0, low), (mod.isinf(a), mod.where(mod.isinf(x), mod.nan, low)),
             (mod.isinf(x), high)]
    for condition, value in reversed(rules):
        out = mod.where(condition, value, out)
    return out.reshape(shape)


def standard_gamma_grad_array(alpha: Any, x: Any) -> Any:
    """``dx/dalpha`` of a Gamma(alpha, 1) draw ``x``, ``-(dP/dalpha) / (dP/dx)`` (torch's
    ``_standard_gamma_grad(alpha, x)``), in float64: 0 at ``x = 0`` as torch, NaN off the
    domain."""
    (a, x), shape, mod = _flat(alpha, x)
    out = mod.where(x == 0, 0.0, mod.nan)
    regular = _regular(a, x, mod)
    if regular.any():
        out[regular] = _incomplete_gamma(a[regular], x[regular], mod)[2]
    return out.reshape(shape)


def dirichlet_grad_array(x: Any, alpha: Any, total: Any) -> Any:
    """``-(dI_x(alpha, beta)/dalpha) / (density) / (1 - x)`` at ``beta = total - alpha``: the
    reparameterized gradient of a Beta draw ``x``, scaled as torch's ``_dirichlet_grad(x,
    alpha, total)`` for the Dirichlet backward; in float64, 0 at ``x = 0`` as torch."""
    (x, a, total), shape, mod = _flat(x, alpha, total)
    b = total - a
    out = mod.where(x == 0, 0.0, mod.nan)
    regular = (x > 0) & (x <= 1) & (a > 0) & (b > 0) & mod.isfinite(a) & mod.isfinite(b)
    x, a, b = x[regular], a[regular], b[regular]
    grad = mod.empty_like(x)
    digammas = _digamma_array(a + b) - _digamma_array(a)
    near = x < (a + 1) / (a + b + 2)  # where the fraction in x converges; else the one in 1-x
    if near.any():  # -(x/a) C (log x - 1/a + psi(a+b) - psi(a) + d log C / da)
        xn, an = x[near], a[near]
        fraction, dlog = _beta_fraction(an, b[near], xn, wrt_first=True)
        grad[near] = -(xn / an) * fraction * (mod.log(xn) - 1 / an + digammas[near] + dlog)
    if (~near).any():  # the complement I_{1-x}(b, a), differentiated in its second shape
        xf, bf = x[~near], b[~near]
        fraction, dlog = _beta_fraction(bf, a[~near], 1 - xf, wrt_first=False)
        grad[~near] = (xf / bf) * fraction * (mod.log(xf) + digammas[~near] + dlog)
    out[regular] = grad
    return out.reshape(shape)


# ----- torch.special.gammainc and gammaincc -----

class Igamma(Function):
    saves = (0, 1)
    upper = False
    kernel = "igamma"

    def forward(self, a, x):
        self.a, self.x = a, x
        values = _broadcasting(lambda p, q: gammainc_array(p, q, self.upper), a, x)
        return values.astype(xp.result_type(a, x))

    def backward(self, gy):
        if self.needs_input_grad[0]:  # as torch, which has no derivative in the shape either
            raise NotImplementedError(f"the derivative for '{self.kernel}: input' is not "
                                      "implemented.")
        a, x = self.a, self.x
        mod = array_module(x)
        # torch's formula as it is (NaN at x = 0 for a = 1, 0 where lgamma(a) is infinite)
        density = mod.exp((a - 1) * mod.log(x) - x - _lgamma_array(a))
        gx = gy * (-density if self.upper else density)
        return None, unbroadcast(gx.astype(gy.dtype), _shape(x))


class Igammac(Igamma):
    upper = True
    kernel = "igammac"


def _incomplete_gamma_op(op: type[Igamma], name: str, input: Any, other: Any) -> Tensor:
    for position, (argument, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")
    a, x = _operands(input, other)
    if a._value.dtype.kind != "f":
        raise NotImplementedError(f'"{op.kernel}_cpu" not implemented for '
                                  f"'{scalar_type_name(a._value.dtype)}'")
    return op.apply(a, x)


def gammainc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized lower incomplete gamma function
    ``P(a, x) = int_0^x t^(a-1) e^-t dt / Gamma(a)`` of shape ``input`` at ``other``.

    Differentiable in ``other`` only, as torch's.

    Raises:
        TypeError: for an argument that is not a Tensor.
        NotImplementedError: for integer or bool tensors (torch's error), and from backward
            when the gradient in ``input`` is asked for.
    """
    return _incomplete_gamma_op(Igamma, "special_gammainc", input, other)


def gammaincc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``.

    Raises:
        TypeError: for an argument that is not a Tensor.
        NotImplementedError: as ``gammainc``.
    """
    return _incomplete_gamma_op(Igammac, "special_gammaincc", input, other)


def igamma(input: Tensor, other: Tensor) -> Tensor:
    """``torch.igamma``: ``special.gammainc``."""
    return _incomplete_gamma_op(Igamma, "igamma", input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """``torch.igammac``: ``special.gammaincc``."""
    return _incomplete_gamma_op(Igammac, "igammac", input, other)
