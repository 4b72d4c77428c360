"""``bricks.distributions`` against ``torch.distributions``: log_prob, entropy, moments and
gradients on the same parameters; samples checked by their statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks

RNG = np.random.default_rng(0)
LOC, SCALE = RNG.standard_normal(3), RNG.uniform(0.5, 2.0, 3)
PROBS = RNG.uniform(0.1, 0.9, (2, 4))
A = RNG.standard_normal((3, 3))
COV = A @ A.T + 3 * np.eye(3)

CASES = {
    "normal": (lambda m, p: m.distributions.Normal(p[0], p[1]), [LOC, SCALE],
               lambda m: m.tensor(RNG.standard_normal((5, 3)))),
    "uniform": (lambda m, p: m.distributions.Uniform(p[0], p[0] + p[1]), [LOC, SCALE],
                lambda m: m.tensor(LOC + 0.3 * SCALE)),
    "bernoulli_probs": (lambda m, p: m.distributions.Bernoulli(probs=p[0]), [PROBS],
                        lambda m: m.tensor((PROBS > 0.5) * 1.0)),
    "bernoulli_logits": (lambda m, p: m.distributions.Bernoulli(logits=p[0]), [LOC],
                         lambda m: m.tensor(np.array([1.0, 0.0, 1.0]))),
    "categorical_probs": (lambda m, p: m.distributions.Categorical(probs=p[0]), [PROBS],
                          lambda m: m.tensor([[0, 3], [2, 1], [1, 1]])),
    "categorical_logits": (lambda m, p: m.distributions.Categorical(logits=p[0]), [PROBS],
                           lambda m: m.tensor([3, 0])),
    "multinomial": (lambda m, p: m.distributions.Multinomial(5, probs=p[0]), [PROBS],
                    lambda m: m.tensor([[1.0, 2.0, 0.0, 2.0], [0.0, 0.0, 5.0, 0.0]])),
    "mvn_covariance": (lambda m, p: m.distributions.MultivariateNormal(p[0], p[1]),
                       [LOC, COV], lambda m: m.tensor(RNG.standard_normal((4, 3)))),
    "mvn_scale_tril": (lambda m, p: m.distributions.MultivariateNormal(
        p[0], scale_tril=p[1].tril() + 3 * m.eye(3, dtype=m.float64)), [LOC, A],
        lambda m: m.tensor(RNG.standard_normal(3))),
}


def _build(m, case):
    make, params, value = case
    tensors = [m.tensor(p, requires_grad=True) for p in params]
    return make(m, tensors), tensors, value


@pytest.mark.parametrize("name", CASES)
def test_log_prob_entropy_and_their_gradients_match_torch(name):
    state = RNG.bit_generator.state
    ours, ours_params, ours_value = _build(bricks, CASES[name])
    RNG.bit_generator.state = state
    theirs, theirs_params, theirs_value = _build(torch, CASES[name])
    value_o, value_t = ours_value(bricks), None
    RNG.bit_generator.state = state
    _build(torch, CASES[name])
    value_t = torch.tensor(value_o.numpy())
    lp_o, lp_t = ours.log_prob(value_o), theirs.log_prob(value_t)
    np.testing.assert_allclose(lp_o.detach().numpy(), lp_t.detach().numpy(), rtol=1e-10)
    en_o, en_t = ours.entropy(), theirs.entropy()
    # torch clamps the probabilities of Multinomial's binomials by eps: 1e-7 relative
    np.testing.assert_allclose(en_o.detach().numpy(), en_t.detach().numpy(), rtol=1e-7)
    (lp_o.sum() + en_o.sum()).backward()
    (lp_t.sum() + en_t.sum()).backward()
    for o, t in zip(ours_params, theirs_params):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-10)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)


@pytest.mark.parametrize("name", ["normal", "uniform", "bernoulli_probs", "multinomial",
                                  "mvn_covariance"])
def test_sample_shapes_and_moments_match_torch(name):
    bricks.manual_seed(0)
    ours, _, _ = _build(bricks, CASES[name])
    theirs, _, _ = _build(torch, CASES[name])
    draws = ours.sample((20000,))
    assert tuple(draws.shape) == tuple(theirs.sample((20000,)).shape)
    assert not draws.requires_grad
    np.testing.assert_allclose(draws.mean(0).numpy(), theirs.mean.detach().numpy(), atol=0.06)
    np.testing.assert_allclose(ours.mean.detach().numpy(), theirs.mean.detach().numpy())
    np.testing.assert_allclose(ours.variance.detach().numpy(), theirs.variance.detach().numpy(),
                               rtol=1e-10)


def test_categorical_samples_follow_probs():
    bricks.manual_seed(1)
    probs = bricks.tensor([0.1, 0.6, 0.3])
    draws = bricks.distributions.Categorical(probs).sample((30000,))
    assert draws.dtype == bricks.int64 and tuple(draws.shape) == (30000,)
    shares = bricks.bincount(draws, minlength=3).double() / 30000
    np.testing.assert_allclose(shares.numpy(), probs.numpy(), atol=0.015)


def test_rsample_carries_gradient_to_the_parameters():
    loc = bricks.tensor([0.5, -1.0], requires_grad=True)
    scale = bricks.tensor([1.0, 2.0], requires_grad=True)
    draw = bricks.distributions.Normal(loc, scale).rsample((3,))
    draw.sum().backward()
    assert loc.grad.tolist() == [3.0, 3.0] and scale.grad is not None
    with pytest.raises(NotImplementedError):
        bricks.distributions.Bernoulli(probs=0.3).rsample()


def test_bad_parameters_and_values_raise_value_error_as_torch():
    # validate_args=True explicitly: other tests may switch torch's default off
    for lib in (bricks, torch):
        d = lib.distributions
        with pytest.raises(ValueError):
            d.Normal(0.0, -1.0, validate_args=True)
        with pytest.raises(ValueError):
            d.Bernoulli(probs=0.5, logits=0.0)
        with pytest.raises(ValueError):
            d.Bernoulli(probs=lib.tensor(0.5), validate_args=True).log_prob(lib.tensor(0.5))
        with pytest.raises(ValueError):
            d.Uniform(0.0, 1.0, validate_args=True).log_prob(lib.tensor(2.0))
        with pytest.raises(ValueError):
            d.MultivariateNormal(lib.zeros(2))
