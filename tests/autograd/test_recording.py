"""The one recording path (``autograd.function.record``) and its specializations: ``apply2``
and the operator shortcut record, or skip, exactly what ``record`` does; a bricks.compile
capture watches ``record`` through its one hook and builds eager's graph."""

from __future__ import annotations

import operator
import threading
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import function
from bricks.ops import elementwise as ew

BINARY = [ew.Add, ew.Sub, ew.Mul, ew.Div, ew.Maximum, ew.Minimum]


def _inputs(needs: tuple[bool, bool], through_node: bool) -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    made = []
    for need in needs:
        t = bricks.tensor(rng.uniform(0.5, 2.0, (3, 4)), requires_grad=need)
        if need and through_node:
            t = t * 1.0  # not a leaf: its node is the parent
        made.append(t)
    return made[0], made[1]


def _graph(out: Any) -> tuple:
    """What a node records: its class, needs, parents and the saved versions."""
    node = out.grad_fn
    if node is None:
        return (out.requires_grad,)
    return (out.requires_grad, type(node), node.needs_input_grad,
            tuple(id(p) for p in node.parents),
            tuple((id(counter), version) for counter, version in node.saved_versions))


@pytest.mark.parametrize("cls", BINARY, ids=lambda c: c.__name__)
@pytest.mark.parametrize("needs", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("through_node", [False, True])
def test_apply2_records_the_graph_that_record_records(cls: Any, needs: tuple,
                                                      through_node: bool) -> None:
    a, b = _inputs(needs, through_node)
    for grad in (True, False):
        with bricks.set_grad_enabled(grad):
            special = cls.apply2(a, b)
            general = function.record(cls(), (a, b), {})
        np.testing.assert_array_equal(special.detach().numpy(), general.detach().numpy())
        assert _graph(special) == _graph(general)
        assert special.requires_grad == (grad and any(needs))


def test_apply2_gradients_are_torchs() -> None:
    values = np.array([[1.0, -2.0, 3.0], [0.5, 2.0, -1.0]])
    other = np.array([[2.0, -2.0, 0.25], [4.0, 2.0, -3.0]])
    for cls, op in ((ew.Mul, torch.mul), (ew.Div, torch.div), (ew.Maximum, torch.maximum)):
        a = bricks.tensor(values, requires_grad=True)
        b = bricks.tensor(other, requires_grad=True)
        ta = torch.tensor(values, requires_grad=True)
        tb = torch.tensor(other, requires_grad=True)
        cls.apply2(a, b).sum().backward()
        op(ta, tb).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv])
def test_the_operator_shortcut_gives_torchs_result_and_node(op: Any,
                                                            requires_grad: bool) -> None:
    values = np.array([1.0, -np.inf, np.inf, 0.0], dtype=np.float32)
    other = np.array([2.0, -np.inf, np.inf, 0.0], dtype=np.float32)
    results = []
    for lib in (bricks, torch):
        a = lib.tensor(values, requires_grad=requires_grad)
        b = lib.tensor(other)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # inf - inf, 0 / 0: silent, as in torch
            results.append([op(a, b), op(a, 2.0)])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
        assert ours.dtype == bricks.float32 and ours.requires_grad == theirs.requires_grad
        if requires_grad:
            assert ours.grad_fn.name() == theirs.grad_fn.name()
        else:
            assert ours.grad_fn is None and theirs.grad_fn is None


def test_a_capture_builds_eagers_graph_through_the_one_hook() -> None:
    # The compiled function's graph (views, saved versions, node names) is the eager one, and
    # the hook is set only while a capture runs.
    def step(lib: Any, x: Any, w: Any) -> Any:
        h = (x @ w).relu()
        loss = (h.t() * h.t()).mean() + (h[0] - 1.0).pow(2).sum()
        loss.backward()
        return loss, loss.grad_fn.name(), h.grad_fn.name()

    rng = np.random.default_rng(1)
    data, weight = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    tw = torch.tensor(weight, requires_grad=True)
    t_loss, t_root, t_h = step(torch, torch.tensor(data), tw)
    w = bricks.tensor(weight, requires_grad=True)
    seen = []
    compiled = bricks.compile(lambda x: step(bricks, x, w))
    for _ in range(4):
        w.grad = None
        loss, root, h_name = compiled(bricks.tensor(data))
        seen.append(function._observer)
        np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-12)
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
        assert (root, h_name) == (t_root, t_h)
    assert compiled.replays and seen == [None] * 4


def test_another_threads_ops_are_recorded_as_usual_during_a_capture() -> None:
    started, finished = threading.Event(), threading.Event()
    got: list = []

    def other_thread() -> None:
        started.wait(10)
        x = bricks.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        got.append(x.grad.numpy().tolist())
        finished.set()

    def step(x: Any) -> Any:
        y = x * 2
        if function._observer is not None and not started.is_set():  # inside the capture
            started.set()
            finished.wait(10)
        return y

    worker = threading.Thread(target=other_thread)
    worker.start()
    compiled = bricks.compile(step)
    for _ in range(3):
        compiled(bricks.ones(2))
    started.set()
    worker.join(10)
    assert got == [[2.0, 4.0]]
    assert compiled.replays
