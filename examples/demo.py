"""bricks demo: train a tied, lazily-initialized MLP on handwritten digits and watch it learn.

Uses scikit-learn's bundled 8x8 digits (1,797 images, nothing downloaded). The model's
input size is inferred at the first forward pass (``nn.LazyLinear``), one hidden layer is
used twice (its parameters are tied), the weights get Xavier initialization and the output
layer a custom initializer. Training runs with Adam (cosine-annealed) under a progress bar while a
``ParameterMonitor`` records parameter and gradient statistics. The script then writes the
statistics (CSV), curves and histograms (PNG) and a safetensors checkpoint, reloads the
checkpoint into a fresh model and checks that its predictions are identical.

Run: ``make demo`` or ``python examples/demo.py [--epochs N] [--seed S] [--out DIR]``.
Exits with status 1 if held-out accuracy is below 95% or the reloaded model differs.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

import bricks
import bricks.optim
from bricks import nn
from bricks.inspect import ParameterMonitor, summary
from bricks.utils.data import DataLoader, TensorDataset

REQUIRED_ACCURACY = 0.95


class SmallNormal(nn.init.Initializer):
    """A custom initializer: weights ~ N(0, sigma^2), biases zero.

    Small output weights start every class score near zero, so the first softmax is
    near uniform and the first gradients are well scaled.
    """

    def __init__(self, sigma: float = 0.01) -> None:
        super().__init__()
        self.sigma = sigma

    def init_tensor(self, name, data):
        if name.endswith("bias"):
            nn.init.zeros_(data)
        else:
            nn.init.normal_(data, mean=0.0, std=self.sigma)


def build_model(hidden: int = 128) -> nn.Sequential:
    """LazyLinear -> ReLU -> shared -> ReLU -> shared (tied) -> ReLU -> output layer."""
    shared = nn.Linear(hidden, hidden)
    net = nn.Sequential(nn.LazyLinear(hidden), nn.ReLU(),
                        shared, nn.ReLU(),
                        shared, nn.ReLU(),
                        nn.Linear(hidden, 10))
    net.initialize(nn.init.XavierUniform(), select=r"^[0-4]\.weight$")
    net.initialize(SmallNormal(0.01), select=r"^6\.", force_reinit=True)
    return net


def load_data(seed: int) -> tuple[np.ndarray, ...]:
    """The digits scaled to [0, 1], split 80/20 at random (fixed by ``seed``)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("the demo needs scikit-learn: pip install scikit-learn "
                 "(or pip install bricks[examples])")
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def progress(iterable, total: int):
    """A tqdm bar when tqdm is installed, else the plain iterable."""
    try:
        from tqdm import tqdm
    except ImportError:
        print("(install tqdm for a progress bar: pip install bricks[examples])")
        return iterable
    # tqdm draws on stderr, so `make demo > log` keeps a readable log
    return tqdm(iterable, total=total, desc="training", unit="epoch")


def accuracy(net: nn.Module, x: bricks.Tensor, y: np.ndarray) -> float:
    with bricks.no_grad():
        predicted = net(x).argmax(dim=1).numpy()
    return float(np.mean(predicted == y))


def train(net, loader, epochs: int, monitor, x_test, y_test) -> float:
    optimizer = bricks.optim.Adam(net.parameters(), lr=5e-3)
    # Decay to zero over the run: the last epochs settle instead of bouncing around.
    scheduler = bricks.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    bar = progress(range(epochs), epochs)
    for _ in bar:
        net.train()
        for x, y in loader:
            loss = loss_fn(net(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            monitor.step()
        scheduler.step()
        net.eval()
        test_accuracy = accuracy(net, x_test, y_test)
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{loss.item():.4f}", test_acc=f"{test_accuracy:.3f}")
    return test_accuracy


def check_reload(net: nn.Module, path: str, x: bricks.Tensor) -> bool:
    """Save the state dict, load it into a fresh (lazy) model, compare predictions."""
    bricks.save(net.state_dict(), path)
    fresh = build_model()
    fresh(x[:1])  # materialize the lazy layer so the shapes are known
    fresh.load_state_dict(bricks.load(path))
    fresh.eval()
    with bricks.no_grad():
        return bool(np.array_equal(net(x).numpy(), fresh(x).numpy()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Writes summary.txt, parameter_stats.csv, curves.png, histograms.png and the "
               "checkpoint digits_mlp.safetensors into --out; exits 1 if the held-out "
               f"accuracy is under {REQUIRED_ACCURACY} or the reloaded model differs.")
    parser.add_argument("--epochs", type=int, default=20,
                        help="passes over the training set (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data split, the initialization and the shuffling "
                             "(default: %(default)s)")
    parser.add_argument("--out", default="demo-output", metavar="DIR",
                        help="folder for the summary, statistics, plots and checkpoint "
                             "(default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="examples per training step (default: %(default)s)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    bricks.manual_seed(args.seed)

    x_train, y_train, x_test, y_test = load_data(args.seed)
    print(f"digits: {len(x_train)} training and {len(x_test)} held-out images of "
          f"{x_train.shape[1]} pixels")
    net = build_model()
    print(net)  # the first layer prints as LazyLinear: its input size is not known yet
    info = summary(net, input_size=(args.batch_size, x_train.shape[1]))
    with open(os.path.join(args.out, "summary.txt"), "w", encoding="utf-8") as handle:
        handle.write(str(info) + "\n")

    loader = DataLoader(TensorDataset(bricks.from_numpy(x_train), bricks.from_numpy(y_train)),
                        batch_size=args.batch_size, shuffle=True)
    steps = args.epochs * math.ceil(len(x_train) / args.batch_size)
    monitor = ParameterMonitor(net, every=max(1, steps // 100), histogram_steps=[1, steps])
    start = time.perf_counter()
    test_x = bricks.from_numpy(x_test)
    final_accuracy = train(net, loader, args.epochs, monitor, test_x, y_test)
    seconds = time.perf_counter() - start

    files = {"summary": os.path.join(args.out, "summary.txt"),
             "statistics (CSV)": monitor.to_csv(os.path.join(args.out, "parameter_stats.csv")),
             "curves (PNG)": monitor.plot_curves(os.path.join(args.out, "curves.png")),
             "histograms (PNG)": monitor.plot_histograms(
                 os.path.join(args.out, "histograms.png")),
             "checkpoint": os.path.join(args.out, "digits_mlp.safetensors")}
    identical = check_reload(net, files["checkpoint"], test_x)

    print(f"trained {args.epochs} epochs ({steps} steps) in {seconds:.1f} s")
    print(f"held-out accuracy: {final_accuracy:.4f}")
    print(f"reloaded checkpoint gives identical predictions: {identical}")
    for what, path in files.items():
        print(f"  {what:<17} {os.path.abspath(path)}")
    if final_accuracy < REQUIRED_ACCURACY:
        print(f"FAILED: accuracy {final_accuracy:.4f} < {REQUIRED_ACCURACY}", file=sys.stderr)
        return 1
    if not identical:
        print("FAILED: the reloaded model's predictions differ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
