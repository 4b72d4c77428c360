"""Everyday API names of issue 12 beyond ops: print options, strides, anomaly detection,
``autograd.functional``; each against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import functional


@pytest.fixture
def restore_printoptions():
    yield
    for lib in (bricks, torch):
        lib.set_printoptions(profile="default")
        lib.set_printoptions(sci_mode=None)


@pytest.mark.parametrize("options", [{"precision": 2}, {"threshold": 5}, {"edgeitems": 1,
                                     "threshold": 3}, {"linewidth": 30}, {"profile": "short"},
                                     {"sci_mode": True}, {"profile": "full"}])
def test_set_printoptions_prints_as_torch(options, restore_printoptions):
    values = np.linspace(-2.5, 3.25, 12).reshape(3, 4)
    for lib in (bricks, torch):
        lib.set_printoptions(**options)
    ours = repr(bricks.tensor(values)).replace("bricks.", "torch.")
    theirs = repr(torch.tensor(values))
    assert ours == theirs


@pytest.mark.parametrize("make", [
    lambda m: m.zeros(3, 4), lambda m: m.zeros(3, 4).t(), lambda m: m.zeros(4, 6)[1:, ::2],
    lambda m: m.zeros(2, 3, 4).permute(2, 0, 1), lambda m: m.zeros(3, 1).expand(3, 5),
    lambda m: m.zeros(5, 5)[2], lambda m: m.arange(10.0)[3:7],
])
def test_stride_and_storage_offset_match_torch(make):
    ours, theirs = make(bricks), make(torch)
    assert ours.stride() == theirs.stride()
    assert ours.stride(-1) == theirs.stride(-1)
    assert ours.storage_offset() == theirs.storage_offset()


def test_detect_anomaly_names_the_node_that_made_nan_as_torch():
    messages = []
    for lib in (bricks, torch):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                with pytest.raises(RuntimeError) as error:
                    (x.sqrt() * 0).sum().backward()
        messages.append(str(error.value).splitlines()[0])
    assert messages[0] == messages[1]
    assert not bricks.autograd.is_anomaly_enabled()
    y = bricks.tensor([0.0], requires_grad=True)
    (y.sqrt() * 0).sum().backward()  # off again: NaN gradients pass silently, as torch
    assert np.isnan(y.grad.item())


def test_vjp_and_jacobian_match_torch():
    def f(m):
        return lambda x, y: ((x * y).sin(), x.exp().sum())

    a, b = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.5])
    v = (np.array([1.0, -2.0, 0.5]), np.array(3.0))
    ours = functional.vjp(f(bricks), (bricks.tensor(a), bricks.tensor(b)),
                          tuple(bricks.tensor(x) for x in v))
    theirs = torch.autograd.functional.vjp(f(torch), (torch.tensor(a), torch.tensor(b)),
                                           tuple(torch.tensor(x) for x in v))
    for o, t in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    jo = functional.jacobian(lambda x: x.sin() * x.sum(), bricks.tensor(a))
    jt = torch.autograd.functional.jacobian(lambda x: x.sin() * x.sum(), torch.tensor(a))
    np.testing.assert_allclose(jo.numpy(), jt.numpy(), rtol=1e-12)


def test_functional_refuses_create_graph_and_a_missing_v():
    with pytest.raises(NotImplementedError, match="create_graph"):
        functional.vjp(lambda x: x * 2, bricks.ones(2), bricks.ones(2), create_graph=True)
    for lib, vjp in ((bricks, functional.vjp), (torch, torch.autograd.functional.vjp)):
        with pytest.raises(RuntimeError):
            vjp(lambda x: x * 2, lib.ones(2))
