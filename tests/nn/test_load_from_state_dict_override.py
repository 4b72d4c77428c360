"""An overridden ``_load_from_state_dict`` (migrating old keys) is honoured by
``load_state_dict``, as in torch, and a failing load still changes nothing."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import bricks
from bricks import nn


def _migrating(lib):
    class Renamed(lib.nn.Linear):
        """A layer whose old checkpoints called the weight ``kernel``."""

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                  missing_keys, unexpected_keys, error_msgs):
            old = prefix + "kernel"
            if old in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(old)
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)

    return lib.nn.Sequential(lib.nn.Linear(2, 3), Renamed(3, 2))


def _old_checkpoint(lib, bad_bias: bool = False):
    state = OrderedDict()
    state["0.weight"] = lib.tensor(np.arange(6.0).reshape(3, 2), dtype=lib.float32)
    state["0.bias"] = lib.tensor([1.0, 2.0, 3.0])
    state["1.kernel"] = lib.tensor(np.ones((2, 3)), dtype=lib.float32)
    state["1.bias"] = lib.tensor([0.5, 0.5, 0.5] if bad_bias else [0.5, 0.5])
    return state


def test_override_migrates_old_keys_as_in_torch() -> None:
    results = []
    for lib in (bricks, torch):
        model = _migrating(lib)
        state = _old_checkpoint(lib)
        keys = model.load_state_dict(state)
        assert list(state) == ["0.weight", "0.bias", "1.kernel", "1.bias"]  # caller's dict kept
        assert keys.missing_keys == [] and keys.unexpected_keys == []
        results.append([p.detach().numpy().copy() for p in model.parameters()])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_failing_load_with_an_override_changes_nothing() -> None:
    model = _migrating(bricks)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    with pytest.raises(RuntimeError, match="size mismatch for 1.bias"):
        model.load_state_dict(_old_checkpoint(bricks, bad_bias=True))
    with pytest.raises(RuntimeError, match="size mismatch for 1.bias"):
        _migrating(torch).load_state_dict(_old_checkpoint(torch, bad_bias=True))
    for p, value in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), value)


def test_error_messages_of_an_override_fail_the_load_and_change_nothing() -> None:
    class Strict(nn.Linear):
        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                  missing_keys, unexpected_keys, error_msgs):
            if prefix + "version" not in state_dict:
                error_msgs.append(f"{prefix or 'model'}: checkpoint predates version 2")
            state_dict.pop(prefix + "version", None)

    layer = Strict(2, 2)
    before = layer.weight.detach().numpy().copy()
    state = {"weight": bricks.zeros(2, 2), "bias": bricks.zeros(2)}
    with pytest.raises(RuntimeError, match="predates version 2"):
        layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), before)
    layer.load_state_dict({**state, "version": bricks.tensor(2)})
    assert not layer.weight.detach().numpy().any()


def test_override_can_report_unexpected_keys_for_non_strict_loads() -> None:
    class Reporting(nn.Linear):
        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                  missing_keys, unexpected_keys, error_msgs):
            if prefix + "legacy" in state_dict:
                unexpected_keys.append(prefix + "legacy")

    model = nn.Sequential(Reporting(2, 2))
    state = dict(model.state_dict())
    state["0.legacy"] = bricks.zeros(1)
    keys = model.load_state_dict(state, strict=False)
    assert keys.unexpected_keys == ["0.legacy"]
