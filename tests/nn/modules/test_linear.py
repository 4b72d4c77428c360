"""Identity, Linear, Bilinear and LazyLinear against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import bricks
from bricks import nn

from _layer_check import check_same, randn


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch_outputs_and_gradients(bias, shape):
    check_same(nn.Linear(4, 8, bias=bias), torch.nn.Linear(4, 8, bias=bias), randn(*shape))


def test_linear_state_dict_and_repr_match_torch():
    for args, kwargs in [((4, 8), {}), ((3, 1), {"bias": False})]:
        layer, expected = nn.Linear(*args, **kwargs), torch.nn.Linear(*args, **kwargs)
        assert repr(layer) == repr(expected)
        assert list(layer.state_dict()) == list(expected.state_dict())
        assert [tuple(p.shape) for p in layer.parameters()] == \
            [tuple(p.shape) for p in expected.parameters()]


def test_linear_default_init_is_uniform_with_torch_bounds():
    bricks.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for values in (layer.weight.detach().numpy().ravel(), layer.bias.detach().numpy()):
        assert np.abs(values).max() <= bound
        assert stats.kstest(values, "uniform", args=(-bound, 2 * bound)).pvalue > 1e-3
    assert np.abs(layer.weight.detach().numpy()).max() > 0.99 * bound


def test_linear_rejects_wrong_last_dimension_naming_config_and_shapes():
    layer = nn.Linear(3, 8)
    with pytest.raises(RuntimeError) as error:
        layer(bricks.ones(2, 5))
    assert str(error.value) == ("Linear(in_features=3, out_features=8): expected input with "
                                "last dimension 3, got shape (2, 5)")


def test_identity_returns_its_input_and_ignores_arguments():
    x = bricks.ones(2, 3)
    assert nn.Identity(54, unused_argument=0.1)(x) is x
    assert repr(nn.Identity()) == repr(torch.nn.Identity()) == "Identity()"


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(bias):
    layer, expected = nn.Bilinear(3, 5, 4, bias=bias), torch.nn.Bilinear(3, 5, 4, bias=bias)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(6, 3, seed=1), randn(6, 5, seed=2))


def test_bilinear_default_init_bounds_use_in1_features():
    bricks.manual_seed(0)
    layer = nn.Bilinear(16, 30, 50)
    bound = 1 / math.sqrt(16)
    values = layer.weight.detach().numpy().ravel()
    assert np.abs(values).max() <= bound
    assert stats.kstest(values, "uniform", args=(-bound, 2 * bound)).pvalue > 1e-3


def test_bilinear_rejects_mismatched_inputs():
    with pytest.raises(RuntimeError, match=r"got \(6, 3\) and \(6, 4\)"):
        nn.Bilinear(3, 5, 4)(bricks.ones(6, 3), bricks.ones(6, 4))


def test_lazy_linear_infers_in_features_and_becomes_linear():
    layer = nn.LazyLinear(256)
    assert repr(layer) == repr(torch.nn.LazyLinear(256)) == \
        "LazyLinear(in_features=0, out_features=256, bias=True)"
    out = layer(bricks.ones(2, 20))
    assert tuple(out.shape) == (2, 256)
    assert type(layer) is nn.Linear
    assert repr(layer) == "Linear(in_features=20, out_features=256, bias=True)"
    assert tuple(layer.weight.shape) == (256, 20)
    bound = 1 / math.sqrt(20)
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_lazy_linear_without_bias_matches_torch_after_first_forward():
    layer, expected = nn.LazyLinear(3, bias=False), torch.nn.LazyLinear(3, bias=False)
    layer(bricks.ones(1, 7))
    expected(torch.ones(1, 7))
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(4, 7))


def test_lazy_linear_parameters_cannot_be_read_before_first_forward():
    layer = nn.LazyLinear(4)
    with pytest.raises(RuntimeError, match="uninitialized"):
        layer.weight.shape


def test_linear_uses_plain_attributes_that_replace_its_parameters_as_torch():
    # ``del lin.weight; lin.weight = tensor`` (how weight reparametrizations start) works.
    results = []
    for lib in (bricks, torch):
        lin = lib.nn.Linear(2, 3)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
            lin.bias.zero_()
        doubled = lin.weight.detach() * 2
        del lin.weight
        lin.weight = doubled
        results.append(lin(lib.ones(1, 2)).detach().numpy())
        assert [name for name, _ in lin.named_parameters()] == ["bias"]
    np.testing.assert_allclose(results[0], results[1])


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: nn.Linear(2.5, 3), TypeError, r"Linear\(\): argument 'in_features' must be an int"),
    (lambda: nn.Linear(3, -1), RuntimeError, r"out_features must be non-negative, got -1"),
    (lambda: nn.Bilinear(2, 3.0, 4), TypeError, r"argument 'in2_features' must be an int"),
    (lambda: nn.LazyLinear(1.5), TypeError, r"argument 'out_features' must be an int"),
])
def test_bad_linear_sizes_raise_torchs_exception_type_naming_the_argument(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("dtype, name", [("int64", "Long"), ("float64", "Double")])
def test_linear_on_another_dtype_raises_torchs_error(dtype, name):
    x = np.ones((2, 3), dtype)
    message = f"mat1 and mat2 must have the same dtype, but got {name} and Float"
    with pytest.raises(RuntimeError, match=message):
        nn.Linear(3, 2)(bricks.tensor(x))
    with pytest.raises(RuntimeError, match=message):
        torch.nn.Linear(3, 2)(torch.tensor(x))
