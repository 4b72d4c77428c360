"""nn.utils.parametrize, nn.utils.parametrizations and the older hook-based weight_norm and
spectral_norm, compared with torch: class names, reprs, state_dict keys, values after a few
training steps, errors."""

from __future__ import annotations

import copy
import importlib
import warnings

import numpy as np
import pytest
import torch

import bricks
from _seeded import seeded_linear

LIBS = (bricks, torch)


def _parametrize(T):
    return importlib.import_module(T.__name__ + ".nn.utils.parametrize")


def _same(scenario):
    """Run ``scenario(T)`` on both libraries; its observations must be equal (library names
    aside)."""
    got, want = (scenario(T) for T in LIBS)
    assert [str(g).replace("bricks", "torch") for g in got] == [str(w) for w in want]


def _symmetric(T):
    class Symmetric(T.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).T
    return Symmetric()


def _doubled(T):
    class Doubled(T.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, X):
            return X / 2
    return Doubled()


def _linear(T, i=3, o=3, seed=1):
    return seeded_linear(T, i, o, seed)


def test_register_changes_class_repr_and_state_dict_keys():
    def scenario(T):
        P = _parametrize(T)
        m = _linear(T)
        P.register_parametrization(m, "weight", _symmetric(T))
        seen = [m, type(m).__name__, list(m.state_dict()), [n for n, _ in m.named_parameters()],
                P.is_parametrized(m), P.is_parametrized(m, "weight"),
                P.is_parametrized(m, "bias"), P.type_before_parametrizations(m).__name__,
                np.round(m.weight.detach().numpy(), 12).tolist()]
        P.register_parametrization(m, "weight", _symmetric(T))
        seen.append(m.parametrizations.weight)
        with P.cached():
            seen.append(m.weight is m.weight)
        seen.append(m.weight is m.weight)
        seen.append(type(copy.deepcopy(m)).__name__)
        return seen
    _same(scenario)


def test_right_inverse_assignment_and_removal():
    def scenario(T):
        P = _parametrize(T)
        m = _linear(T, 2, 2)
        before = m.weight.detach().clone()
        original = m.weight
        P.register_parametrization(m, "weight", _doubled(T))
        seen = [bool(T.allclose(m.weight, before)), m.parametrizations.weight.original is original]
        m.weight = T.ones(2, 2, dtype=T.float64)
        seen.append(m.parametrizations.weight.original.detach().numpy().tolist())
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
        seen += [type(m).__name__, list(m.state_dict()), m.weight is original,
                 m.weight.detach().numpy().tolist(), m]
        m.register_buffer("buf", T.ones(2, dtype=T.float64))
        P.register_parametrization(m, "buf", _doubled(T))
        seen += [list(m.state_dict()), type(m.parametrizations.buf.original).__name__]
        P.remove_parametrizations(m, "buf")
        seen += [list(m.state_dict()), m.buf.numpy().tolist()]
        return seen
    _same(scenario)


def test_gradients_flow_to_the_original():
    def scenario(T):
        P = _parametrize(T)
        m = _linear(T)
        P.register_parametrization(m, "weight", _symmetric(T))
        x = T.tensor(np.arange(6.0).reshape(2, 3))
        m(x).pow(2).sum().backward()
        return [np.round(m.parametrizations.weight.original.grad.numpy(), 10).tolist()]
    _same(scenario)


def test_errors_as_torch():
    def scenario(T):
        P = _parametrize(T)

        class Shrink(T.nn.Module):
            def forward(self, X):
                return X[:2]
        seen = []
        m = _linear(T)
        for call in (lambda: P.register_parametrization(m, "foo", _symmetric(T)),
                     lambda: P.register_parametrization(m, "weight", Shrink()),
                     lambda: P.remove_parametrizations(m, "weight")):
            with pytest.raises(ValueError) as error:
                call()
            seen.append(str(error.value))
        P.register_parametrization(m, "weight", _symmetric(T))
        with pytest.raises(RuntimeError) as error:
            m.weight = T.eye(3, dtype=T.float64)
        seen.append(str(error.value))
        with pytest.raises(ValueError) as error:
            P.remove_parametrizations(m, "bias")
        seen.append(str(error.value))
        P.register_parametrization(m, "bias", Shrink(), unsafe=True)
        seen.append(m.bias.shape)
        return seen
    _same(scenario)


def _module(T, kind):
    rs = np.random.RandomState(1)
    if kind == "conv":
        m = T.nn.Conv2d(2, 3, 2).double()
    elif kind == "convT":
        m = T.nn.ConvTranspose2d(2, 3, 2).double()
    else:
        m = T.nn.Linear(4, 3).double()
    with T.no_grad():
        m.weight.copy_(T.tensor(rs.randn(*m.weight.shape)))
        m.bias.zero_()
    return m


