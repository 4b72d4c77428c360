"""The incomplete gamma function and the implicit gradients of gamma and beta draws
(bricks.ops.incomplete): against torch (``special.gammainc``, ``_standard_gamma_grad``,
``_dirichlet_grad``) and against SciPy's CDFs differentiated numerically in float64.

torch approximates the implicit gradients (Taylor series, saddle-point expansions and rational
fits): on the grids here its gamma gradient is within 1.2e-2 relative of the exact one in the
far upper tail of a small shape and within 1e-3 between the 5% and 95% quantiles, its beta
gradient within 3e-3. bricks computes the exact gradients: central differences of SciPy's CDFs
agree to 1e-8 and better. torch's incomplete gamma function itself is within 2e-9 (its
asymptotic series for shapes above 20); bricks' is within 1e-12 of SciPy's."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st
import torch

import bricks
from bricks.ops.incomplete import (
    dirichlet_grad_array, gammainc_array, standard_gamma_grad_array,
)

INF, NAN = math.inf, math.nan
SHAPES = np.array([0.01, 0.03, 0.1, 0.3, 0.8, 1.0, 2.5, 7.9, 8.1, 20.0, 99.9, 100.1, 1e3])
QUANTILES = np.array([1e-6, 1e-3, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999, 1 - 1e-6])


def _gamma_grid():
    """Each shape at quantiles from 1e-6 to 1 - 1e-6 of Gamma(shape, 1), where they are not 0."""
    a = np.repeat(SHAPES, QUANTILES.size)
    q = np.tile(QUANTILES, SHAPES.size)
    x = sp.gammaincinv(a, q)
    keep = x > 0  # the 1e-6 quantile of Gamma(0.01) underflows
    return a[keep], x[keep], q[keep]


def _central(f, a, step):
    """df/da by central differences, Richardson-extrapolated (error of order step^4)."""
    def once(h):
        return (f(a + h) - f(a - h)) / (2 * h)

    return (4 * once(step / 2) - once(step)) / 3


def _step(a):
    # the CDF changes with a on the scale min(a, sqrt(a))
    return 1e-3 * np.minimum(a, np.sqrt(a))


def test_standard_gamma_grad_is_the_implicit_derivative_of_scipys_cdf():
    a, x, q = _gamma_grid()
    upper = q > 0.5  # differentiate Q = 1 - P there, which keeps its digits
    dP = np.where(upper, -_central(lambda s: sp.gammaincc(s, x), a, _step(a)),
                  _central(lambda s: sp.gammainc(s, x), a, _step(a)))
    expected = -dP / st.gamma.pdf(x, a)
    np.testing.assert_allclose(standard_gamma_grad_array(a, x), expected, rtol=1e-8)


def test_standard_gamma_grad_is_the_derivative_of_the_quantile_at_fixed_probability():
    """dx/da holding u = P(a, x) fixed: the draw's noise held fixed (inverse-CDF sampling)."""
    a, x, q = _gamma_grid()
    inner = (q > 1e-4) & (a >= 0.1)  # where SciPy's inverse keeps 1e-9 relative
    a, x, q = a[inner], x[inner], q[inner]
    expected = _central(lambda s: sp.gammaincinv(s, q), a, _step(a))
    np.testing.assert_allclose(standard_gamma_grad_array(a, x), expected, rtol=1e-7)


def test_standard_gamma_grad_matches_torch_within_its_approximation():
    a, x, q = _gamma_grid()
    ours = standard_gamma_grad_array(a, x)
    theirs = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy()
    middle = (q >= 0.05) & (q <= 0.95)
    np.testing.assert_allclose(ours[middle], theirs[middle], rtol=1e-3)
    np.testing.assert_allclose(ours, theirs, rtol=1.5e-2)


