"""Matrix products at 1 and 2 OpenBLAS threads: where does the second thread pay?

Run: ``python benchmarks/bench_threads.py [--repeats 15]``. Times every product of a seed MLP
(4-8-1, batch 2) and 784 MLP (784-256-256-10, batch 128) training step (forward, input and
weight gradients) plus a few sizes around them, alternating 1 and 2 threads call by call
(bricks.set_num_threads, OpenBLAS directly), and prints the median and the minimum of each
with the ratio 2 threads / 1 thread (above 1: the second thread costs time). The load average
is printed too: on a busy machine the second thread waits for a core and 2-thread figures
swing widely; the minimum is the figure closest to a quiet machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy: idle BLAS threads spin

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import bricks  # noqa: E402

# (what, m, k, n): an (m, k) @ (k, n) product.
PRODUCTS = [
    ("seed MLP forward 1", 2, 4, 8), ("seed MLP forward 2", 2, 8, 1),
    ("seed MLP weight grad 1", 8, 2, 4), ("seed MLP input grad 2", 2, 1, 8),
    ("784 MLP forward 1", 128, 784, 256), ("784 MLP forward 2", 128, 256, 256),
    ("784 MLP forward 3", 128, 256, 10), ("784 MLP weight grad 1", 256, 128, 784),
    ("784 MLP weight grad 2", 256, 128, 256), ("784 MLP weight grad 3", 10, 128, 256),
    ("784 MLP input grad 2", 128, 256, 256), ("784 MLP input grad 3", 128, 10, 256),
    ("784 MLP forward 1, batch 1", 1, 784, 256), ("784 MLP forward 1, batch 16", 16, 784, 256),
    ("square 64", 64, 64, 64), ("square 96", 96, 96, 96), ("square 128", 128, 128, 128),
    ("square 256", 256, 256, 256), ("square 512", 512, 512, 512),
]


def _per_call(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def measure(m: int, k: int, n: int, repeats: int) -> dict[int, list[float]]:
    """Seconds per product at 1 and 2 threads, alternating which goes first."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)

    def product():
        return a @ b

    number = 1
    while _per_call(product, number) * number < 0.01:
        number *= 2
    times: dict[int, list[float]] = {1: [], 2: []}
    for repeat in range(repeats):
        for threads in ((1, 2) if repeat % 2 else (2, 1)):
            bricks.set_num_threads(threads)
            product()
            times[threads].append(_per_call(product, number))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    before = bricks.get_num_threads()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"2t/1t above 1: the second thread costs time")
    try:
        for what, m, k, n in PRODUCTS:
            times = measure(m, k, n, args.repeats)
            med = {t: statistics.median(v) for t, v in times.items()}
            low = {t: min(v) for t, v in times.items()}
            print(f"  {what:<28} {m:>4}x{k:<4}@{k:>4}x{n:<4} MNK {m * k * n:>9} | median "
                  f"1t {med[1] * 1e6:8.1f} us 2t/1t {med[2] / med[1]:5.2f} | min 1t "
                  f"{low[1] * 1e6:8.1f} us 2t/1t {low[2] / low[1]:5.2f}", flush=True)
    finally:
        bricks.set_num_threads(before)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
