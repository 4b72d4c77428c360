"""cross_entropy and nll_loss where targets are ignored, against torch: an ignored target
adds exactly 0 to the loss and gets exactly 0 gradient, even where every target is ignored
(the mean is 0/0: NaN, while the gradient stays 0), where its scores are inf or NaN, or where
the incoming gradient is NaN. A target of weight 0 that is not ignored still divides 0 by 0
(NaN), as in torch. A masked sequence loss whose batch is all padding meets these cases."""

import numpy as np
import pytest
import torch

import bricks

_SCORES = {
    "finite": [[1.0, 2.0, 3.0], [0.5, 0.0, 1.0]],
    "inf in a row": [[np.inf, 2.0, 3.0], [0.5, 0.0, 1.0]],
    "nan and inf": [[np.nan, 2.0, 3.0], [0.5, np.inf, 1.0]],
}
_OPTIONS = {
    "all ignored": (dict(ignore_index=0), [0, 0]),
    "all ignored, weighted": (dict(ignore_index=0, weight=[1.0, 2.0, 3.0]), [0, 0]),
    "all ignored, smoothed": (dict(ignore_index=0, label_smoothing=0.1), [0, 0]),
    "all ignored, sum": (dict(ignore_index=0, reduction="sum"), [0, 0]),
    "all ignored, none": (dict(ignore_index=0, reduction="none"), [0, 0]),
    "one ignored": (dict(ignore_index=1), [0, 1]),
    "one ignored, none, smoothed": (dict(ignore_index=1, reduction="none",
                                         label_smoothing=0.2), [2, 1]),
    "zero weights": (dict(weight=[0.0, 2.0, 3.0]), [0, 0]),
    "ignored and zero weight": (dict(ignore_index=1, weight=[0.0, 1.0, 0.0],
                                     label_smoothing=0.3), [0, 1]),
}


def _run(lib, function, scores, options, targets, nan_gradient):
    X = lib.tensor(scores, requires_grad=True)
    options = {key: lib.tensor(value) if isinstance(value, list) else value
               for key, value in options.items()}
    F = lib.nn.functional
    if function == "nll_loss":
        loss = F.nll_loss(lib.log_softmax(X, 1), lib.tensor(targets), **options)
    else:
        loss = F.cross_entropy(X, lib.tensor(targets), **options)
    loss.backward(lib.full(loss.shape, float("nan")) if nan_gradient else lib.ones(loss.shape))
    return loss.detach().numpy(), X.grad.numpy()


@pytest.mark.parametrize("nan_gradient", [False, True], ids=["ones", "nan gradient"])
@pytest.mark.parametrize("scores", list(_SCORES))
@pytest.mark.parametrize("case", list(_OPTIONS))
@pytest.mark.parametrize("function", ["cross_entropy", "nll_loss"])
def test_ignored_targets_as_torch(function, case, scores, nan_gradient):
    options, targets = _OPTIONS[case]
    if function == "nll_loss" and "label_smoothing" in options:
        pytest.skip("nll_loss has no label smoothing")
    ours = _run(bricks, function, _SCORES[scores], options, targets, nan_gradient)
    theirs = _run(torch, function, _SCORES[scores], options, targets, nan_gradient)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # NaN where torch's is


@pytest.mark.parametrize("function", ["cross_entropy", "nll_loss"])
def test_every_target_ignored_gives_a_nan_mean_and_zero_gradient(function):
    loss, grad = _run(bricks, function, _SCORES["finite"], dict(ignore_index=0), [0, 0], False)
    assert np.isnan(loss) and (grad == 0).all()


@pytest.mark.parametrize("function", ["cross_entropy", "nll_loss"])
def test_gradcheck_with_ignored_targets(function):
    rng = np.random.default_rng(0)
    X = bricks.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    targets = bricks.tensor([0, 2, 0, 1])
    weight = bricks.tensor([1.0, 2.0, 0.5], dtype=bricks.float64)
    F = bricks.nn.functional

    def loss(x):
        if function == "nll_loss":
            return F.nll_loss(bricks.log_softmax(x, 1), targets, weight=weight, ignore_index=0)
        return F.cross_entropy(x, targets, weight=weight, ignore_index=0, label_smoothing=0.1)

    assert bricks.autograd.gradcheck(loss, (X,))
