"""Loss layers against torch: values, input gradients, buffers and repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import randn


def _targets(*shape, classes=5, seed=1):
    return np.random.default_rng(seed).integers(0, classes, size=shape).astype(np.int64)


def _check(layer, expected, input, target, rtol=1e-5, atol=1e-6):
    assert repr(layer) == repr(expected)
    x, tx = bricks.tensor(input, requires_grad=True), torch.tensor(input, requires_grad=True)
    out, want = layer(x, bricks.tensor(target)), expected(tx, torch.tensor(target))
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=rtol,
                               atol=atol)
    grad = randn(*want.shape, seed=7)
    out.backward(bricks.tensor(grad))
    want.backward(torch.tensor(grad))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs", [("MSELoss", {}), ("L1Loss", {}),
                                          ("HuberLoss", {}), ("HuberLoss", {"delta": 0.5}),
                                          ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.5})])
def test_regression_losses_match_torch(name, kwargs, reduction):
    layer = getattr(nn, name)(reduction=reduction, **kwargs)
    expected = getattr(torch.nn, name)(reduction=reduction, **kwargs)
    _check(layer, expected, randn(4, 3), randn(4, 3, seed=1))


CROSS_ENTROPY = [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 2},
    {"label_smoothing": 0.1}, {"weight": True}, {"weight": True, "ignore_index": 1},
    {"weight": True, "label_smoothing": 0.2, "reduction": "sum"},
]


def _with_weight(kwargs, classes=5):
    weight = np.linspace(0.5, 2.0, classes).astype(np.float32)
    b_kwargs, t_kwargs = dict(kwargs), dict(kwargs)
    if kwargs.get("weight"):
        b_kwargs["weight"], t_kwargs["weight"] = bricks.tensor(weight), torch.tensor(weight)
    return b_kwargs, t_kwargs


@pytest.mark.parametrize("kwargs", CROSS_ENTROPY)
def test_cross_entropy_loss_matches_torch(kwargs):
    b_kwargs, t_kwargs = _with_weight(kwargs)
    layer, expected = nn.CrossEntropyLoss(**b_kwargs), torch.nn.CrossEntropyLoss(**t_kwargs)
    _check(layer, expected, randn(6, 5), _targets(6))
    _check(layer, expected, randn(2, 5, 3, 2), _targets(2, 3, 2))


def test_cross_entropy_loss_with_probability_targets_matches_torch():
    target = np.abs(randn(4, 5, seed=3))
    target /= target.sum(axis=1, keepdims=True)
    _check(nn.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(
        label_smoothing=0.1), randn(4, 5), target)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "none"}, {"weight": True},
                                    {"weight": True, "ignore_index": 0, "reduction": "sum"}])
def test_nll_loss_matches_torch(kwargs):
    b_kwargs, t_kwargs = _with_weight(kwargs)
    log_probs = torch.log_softmax(torch.tensor(randn(6, 5)), 1).numpy()
    _check(nn.NLLLoss(**b_kwargs), torch.nn.NLLLoss(**t_kwargs), log_probs, _targets(6))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss_matches_torch(reduction):
    probs = 1 / (1 + np.exp(-randn(4, 3)))
    target = (randn(4, 3, seed=2) > 0).astype(np.float32)
    weight = np.linspace(0.5, 1.5, 3).astype(np.float32)
    _check(nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), probs,
           target)
    _check(nn.BCELoss(weight=bricks.tensor(weight), reduction=reduction),
           torch.nn.BCELoss(weight=torch.tensor(weight), reduction=reduction), probs, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_loss_matches_torch_with_pos_weight(reduction):
    logits, target = randn(4, 3) * 4, (randn(4, 3, seed=2) > 0).astype(np.float32)
    pos_weight, weight = np.array([1.0, 2.0, 0.5], np.float32), np.array([0.3], np.float32)
    _check(nn.BCEWithLogitsLoss(reduction=reduction),
           torch.nn.BCEWithLogitsLoss(reduction=reduction), logits, target)
    _check(nn.BCEWithLogitsLoss(weight=bricks.tensor(weight), reduction=reduction,
                                pos_weight=bricks.tensor(pos_weight)),
           torch.nn.BCEWithLogitsLoss(weight=torch.tensor(weight), reduction=reduction,
                                      pos_weight=torch.tensor(pos_weight)), logits, target)


def test_weighted_losses_keep_weights_as_buffers_like_torch():
    weight = np.ones(3, np.float32)
    layer = nn.BCEWithLogitsLoss(weight=bricks.tensor(weight), pos_weight=bricks.tensor(weight))
    expected = torch.nn.BCEWithLogitsLoss(weight=torch.tensor(weight),
                                          pos_weight=torch.tensor(weight))
    assert list(layer.state_dict()) == list(expected.state_dict()) == ["weight", "pos_weight"]
    assert list(nn.CrossEntropyLoss(weight=bricks.tensor(weight)).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_legacy_size_average_and_reduce_map_to_reduction_with_a_warning():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        layer = nn.MSELoss(size_average=False)
    assert layer.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"


def test_loss_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="max is not a valid value for reduction"):
        nn.MSELoss(reduction="max")
