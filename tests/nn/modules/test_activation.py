"""Activation layers against torch: outputs, gradients, parameters and repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, randn

CASES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2,), {"inplace": True}),
    ("PReLU", (), {}), ("PReLU", (3,), {"init": 0.1}),
    ("ELU", (), {}), ("ELU", (0.5,), {"inplace": True}),
    ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}), ("SiLU", (), {"inplace": True}),
    ("Sigmoid", (), {}), ("Tanh", (), {}),
    ("Softmax", (), {"dim": 1}), ("Softmax", (-1,), {}),
    ("LogSoftmax", (), {"dim": 1}), ("LogSoftmax", (0,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES)
def test_activation_matches_torch(name, args, kwargs):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    if kwargs.get("inplace"):
        layer.inplace = expected.inplace = False  # a leaf that requires grad can't be modified
    check_same(layer, expected, randn(4, 3, 5))


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "SiLU"])
def test_inplace_activation_overwrites_its_input(name):
    x = bricks.tensor(randn(3, 4))
    expected = getattr(torch.nn, name)()(torch.tensor(x.numpy().copy()))
    out = getattr(nn, name)(inplace=True)(x)
    np.testing.assert_allclose(x.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)


def test_prelu_state_dict_and_default_weight_match_torch():
    layer, expected = nn.PReLU(4), torch.nn.PReLU(4)
    assert list(layer.state_dict()) == list(expected.state_dict()) == ["weight"]
    np.testing.assert_array_equal(layer.weight.detach().numpy(), expected.weight.detach().numpy())


def test_prelu_rejects_wrong_channel_count():
    with pytest.raises(RuntimeError, match=r"PReLU\(num_parameters=3\).*got shape \(2, 4\)"):
        nn.PReLU(3)(bricks.ones(2, 4))


def test_softmax_without_dim_repr_and_choice_match_torch():
    layer, expected = nn.Softmax(), torch.nn.Softmax()
    assert repr(layer) == repr(expected) == "Softmax(dim=None)"
    x = randn(2, 3)
    with pytest.warns(UserWarning):
        out = layer(bricks.tensor(x))
    with pytest.warns(UserWarning):
        want = expected(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


MORE_CASES = [
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 2.0), {"inplace": True}),
    ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("Hardswish", (), {}), ("Hardsigmoid", (), {}), ("Mish", (), {}), ("SELU", (), {}),
    ("CELU", (), {}), ("CELU", (2.0,), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softsign", (), {}),
    ("LogSigmoid", (), {}), ("GLU", (), {"dim": 1}), ("Softmin", (), {"dim": 1}),
]


@pytest.mark.parametrize("name, args, kwargs", MORE_CASES)
def test_more_activations_match_torch(name, args, kwargs):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    if getattr(expected, "inplace", False):
        layer.inplace = expected.inplace = False  # a leaf that requires grad can't be modified
    check_same(layer, expected, randn(4, 4, 5) * 4)


def test_rrelu_repr_and_eval_slope_match_torch():
    layer, expected = nn.RReLU(), torch.nn.RReLU()
    assert repr(layer) == repr(expected)
    layer.eval()
    expected.eval()
    check_same(layer, expected, randn(4, 5))


def test_rrelu_in_training_draws_each_negative_slope_between_lower_and_upper():
    bricks.manual_seed(0)
    x = bricks.tensor(-np.ones((200, 50), np.float32), requires_grad=True)
    out = nn.RReLU(0.1, 0.3)(x)
    slopes = -out.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.05
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), slopes)
    assert out.grad_fn.name() == "RreluWithNoiseBackward0"


def test_hardtanh_and_glu_reject_bad_arguments_as_torch():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        nn.GLU()(bricks.ones(2, 3))


def test_gumbel_softmax_samples_sum_to_one_and_hard_is_one_hot_with_soft_gradient():
    bricks.manual_seed(0)
    logits = bricks.tensor(randn(6, 4), requires_grad=True)
    soft = nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0, rtol=1e-6)
    hard = nn.functional.gumbel_softmax(logits, hard=True)
    values = hard.detach().numpy()
    assert set(np.unique(values)) <= {0.0, 1.0} and (values.sum(-1) == 1).all()
    (hard * bricks.tensor(randn(6, 4, seed=1))).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
