"""Per-op overhead of eager bricks next to torch, and what each recording fast path buys.

Run: ``python benchmarks/dispatch.py [--threads N] [--repeats R]``. Small tensors (8 floats,
4x4 matrices), so that the time is the framework's per-op cost, not arithmetic. Every row
times its variants in rotating order in one process; ratios below 1 mean faster than torch.

Every primitive is recorded by ``Function.apply`` (``autograd/function.py``). Two faster
entries call into the same pieces, and each row below shows what one of them buys:

- ``a + b`` (``_operator`` in ``ops/elementwise.py``): without a graph to record, one NumPy
  call and a wrap, no node; with one, ``apply2``. Compared with ``Add.apply(a, b)``.
- ``Add.apply2(a, b)``: two tensors and no config, without ``apply``'s argument packing.
  Compared with ``Add.apply(a, b)``.

The model rows are ``run.py``'s eager training steps (the cost of many small ops together).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bricks  # noqa: E402
from _timing import compare_many  # noqa: E402
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
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    y = rng.standard_normal((2, 1)).astype(np.float32)
    rows = []
    for name, build in (("seed MLP 4-8-1, b=2, step", seed_mlp),
                        ("nested blocks (9 Linear), b=2, step", nested_blocks)):
        bricks_step, torch_step = model_workload(build, x, y, "mse_loss")
        rows.append((name, {"torch": torch_step, "eager": bricks_step}))
    return rows


def _report(name: str, times: dict[str, float]) -> str:
    base = times["torch"]
    parts = [f"{variant} {seconds / base:5.2f}x" for variant, seconds in times.items()
             if variant != "torch"]
    line = f"  {name:<38} torch {base * 1e6:7.2f} us | " + ", ".join(parts)
    general = times.get("Add.apply")
    if general is not None:  # what each fast path buys over the general recording function
        buys = [f"{variant} saves {(general - times[variant]) * 1e9:4.0f} ns"
                for variant in ("a + b", "Add.apply2")]
        line += " | " + ", ".join(buys)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bricks.set_num_threads(args.threads)
    print(f"bricks {bricks.__version__} vs torch {torch.__version__}: median per call, "
          f"ratio to torch")
    for requires_grad in (False, True):
        print(f"requires_grad={requires_grad}")
        for name, fns in op_rows(requires_grad):
            print(_report(name, compare_many(fns, args.repeats)), flush=True)
    print("eager training steps")
    for name, fns in model_rows():
        print(_report(name, compare_many(fns, args.repeats)), flush=True)


if __name__ == "__main__":
    main()
