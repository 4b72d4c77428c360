"""Post-accumulate-grad hooks and end-of-backward callbacks, against PyTorch."""

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import Variable, queue_callback


def _tied_run(lib):
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = lib.tensor([0.5, -0.5], requires_grad=True)
    x = lib.tensor([[1.0, -1.0], [2.0, 0.5]])
    events = []
    for name, p in (("w", w), ("b", b)):
        p.register_post_accumulate_grad_hook(
            lambda t, name=name: events.append((name, t.grad.numpy().copy())))
    h = (x @ w + b).tanh() @ w  # w used twice
    h.sum().backward()
    return events, w, b


def test_hook_fires_once_after_the_last_use_of_a_tied_leaf_as_in_torch():
    got, w, _ = _tied_run(bricks)
    want, _, _ = _tied_run(torch)
    assert sorted(name for name, _ in got) == sorted(name for name, _ in want) == ["b", "w"]
    for name, value in got:
        other = dict(want)[name]
        np.testing.assert_allclose(value, other, rtol=1e-6)
    np.testing.assert_allclose(dict(got)["w"], w.grad.numpy())


def test_hook_sees_accumulated_grad_and_fires_every_backward():
    w = bricks.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * 3).sum().backward()
    (w * w).sum().backward()
    assert seen == [[3.0, 3.0], [5.0, 7.0]]


def test_hook_fires_for_a_leaf_that_is_the_root_and_not_for_autograd_grad():
    w = bricks.tensor(2.0, requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(float(t.grad)))
    w.backward()
    assert seen == [1.0]
    bricks.autograd.grad((w * w), w)
    assert seen == [1.0]


def test_hook_does_not_fire_for_a_leaf_that_got_no_gradient():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    seen = []
    b.register_post_accumulate_grad_hook(lambda t: seen.append("b"))
    (a * 2).sum().backward()
    assert seen == [] and b.grad is None


def test_removed_hook_no_longer_fires_and_leaves_no_entry():
    from bricks.autograd import engine

    w = bricks.tensor([1.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(1))
    handle.remove()
    (w * 2).sum().backward()
    assert seen == [] and id(w) not in engine._post_hooks


def test_register_refuses_non_leaves_and_tensors_without_grad_as_torch():
    x = bricks.tensor([1.0], requires_grad=True)
    for lib, leaf, plain in ((bricks, x, bricks.tensor([1.0])),
                             (torch, torch.tensor([1.0], requires_grad=True),
                              torch.tensor([1.0]))):
        with pytest.raises(RuntimeError, match="non-leaf"):
            (leaf * 2).register_post_accumulate_grad_hook(lambda t: None)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            plain.register_post_accumulate_grad_hook(lambda t: None)


def test_queued_callback_runs_once_at_the_end_of_backward_after_every_hook():
    w = bricks.tensor([1.0, 2.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    events = []
    queued = []

    def end():
        events.append(("end", w.grad.tolist()))
        queued.clear()

    def hook(t):
        events.append("hook")
        if not queued:
            queued.append(True)
            Variable._execution_engine.queue_callback(end)

    w.register_post_accumulate_grad_hook(hook)
    b.register_post_accumulate_grad_hook(hook)
    ((w * b).sum() + b.sum()).backward()
    assert events == ["hook", "hook", ("end", [1.0, 1.0])]
    (w.sum()).backward()
    assert events[-2:] == ["hook", ("end", [2.0, 2.0])]


def test_queue_callback_outside_backward_raises_as_torch():
    with pytest.raises(RuntimeError, match="during backward"):
        queue_callback(lambda: None)
    with pytest.raises(RuntimeError, match="during backward"):
        torch.autograd.Variable._execution_engine.queue_callback(lambda: None)


def test_a_failed_backward_drops_its_callbacks():
    w = bricks.tensor([1.0], requires_grad=True)
    ran = []

    def hook(g):
        queue_callback(lambda: ran.append(1))
        raise ValueError("boom")

    y = w * 2
    y.register_hook(hook)
    with pytest.raises(ValueError):
        y.sum().backward()
    assert ran == []
    with pytest.raises(RuntimeError, match="during backward"):
        queue_callback(lambda: None)


def test_variable_returns_the_tensor_as_torch():
    t = bricks.tensor([1.0])
    assert Variable(t) is t
    assert Variable(t, requires_grad=True).requires_grad
