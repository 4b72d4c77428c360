"""AdaptiveLogSoftmaxWithLoss against torch's on the same weights: (output, loss), log_prob,
predict, gradients of the input and of every weight, float64 gradcheck, and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn
from bricks.autograd import gradcheck
from bricks.func import functional_call

from _layer_check import copy_weights
from edge_values import check_every_set, edge_arrays, run_edge


def _pair(*args, dtype="float32", **kwargs):
    bricks.manual_seed(0)
    layer = nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)
    expected = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)
    if dtype == "float64":
        layer, expected = layer.double(), expected.double()
    copy_weights(layer, expected)
    return layer, expected


def _close(got, want, dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), **tol)


TARGETS = {
    "mixed": [0, 4, 9, 2, 7, 5, 3, 8],
    "shortlist_only": [0, 1, 2, 2, 1],
    "tail_only": [9, 5, 7],
    "one": [6],
    "empty": [],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, {"div_value": 2.0, "head_bias": True}])
@pytest.mark.parametrize("targets", list(TARGETS), ids=str)
def test_output_loss_and_gradients_match_torch(targets, kwargs, dtype):
    layer, expected = _pair(16, 10, [3, 6], dtype=dtype, **kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    target = np.array(TARGETS[targets], np.int64)
    x = np.random.default_rng(1).standard_normal((len(target), 16)).astype(dtype)
    mine, theirs = bricks.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = layer(mine, bricks.tensor(target))
    want = expected(theirs, torch.tensor(target))
    assert type(got).__name__ == type(want).__name__ == "_ASMoutput"
    assert got._fields == want._fields
    _close(got.output, want.output, dtype)
    np.testing.assert_array_equal(np.isnan(got.loss.detach().numpy()),
                                  np.isnan(want.loss.detach().numpy()))
    if not len(target):  # the mean of nothing is NaN in both; nothing to differentiate
        return
    _close(got.loss, want.loss, dtype)
    (got.output.sum() * 0.5 + got.loss).backward()
    (want.output.sum() * 0.5 + want.loss).backward()
    _close(mine.grad, theirs.grad, dtype)
    weights = dict(expected.named_parameters())
    for name, param in layer.named_parameters():
        if weights[name].grad is None:
            assert param.grad is None or not param.grad.numpy().any(), name
        else:
            _close(param.grad, weights[name].grad, dtype)


def test_unbatched_input_gives_a_0d_output():
    layer, expected = _pair(16, 7, [2, 4])
    x = np.random.default_rng(2).standard_normal(16).astype(np.float32)
    got = layer(bricks.tensor(x), bricks.tensor(5))
    want = expected(torch.tensor(x), torch.tensor(5))
    assert got.output.shape == () and got.loss.shape == ()
    _close(got.output, want.output, "float32")
    _close(got.loss, want.loss, "float32")


@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_log_prob_and_predict_match_torch(scale):
    layer, expected = _pair(8, 12, [2, 5, 9], div_value=2.0, head_bias=True)
    x = np.random.default_rng(3).standard_normal((40, 8)).astype(np.float32) * scale
    got = layer.log_prob(bricks.tensor(x))
    want = expected.log_prob(torch.tensor(x))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                               atol=1e-5 * scale)
    np.testing.assert_allclose(got.exp().sum(1).detach().numpy(), 1.0, rtol=1e-5)
    predicted = layer.predict(bricks.tensor(x))
    assert predicted.dtype == bricks.int64
    assert predicted.tolist() == expected.predict(torch.tensor(x)).tolist()
    assert predicted.tolist() == got.argmax(1).tolist()


def test_predict_takes_each_path_as_torch():
    layer, expected = _pair(4, 6, [2])
    with bricks.no_grad():
        layer.head.weight.zero_()
        layer.head.weight[0] = 10.0  # every row's head argmax is class 0: the shortlist
    copy_weights(layer, expected)
    for x in (np.ones((3, 4), np.float32), -np.ones((3, 4), np.float32),
              np.array([[1.0] * 4, [-1.0] * 4], np.float32)):
        assert layer.predict(bricks.tensor(x)).tolist() == \
            expected.predict(torch.tensor(x)).tolist()


def test_gradients_match_central_differences():
    layer, _ = _pair(5, 9, [2, 6], div_value=1.5, head_bias=True, dtype="float64")
    target = bricks.tensor([0, 3, 8, 1, 6, 7])
    x = bricks.tensor(np.random.default_rng(4).standard_normal((6, 5)), requires_grad=True)
    assert gradcheck(lambda x: layer(x, target).output, [x])
    names = ["head.weight", "head.bias", "tail.0.0.weight", "tail.1.1.weight"]
    params = dict(layer.named_parameters())

    def loss(*values):
        return functional_call(layer, dict(zip(names, values)), (x.detach(), target)).loss

    assert gradcheck(loss, [params[n].detach().clone().requires_grad_() for n in names])


def test_reset_parameters_draws_new_weights():
    layer, _ = _pair(16, 10, [3, 6])
    before = [p.detach().clone() for p in layer.parameters()]
    layer.reset_parameters()
    assert all(not np.array_equal(b.numpy(), p.detach().numpy())
               for b, p in zip(before, layer.parameters()) if p.numel())


@pytest.mark.parametrize("cutoffs", [[], [3, 2], [0, 3], [3, 10], [3, 3], [2.5]])
def test_bad_cutoffs_raise_torchs_error(cutoffs):
    with pytest.raises(ValueError) as expected:
        torch.nn.AdaptiveLogSoftmaxWithLoss(16, 10, cutoffs)
    with pytest.raises(ValueError) as got:
        nn.AdaptiveLogSoftmaxWithLoss(16, 10, cutoffs)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("shapes", [
    ((3, 16), [0, 1]),  # batch sizes differ
    ((3, 2, 16), [0, 1, 2]),  # a 1-D target needs 2-D input
    ((3, 16), 1),  # a 0-D target needs 1-D input
    ((3, 16), [[0], [1], [2]]),  # multi-target
    ((3, 16), [0, 10, 2]),  # a target out of range
    ((3, 16), [0, -1, 2]),
])
def test_bad_input_raises_torchs_error(shapes):
    shape, target = shapes
    layer, expected = _pair(16, 10, [3, 6])
    x = np.zeros(shape, np.float32)
    with pytest.raises(RuntimeError) as want:
        expected(torch.tensor(x), torch.tensor(target))
    with pytest.raises(RuntimeError) as got:
        layer(bricks.tensor(x), bricks.tensor(target))
    assert str(got.value).replace("bricks.", "torch.") == str(want.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_edge_inputs_match_torch(dtype):
    """Inputs of 0, ties, +-inf, NaN and saturating values: outputs, loss and gradients."""
    layer, expected = _pair(16, 10, [3, 6], head_bias=True, dtype=dtype)
    target = TARGETS["mixed"]
    tol = dict(atol=1e-5, rtol=1e-4) if dtype == "float32" else dict(atol=1e-10, rtol=1e-8)

    def run(name, values):
        run_edge(lambda x: tuple(layer(x, bricks.tensor(target))),
                 lambda x: tuple(expected(x, torch.tensor(target))),
                 edge_arrays(values, ((8, 16),), dtype), True, tol)

    check_every_set(run, lambda name: False)