def test_standard_gamma_grad_for_huge_shapes_and_at_the_method_switch():
    """A shape of 100 and more takes a quadrature (the series would need ~sqrt(74 a) terms):
    it meets the series at the switch, and torch's saddle point far above it."""
    x = np.array([80.0, 99.0, 100.0, 101.0, 130.0, 1e-3, 1e4])
    below = standard_gamma_grad_array(np.full(x.size, np.nextafter(100.0, 0)), x)
    above = standard_gamma_grad_array(np.full(x.size, 100.0), x)
    np.testing.assert_allclose(below, above, rtol=1e-12)
    z = np.array([-5.0, -1.0, -0.3, 0.3, 1.0, 5.0])
    for shape in (1e6, 1e10, 1e14):
        draws = shape + np.sqrt(shape) * z
        ours = standard_gamma_grad_array(np.full(z.size, shape), draws)
        theirs = torch._standard_gamma_grad(torch.tensor(np.full(z.size, shape)),
                                            torch.tensor(draws)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=2e-8)


def test_standard_gamma_grad_at_the_edges_as_torch():
    a = np.array([1.0, 0.5, 0.01, 100.0, 1e4])
    x = np.array([0.0, 1e-300, 1e-300, 1e300, 1e-3])
    got = standard_gamma_grad_array(a, x)
    assert got[0] == 0.0 and np.isfinite(got).all() and (got >= 0).all()
    theirs = torch._standard_gamma_grad(torch.tensor(a[:3]), torch.tensor(x[:3])).numpy()
    np.testing.assert_allclose(got[:3], theirs, rtol=1e-10)
    # far in the upper tail dx/da -> log x - psi(a); torch's saddle point says 686.7
    assert got[3] == pytest.approx(math.log(1e300) - sp.digamma(100.0), rel=1e-12)
    assert np.isnan(standard_gamma_grad_array(np.array([NAN, 1.0, -1.0]),
                                              np.array([1.0, NAN, 1.0]))).all()


def _beta_grid():
    pairs = [(0.01, 0.5), (0.1, 3.0), (0.5, 0.5), (1.0, 1.0), (2.0, 5.0), (7.0, 9.0),
             (30.0, 2.0), (0.05, 200.0), (500.0, 800.0)]
    a = np.repeat([p[0] for p in pairs], QUANTILES.size)
    b = np.repeat([p[1] for p in pairs], QUANTILES.size)
    q = np.tile(QUANTILES, len(pairs))
    x = sp.betaincinv(a, b, q)
    keep = (x > 0) & (x < 1)
    return a[keep], b[keep], x[keep], q[keep]


def test_dirichlet_grad_is_the_implicit_derivative_of_scipys_beta_cdf():
    a, b, x, q = _beta_grid()
    upper = q > 0.5
    dI = np.where(upper, -_central(lambda s: sp.betaincc(s, b, x), a, _step(a)),
                  _central(lambda s: sp.betainc(s, b, x), a, _step(a)))
    expected = -dI / st.beta.pdf(x, a, b) / (1 - x)
    np.testing.assert_allclose(dirichlet_grad_array(x, a, a + b), expected, rtol=1e-7)


def test_dirichlet_grad_matches_torch_within_its_approximation():
    a, b, x, q = _beta_grid()
    ours = dirichlet_grad_array(x, a, a + b)
    theirs = torch._dirichlet_grad(torch.tensor(x), torch.tensor(a), torch.tensor(a + b)).numpy()
    middle = (q >= 0.05) & (q <= 0.95)
    np.testing.assert_allclose(ours[middle], theirs[middle], rtol=1e-3)
    np.testing.assert_allclose(ours, theirs, rtol=5e-3)
    # at the ends of the interval: 0 at x = 0, as torch; finite at x = 1
    edges = dirichlet_grad_array(np.array([0.0, 1.0]), np.array([2.0, 2.0]), np.array([5.0, 5.0]))
    assert edges[0] == 0.0 and np.isfinite(edges[1])


# ----- special.gammainc and gammaincc -----

SHAPE_EDGES = np.array([0.0, 0.0, 1.0, -1.0, 1.0, INF, INF, 2.0, NAN, 1.0, 0.5, 1.0, NAN, NAN,
                        INF, 100.0, 100.0, 1e3, 1e-3, 30.0, 150.0])
