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
