"""torch.utils.checkpoint: gradients equal to a plain run (and to torch's), the same dropout
mask on recomputation, torch's warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bricks

W = np.arange(16.0).reshape(4, 4) / 10 - 0.7
X = np.linspace(-1, 1, 8).reshape(2, 4)


def _run(T, mode, p=0.0, x_requires_grad=True):
    """Loss, input grad and weight grad of ``dropout(tanh(lin(2x)))``, checkpointed by ``mode``
    (None: a plain run)."""
    T.manual_seed(0)
    lin = T.nn.Linear(4, 4).double()
    with T.no_grad():
        lin.weight.copy_(T.tensor(W))
        lin.bias.fill_(0.1)
    x = T.tensor(X, requires_grad=x_requires_grad)

    def segment(a):
        return T.nn.functional.dropout(lin(a).tanh(), p)

    h = x * 2
    y = segment(h) if mode is None else T.utils.checkpoint.checkpoint(segment, h,
                                                                      use_reentrant=mode)
    (y * T.tensor(X)).sum().backward()
    grads = [None if x.grad is None else x.grad.numpy(), lin.weight.grad, lin.bias.grad]
    return [y.detach().numpy()] + [g if g is None or isinstance(g, np.ndarray) else g.numpy()
                                   for g in grads]


@pytest.mark.parametrize("reentrant", [True, False])
def test_gradients_equal_torch(reentrant):
    for got, want in zip(_run(bricks, reentrant), _run(torch, reentrant)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_mask_is_the_same_on_recomputation(reentrant):
    checkpointed, plain = _run(bricks, reentrant, p=0.5), _run(bricks, None, p=0.5)
    assert 0 < (checkpointed[0] == 0).sum() < checkpointed[0].size
    for got, want in zip(checkpointed, plain):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_non_reentrant_reaches_parameters_when_the_input_needs_no_grad():
    got, want = _run(bricks, False, x_requires_grad=False), _run(torch, False,
                                                                 x_requires_grad=False)
    assert got[1] is None and want[1] is None
    for g, w in zip(got[2:], want[2:]):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_non_reentrant_works_with_autograd_grad_and_keywords():
    results = []
    for T in (bricks, torch):
        w = T.tensor([1.5, -2.0], requires_grad=True)
        x = T.tensor([0.5, 3.0], requires_grad=True)
        y = T.utils.checkpoint.checkpoint(lambda a, scale: (a * w * scale).sin(), x, scale=2.0,
                                          use_reentrant=False)
        results.append([g.numpy() for g in T.autograd.grad(y.sum(), [x, w])])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_reentrant_without_grad_inputs_warns_and_gives_no_grad():
    for T in (bricks, torch):
        lin = T.nn.Linear(2, 2)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            y = T.utils.checkpoint.checkpoint(lin, T.ones(1, 2), use_reentrant=True)
        assert not y.requires_grad


def test_missing_use_reentrant_warns_as_torch():
    for T in (bricks, torch):
        x = T.ones(2, requires_grad=True)
        with pytest.warns(UserWarning) as record:
            T.utils.checkpoint.checkpoint(lambda a: a * 2, x)
        assert "use_reentrant parameter should be passed explicitly" in str(record[0].message)
        seq = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU())
        with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant"):
            T.utils.checkpoint.checkpoint_sequential(seq, 2, x.unsqueeze(0))


def test_reentrant_rejects_keyword_arguments():
    for T in (bricks, torch):
        with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
            T.utils.checkpoint.checkpoint(lambda a, b: a * b, T.ones(1, requires_grad=True),
                                          b=2, use_reentrant=True)


def test_under_no_grad_nothing_is_recorded():
    with bricks.no_grad():
        y = bricks.utils.checkpoint.checkpoint(lambda a: a.sin(),
                                               bricks.ones(2, requires_grad=True),
                                               use_reentrant=False)
    assert not y.requires_grad


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_equals_torch(reentrant, segments):
    results = []
    for T in (bricks, torch):
        T.manual_seed(0)
        layers = [T.nn.Linear(3, 3).double() for _ in range(4)]
        rs = np.random.RandomState(3)
        with T.no_grad():
            for layer in layers:
                layer.weight.copy_(T.tensor(rs.randn(3, 3)))
                layer.bias.copy_(T.tensor(rs.randn(3)))
        net = T.nn.Sequential(layers[0], T.nn.Tanh(), layers[1], T.nn.Tanh(), layers[2],
                              layers[3])
        x = T.tensor(rs.randn(2, 3), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = T.utils.checkpoint.checkpoint_sequential(net, segments, x,
                                                         use_reentrant=reentrant)
        y.pow(2).sum().backward()
        results.append([y.detach().numpy(), x.grad.numpy()]
                       + [p.grad.numpy() for p in net.parameters()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12)
