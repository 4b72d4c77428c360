"""One training epoch of the demo's digits MLP: bricks vs the same model and loop in torch.

Both sides train the same tied MLP (64-128-[128 shared, used twice]-10) from the same
weights with Adam on the same 1,437 images, batch 32, through their own ``DataLoader``.
Run: ``python benchmarks/bench_digits.py`` (prints medians and the ratio), or through
``benchmarks/run.py`` which imports ``workloads()``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402

__all__ = ["workloads"]

BATCH_SIZE = 32
HIDDEN = 128


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.data))[: int(0.8 * 1797)]
    return (digits.data[order] / 16.0).astype(np.float32), digits.target[order].astype(np.int64)


def _build(lib):
    nn = lib.nn
    shared = nn.Linear(HIDDEN, HIDDEN)
    return nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                         nn.Linear(HIDDEN, 10))


def _epoch(lib, x: np.ndarray, y: np.ndarray, state: dict):
    """A function training one epoch in ``lib``, starting from the weights in ``state``."""
    net = _build(lib)
    net.load_state_dict({key: lib.from_numpy(value.copy()) for key, value in state.items()})
    optimizer = lib.optim.Adam(net.parameters(), lr=5e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    data = lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y))
    loader = lib.utils.data.DataLoader(data, batch_size=BATCH_SIZE, shuffle=True)

    def run_epoch() -> None:
        for inputs, targets in loader:
            loss = loss_fn(net(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return run_epoch


def workloads() -> list[tuple]:
    """``(name, bricks_fn, torch_fn)``: one digits epoch (45 Adam steps) in each framework."""
    import torch

    import bricks
    import bricks.utils.data  # noqa: F401
    import torch.utils.data  # noqa: F401

    x, y = _digits()
    torch.manual_seed(0)
    state = {key: value.detach().numpy() for key, value in _build(torch).state_dict().items()}
    return [("digits MLP (tied), one epoch, Adam batch 32",
             _epoch(bricks, x, y, state), _epoch(torch, x, y, state))]


def main() -> None:
    import torch

    from _timing import compare, report

    torch.set_num_threads(2)
    for name, bricks_fn, torch_fn in workloads():
        ours, theirs = compare(bricks_fn, torch_fn, repeats=7)
        print(report(name, ours, theirs, None), flush=True)


if __name__ == "__main__":
    main()
