"""Reparameterized draws of Gamma, Chi2, Beta, Dirichlet and StudentT, and Gamma's cdf, against
torch.distributions.

bricks' generator is not torch's, so the gradients are compared on bricks' own draws: torch's
graph is rebuilt as its ``rsample`` builds it, around the same standard gamma draws (with
torch's ``_standard_gamma_grad`` as their backward) or through torch's ``_Dirichlet_backward``
at the same Dirichlet draw. torch's implicit gradients are approximations (see
tests/ops/test_incomplete.py), hence the tolerances on the concentrations; the other
parameters' gradients match to rounding. Unbiasedness: the mean of the per-draw gradients is
the gradient of the analytic mean, within five standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks.ops.gamma_draws import standard_gamma
from bricks.ops.incomplete import standard_gamma_grad_array

D = bricks.distributions
CONCENTRATION = np.array([[0.05, 0.5, 1.0], [3.0, 30.0, 1000.0]])
RATE = np.array([[1.0, 2.0, 0.5], [0.25, 1.5, 3.0]])
SAMPLE = (200,)
WEIGHTS = np.random.default_rng(0).standard_normal(SAMPLE + (2, 3))


class _GivenStandardGamma(torch.autograd.Function):
    """torch's ``_standard_gamma`` with a given draw: backward is torch's gradient at it."""

    @staticmethod
    def forward(ctx, alpha, draw):
        ctx.save_for_backward(alpha, draw)
        return draw.clone()

    @staticmethod
    def backward(ctx, grad):
        alpha, draw = ctx.saved_tensors
        return grad * torch._standard_gamma_grad(alpha, draw), None


def _leaves(lib, *arrays):
    return [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]


def _standard_draws(seed, concentration, shape):
    """The standard gamma draws an rsample seeded with ``seed`` starts with."""
    bricks.manual_seed(seed)
    return standard_gamma(bricks.tensor(concentration).expand(shape)).numpy()


def test_has_rsample_flags_are_torchs():
    checked = 0
    for name in D.__all__:
        ours, theirs = getattr(D, name), getattr(torch.distributions, name)
        if isinstance(ours, type) and isinstance(theirs.has_rsample, bool):  # not a property
            assert ours.has_rsample is theirs.has_rsample, name
            checked += 1
    assert checked >= 20
    for lib in (bricks, torch):  # Independent's follows its base distribution
        assert lib.distributions.Independent(lib.distributions.Gamma(lib.ones(2), 1.0),
                                             1).has_rsample


def test_gamma_rsample_gradients_match_torchs_at_the_same_draws():
    c, r = _leaves(bricks, CONCENTRATION, RATE)
    bricks.manual_seed(7)
    value = D.Gamma(c, r).rsample(SAMPLE)
    assert value.grad_fn.name() == "DivBackward0"
    assert value.grad_fn.next_functions[0][0].name() == "StandardGammaBackward0"
    (value * bricks.tensor(WEIGHTS)).sum().backward()
    draws = _standard_draws(7, CONCENTRATION, SAMPLE + (2, 3))
    np.testing.assert_array_equal(value.detach().numpy(), draws / RATE)

    ct, rt = _leaves(torch, CONCENTRATION, RATE)
    shape = SAMPLE + (2, 3)
    reference = _GivenStandardGamma.apply(ct.expand(shape), torch.tensor(draws)) / rt.expand(shape)
    (reference * torch.tensor(WEIGHTS)).sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), rt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(c.grad.numpy(), ct.grad.numpy(), rtol=5e-3, atol=1e-3)
    # and exactly the implicit gradient at each draw, summed
    exact = (WEIGHTS * standard_gamma_grad_array(CONCENTRATION, draws) / RATE).sum(0)
    np.testing.assert_allclose(c.grad.numpy(), exact, rtol=1e-12)


def test_chi2_and_student_t_rsample_gradients_match_torchs_at_the_same_draws():
    df, loc, scale = _leaves(bricks, CONCENTRATION[1] + 0.5, RATE[0] - 1, RATE[1])
    shape = SAMPLE + (3,)
    bricks.manual_seed(11)
    chi2 = D.Chi2(df).rsample(SAMPLE)
    bricks.manual_seed(12)
    student = D.StudentT(df, loc, scale).rsample(SAMPLE)
    assert chi2.grad_fn.name() == "DivBackward0" and student.grad_fn.name() == "AddBackward0"
    weights = bricks.tensor(WEIGHTS[:, 0])
    ((chi2 + student) * weights).sum().backward()

    half = CONCENTRATION[1] / 2 + 0.25
    chi2_draws = _standard_draws(11, half, shape)
    bricks.manual_seed(12)  # the normal draws come first, then the chi-squared
    normal = bricks.randn(shape, dtype=bricks.float64).numpy()
    student_draws = standard_gamma(bricks.tensor(half).expand(shape)).numpy()
    np.testing.assert_array_equal(chi2.detach().numpy(), chi2_draws / 0.5)

    dft, loct, scalet = _leaves(torch, CONCENTRATION[1] + 0.5, RATE[0] - 1, RATE[1])
    z = _GivenStandardGamma.apply((0.5 * dft).expand(shape), torch.tensor(chi2_draws)) / 0.5
    t_z = _GivenStandardGamma.apply((0.5 * dft).expand(shape), torch.tensor(student_draws)) / 0.5
    t = loct + scalet * (torch.tensor(normal) * torch.rsqrt(t_z / dft))
    np.testing.assert_allclose(student.detach().numpy(), t.detach().numpy(), rtol=1e-14)
    ((z + t) * torch.tensor(WEIGHTS[:, 0])).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), loct.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(scale.grad.numpy(), scalet.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(df.grad.numpy(), dft.grad.numpy(), rtol=5e-3, atol=1e-3)


def test_dirichlet_and_beta_rsample_gradients_match_torchs_backward():
    concentration = np.array([[0.3, 1.0, 2.0], [5.0, 0.05, 40.0]])
    (c,) = _leaves(bricks, concentration)
    bricks.manual_seed(3)
    draws = D.Dirichlet(c).rsample(SAMPLE)
    assert draws.grad_fn.name() == "_DirichletBackward"
    (draws * bricks.tensor(WEIGHTS)).sum().backward()
    x = torch.tensor(draws.detach().numpy())
    np.testing.assert_allclose(x.sum(-1).numpy(), 1.0, rtol=1e-14)
    reference = torch.distributions.dirichlet._Dirichlet_backward(
        x, torch.tensor(concentration).expand(x.shape), torch.tensor(WEIGHTS)).sum(0)
    np.testing.assert_allclose(c.grad.numpy(), reference.numpy(), rtol=5e-3, atol=1e-3)

    c1, c0 = _leaves(bricks, concentration[0], concentration[1])
    bricks.manual_seed(4)
    beta = D.Beta(c1, c0).rsample(SAMPLE)
    assert beta.grad_fn.name() == "SelectBackward0"
    (beta * bricks.tensor(WEIGHTS[:, 0])).sum().backward()
    x = torch.tensor(beta.detach().numpy())
    pair = torch.stack([x, 1 - x], -1)
    weights = torch.stack([torch.tensor(WEIGHTS[:, 0]), torch.zeros(SAMPLE + (3,),
                                                                     dtype=torch.float64)], -1)
    reference = torch.distributions.dirichlet._Dirichlet_backward(
        pair, torch.tensor(concentration.T).expand(pair.shape), weights).sum(0)
    np.testing.assert_allclose(c1.grad.numpy(), reference[:, 0].numpy(), rtol=5e-3, atol=1e-3)
    np.testing.assert_allclose(c0.grad.numpy(), reference[:, 1].numpy(), rtol=5e-3, atol=1e-3)


N = 20000


def _gamma_case(c, r):
    return (lambda p: D.Gamma(p[0], p[1]), [c, r], lambda x: x, c / r, [1 / r, -c / r ** 2])


def _student_case(df, loc, scale):
    second = loc ** 2 + scale ** 2 * df / (df - 2)
    return (lambda p: D.StudentT(p[0], p[1], p[2]), [df, loc, scale], lambda x: x ** 2, second,
            [-2 * scale ** 2 / (df - 2) ** 2, 2 * loc, 2 * scale * df / (df - 2)])


# name: (build, parameter values, f, E[f], dE[f]/d each parameter)
UNBIASED = {
    "gamma_small": _gamma_case(0.3, 2.0),
    "gamma_large": _gamma_case(150.0, 0.5),
    "chi2": (lambda p: D.Chi2(p[0]), [3.0], lambda x: x, 3.0, [1.0]),
    "beta": (lambda p: D.Beta(p[0], p[1]), [0.5, 2.0], lambda x: x, 0.2, [2 / 6.25, -0.5 / 6.25]),
    "dirichlet": (lambda p: D.Dirichlet(bricks.stack(p, -1)), [0.3, 1.0, 2.0],
                  lambda x: x[..., 0], 0.3 / 3.3, [3.0 / 3.3 ** 2, -0.3 / 3.3 ** 2,
                                                   -0.3 / 3.3 ** 2]),
    "student_t": _student_case(5.0, 1.0, 2.0),
}


@pytest.mark.parametrize("name", UNBIASED)
def test_mean_draw_and_its_gradient_are_unbiased(name):
    """One leaf per draw (N copies of each parameter) gives the per-draw gradients."""
    build, values, f, expected, gradients = UNBIASED[name]
    leaves = [bricks.full((N,), v, dtype=bricks.float64, requires_grad=True) for v in values]
    bricks.manual_seed(5)
    outcome = f(build(leaves).rsample())
    outcome.sum().backward()
    for estimate, target in [(outcome.detach(), expected)] + [
            (leaf.grad, g) for leaf, g in zip(leaves, gradients)]:
        sample = estimate.numpy()
        assert np.isfinite(sample).all()
        assert abs(sample.mean() - target) < 5 * sample.std() / np.sqrt(N) + 1e-12, name


def test_draws_repeat_under_a_seed_and_sample_is_rsample_without_gradient():
    c = bricks.tensor([0.2, 4.0], dtype=bricks.float64, requires_grad=True)
    for make in (lambda: D.Gamma(c, 2.0), lambda: D.Beta(c, 1.5), lambda: D.Dirichlet(c),
                 lambda: D.Chi2(c), lambda: D.StudentT(c, 0.0, 3.0)):
        bricks.manual_seed(9)
        first = make().rsample((50,))
        bricks.manual_seed(9)
        again = make().sample((50,))
        assert first.requires_grad and not again.requires_grad
        np.testing.assert_array_equal(first.detach().numpy(), again.numpy())


def test_float32_draws_keep_their_dtype_and_stay_positive():
    c = bricks.tensor([0.01, 0.5, 3.0], requires_grad=True)
    bricks.manual_seed(1)
    value = D.Gamma(c, bricks.tensor([1.0, 2.0, 1.0])).rsample((1000,))
    assert value.dtype == bricks.float32 and bool((value > 0).all())
    value.sum().backward()
    assert c.grad.dtype == bricks.float32 and np.isfinite(c.grad.numpy()).all()
    beta = D.Beta(c, c + 1).rsample((1000,))
    assert beta.dtype == bricks.float32 and bool(((beta > 0) & (beta < 1)).all())


@pytest.mark.parametrize("name", ["gamma", "chi2"])
def test_cdf_values_and_gradients_match_torch(name):
    value = np.array([[0.0, 0.01, 0.5, 2.0], [1.0, 7.0, 30.0, 400.0]])
    results = []
    for lib in (bricks, torch):
        concentration = lib.tensor(CONCENTRATION[:, :1] * 1.7, dtype=lib.float64)
        rate, x = _leaves(lib, RATE[:, 1:2], value)
        dist = (lib.distributions.Gamma(concentration, rate) if name == "gamma"
                else lib.distributions.Chi2(concentration))
        cdf = dist.cdf(x)
        cdf.sum().backward()
        results.append([cdf.detach().numpy(), x.grad.numpy()]
                       + ([rate.grad.numpy()] if name == "gamma" else []))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-300)


def test_cdf_refusals_as_torch():
    for lib in (bricks, torch):
        concentration = lib.tensor([1.5, 3.0], requires_grad=True)
        cdf = lib.distributions.Gamma(concentration, 1.0).cdf(lib.tensor([0.5, 1.0]))
        with pytest.raises(NotImplementedError, match="derivative for 'igamma: input'"):
            cdf.sum().backward()
        gamma = lib.distributions.Gamma(lib.tensor([1.5]), 1.0, validate_args=True)
        with pytest.raises(ValueError, match="within the support"):
            gamma.cdf(lib.tensor([-1.0]))
