"""bricks vs PyTorch, side by side in one run: median times and their ratio.

Run: ``python benchmarks/run.py`` (or ``make bench``). Each workload is timed alternately in
bricks and torch; ratios below 1 mean bricks is faster. The targets come from the issues:
0.5x where Python overhead dominates, 1.1x where BLAS does, 1.5x for the CNN.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bricks  # noqa: E402
from _timing import compare, report  # noqa: E402

torch.set_num_threads(2)


def _pair(build):
    """Build the same model in both frameworks with the same weights."""
    tmodel = build(torch)
    bmodel = build(bricks)
    state = {k: bricks.from_numpy(v.detach().numpy().copy()) for k, v in
             tmodel.state_dict().items()}
    bmodel.load_state_dict(state)
    return bmodel, tmodel


def _train_step(lib, model, x, y, loss_fn, lr=0.01):
    def step():
        loss = loss_fn(model(x), y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return step


def elementwise(requires_grad):
    a = np.random.default_rng(0).standard_normal(8).astype(np.float32)
    ba = bricks.tensor(a, requires_grad=requires_grad)
    ta = torch.tensor(a, requires_grad=requires_grad)
    return (lambda: ba + ba), (lambda: ta + ta)


def seed_mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 1))


def nested_blocks(lib):
    nn = lib.nn

    def block1():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())

    def block2():
        net = nn.Sequential()
        for i in range(4):
            net.add_module(f"block {i}", block1())
        return net

    return nn.Sequential(block2(), nn.Linear(4, 1))


def mlp_784(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def model_workload(build, x, y, loss):
    bmodel, tmodel = _pair(build)
    bstep = _train_step(bricks, bmodel, bricks.from_numpy(x), bricks.from_numpy(y),
                        getattr(bricks.nn.functional, loss))
    tstep = _train_step(torch, tmodel, torch.from_numpy(x), torch.from_numpy(y),
                        getattr(torch.nn.functional, loss))
    return bstep, tstep


def workloads():
    """(name, bricks_fn, torch_fn, target) for every workload of the foundation issue."""
    rng = np.random.default_rng(0)
    x2 = rng.standard_normal((2, 4)).astype(np.float32)
    y2 = rng.standard_normal((2, 1)).astype(np.float32)
    x128 = rng.standard_normal((128, 784)).astype(np.float32)
    y128 = rng.integers(0, 10, 128)
    return [
        ("add, 8 elements, no grad", *elementwise(False), 0.5),
        ("add, 8 elements, requires_grad", *elementwise(True), 0.5),
        ("seed MLP 4-8-1, batch 2, train step", *model_workload(seed_mlp, x2, y2, "mse_loss"),
         0.5),
        ("4 nested blocks (9 Linear), batch 2, step",
         *model_workload(nested_blocks, x2, y2, "mse_loss"), 0.5),
        ("MLP 784-256-256-10, batch 128, CE step",
         *model_workload(mlp_784, x128, y128, "cross_entropy"), 1.1),
    ]


def _extra_workloads():
    """Workloads that other benchmark files expose (CNN, digits), when present."""
    extra = []
    for module_name, target in (("bench_cnn", 1.5), ("bench_digits", None)):
        try:
            module = __import__(module_name)
        except ImportError as error:
            print(f"(skipping {module_name}: {error})")
            continue
        extra += [(name, b, t, target) for name, b, t in module.workloads()]
    return extra


def main() -> None:
    print(f"bricks {bricks.__version__} vs torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    for name, bricks_fn, torch_fn, target in workloads() + _extra_workloads():
        ours, theirs = compare(bricks_fn, torch_fn)
        print(report(name, ours, theirs, target), flush=True)


if __name__ == "__main__":
    main()
