"""BatchNorm1d/2d, their lazy forms and LayerNorm against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, copy_weights, randn

BATCHNORM = [
    ("BatchNorm1d", (4, 6), {}),
    ("BatchNorm1d", (4, 6, 5), {"momentum": None}),
    ("BatchNorm1d", (4, 6), {"affine": False}),
    ("BatchNorm2d", (4, 6, 3, 5), {}),
    ("BatchNorm2d", (4, 6, 3, 5), {"momentum": 0.3, "eps": 1e-3}),
    ("BatchNorm2d", (4, 6, 3, 5), {"track_running_stats": False}),
    ("BatchNorm2d", (4, 6, 3, 5), {"momentum": None, "affine": False}),
    ("BatchNorm2d", (4, 6, 3, 5), {"bias": False}),
]


def _pair(name, kwargs):
    return getattr(nn, name)(6, **kwargs), getattr(torch.nn, name)(6, **kwargs)


@pytest.mark.parametrize("name, shape, kwargs", BATCHNORM)
def test_batchnorm_train_steps_match_torch_outputs_gradients_and_running_stats(
        name, shape, kwargs):
    layer, expected = _pair(name, kwargs)
    assert repr(layer) == repr(expected)
    with torch.no_grad():
        for param in expected.parameters():
            param.uniform_(0.5, 1.5)
    layer.load_state_dict({k: bricks.tensor(v.numpy()) for k, v in
                           expected.state_dict().items()})
    for step in range(3):
        x = randn(*shape, seed=step) * (step + 1) + step
        check_same(layer, expected, x, atol=1e-4)
        layer.zero_grad()
        expected.zero_grad()
    for key, value in expected.state_dict().items():
        np.testing.assert_allclose(layer.state_dict()[key].numpy(), value.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name, shape, kwargs", BATCHNORM)
def test_batchnorm_eval_mode_matches_torch(name, shape, kwargs):
    layer, expected = _pair(name, kwargs)
    copy_weights(layer, expected)
    for step in range(2):
        layer(bricks.tensor(randn(*shape, seed=step) + 2))
        expected(torch.tensor(randn(*shape, seed=step) + 2))
    layer.eval()
    expected.eval()
    check_same(layer, expected, randn(*shape, seed=9), atol=1e-4)


def test_batchnorm_state_dict_names_buffers_as_torch():
    layer, expected = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    assert list(layer.state_dict()) == list(expected.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [n for n, _ in layer.named_buffers()] == ["running_mean", "running_var",
                                                     "num_batches_tracked"]
    assert layer.num_batches_tracked.dtype == bricks.int64
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == \
        list(torch.nn.BatchNorm1d(3, track_running_stats=False).state_dict())


def test_batchnorm_counts_batches_in_training_only():
    layer = nn.BatchNorm1d(2)
    for _ in range(3):
        layer(bricks.randn(4, 2))
    layer.eval()
    layer(bricks.randn(4, 2))
    assert layer.num_batches_tracked.item() == 3


def test_batchnorm_rejects_wrong_rank_and_channels_as_torch():
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3, .*expected 4D input, got shape"):
        nn.BatchNorm2d(3)(bricks.ones(2, 3, 4))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(bricks.ones(2, 3, 4, 4))
    with pytest.raises(RuntimeError, match=r"expected input with 3 channels.*\(2, 4\)"):
        nn.BatchNorm1d(3)(bricks.ones(2, 4))


@pytest.mark.parametrize("name, shape", [("LazyBatchNorm1d", (4, 5)),
                                         ("LazyBatchNorm2d", (4, 5, 3, 3))])
def test_lazy_batchnorm_infers_num_features_and_matches_torch(name, shape):
    layer, expected = getattr(nn, name)(momentum=0.2), getattr(torch.nn, name)(momentum=0.2)
    assert repr(layer) == repr(expected)
    x = randn(*shape)
    layer(bricks.tensor(x))
    expected(torch.tensor(x))
    assert type(layer).__name__ == name[4:]
    assert repr(layer) == repr(expected)
    for key, value in expected.state_dict().items():
        np.testing.assert_allclose(layer.state_dict()[key].numpy(), value.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=key)


def test_lazy_batchnorm_without_affine_or_stats_has_no_parameters():
    layer = nn.LazyBatchNorm1d(affine=False, track_running_stats=False)
    layer(bricks.randn(4, 3))
    assert list(layer.state_dict()) == []
    assert layer.num_features == 3


LAYERNORM = [((6,), {}), ((3, 6), {"eps": 1e-3}), ((6,), {"elementwise_affine": False}),
             ((6,), {"bias": False}), (6, {})]


@pytest.mark.parametrize("shape, kwargs", LAYERNORM)
def test_layernorm_matches_torch(shape, kwargs):
    layer, expected = nn.LayerNorm(shape, **kwargs), torch.nn.LayerNorm(shape, **kwargs)
    assert repr(layer) == repr(expected)
    with torch.no_grad():
        for p in expected.parameters():
            p.uniform_(0.5, 1.5)
    check_same(layer, expected, randn(2, 4, 3, 6) * 3 + 1, atol=1e-4)


def test_layernorm_rejects_input_with_other_trailing_shape():
    with pytest.raises(RuntimeError, match=r"expected input with shape \(\*, 3, 6\), got shape"
                                           r" \(2, 6, 3\)"):
        nn.LayerNorm((3, 6))(bricks.ones(2, 6, 3))


GROUPNORM = [((2, 6), {}), ((3, 6), {"eps": 1e-3}), ((6, 6), {"affine": False}),
             ((1, 6), {"bias": False})]


@pytest.mark.parametrize("args, kwargs", GROUPNORM)
def test_groupnorm_matches_torch(args, kwargs):
    layer, expected = nn.GroupNorm(*args, **kwargs), torch.nn.GroupNorm(*args, **kwargs)
    assert repr(layer) == repr(expected)
    # float32: few cells per group, so rounding in the variance shows at ~1e-4
    check_same(layer, expected, randn(4, 6, 3, 2), atol=5e-4)
    check_same(layer, expected, randn(4, 6, 2, seed=1), atol=5e-4)


def test_groupnorm_rejects_groups_that_do_not_divide_the_channels():
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match=r"GroupNorm\(2, 4.*got shape \(2, 6, 3\)"):
        nn.GroupNorm(2, 4)(bricks.ones(2, 6, 3))


INSTANCENORM = [
    ("InstanceNorm1d", (4, 6, 5), {}),
    ("InstanceNorm1d", (6, 5), {"affine": True}),
    ("InstanceNorm2d", (4, 6, 3, 5), {"affine": True, "eps": 1e-3}),
    ("InstanceNorm2d", (4, 6, 3, 5), {"track_running_stats": True, "momentum": 0.3}),
    ("InstanceNorm2d", (6, 3, 5), {"track_running_stats": True, "affine": True}),
]


@pytest.mark.parametrize("name, shape, kwargs", INSTANCENORM)
def test_instancenorm_matches_torch_in_training_and_evaluation(name, shape, kwargs):
    layer, expected = _pair(name, kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    check_same(layer, expected, randn(*shape))
    for mine, theirs in zip(layer.buffers(), expected.buffers()):
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    layer.eval()
    expected.eval()
    check_same(layer, expected, randn(*shape, seed=3))


def test_instancenorm_rejects_wrong_rank_and_channels_with_affine():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.InstanceNorm1d(3)(bricks.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"match num_features \(3\), but got: 4"):
        nn.InstanceNorm1d(3, affine=True)(bricks.ones(2, 4, 5))


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: nn.BatchNorm2d(-1), RuntimeError, r"num_features must be non-negative"),
    (lambda: nn.BatchNorm1d(2.5), TypeError, r"argument 'num_features' must be an int"),
    (lambda: nn.GroupNorm(2, 4.0), TypeError, r"argument 'num_channels' must be an int"),
])
def test_bad_normalization_sizes_raise_naming_the_argument(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