def _train(T, m, steps=3):
    opt = T.optim.SGD(m.parameters(), lr=0.1)
    rs = np.random.RandomState(2)
    x = T.tensor(rs.randn(5, 4) if isinstance(m, T.nn.Linear) else rs.randn(5, 2, 4, 4))
    for _ in range(steps):
        opt.zero_grad()
        m(x).pow(2).sum().backward()
        opt.step()
    m.eval()
    out = m(x).detach().numpy()
    return {k: v.detach().numpy() for k, v in m.state_dict().items()}, out


def _load_from_torch(b, t):
    """Give the bricks module torch's state (the random power-iteration start included)."""
    b.load_state_dict({k: bricks.tensor(v.numpy()) for k, v in t.state_dict().items()})


@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
@pytest.mark.parametrize("which", ["weight_norm", "spectral_norm"])
def test_parametrizations_train_as_torch(kind, which):
    b, t = _module(bricks, kind), _module(torch, kind)
    getattr(bricks.nn.utils.parametrizations, which)(b)
    getattr(torch.nn.utils.parametrizations, which)(t)
    assert list(b.state_dict()) == list(t.state_dict())
    assert repr(b) == repr(t)
    _load_from_torch(b, t)
    (got, got_out), (want, want_out) = _train(bricks, b), _train(torch, t)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10)


def test_parametrized_spectral_norm_starts_with_power_iterations():
    m = bricks.nn.utils.parametrizations.spectral_norm(_module(bricks, "linear"))
    sigma = np.linalg.svd(m.parametrizations.weight.original.detach().numpy())[1][0]
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy())[1][0], 1.0, rtol=1e-3)
    assert sigma > 1.5


def test_weight_norm_removal_leaves_the_weight():
    got, want = [], []
    for T, out in ((bricks, got), (torch, want)):
        m = _module(T, "linear")
        T.nn.utils.parametrizations.weight_norm(m, dim=None)
        out.append(m.parametrizations.weight.original0.shape)
        T.nn.utils.parametrize.remove_parametrizations(m, "weight")
        out += [list(m.state_dict()), np.round(m.weight.detach().numpy(), 12).tolist()]
        with pytest.raises(ValueError) as error:
            T.nn.utils.parametrizations.spectral_norm(m, name="nothing")
        out.append(str(error.value))
    assert [str(g) for g in got] == [str(w).replace("torch.", "bricks.") for w in want]


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("which", ["weight_norm", "spectral_norm"])
def test_hook_based_norms_train_as_torch(kind, which):
    modules, caught = [], []
    for T in LIBS:
        m = _module(T, kind)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            getattr(T.nn.utils, which)(m)
        caught.append([(w.category, str(w.message)) for w in record])
        modules.append(m)
    b, t = modules
    assert caught[0] == caught[1]
    assert list(b.state_dict()) == list(t.state_dict())
    assert len(b._forward_pre_hooks) == len(t._forward_pre_hooks) == 1
    _load_from_torch(b, t)
    (got, got_out), (want, want_out) = _train(bricks, b), _train(torch, t)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10)
    getattr(bricks.nn.utils, "remove_" + which)(b)
    getattr(torch.nn.utils, "remove_" + which)(t)
    assert list(b.state_dict()) == list(t.state_dict())
    assert type(b.weight).__name__ == "Parameter" and not b._forward_pre_hooks
    np.testing.assert_allclose(b.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-10)
    for T, m in ((bricks, b), (torch, t)):
        with pytest.raises(ValueError, match=f"{which} of 'weight' not found in"):
            getattr(T.nn.utils, "remove_" + which)(m)


def test_hook_based_norms_refuse_a_second_registration():
    for T in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = T.nn.utils.weight_norm(T.nn.Linear(2, 2))
            with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
                T.nn.utils.weight_norm(m)
        m = T.nn.utils.spectral_norm(T.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
            T.nn.utils.spectral_norm(m)


def test_module_to_empty_keeps_objects_shapes_and_dtypes():
    for T in LIBS:
        m = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3)).double()
        weight = m[0].weight
        weight.grad = T.ones(3, 2, dtype=T.float64)
        assert m.to_empty(device="cpu") is m
        assert m[0].weight is weight and weight.requires_grad
        assert weight.grad is not None and weight.grad.shape == (3, 2)
        assert m[1].num_batches_tracked.dtype == T.int64 and weight.dtype == T.float64
        with pytest.raises(TypeError):
            m.to_empty("cpu")