POINT_EDGES = np.array([1.0, 0.0, 0.0, 1.0, -1.0, 1.0, INF, INF, 1.0, NAN, 1e-300, 1e300, 0.0,
                        INF, NAN, 1e-300, 1e300, 1e-3, 5.0, 31.0, 149.0])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_values_match_torch_on_random_and_edge_inputs(name):
    rng = np.random.default_rng(5)
    a = np.concatenate([np.exp(rng.uniform(-4, 7, 200)), SHAPE_EDGES])
    x = np.concatenate([rng.gamma(a[:200]) * rng.uniform(0.5, 2, 200), POINT_EDGES])
    for dtype, rtol, atol in (("float64", 5e-9, 1e-300), ("float32", 1e-5, 1e-7)):
        with np.errstate(over="ignore", under="ignore"):  # 1e300 is inf in float32
            a_, x_ = a.astype(dtype), x.astype(dtype)
        ours = getattr(bricks.special, name)(bricks.tensor(a_), bricks.tensor(x_))
        theirs = getattr(torch.special, name)(torch.tensor(a_), torch.tensor(x_))
        assert str(ours.dtype)[7:] == str(theirs.dtype)[6:]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=atol,
                                   equal_nan=True)
    exact = getattr(bricks.special, name)(bricks.tensor(a[:200]), bricks.tensor(x[:200]))
    np.testing.assert_allclose(exact.numpy(), getattr(sp, name)(a[:200], x[:200]), rtol=1e-12,
                               atol=1e-300)


def test_values_for_large_shapes_match_scipy():
    a = np.array([1e4, 1e4, 1e6, 1e6, 1e8])
    x = a + np.sqrt(a) * np.array([-3.0, 2.0, -1.0, 4.0, 0.5])
    np.testing.assert_allclose(gammainc_array(a, x), sp.gammainc(a, x), rtol=1e-9)
    np.testing.assert_allclose(gammainc_array(a, x, upper=True), sp.gammaincc(a, x), rtol=1e-9)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gradient_in_x_matches_torch_and_central_differences(name):
    a = np.array([[0.3], [2.5], [40.0]])
    x = np.array([0.0, 0.2, 1.0, 3.0, 45.0, INF, -1.0])
    ours_x = bricks.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours = getattr(bricks.special, name)(bricks.tensor(a), ours_x)
    theirs = getattr(torch.special, name)(torch.tensor(a), theirs_x)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-10,
                               equal_nan=True)
    shape = bricks.tensor([0.7, 3.0, 150.0], dtype=bricks.float64)
    point = bricks.tensor([0.4, 2.0, 160.0], dtype=bricks.float64, requires_grad=True)
    assert bricks.autograd.gradcheck(lambda p: getattr(bricks.special, name)(shape, p), (point,))


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_no_gradient_in_the_shape_as_torch(name):
    kernel = "igamma" if name == "gammainc" else "igammac"
    for lib in (bricks, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        out = getattr(lib.special, name)(a, lib.tensor([0.5, 1.0]))
        with pytest.raises(NotImplementedError,
                           match=f"the derivative for '{kernel}: input' is not implemented"):
            out.sum().backward()


@pytest.mark.parametrize("call", [
    lambda m: m.special.gammainc(m.tensor([1.0]), 2.0),
    lambda m: m.special.gammaincc(2, m.tensor([1.0])),
    lambda m: m.igamma(m.tensor([1.0]), 2),
    lambda m: m.special.gammainc(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.special.gammaincc(m.tensor([True]), m.tensor([True])),
    lambda m: m.special.gammainc(m.ones(2), m.ones(3)),
])
def test_bad_arguments_raise_torchs_errors(call):
    caught = []
    for lib in (torch, bricks):
        with pytest.raises(Exception) as info:
            call(lib)
        caught.append(info.value)
    assert type(caught[1]) is type(caught[0])
    if not isinstance(caught[0], RuntimeError) or isinstance(caught[0], NotImplementedError):
        assert str(caught[1]) == str(caught[0])


def test_torch_names_promotion_and_in_place_forms():
    values = [np.array([0.5, 2.0, 3.0]), np.array([1.0, 1.5, 0.2])]
    results = []
    for lib in (torch, bricks):
        a = lib.tensor(values[0], dtype=lib.float32)
        x = lib.tensor(values[1], dtype=lib.float64)
        inplace = lib.tensor(values[0])
        inplace.igammac_(lib.tensor(values[1]))
        results.append([lib.igamma(a, x), a.igammac(x), lib.special.gammainc(a, x[0]),
                        inplace])
    for theirs, ours in zip(*results):
        assert str(ours.dtype)[7:] == str(theirs.dtype)[6:]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
