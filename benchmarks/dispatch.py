"""Per-op overhead of eager bricks next to torch, and what each recording fast path buys.

Run: ``python benchmarks/dispatch.py [--threads N] [--rounds R]``. Small tensors (8 floats,
4x4 matrices), so that the time is the framework's per-op cost, not arithmetic. Every row
times its variants in many short runs, in rotating order, in one process, and gives the median
of each variant's per-round ratio to torch (``paired``); below 1 is faster than torch.

Every primitive call is recorded by ``record`` (``autograd/function.py``), the one recording
path, which ``Add.apply(a, b)`` takes. Two specializations of it are kept for speed, and the
``a + b`` row shows what each buys next to ``Add.apply``:

- ``a + b`` (``_operator`` in ``ops/elementwise.py``): without a graph to record, one NumPy
  call and a wrap, no node; with one, ``apply2``. Compared with ``Add.apply(a, b)``.
- ``Add.apply2(a, b)``: two tensors and no config, without ``apply``'s argument packing.
  Compared with ``Add.apply(a, b)``.

The model rows are ``run.py``'s eager training steps, an MLP 20-256-10 trained with
``optim.SGD`` (batch 2 and 64) and a tiny graph with its backward: the cost of many small ops
together, where a few Python calls added per op show (docs/performance.md, "Eager overhead").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Callable

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bricks  # noqa: E402
from bricks.ops.elementwise import Add  # noqa: E402
from run import model_workload, nested_blocks, seed_mlp  # noqa: E402


def _pair(array: np.ndarray, requires_grad: bool) -> tuple:
    return (bricks.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def op_rows(requires_grad: bool) -> list[tuple[str, dict]]:
    """(name, {variant: fn}) for ``a + b``, ``relu`` and matmul; the first variant is torch."""
    rng = np.random.default_rng(0)
    a, ta = _pair(rng.standard_normal(8).astype(np.float32), requires_grad)
    b, tb = _pair(rng.standard_normal(8).astype(np.float32), requires_grad)
    m, tm = _pair(rng.standard_normal((4, 4)).astype(np.float32), requires_grad)
    n, tn = _pair(rng.standard_normal((4, 4)).astype(np.float32), requires_grad)
    return [
        ("a + b", {"torch": lambda: ta + tb, "a + b": lambda: a + b,
                   "Add.apply2": lambda: Add.apply2(a, b), "Add.apply": lambda: Add.apply(a, b)}),
        ("a * 2.0", {"torch": lambda: ta * 2.0, "a * 2.0": lambda: a * 2.0}),
        ("relu(a)", {"torch": lambda: torch.relu(ta), "relu": lambda: bricks.relu(a)}),
        ("a @ b (4x4)", {"torch": lambda: tm @ tn, "a @ b": lambda: m @ n}),
    ]


def model_rows() -> list[tuple[str, dict]]:
    """run.py's eager steps, an MLP 20-256-10 stepped by ``optim.SGD``, and a tiny graph.

    A change that adds a few Python calls per op shows here first: a step of these models
    is ~25-100 calls per op, so 0.1 us a call is 2-4% of the ratio.
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    y = rng.standard_normal((2, 1)).astype(np.float32)
    rows = []
    for name, build in (("seed MLP 4-8-1, b=2, step", seed_mlp),
                        ("nested blocks (9 Linear), b=2, step", nested_blocks)):
        bricks_step, torch_step = model_workload(build, x, y, "mse_loss")
        rows.append((name, {"torch": torch_step, "eager": bricks_step}))
    for batch in (2, 64):
        bricks_step, torch_step = _sgd_workload(rng, batch)
        rows.append((f"MLP 20-256-10, b={batch}, SGD step", {"torch": torch_step,
                                                            "eager": bricks_step}))
    rows.append(("relu(a + b) @ b, backward (4x4)", {"torch": _tiny_graph(torch),
                                                    "eager": _tiny_graph(bricks)}))
    return rows


def _sgd_workload(rng: np.random.Generator, batch: int) -> tuple:
    """A train step (zero_grad, MSE, backward, ``optim.SGD``) of the same MLP in both."""
    x = rng.standard_normal((batch, 20)).astype(np.float32)
    y = rng.standard_normal((batch, 10)).astype(np.float32)
    tmodel = torch.nn.Sequential(torch.nn.Linear(20, 256), torch.nn.ReLU(),
                                 torch.nn.Linear(256, 10))
    bmodel = bricks.nn.Sequential(bricks.nn.Linear(20, 256), bricks.nn.ReLU(),
                                  bricks.nn.Linear(256, 10))
    bmodel.load_state_dict({k: bricks.from_numpy(v.detach().numpy().copy())
                            for k, v in tmodel.state_dict().items()})

    def step(lib: object, model: object, x: object, y: object) -> Callable[[], None]:
        optimizer = lib.optim.SGD(model.parameters(), lr=0.01)

        def run() -> None:
            optimizer.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
        return run

    return (step(bricks, bmodel, bricks.from_numpy(x), bricks.from_numpy(y)),
            step(torch, tmodel, torch.from_numpy(x), torch.from_numpy(y)))


def _tiny_graph(lib: object) -> Callable[[], None]:
    """``a + b``, ``relu``, a matrix product and ``sum`` on 4x4 leaves, then backward."""
    rng = np.random.default_rng(1)
    a, b = (lib.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True)
            for _ in range(2))

    def run() -> None:
        (lib.relu(a + b) @ b).sum().backward()
    return run


def paired(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, tuple[float, float]]:
    """Per variant: (median seconds per call, median of its per-round ratio to the first).

    Many short runs in rotating order, each variant's time divided by the first variant's of
    the same round: on a shared machine a neighbour's burst then slows both sides of a ratio,
    where medians of separate long runs would each see a different share of it.
    """
    for fn in fns.values():
        fn()
    number = max(8, int(3e-4 / min(_once(fn, 50) for fn in fns.values())))  # ~0.3 ms a run
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(_once(fns[name], number))
    first = times[names[0]]
    return {name: (statistics.median(values),
                   statistics.median(v / f for v, f in zip(values, first)))
            for name, values in times.items()}


def _once(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def _report(name: str, result: dict[str, tuple[float, float]]) -> str:
    base = result["torch"][0]
    parts = [f"{variant} {ratio:5.2f}x" for variant, (_, ratio) in result.items()
             if variant != "torch"]
    line = f"  {name:<38} torch {base * 1e6:7.2f} us | " + ", ".join(parts)
    if "Add.apply" in result:  # what each fast path saves next to the general recording path
        general = result["Add.apply"][1]
        buys = [f"{variant} saves {(general - result[variant][1]) * base * 1e9:4.0f} ns"
                for variant in ("a + b", "Add.apply2")]
        line += " | " + ", ".join(buys)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bricks.set_num_threads(args.threads)
    print(f"bricks {bricks.__version__} vs torch {torch.__version__}: median per call, "
          f"ratio to torch")
    for requires_grad in (False, True):
        print(f"requires_grad={requires_grad}")
        for name, fns in op_rows(requires_grad):
            print(_report(name, paired(fns, args.rounds)), flush=True)
    print("eager training steps")
    for name, fns in model_rows():
        print(_report(name, paired(fns, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
