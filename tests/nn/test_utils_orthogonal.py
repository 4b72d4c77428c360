"""nn.utils.parametrizations.orthogonal against torch's: the three maps with and without the
trivialization, tall, wide, square and batched weights; values, gradients, a few training
steps (the weight stays orthogonal), assignment, state_dict keys, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks

MAPS = ["matrix_exp", "cayley", "householder"]
SHAPES = [(4, 4), (5, 3), (3, 5), (2, 4, 3)]


def _holder(T, shape, seed=1):
    """A module whose float64 ``weight`` of ``shape`` is drawn from NumPy's ``seed``;
    forward multiplies inputs by it."""
    class Holder(T.nn.Module):
        def __init__(self):
            super().__init__()
            rs = np.random.RandomState(seed)
            self.weight = T.nn.Parameter(T.tensor(rs.randn(*shape)))

        def forward(self, x):
            return x @ self.weight.mT

    return Holder()


def _orthogonalized(T, shape, orthogonal_map, use_trivialization):
    m = _holder(T, shape)
    T.nn.utils.parametrizations.orthogonal(m, orthogonal_map=orthogonal_map,
                                           use_trivialization=use_trivialization)
    return m


def _state(m):
    return {k: v.detach().numpy() for k, v in m.state_dict().items()}


def _assert_orthogonal(q, atol=1e-10):
    q = q.detach().numpy()
    tall = q.shape[-2] >= q.shape[-1]
    gram = np.swapaxes(q, -1, -2) @ q if tall else q @ np.swapaxes(q, -1, -2)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(gram.shape[-1]), gram.shape),
                               atol=atol)


def _train(T, m, shape, steps=3, lr=0.1, optimizer="SGD"):
    opt = getattr(T.optim, optimizer)(m.parameters(), lr=lr)
    x = T.tensor(np.random.RandomState(2).randn(6, shape[-1]))
    for _ in range(steps):
        opt.zero_grad()
        (m(x) - 1).pow(2).sum().backward()
        opt.step()
    return m(x).detach().numpy()


@pytest.mark.parametrize("use_trivialization", [True, False])
@pytest.mark.parametrize("orthogonal_map", MAPS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_orthogonal_trains_as_torch(shape, orthogonal_map, use_trivialization):
    b = _orthogonalized(bricks, shape, orthogonal_map, use_trivialization)
    t = _orthogonalized(torch, shape, orthogonal_map, use_trivialization)
    assert repr(b) == repr(t)
    assert list(b.state_dict()) == list(t.state_dict())
    # the base completing a non-square matrix is random: give bricks torch's
    b.load_state_dict({k: bricks.tensor(v) for k, v in _state(t).items()})
    np.testing.assert_allclose(b.weight.detach().numpy(), t.weight.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    got, want = _train(bricks, b, shape), _train(torch, t, shape)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
    for key, value in _state(t).items():
        np.testing.assert_allclose(_state(b)[key], value, rtol=1e-9, atol=1e-10, err_msg=key)
    if use_trivialization or orthogonal_map == "householder":
        _assert_orthogonal(b.weight)  # matrix_exp and cayley without one map a raw original


@pytest.mark.parametrize("orthogonal_map", MAPS)
def test_training_keeps_the_weight_orthogonal(orthogonal_map):
    m = _orthogonalized(bricks, (6, 4), orthogonal_map, orthogonal_map == "householder")
    before = m.weight.detach().numpy().copy()
    _train(bricks, m, (6, 4), steps=30, lr=0.05, optimizer="Adam")
    assert np.abs(m.weight.detach().numpy() - before).max() > 0.1
    _assert_orthogonal(m.weight)


def test_an_orthogonal_weight_is_kept_and_others_are_orthogonalized_as_torch():
    q = np.linalg.qr(np.random.RandomState(3).randn(4, 4))[0]
    for weight in (q, np.random.RandomState(4).randn(4, 4)):
        got, want = (_holder(T, (4, 4)) for T in (bricks, torch))
        for T, m in ((bricks, got), (torch, want)):
            with T.no_grad():
                m.weight.copy_(T.tensor(weight))
            T.nn.utils.parametrizations.orthogonal(m)
        np.testing.assert_allclose(got.weight.detach().numpy(), want.weight.detach().numpy(),
                                   atol=1e-12)
    np.testing.assert_allclose(got.parametrizations.weight[0].base.numpy(),
                               want.parametrizations.weight[0].base.numpy(), atol=1e-12)


@pytest.mark.parametrize("use_trivialization", [True, False])
def test_assigning_an_orthogonal_matrix_sets_the_weight_as_torch(use_trivialization):
    q = np.linalg.qr(np.random.RandomState(5).randn(5, 3))[0]
    shape = (5, 3) if use_trivialization else (3, 5)
    value = q if use_trivialization else q.T
    got, want = (_orthogonalized(T, shape, "householder", use_trivialization)
                 for T in (bricks, torch))
    if use_trivialization:  # the random completion of the base: give bricks torch's
        got.load_state_dict({k: bricks.tensor(v) for k, v in _state(want).items()})
    got.weight = bricks.tensor(value)
    want.weight = torch.tensor(value)
    np.testing.assert_allclose(got.weight.detach().numpy(), want.weight.detach().numpy(),
                               atol=1e-12)
    if not use_trivialization:
        np.testing.assert_allclose(got.weight.detach().numpy(), value, atol=1e-12)
        np.testing.assert_allclose(_state(got)["parametrizations.weight.original"],
                                   _state(want)["parametrizations.weight.original"],
                                   atol=1e-12)


def test_the_default_map_is_matrix_exp_for_square_weights_householder_otherwise():
    for shape, expected in (((3, 3), "matrix_exp"), ((4, 2), "householder")):
        m = bricks.nn.utils.parametrizations.orthogonal(_holder(bricks, shape))
        assert m.parametrizations.weight[0].orthogonal_map.name == expected
        _assert_orthogonal(m.weight)


@pytest.mark.parametrize("call", [
    lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3), name="nothing"),
    lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3), name="bias"),
    lambda T: T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3),
                                                     orthogonal_map="qr"),
    lambda T: setattr(T.nn.utils.parametrizations.orthogonal(T.nn.Linear(3, 3)), "weight",
                      T.ones(3, 4)),
    lambda T: setattr(T.nn.utils.parametrizations.orthogonal(
        T.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False), "weight",
        T.eye(3)),
])
def test_errors_as_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(bricks)
    assert str(got.value).replace("bricks", "torch") == str(expected.value)
