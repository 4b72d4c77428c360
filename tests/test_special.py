"""torch.special: values and gradients against torch on random and edge inputs (0, ±0, ±inf,
NaN, domain boundaries, the asymptotic switch-overs), the aliases, scalars and errors.
The op table (tests/ops/op_table_special.py) adds gradcheck, edge shapes and grad_fn names."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
import torch

import bricks

INF, NAN = math.inf, math.nan
RANDOM = np.concatenate([np.random.default_rng(0).standard_normal(30) * 3,
                         np.random.default_rng(1).uniform(0, 1, 10)])
EDGES = np.array([0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 0.5, 2.0, 1e-300, -1e-8, 5.0, 9.99,
                  10.01, 12.0, -12.0, 29.9, 30.1, 35.0, -40.0, 100.0, 700.0, 800.0, 1e4,
                  -30.5, 26.5, -27.0])
PROBABILITIES = np.array([0.0, 1.0, 0.5, -0.1, 1.1, 1e-300, 1e-20, 1e-5, 0.01, 0.3, 0.7, 0.99,
                          1 - 1e-10, NAN, 2.5e-8])
TOLERANCE = {"float64": dict(rtol=1e-9, atol=0.0), "float32": dict(rtol=1e-5, atol=1e-30)}
GRAD_TOLERANCE = {"float64": dict(rtol=1e-7, atol=0.0), "float32": dict(rtol=1e-4, atol=1e-6)}


def _check(name, f_bricks, f_torch, values, dtype, grad=True):
    ours = bricks.tensor(values, dtype=getattr(bricks, dtype), requires_grad=grad)
    theirs = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=grad)
    got, expected = f_bricks(ours), f_torch(theirs)
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), equal_nan=True,
                               err_msg=name, **TOLERANCE[dtype])
    if grad:
        got.sum().backward()
        (expected_grad,) = torch.autograd.grad(expected.sum(), theirs)
        np.testing.assert_allclose(ours.grad.numpy(), expected_grad.numpy(), equal_nan=True,
                                   err_msg=f"{name} gradient", **GRAD_TOLERANCE[dtype])


UNARY = ["i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "ndtr", "sinc", "entr", "expit", "erf",
         "erfc", "expm1", "log1p", "exp2", "gammaln", "digamma", "psi"]
# float32 where torch computes in float32 and overflows or loses the tail (see op_table_special)
FLOAT32_TAILS = {"i0", "i1", "log_ndtr", "i0e", "i1e", "erfcx"}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values_and_gradients_match_torch(name, dtype):
    f_b, f_t = getattr(bricks.special, name), getattr(torch.special, name)
    _check(name, f_b, f_t, RANDOM, dtype)
    edges = EDGES
    if dtype == "float32" and name in FLOAT32_TAILS:
        edges = EDGES[np.abs(EDGES) < 25]
    _check(name, f_b, f_t, edges, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", [("ndtri", {}), ("logit", {}), ("logit", {"eps": 1e-6}),
                                         ("logit", {"eps": 0.25})])
def test_probability_functions_match_torch(name, kwargs, dtype):
    values = PROBABILITIES
    if "eps" in kwargs:  # torch's gradient at NaN depends on its kernel's vector width
        values = values[~np.isnan(values)]
    _check(name, lambda x: getattr(bricks.special, name)(x, **kwargs),
           lambda x: getattr(torch.special, name)(x, **kwargs), values, dtype)


POLES_AND_TAILS = np.array([1.0, 2.0, 0.5, -1.5, -2.0, 0.0, -0.0, INF, -INF, NAN, 1e-3, 7.3, 20.0,
                            -3.7, 100.0, 1e6])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_polygamma_matches_torch(n):
    _check(f"polygamma{n}", lambda x: bricks.special.polygamma(n, x),
           lambda x: torch.special.polygamma(n, x), np.concatenate([POLES_AND_TAILS, RANDOM]),
           "float64")


@pytest.mark.parametrize("s", [2.0, 3.5, 1.0, 0.5, -1.0, 10.0, NAN])
def test_zeta_matches_torch_and_scipy(s):
    q = np.concatenate([POLES_AND_TAILS, np.abs(RANDOM) + 0.1])
    _check(f"zeta{s}", lambda x: bricks.special.zeta(bricks.tensor(s, dtype=bricks.float64), x),
           lambda x: torch.special.zeta(torch.tensor(s, dtype=torch.float64), x), q, "float64")
    positive = np.abs(RANDOM) + 0.1
    got = bricks.special.zeta(s, bricks.tensor(positive)).numpy()
    np.testing.assert_allclose(got, scipy.special.zeta(s, positive), rtol=1e-12, equal_nan=True)


def test_zeta_has_no_gradient_in_s_as_torch():
    s = bricks.tensor(2.0, requires_grad=True)
    out = bricks.special.zeta(s, bricks.tensor([1.0, 2.0]))
    with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented"):
        out.sum().backward()


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_xlogy_family_matches_torch(name):
    a = np.array([0.0, 0.0, 1.0, 2.0, -1.0, 0.0, 3.0, 0.0, NAN, 1.0, 0.0, 2.0])
    b = np.array([0.0, -1.0, 0.0, 3.0, -1.0, NAN, 0.5, 2.0, 1.0, -1.0, -2.0, INF])
    ours = [bricks.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    got, expected = getattr(bricks.special, name)(*ours), getattr(torch.special, name)(*theirs)
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), equal_nan=True)
    got.sum().backward()
    for mine, reference in zip(ours, torch.autograd.grad(expected.sum(), theirs)):
        np.testing.assert_allclose(mine.grad.numpy(), reference.numpy(), equal_nan=True)
    for pair in [(2.0, [3.0]), ([3], 2), ([2, 0], [3, 0])]:
        args_b = [bricks.tensor(v) if isinstance(v, list) else v for v in pair]
        args_t = [torch.tensor(v) if isinstance(v, list) else v for v in pair]
        mine = getattr(bricks.special, name)(*args_b)
        reference = getattr(torch.special, name)(*args_t)
        assert str(mine.dtype)[7:] == str(reference.dtype)[6:]
        np.testing.assert_allclose(mine.numpy(), reference.numpy())


def test_multigammaln_matches_torch():
    _check("multigammaln", lambda x: bricks.special.multigammaln(x, 3),
           lambda x: torch.special.multigammaln(x, 3), np.abs(RANDOM) + 1.5, "float64")
    ints = bricks.special.multigammaln(bricks.tensor([2, 3]), 2)
    np.testing.assert_allclose(ints.numpy(),
                               torch.special.multigammaln(torch.tensor([2, 3]), 2).numpy())


def test_tails_are_accurate_where_numpy_would_underflow():
    """erfcx and log_ndtr far out, and ndtri of tiny probabilities, against SciPy."""
    x = np.array([-30.0, -10.0, -5.0, 0.0, 5.0, 30.0, 1e3, 1e8])
    np.testing.assert_allclose(bricks.special.erfcx(bricks.tensor(x)).numpy(),
                               scipy.special.erfcx(x), rtol=1e-13)
    np.testing.assert_allclose(bricks.special.log_ndtr(bricks.tensor(x)).numpy(),
                               scipy.special.log_ndtr(x), rtol=1e-12)
    p = np.array([1e-300, 1e-100, 1e-10, 0.2, 0.5, 0.8, 1 - 1e-12])
    np.testing.assert_allclose(bricks.special.ndtri(bricks.tensor(p)).numpy(),
                               scipy.special.ndtri(p), rtol=1e-12, atol=1e-15)
    big = np.array([0.1, 5.0, 29.0, 31.0, 200.0, 700.0])
    for name in ("i0", "i0e", "i1", "i1e"):
        np.testing.assert_allclose(getattr(bricks.special, name)(bricks.tensor(big)).numpy(),
                                   getattr(scipy.special, name)(big), rtol=1e-13)
    assert bricks.erfc(bricks.tensor([10.0])).item() == pytest.approx(2.088487583762545e-45)


def test_aliases_are_the_bricks_functions():
    x = bricks.tensor([0.3, 0.7])
    for alias, name in [("expit", "sigmoid"), ("gammaln", "lgamma"), ("psi", "digamma"),
                        ("erf", "erf"), ("erfinv", "erfinv"), ("log1p", "log1p"),
                        ("expm1", "expm1"), ("exp2", "exp2")]:
        np.testing.assert_array_equal(getattr(bricks.special, alias)(x).numpy(),
                                      getattr(bricks, name)(x).numpy())


@pytest.mark.parametrize("call", [
    lambda m, x: m.special.softmax(x, 1),
    lambda m, x: m.special.log_softmax(x, 0, dtype=m.float32),
    lambda m, x: m.special.logsumexp(x, 1, keepdim=True),
    lambda m, x: m.special.round(x, decimals=2),
])
def test_reductions_and_round_match_torch(call):
    values = np.random.default_rng(2).standard_normal((3, 4))
    mine, reference = call(bricks, bricks.tensor(values)), call(torch, torch.tensor(values))
    assert str(mine.dtype)[7:] == str(reference.dtype)[6:]
    np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6)


def test_polygamma_negative_order_raises_as_torch():
    with pytest.raises(RuntimeError, match="does not support negative n"):
        bricks.special.polygamma(-1, bricks.tensor([1.0]))
    with pytest.raises(RuntimeError, match="does not support negative n"):
        torch.special.polygamma(-1, torch.tensor([1.0]))


def test_every_name_exists_in_torch_special():
    assert [n for n in bricks.special.__all__ if not hasattr(torch.special, n)] == []
