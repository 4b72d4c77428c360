"""Interleaved timing of bricks against torch: medians and their ratio."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md

import statistics
import time
from typing import Callable

__all__ = ["compare", "compare_many", "report"]


def _time_once(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _calibrate(fn: Callable[[], object], budget: float = 0.02) -> int:
    number = 1
    while _time_once(fn, number) * number < budget:
        number *= 2
    return number


def compare(bricks_fn: Callable[[], object], torch_fn: Callable[[], object],
            repeats: int = 15) -> tuple[float, float]:
    """Median seconds per call of each, measured alternately in the same process.

    Each framework leaves threads spinning after its calls (torch's OpenMP pool, OpenBLAS's
    for bricks) that take a core from whatever runs next. So the order alternates from one
    repeat to the next, and a short pause before each run lets the other's threads settle:
    neither framework always runs right after the other.
    """
    for fn in (bricks_fn, torch_fn):
        fn()
    number = max(_calibrate(bricks_fn), _calibrate(torch_fn))
    times: dict[int, list[float]] = {0: [], 1: []}
    pair = (bricks_fn, torch_fn)
    for repeat in range(repeats):
        for index in ((0, 1) if repeat % 2 == 0 else (1, 0)):
            time.sleep(_SETTLE)
            times[index].append(_time_once(pair[index], number))
    return statistics.median(times[0]), statistics.median(times[1])


def compare_many(fns: dict[str, Callable[[], object]], repeats: int = 15) -> dict[str, float]:
    """Median seconds per call of each of ``fns``, measured in rotating order in one process."""
    for fn in fns.values():
        fn()
    number = max(_calibrate(fn) for fn in fns.values())
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            time.sleep(_SETTLE)
            times[name].append(_time_once(fns[name], number))
    return {name: statistics.median(values) for name, values in times.items()}


_SETTLE = 0.01  # seconds: longer than either thread pool spins after its last call


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def report(name: str, bricks_time: float, torch_time: float, target: float | None) -> str:
    """One line: the workload, both medians, the ratio and the target."""
    ratio = bricks_time / torch_time
    goal = f"(target <= {target:.2f}x)" if target else ""
    return f"{name:<44} bricks {_fmt(bricks_time)}  torch {_fmt(torch_time)}  " \
           f"ratio {ratio:5.2f}x {goal}"
