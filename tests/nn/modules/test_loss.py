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


def _check_many(layer, expected, arrays, constants=(), rtol=1e-5, atol=1e-6):
    """Like _check for losses of several differentiable inputs and fixed extra arguments."""
    assert repr(layer) == repr(expected)
    ours = [bricks.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = layer(*ours, *[bricks.tensor(c) for c in constants])
    want = expected(*theirs, *[torch.tensor(c) for c in constants])
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=rtol,
                               atol=atol)
    grad = randn(*want.shape, seed=7)
    out.backward(bricks.tensor(grad))
    want.backward(torch.tensor(grad))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=rtol,
                                   atol=atol)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "batchmean"}, {"reduction": "sum"},
                                    {"reduction": "none", "log_target": True}])
def test_kl_div_loss_matches_torch(kwargs):
    log_probs = torch.log_softmax(torch.tensor(randn(4, 5)), 1).numpy()
    target = np.abs(randn(4, 5, seed=2))
    target /= target.sum(1, keepdims=True)
    if kwargs.get("log_target"):
        target = np.log(target)
    layer, expected = nn.KLDivLoss(**kwargs), torch.nn.KLDivLoss(**kwargs)
    if kwargs.get("reduction", "mean") == "mean":
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            _check_many(layer, expected, [log_probs, target])
    else:
        _check_many(layer, expected, [log_probs, target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss_matches_torch(reduction):
    signs = np.sign(randn(6, seed=3)).astype(np.float32)
    layer = nn.MarginRankingLoss(margin=0.3, reduction=reduction)
    expected = torch.nn.MarginRankingLoss(margin=0.3, reduction=reduction)
    _check_many(layer, expected, [randn(6), randn(6, seed=1)], [signs])


@pytest.mark.parametrize("kwargs", [{}, {"margin": 2.0, "p": 1.0, "swap": True},
                                    {"reduction": "none", "eps": 1e-3}])
def test_triplet_margin_loss_matches_torch(kwargs):
    layer, expected = nn.TripletMarginLoss(**kwargs), torch.nn.TripletMarginLoss(**kwargs)
    _check_many(layer, expected, [randn(5, 4), randn(5, 4, seed=1), randn(5, 4, seed=2)])


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum", "blank": 4},
                                    {"reduction": "none", "zero_infinity": True}])
def test_ctc_loss_matches_torch_through_log_softmax(kwargs):
    targets = np.array([[1, 2, 2, 3], [3, 1, 0, 0], [1, 1, 1, 1]])
    lengths, target_lengths = np.array([7, 6, 3]), np.array([4, 2, 4])  # sample 3 impossible
    if not kwargs.get("zero_infinity"):
        lengths[2] = 7
    layer, expected = nn.CTCLoss(**kwargs), torch.nn.CTCLoss(**kwargs)
    assert repr(layer) == repr(expected)
    results = []
    for lib, loss in ((bricks, layer), (torch, expected)):
        logits = lib.tensor(randn(7, 3, 5), requires_grad=True)
        out = loss(logits.log_softmax(2), lib.tensor(targets), lib.tensor(lengths),
                   lib.tensor(target_lengths))
        (out * lib.tensor(randn(*out.shape, seed=4))).sum().backward()
        results.append((out.detach().numpy(), logits.grad.numpy()))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_ctc_loss_gradient_passes_float64_central_differences():
    log_probs = bricks.tensor(randn(5, 2, 4, dtype=np.float64), requires_grad=True)
    targets = bricks.tensor([[1, 2], [3, 3]])
    assert bricks.autograd.gradcheck(
        lambda x: nn.functional.ctc_loss(x, targets, [5, 4], [2, 2], reduction="sum"),
        (log_probs,))


def test_cross_entropy_rejects_class_targets_that_are_not_long_as_torch():
    scores = randn(4, 3)
    for target in (np.array([0.0, 1.0, 2.0, 0.0], np.float32), np.array([0, 1, 2, 0], np.int32)):
        name = "Float" if target.dtype.kind == "f" else "Int"
        for lib in (bricks, torch):
            with pytest.raises(RuntimeError, match=f"expected target dtype to be Long or Byte, "
                                                   f"but got {name}"):
                lib.nn.functional.cross_entropy(lib.tensor(scores), lib.tensor(target))
    probabilities = np.full((4, 3), 1 / 3, np.float32)  # float targets shaped like the input
    _check(nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), scores, probabilities)


@pytest.mark.parametrize("name, call", [
    ("NllLossBackward0", lambda F, x, y, t: F.cross_entropy(x, t)),
    ("NllLossBackward0", lambda F, x, y, t: F.nll_loss(x, t, reduction="none")),
    ("MseLossBackward0", lambda F, x, y, t: F.mse_loss(x, y)),
    ("HuberLossBackward0", lambda F, x, y, t: F.huber_loss(x, y, reduction="none")),
    ("SmoothL1LossBackward0", lambda F, x, y, t: F.smooth_l1_loss(x, y)),
    ("BinaryCrossEntropyBackward0", lambda F, x, y, t: F.binary_cross_entropy(
        x.sigmoid(), y.sigmoid())),
    ("BinaryCrossEntropyWithLogitsBackward0", lambda F, x, y, t:
        F.binary_cross_entropy_with_logits(x, y.sigmoid())),
    ("NativeLayerNormBackward0", lambda F, x, y, t: F.layer_norm(x, (3,))),
    ("NativeBatchNormBackward0", lambda F, x, y, t: F.batch_norm(x, None, None, training=True)),
    ("NativeGroupNormBackward0", lambda F, x, y, t: F.group_norm(x.reshape(2, 6, 1), 3)),
    ("CtcLossBackward0", lambda F, x, y, t: F.ctc_loss(
        x.reshape(2, 2, 3).log_softmax(2), t[:2].reshape(2, 1) + 1, (2, 2), (1, 1),
        reduction="none")),
    ("DivBackward0", lambda F, x, y, t: F.kl_div(x, y.sigmoid(), reduction="batchmean")),
])
def test_loss_and_norm_nodes_are_named_as_torch(name, call):
    arrays = [randn(4, 3), randn(4, 3, seed=1)]
    target = np.array([0, 1, 2, 0])
    for lib in (bricks, torch):
        x, y = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = call(lib.nn.functional, x, y, lib.tensor(target))
        assert out.grad_fn.name() == name
