"""nn.utils.prune compared with torch: masks (equal for the deterministic methods, by count
for the random ones, whose generator differs), the _orig/_mask layout, hooks, errors."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import bricks
from _seeded import seeded_linear

LIBS = (bricks, torch)


def _prune(T):
    return importlib.import_module(T.__name__ + ".nn.utils.prune")


def _linear(T, i=4, o=3, seed=1):
    return seeded_linear(T, i, o, seed)


def _same(scenario):
    got, want = (scenario(T, _prune(T)) for T in LIBS)
    assert [str(g).replace("bricks", "torch") for g in got] == [str(w) for w in want]


def _mask(m, name="weight"):
    return getattr(m, name + "_mask").numpy().tolist()


def test_successive_pruning_layout_gradient_and_removal():
    def scenario(T, prune):
        m = _linear(T)
        prune.l1_unstructured(m, "weight", amount=0.5)
        seen = [list(m.state_dict()), [n for n, _ in m.named_parameters()],
                [n for n, _ in m.named_buffers()], type(m.weight).__name__, prune.is_pruned(m),
                _mask(m)]
        prune.l1_unstructured(m, "weight", amount=2)
        seen.append(_mask(m))
        prune.ln_structured(m, "weight", amount=1, n=1, dim=0)
        seen.append(_mask(m))
        m(T.ones(2, 4, dtype=T.float64)).sum().backward()
        seen.append(m.weight_orig.grad.numpy().tolist())
        prune.remove(m, "weight")
        seen += [list(m.state_dict()), prune.is_pruned(m), type(m.weight).__name__,
                 np.round(m.weight.detach().numpy(), 12).tolist()]
        return seen
    _same(scenario)


@pytest.mark.parametrize("n", [1, 2, 3, float("inf"), -float("inf"), "fro"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_masks(n, dim):
    def scenario(T, prune):
        m = _linear(T, 5, 4, seed=3)
        prune.ln_structured(m, "weight", amount=0.5, n=n, dim=dim)
        return [_mask(m)]
    _same(scenario)


def test_global_identity_custom_and_importance_scores():
    def scenario(T, prune):
        a, b = _linear(T, 4, 3, 1), _linear(T, 3, 2, 2)
        pairs = [(a, "weight"), (b, "weight")]
        prune.global_unstructured(pairs, pruning_method=prune.L1Unstructured, amount=5)
        seen = [_mask(a), _mask(b)]
        prune.global_unstructured(pairs, pruning_method=prune.L1Unstructured, amount=0.5)
        seen += [_mask(a), _mask(b)]
        m = _linear(T)
        prune.identity(m, "bias")
        seen += [_mask(m, "bias"), list(m.state_dict())]
        prune.custom_from_mask(m, "weight", T.tensor(np.eye(3, 4)))
        seen.append(m.weight.detach().numpy().tolist())
        m = _linear(T)
        prune.l1_unstructured(m, "weight", 3,
                              importance_scores=T.tensor(np.arange(12.0).reshape(3, 4)))
        seen.append(_mask(m))
        seen.append(prune.L1Unstructured(amount=2).prune(T.tensor([3.0, -1.0, 2.0, 0.5])))
        return seen
    _same(scenario)


def test_errors_and_a_failed_pruning_changes_nothing():
    def scenario(T, prune):
        seen = []
        for amount, error in ((-1, ValueError), (1.5, ValueError), (13, ValueError),
                              ("a", TypeError)):
            with pytest.raises(error) as caught:
                prune.l1_unstructured(_linear(T), "weight", amount=amount)
            seen.append(str(caught.value))
        for call in (lambda: prune.remove(_linear(T), "weight"),
                     lambda: prune.ln_structured(_linear(T), "bias", amount=1, n=2, dim=0)):
            with pytest.raises(ValueError) as caught:
                call()
            seen.append(str(caught.value))
        with pytest.raises(TypeError) as caught:
            prune.global_unstructured([(_linear(T), "weight")], pruning_method=prune.LnStructured,
                                      amount=1, n=2, dim=0)
        seen.append(str(caught.value))
        return seen
    _same(scenario)
    m = _linear(bricks)
    with pytest.raises(ValueError):
        bricks.nn.utils.prune.l1_unstructured(m, "weight", amount=13)
    assert set(m.state_dict()) == {"weight", "bias"} and not m._forward_pre_hooks


def test_random_methods_prune_the_right_counts():
    for T in LIBS:
        prune = _prune(T)
        m = _linear(T, 4, 6)
        prune.random_structured(m, "weight", amount=0.34, dim=1)
        assert (m.weight_mask.sum(0) == 0).sum().item() == 1
        assert set(m.weight_mask.sum(0).tolist()) == {0.0, 6.0}
        prune.random_structured(m, "weight", amount=1, dim=1)
        assert (m.weight_mask.sum(0) == 0).sum().item() == 2
        prune.random_unstructured(m, "bias", amount=2)
        assert m.bias_mask.sum().item() == 4
        prune.random_unstructured(m, "bias", amount=0.5)
        assert m.bias_mask.sum().item() == 2
        assert (m.bias == m.bias_orig * m.bias_mask).all()
