"""bricks.set_num_threads / get_num_threads: torch's functions, driving OpenBLAS."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks


def test_set_num_threads_changes_what_get_num_threads_reports() -> None:
    before = bricks.get_num_threads()
    try:
        for n in (1, 2):
            bricks.set_num_threads(n)
            assert bricks.get_num_threads() == n
    finally:
        bricks.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_set_num_threads_refuses_what_torch_refuses(bad: object) -> None:
    with pytest.raises(RuntimeError) as expected:
        torch.set_num_threads(bad)  # type: ignore[arg-type]  # the point: a bad value
    with pytest.raises(RuntimeError) as got:
        bricks.set_num_threads(bad)  # type: ignore[arg-type]  # the point: a bad value
    assert str(got.value) == str(expected.value)


# ----- small products run on one thread (issue 15): the calls made, not their timing
class _Recorder:
    """OpenBLAS's thread functions wrapped to record every count bricks sets."""

    def __init__(self, functions) -> None:
        self.sets: list[int] = []
        self.count = functions[1]() if functions else 2
        self.real = functions

    def set(self, n: int) -> None:
        self.sets.append(n)
        self.count = n
        if self.real:
            self.real[0](n)

    def get(self) -> int:
        return self.real[1]() if self.real else self.count


@pytest.fixture
def blas(monkeypatch):
    """A recorder in place of OpenBLAS's functions, and bricks' thread state restored after."""
    from bricks import _threads

    real = _threads._openblas()
    before = real[1]() if real else None
    recorder = _Recorder(real)
    monkeypatch.setitem(_threads._blas, "functions", (recorder.set, recorder.get))
    monkeypatch.setattr(_threads, "_ceiling", 0)
    monkeypatch.setattr(_threads, "_now", 0)
    yield recorder
    if real:
        real[0](before)


def _mid() -> tuple[bricks.Tensor, bricks.Tensor]:
    """Operands of a product OpenBLAS would split but one thread does faster: 96x96x96."""
    return (bricks.randn(96, 96, requires_grad=True), bricks.randn(96, 96, requires_grad=True))


@pytest.mark.parametrize("op", ["matmul", "linear", "addmm"])
def test_a_mid_size_product_runs_on_one_thread_under_a_ceiling_of_two(blas, op) -> None:
    bricks.set_num_threads(2)
    a, b = _mid()
    calls = {"matmul": lambda: bricks.matmul(a, b),
             "linear": lambda: bricks.nn.functional.linear(a, b),
             "addmm": lambda: bricks.addmm(bricks.zeros(96), a, b)}
    y = calls[op]()
    assert blas.get() == 1 and blas.sets == [2, 1]
    assert bricks.get_num_threads() == 2  # the ceiling is what get_num_threads reports
    big = bricks.randn(256, 256)
    bricks.matmul(big, big)  # 2**24 multiply-adds: back to the ceiling
    assert blas.get() == 2
    y.sum().backward()  # the gradients' products are the forward's size: one thread again
    assert blas.get() == 1 and blas.sets == [2, 1, 2, 1]


def test_small_products_switch_once_and_tiny_ones_never(blas) -> None:
    bricks.set_num_threads(2)
    tiny = bricks.randn(8, 8)
    for _ in range(5):
        bricks.matmul(tiny, tiny)  # OpenBLAS runs these on one thread by itself
    assert blas.sets == [2]
    a, b = _mid()
    for _ in range(5):
        bricks.matmul(a, b)
    assert blas.sets == [2, 1]


def test_one_thread_set_by_the_user_is_never_raised(blas) -> None:
    bricks.set_num_threads(1)
    big = bricks.randn(256, 256)
    a, b = _mid()
    bricks.matmul(big, big)
    bricks.matmul(a, b)
    assert blas.sets == [1] and blas.get() == 1


def test_the_ceiling_is_openblas_own_count_when_never_set(blas) -> None:
    start = blas.get()
    a, b = _mid()
    bricks.matmul(a, b)
    assert bricks.get_num_threads() == start
    assert blas.get() == 1 and blas.sets == [1]


def test_products_give_torch_results_whatever_the_thread_count(blas) -> None:
    for n in (1, 2):
        bricks.set_num_threads(n)
        for size in (8, 96, 256):
            a = np.random.default_rng(size).standard_normal((size, size))
            expected = (torch.from_numpy(a) @ torch.from_numpy(a)).numpy()
            np.testing.assert_allclose(bricks.matmul(bricks.from_numpy(a),
                                                     bricks.from_numpy(a)).numpy(),
                                       expected, rtol=1e-10, atol=1e-10)
