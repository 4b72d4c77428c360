"""Training steps on a CUDA GPU: bricks (on CuPy) against torch on the same GPU, as ratios.

    python benchmarks/gpu.py            # needs a GPU, cupy-cuda12x and a CUDA build of torch

Models: the MLP 784-256-256-10 at batch 128 and 4096, LeNet-5 at batch 64 and 1024; one
step is zero_grad, forward, cross-entropy, backward and an SGD-with-momentum update. Both
frameworks start from the same weights; each timed call ends with a device synchronize, so
the time is the GPU's work plus the Python that launches it. Without a GPU it says so and
exits 0.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, Callable

import numpy as np


def _models(framework: Any) -> dict[str, Callable[[], Any]]:
    nn = framework.nn

    class LeNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            F = nn.functional
            x = F.avg_pool2d(F.sigmoid(self.conv1(x)), 2)
            x = F.avg_pool2d(F.sigmoid(self.conv2(x)), 2)
            x = framework.flatten(x, 1)
            return self.fc3(F.sigmoid(self.fc2(F.sigmoid(self.fc1(x)))))

    return {
        "mlp": lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256),
                                     nn.ReLU(), nn.Linear(256, 10)),
        "lenet": LeNet,
    }


def _copy_weights(source: Any, target: Any, torch: Any) -> None:
    with torch.no_grad():
        for (name, p), (_, q) in zip(source.named_parameters(), target.named_parameters()):
            q.copy_(torch.from_numpy(p.detach().cpu().numpy()).to(q.device))


def _step_fn(framework: Any, model: Any, x: Any, y: Any, sync: Callable[[], None]
             ) -> Callable[[], None]:
    opt = framework.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = framework.nn.functional.cross_entropy

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        sync()

    return step


def _median_seconds(fn: Callable[[], None], repeats: int = 7, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start > 0.05:
            break
        number *= 2
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def main() -> int:
    import bricks

    if not bricks.cuda.is_available():
        print("benchmarks/gpu.py: no CUDA device here (bricks.cuda.is_available() is False); "
              "nothing measured")
        return 0
    import torch

    if not torch.cuda.is_available():
        print("benchmarks/gpu.py: this torch build has no CUDA; nothing measured")
        return 0
    print(f"GPU: {bricks.cuda.get_device_name()}  (torch {torch.__version__})")
    print(f"{'case':<14}{'bricks ms':>11}{'torch ms':>11}{'ratio':>8}")
    rng = np.random.default_rng(0)
    cases = [("mlp", 128, (784,)), ("mlp", 4096, (784,)), ("lenet", 64, (1, 28, 28)),
             ("lenet", 1024, (1, 28, 28))]
    ours_models, their_models = _models(bricks), _models(torch)
    for name, batch, shape in cases:
        x = rng.standard_normal((batch,) + shape).astype(np.float32)
        y = rng.integers(0, 10, batch)
        bricks.manual_seed(0)
        ours = ours_models[name]().to("cuda")
        theirs = their_models[name]().to("cuda")
        _copy_weights(ours, theirs, torch)
        ours_step = _step_fn(bricks, ours, bricks.tensor(x, device="cuda"),
                             bricks.tensor(y, device="cuda"), bricks.cuda.synchronize)
        their_step = _step_fn(torch, theirs, torch.tensor(x, device="cuda"),
                              torch.tensor(y, device="cuda"), torch.cuda.synchronize)
        t_ours, t_theirs = _median_seconds(ours_step), _median_seconds(their_step)
        print(f"{name + ' b=' + str(batch):<14}{t_ours * 1e3:>11.3f}{t_theirs * 1e3:>11.3f}"
              f"{t_ours / t_theirs:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
