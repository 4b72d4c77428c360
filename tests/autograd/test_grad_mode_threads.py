"""Grad mode is per thread, as in PyTorch: tests with real threads that overlap."""

from __future__ import annotations

import threading
from typing import Any, Callable

import bricks


def _run(*targets: Callable[[], Any]) -> list:
    """Run each target in its own thread at once; return their results (re-raising errors)."""
    results: list = [None] * len(targets)
    errors: list = []

    def wrap(i: int, target: Callable[[], Any]) -> None:
        try:
            results[i] = target()
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]
    return results


def test_training_thread_records_while_another_thread_is_inside_no_grad() -> None:
    inside = threading.Event()
    trained = threading.Event()
    w = bricks.ones(3, requires_grad=True)

    def evaluator() -> bool:
        with bricks.no_grad():
            inside.set()
            assert trained.wait(10)
            return bricks.is_grad_enabled()

    def trainer() -> bool:
        assert inside.wait(10)
        loss = (w * 2).sum()
        recorded = loss.requires_grad and loss.grad_fn is not None
        loss.backward()
        trained.set()
        return recorded

    in_no_grad, recorded = _run(evaluator, trainer)
    assert in_no_grad is False
    assert recorded is True
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


def test_overlapping_blocks_restore_each_threads_own_mode() -> None:
    # A enters, B enters, A leaves, B leaves: each thread sees only its own blocks.
    barrier = threading.Barrier(2, timeout=10)
    order: list = []

    def a() -> list:
        seen = []
        with bricks.no_grad():
            barrier.wait()  # both inside
            seen.append(bricks.is_grad_enabled())
        order.append("a left")
        seen.append(bricks.is_grad_enabled())
        barrier.wait()  # A has left, B is still inside
        barrier.wait()
        return seen

    def b() -> list:
        seen = []
        with bricks.set_grad_enabled(False):
            barrier.wait()
            barrier.wait()  # A has left its block
            seen.append(bricks.is_grad_enabled())
        barrier.wait()
        seen.append(bricks.is_grad_enabled())
        return seen

    seen_a, seen_b = _run(a, b)
    assert seen_a == [False, True]
    assert seen_b == [False, True]
    assert bricks.is_grad_enabled()


def test_one_no_grad_object_entered_by_two_threads_at_once() -> None:
    shared = bricks.no_grad()
    barrier = threading.Barrier(2, timeout=10)

    def user(mode: bool) -> bool:
        bricks.set_grad_enabled(mode)
        with shared:
            barrier.wait()
            barrier.wait()
        return bricks.is_grad_enabled()

    assert _run(lambda: user(True), lambda: user(False)) == [True, False]


def test_a_new_thread_starts_with_recording_on_even_inside_no_grad() -> None:
    with bricks.no_grad():
        [enabled] = _run(bricks.is_grad_enabled)
        assert not bricks.is_grad_enabled()
    assert enabled is True


def test_decorated_function_in_threads_does_not_leak_its_mode() -> None:
    barrier = threading.Barrier(2, timeout=10)
    x = bricks.ones(2, requires_grad=True)

    @bricks.no_grad()
    def evaluate() -> bool:
        barrier.wait()
        barrier.wait()
        return (x * 2).requires_grad

    def train() -> bool:
        barrier.wait()
        recorded = (x * 2).requires_grad
        barrier.wait()
        return recorded

    assert _run(evaluate, train) == [False, True]


def test_inference_mode_is_per_thread_and_records_nothing() -> None:
    x = bricks.ones(2, requires_grad=True)
    barrier = threading.Barrier(2, timeout=10)

    def infer() -> tuple:
        with bricks.inference_mode():
            barrier.wait()
            result = ((x * 2).requires_grad, bricks.is_inference_mode_enabled())
            barrier.wait()
        return result + (bricks.is_inference_mode_enabled(),)

    def train() -> tuple:
        barrier.wait()
        result = ((x * 2).requires_grad, bricks.is_inference_mode_enabled())
        barrier.wait()
        return result

    assert _run(infer, train) == [(False, True, False), (True, False)]
    with bricks.inference_mode(False):
        assert bricks.is_grad_enabled()
