"""The distributions beyond the first six, and ``kl_divergence``, against torch.distributions:
log_prob, entropy, moments, cdf/icdf and their gradients on the same float64 parameters;
draws checked by shape and by their statistics (bricks' generator is not torch's)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks

RNG = np.random.default_rng(12)
POS = RNG.uniform(0.6, 3.0, (2, 3))
POS2 = RNG.uniform(0.6, 3.0, (2, 3))
REAL = RNG.standard_normal((2, 3))
UNIT = RNG.uniform(0.1, 0.9, (2, 3))
X_POS = RNG.uniform(0.1, 4.0, (4, 2, 3))
X_UNIT = RNG.uniform(0.05, 0.95, (4, 2, 3))
X_REAL = RNG.standard_normal((4, 2, 3)) * 2
X_COUNT = RNG.integers(0, 6, (4, 2, 3)).astype(float)
SIMPLEX = RNG.dirichlet(np.ones(3), (4, 2))
PROBS_U = RNG.uniform(0.05, 0.95, (4, 2, 3))

# name: (build(module, params), params, value, methods beyond log_prob/mean/variance)
CASES = {
    "gamma": (lambda d, p: d.Gamma(p[0], p[1]), [POS, POS2], X_POS, ("entropy", "mode")),
    "chi2": (lambda d, p: d.Chi2(p[0]), [POS], X_POS, ("entropy", "mode")),
    "exponential": (lambda d, p: d.Exponential(p[0]), [POS], X_POS,
                    ("entropy", "mode", "cdf", "icdf")),
    "beta": (lambda d, p: d.Beta(p[0], p[1]), [POS, POS2], X_UNIT, ("entropy", "mode")),
    "dirichlet": (lambda d, p: d.Dirichlet(p[0]), [POS], SIMPLEX, ("entropy", "mode")),
    "laplace": (lambda d, p: d.Laplace(p[0], p[1]), [REAL, POS], X_REAL,
                ("entropy", "mode", "cdf", "icdf")),
    "cauchy": (lambda d, p: d.Cauchy(p[0], p[1]), [REAL, POS], X_REAL,
               ("entropy", "mode", "cdf", "icdf")),
    "studentt": (lambda d, p: d.StudentT(p[0] + 2.5, p[1], p[2]), [POS, REAL, POS2], X_REAL,
                 ("entropy", "mode")),
    "studentt_heavy": (lambda d, p: d.StudentT(p[0] - 0.5), [POS], X_REAL, ("entropy",)),
    "lognormal": (lambda d, p: d.LogNormal(p[0], p[1]), [REAL, POS], X_POS,
                  ("entropy", "mode", "cdf", "icdf")),
    "halfnormal": (lambda d, p: d.HalfNormal(p[0]), [POS], X_POS,
                   ("entropy", "mode", "cdf", "icdf")),
    "normal_icdf": (lambda d, p: d.Normal(p[0], p[1]), [REAL, POS], X_UNIT, ("icdf", "mode")),
    "poisson": (lambda d, p: d.Poisson(p[0]), [POS], X_COUNT, ("mode",)),
    "binomial_probs": (lambda d, p: d.Binomial(6, probs=p[0]), [UNIT], X_COUNT,
                       ("entropy", "mode")),
    "binomial_logits": (lambda d, p: d.Binomial(bricks_or_torch(d).tensor([[6.0], [9.0]]),
                                                logits=p[0]), [REAL], X_COUNT, ("mode",)),
    "geometric_probs": (lambda d, p: d.Geometric(probs=p[0]), [UNIT], X_COUNT,
                        ("entropy", "mode")),
    "geometric_logits": (lambda d, p: d.Geometric(logits=p[0]), [REAL], X_COUNT, ("entropy",)),
    "independent": (lambda d, p: d.Independent(d.Normal(p[0], p[1]), 1), [REAL, POS], X_REAL,
                    ("entropy", "mode")),
    "one_hot_categorical": (lambda d, p: d.OneHotCategorical(probs=p[0]), [POS],
                            np.eye(3)[[0, 2, 1, 1]][:, None, :], ("entropy", "mode")),
}


def bricks_or_torch(d):
    return bricks if d is bricks.distributions else torch


def _build(lib, name):
    make, params, _, _ = CASES[name]
    tensors = [lib.tensor(p, requires_grad=True) for p in params]
    return make(lib.distributions, tensors), tensors


def _scores(dist, lib, name):
    """Every quantity the case compares, in a fixed order."""
    _, _, value, methods = CASES[name]
    out = [dist.log_prob(lib.tensor(value)), dist.mean, dist.variance, dist.stddev]
    for method in methods:
        if method in ("cdf",):
            out.append(dist.cdf(lib.tensor(value if name != "halfnormal" else value)))
        elif method == "icdf":
            out.append(dist.icdf(lib.tensor(X_UNIT)))
        elif method == "entropy":
            out.append(dist.entropy())
        else:
            out.append(getattr(dist, method))
    return out


def _close(ours, theirs, **tol):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)


@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_match_torch(name):
    ours, ours_params = _build(bricks, name)
    theirs, theirs_params = _build(torch, name)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    ours_out, theirs_out = _scores(ours, bricks, name), _scores(theirs, torch, name)
    for o, t in zip(ours_out, theirs_out):
        assert tuple(o.shape) == tuple(t.shape)
        _close(o, t, rtol=1e-9, atol=1e-12)
    weights = [RNG.standard_normal(tuple(t.shape)) for t in theirs_out]
    finite = [np.isfinite(t.detach().numpy()).all() and t.requires_grad for t in theirs_out]
    sum(((o * bricks.tensor(w)).sum() for o, w, f in zip(ours_out, weights, finite) if f),
        bricks.tensor(0.0, dtype=bricks.float64)).backward()
    sum(((t * torch.tensor(w)).sum() for t, w, f in zip(theirs_out, weights, finite) if f),
        torch.tensor(0.0, dtype=torch.float64)).backward()
    for o, t in zip(ours_params, theirs_params):
        if t.grad is None:
            assert o.grad is None or not o.grad.numpy().any()
        else:
            # torch's trigamma (the gradient of digamma) is good to about 1e-9
            _close(o.grad, t.grad, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", ["gamma", "beta", "dirichlet", "studentt", "binomial_probs",
                                  "geometric_probs"])
def test_log_prob_and_entropy_pass_gradcheck(name):
    make, params, value, methods = CASES[name]

    def scores(*tensors):
        dist = make(bricks.distributions, list(tensors))
        out = dist.log_prob(bricks.tensor(value)).sum()
        return out + dist.entropy().sum() if "entropy" in methods else out

    inputs = tuple(bricks.tensor(p, requires_grad=True) for p in params)
    assert bricks.autograd.gradcheck(scores, inputs)


MOMENT_CASES = ["gamma", "chi2", "exponential", "beta", "dirichlet", "laplace", "studentt",
                "lognormal", "halfnormal", "poisson", "binomial_probs", "geometric_probs",
                "independent", "one_hot_categorical"]


@pytest.mark.parametrize("name", MOMENT_CASES)
def test_draws_have_torch_shapes_and_moments(name):
    bricks.manual_seed(3)
    ours, _ = _build(bricks, name)
    theirs, _ = _build(torch, name)
    draws = ours.sample((4000, 5))
    assert tuple(draws.shape) == tuple(theirs.sample((4000, 5)).shape)
    assert draws.dtype == bricks.float64 and not draws.requires_grad
    flat = draws.reshape((20000,) + tuple(draws.shape[2:]))
    if name == "lognormal":  # too heavy-tailed for sample moments: those of its logarithm
        flat, theirs = flat.log(), theirs.base_dist
    mean, std = theirs.mean.detach().numpy(), theirs.stddev.detach().numpy()
    # the sample mean is within 5 standard errors
    tolerance = 5 * std / np.sqrt(20000)
    np.testing.assert_array_less(np.abs(flat.mean(0).numpy() - mean), tolerance + 1e-12)
    np.testing.assert_allclose(flat.std(0).numpy(), std, rtol=0.15)


def test_rsample_where_torch_reparameterizes_and_honest_refusals_elsewhere():
    d = bricks.distributions
    scale = bricks.tensor([1.0, 2.0], dtype=bricks.float64, requires_grad=True)
    for dist in (d.Exponential(scale), d.Laplace(0.0, scale), d.Cauchy(0.0, scale),
                 d.LogNormal(0.0, scale), d.HalfNormal(scale), d.Independent(
                     d.Normal(0.0, scale), 1), d.Gamma(scale, 1.0), d.Beta(scale, 1.0),
                 d.Dirichlet(scale), d.Chi2(scale), d.StudentT(scale)):
        assert dist.has_rsample
        dist.rsample((3,)).sum().backward()
        assert scale.grad is not None and np.isfinite(scale.grad.numpy()).all()
        scale.grad = None
    for dist in (d.Poisson(scale), d.Geometric(probs=scale / 3)):
        assert not dist.has_rsample
        with pytest.raises(NotImplementedError, match="rsample"):
            dist.rsample()


def test_sampled_values_lie_in_the_support():
    bricks.manual_seed(4)
    d = bricks.distributions
    assert bool((d.Gamma(0.05, 1.0).sample((1000,)) > 0).all())
    beta = d.Beta(0.3, 0.4).sample((1000,))
    assert bool(((beta >= 0) & (beta <= 1)).all())
    counts = d.Binomial(5, probs=bricks.tensor([0.2, 0.9])).sample((100,))
    assert bool((counts == counts.floor()).all() & (counts <= 5).all())


KL_PAIRS = {
    "normal": (lambda d, p: (d.Normal(p[0], p[1]), d.Normal(p[2], p[3])), [REAL, POS, REAL * 2,
                                                                          POS2]),
    "bernoulli": (lambda d, p: (d.Bernoulli(probs=p[0]), d.Bernoulli(logits=p[1])),
                  [UNIT, REAL]),
    "categorical": (lambda d, p: (d.Categorical(probs=p[0]), d.Categorical(logits=p[1])),
                    [POS, REAL]),
    "uniform": (lambda d, p: (d.Uniform(p[0], p[0] + p[1]), d.Uniform(p[0] - 1, p[0] + p[1] + 1)),
                [REAL, POS]),
    "beta": (lambda d, p: (d.Beta(p[0], p[1]), d.Beta(p[1], p[0] * 2)), [POS, POS2]),
    "gamma": (lambda d, p: (d.Gamma(p[0], p[1]), d.Gamma(p[1], p[0])), [POS, POS2]),
    "chi2_gamma": (lambda d, p: (d.Chi2(p[0]), d.Gamma(p[1], p[0])), [POS, POS2]),
    "exponential": (lambda d, p: (d.Exponential(p[0]), d.Exponential(p[1])), [POS, POS2]),
    "laplace": (lambda d, p: (d.Laplace(p[0], p[1]), d.Laplace(-p[0], p[2])), [REAL, POS, POS2]),
    "dirichlet": (lambda d, p: (d.Dirichlet(p[0]), d.Dirichlet(p[1])), [POS, POS2]),
    "poisson": (lambda d, p: (d.Poisson(p[0]), d.Poisson(p[1])), [POS, POS2]),
    "mvn": (lambda d, p: (d.MultivariateNormal(p[0], scale_tril=p[1].tril() + 3 * _eye(d)),
                          d.MultivariateNormal(p[2][0], covariance_matrix=p[3] @ p[3].mT
                                               + _eye(d))),
            [REAL, RNG.standard_normal((2, 3, 3)), REAL, RNG.standard_normal((3, 3))]),
    "independent": (lambda d, p: (d.Independent(d.Normal(p[0], p[1]), 1),
                                  d.Independent(d.Normal(p[2], p[1] * 2), 1)),
                    [REAL, POS, REAL * 3]),
}


def _eye(d):
    return bricks_or_torch(d).eye(3, dtype=bricks_or_torch(d).float64)


@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_and_its_gradients_match_torch(name):
    make, params = KL_PAIRS[name]
    results, grads = [], []
    for lib in (bricks, torch):
        tensors = [lib.tensor(p, requires_grad=True) for p in params]
        kl = lib.distributions.kl_divergence(*make(lib.distributions, tensors))
        kl.sum().backward()
        results.append(kl.detach().numpy())
        grads.append([t.grad.numpy() for t in tensors])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9, atol=1e-12)
    for o, t in zip(*grads):
        np.testing.assert_allclose(o, t, rtol=1e-7, atol=1e-10)


def test_kl_infinities_where_supports_do_not_nest():
    for lib in (bricks, torch):
        d = lib.distributions
        inner, outer = d.Uniform(0.0, 1.0), d.Uniform(-1.0, 2.0)
        assert float(d.kl_divergence(outer, inner)) == float("inf")
        sure = d.Bernoulli(probs=lib.tensor([0.0, 1.0, 0.5]))
        never = d.Bernoulli(probs=lib.tensor([0.5, 0.5, 0.0]))
        assert d.kl_divergence(sure, never).tolist() == pytest.approx(
            torch.distributions.kl_divergence(
                torch.distributions.Bernoulli(probs=torch.tensor([0.0, 1.0, 0.5])),
                torch.distributions.Bernoulli(probs=torch.tensor([0.5, 0.5, 0.0]))).tolist())


def test_unregistered_pairs_raise_and_register_kl_adds_one():
    messages = []
    for lib in (bricks, torch):
        d = lib.distributions
        with pytest.raises(NotImplementedError) as info:
            d.kl_divergence(d.Categorical(lib.ones(2)), d.Poisson(1.0))
        messages.append(str(info.value))
        with pytest.raises(ValueError) as info:
            d.kl_divergence(d.MultivariateNormal(lib.zeros(2), lib.eye(2)),
                            d.MultivariateNormal(lib.zeros(3), lib.eye(3)))
        messages.append(str(info.value))
    assert messages[:2] == messages[2:]

    class Coin(bricks.distributions.Bernoulli):
        pass

    @bricks.distributions.register_kl(Coin, Coin)
    def _coin(p, q):
        return bricks.tensor(42.0)

    assert float(bricks.distributions.kl_divergence(Coin(0.5), Coin(0.3))) == 42.0
    # the parent pair still serves a subclass and its parent
    assert float(bricks.distributions.kl_divergence(Coin(0.5), bricks.distributions.Bernoulli(
        0.5))) == 0.0
    with pytest.raises(TypeError):
        bricks.distributions.register_kl(int, Coin)


INVALID = [
    lambda d, lib: d.Gamma(lib.tensor([-1.0, 2.0]), 1.0, validate_args=True),
    lambda d, lib: d.Exponential(lib.tensor([1.0, 2.0])).log_prob(lib.tensor([-1.0, 1.0])),
    lambda d, lib: d.Poisson(lib.tensor([1.0, 2.0])).log_prob(lib.tensor([0.5, 1.0])),
    lambda d, lib: d.Beta(1.0, lib.tensor([0.0, 1.0])),
    lambda d, lib: d.Dirichlet(lib.tensor([1.0, -2.0])),
    lambda d, lib: d.Dirichlet(lib.tensor(1.0)),
    lambda d, lib: d.Laplace(0.0, lib.tensor([-1.0])),
    lambda d, lib: d.StudentT(lib.tensor([0.0])),
    lambda d, lib: d.Geometric(probs=lib.tensor([0.0, 0.5])),
    lambda d, lib: d.Geometric(probs=0.5, logits=0.0),
    lambda d, lib: d.Binomial(3, probs=lib.tensor([0.5])).log_prob(lib.tensor([4.0])),
    lambda d, lib: d.Binomial(lib.tensor([-1.0]), probs=lib.tensor([0.5])),
    lambda d, lib: d.Gamma(lib.tensor([1.0]), 1.0).log_prob(lib.tensor([-1.0])),
    lambda d, lib: d.Independent(d.Normal(lib.zeros(2), 1.0), 2),
]


@pytest.fixture
def torch_validates():
    """torch's default validation on (other tests may switch it off, as d2l does)."""
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(True)
    yield
    torch.distributions.Distribution.set_default_validate_args(before)


@pytest.mark.parametrize("index", range(len(INVALID)))
def test_validation_errors_match_torch(index, torch_validates):
    messages = []
    for lib in (bricks, torch):
        with pytest.raises(ValueError) as info:
            INVALID[index](lib.distributions, lib)
        messages.append(str(info.value).replace("torch.", "bricks."))
    assert messages[0] == messages[1]


def test_module_paths_as_torch():
    from bricks.distributions.beta import Beta
    from bricks.distributions.gamma import Gamma
    from bricks.distributions.kl import kl_divergence

    assert Beta is bricks.distributions.Beta and Gamma is bricks.distributions.Gamma
    assert kl_divergence is bricks.distributions.kl_divergence

