"""``Tensor.retains_grad`` and inference tensors (``Tensor.is_inference``,
``bricks.is_inference``), each against torch on the same program."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import torch

import bricks


def _retains(m: Any) -> list:
    x = m.ones(2, requires_grad=True)
    y = x * 2
    seen = [x.retains_grad, y.retains_grad]
    y.retain_grad()
    x.retain_grad()
    seen += [x.retains_grad, y.retains_grad]
    y.retain_grad()  # twice: still one gradient
    (y * 3).sum().backward()
    seen += [y.grad.tolist(), x.grad.tolist(), y.detach().retains_grad]
    return seen


def test_retains_grad_matches_torch() -> None:
    assert _retains(bricks) == _retains(torch)


def test_retains_grad_is_read_only_and_retain_grad_refuses_without_grad() -> None:
    for m in (torch, bricks):
        x = m.ones(2, requires_grad=True)
        with pytest.raises(AttributeError):
            x.retains_grad = True
        with pytest.raises(RuntimeError, match="requires_grad=False"):
            m.ones(2).retain_grad()


def _inference(m: Any) -> list:
    x = m.ones(2, requires_grad=True)
    with m.inference_mode():
        made = m.ones(2)
        computed = x * 2
        view = made.view(2)
        with m.inference_mode(False):
            normal = m.ones(2)
    with m.no_grad():
        no_grad = m.ones(2)
    outside_view = made[:1]
    return [made.is_inference(), computed.is_inference(), view.is_inference(),
            normal.is_inference(), no_grad.is_inference(), x.is_inference(),
            outside_view.is_inference(), (made + 1).is_inference(), m.is_inference(made),
            m.is_inference(x)]


def test_inference_tensors_match_torch() -> None:
    assert _inference(bricks) == _inference(torch)


def test_inference_mode_as_a_decorator_makes_inference_tensors() -> None:
    @bricks.inference_mode()
    def make() -> Any:
        return bricks.zeros(3)

    assert make().is_inference() and not bricks.zeros(3).is_inference()


def test_inference_mode_in_another_thread_does_not_mark_this_threads_tensors() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with bricks.inference_mode():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    try:
        assert not bricks.ones(2).is_inference()
    finally:
        release.set()
        worker.join()


def test_is_inference_refuses_what_is_no_tensor() -> None:
    for m in (torch, bricks):
        with pytest.raises(TypeError):
            m.is_inference(3)
