"""``float()`` of a tensor that requires grad warns once, as torch's TORCH_WARN_ONCE (d2l's
Accumulator calls ``float`` on losses that still require grad); ``int()``, ``item()`` and
``float()`` under ``no_grad`` or of a detached tensor stay silent."""

import warnings

import pytest
import torch

import bricks
from bricks import _tensor


def _warnings_of(lib, action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = action(lib)
    return value, [str(w.message) for w in caught if w.category is UserWarning]


def _fresh(monkeypatch):
    monkeypatch.setattr(_tensor, "_FLOAT_WARNED", [False])


@pytest.mark.parametrize("action", [
    lambda lib: float(lib.ones((), requires_grad=True) * 3),
    lambda lib: float(lib.ones(1, requires_grad=True)),
    lambda lib: float(lib.ones((), dtype=lib.float64, requires_grad=True)),
], ids=["non-leaf", "one-element leaf", "float64"])
def test_float_of_a_tensor_requiring_grad_warns_as_torch(monkeypatch, action):
    _fresh(monkeypatch)
    value, messages = _warnings_of(bricks, action)
    assert value == action(torch)
    assert messages == ["Converting a tensor with requires_grad=True to a scalar may lead to "
                        "unexpected behavior.\nConsider using tensor.detach() first."]


def _no_grad_float(lib):
    with lib.no_grad():
        return float(lib.ones((), requires_grad=True))


@pytest.mark.parametrize("action", [
    lambda lib: int(lib.ones((), requires_grad=True)),
    lambda lib: lib.ones((), requires_grad=True).item(),
    lambda lib: float(lib.ones((), requires_grad=True).detach()),
    lambda lib: float(lib.ones(())),
    _no_grad_float,
], ids=["int", "item", "detached", "no grad needed", "under no_grad"])
def test_other_conversions_stay_silent(monkeypatch, action):
    _fresh(monkeypatch)
    value, messages = _warnings_of(bricks, action)
    assert value == action(torch)
    assert messages == []


def test_the_warning_comes_once_per_process(monkeypatch):
    _fresh(monkeypatch)
    x = bricks.ones((), requires_grad=True)
    _, first = _warnings_of(bricks, lambda lib: float(x))
    _, second = _warnings_of(bricks, lambda lib: float(x * 2))
    assert len(first) == 1 and second == []


def test_the_warning_points_at_the_callers_line(monkeypatch):
    _fresh(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        float(bricks.ones((), requires_grad=True))
    assert caught[0].filename == __file__
