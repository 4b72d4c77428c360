"""The LeNet-style CNN train step: bricks vs the same model and loop in torch.

Conv2d(1,6,5,padding=2)-ReLU-MaxPool2d(2)-Conv2d(6,16,5)-ReLU-MaxPool2d(2)-Flatten-
Linear(400,120)-ReLU-Linear(120,84)-ReLU-Linear(84,10) on a batch of 64 images 28x28,
cross-entropy loss, plain SGD ``p -= lr * g`` under no_grad, from the same weights.
Run: ``python benchmarks/bench_cnn.py`` (prints medians and the ratio; target <= 1.5x), or
through ``benchmarks/run.py``, which imports ``workloads()``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402

__all__ = ["workloads"]

BATCH_SIZE = 64
LEARNING_RATE = 0.01


def _build(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _train_step(lib, state: dict, x: np.ndarray, y: np.ndarray):
    """A function running one SGD step in ``lib``, starting from the weights in ``state``."""
    net = _build(lib)
    net.load_state_dict({key: lib.from_numpy(value.copy()) for key, value in state.items()})
    params = list(net.parameters())
    loss_fn = lib.nn.CrossEntropyLoss()
    inputs, targets = lib.from_numpy(x), lib.from_numpy(y)

    def step() -> None:
        loss = loss_fn(net(inputs), targets)
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= LEARNING_RATE * p.grad

    return step


def workloads() -> list[tuple]:
    """``(name, bricks_fn, torch_fn)``: one LeNet train step (batch 64) in each framework."""
    import torch

    import bricks

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH_SIZE, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH_SIZE).astype(np.int64)
    torch.manual_seed(0)
    state = {key: value.detach().numpy() for key, value in _build(torch).state_dict().items()}
    return [("LeNet CNN, batch 64, CE + SGD step",
             _train_step(bricks, state, x, y), _train_step(torch, state, x, y))]


def main() -> None:
    import torch

    from _timing import compare, report

    torch.set_num_threads(2)
    for name, bricks_fn, torch_fn in workloads():
        ours, theirs = compare(bricks_fn, torch_fn, repeats=15)
        print(report(name, ours, theirs, 1.5), flush=True)


if __name__ == "__main__":
    main()
