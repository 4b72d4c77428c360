"""Save and load a ~200 MB state dict: bricks vs safetensors.numpy vs torch.save/torch.load.

Run: ``python benchmarks/bench_checkpoint.py [--mb 200] [--repeat 5]``. Prints the median
time of each, interleaved in one run, and bricks' ratio to each. bricks' save is
durable (fsync of the file and its directory) and atomic; plain safetensors and torch
are neither, so the fsync cost is also shown on its own (bricks with ``_durable=False``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy: idle BLAS threads spin

import argparse  # noqa: E402
import collections  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import safetensors.numpy  # noqa: E402
import torch  # noqa: E402

import bricks  # noqa: E402
from bricks.serialization import load, save  # noqa: E402


def _arrays(total_mb: int) -> dict[str, np.ndarray]:
    """A transformer-like state dict: big square weights with small biases."""
    rng = np.random.default_rng(0)
    arrays, size = {}, 0
    layer = 0
    while size < total_mb * 2**20:
        weight = rng.standard_normal((1024, 1024), dtype=np.float32)
        arrays[f"layers.{layer}.weight"] = weight
        arrays[f"layers.{layer}.bias"] = rng.standard_normal(1024, dtype=np.float32)
        size += weight.nbytes + 4096
        layer += 1
    return arrays


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    arrays = _arrays(args.mb)
    state = collections.OrderedDict((k, bricks.from_numpy(v)) for k, v in arrays.items())
    torch_state = collections.OrderedDict((k, torch.from_numpy(v)) for k, v in arrays.items())
    with tempfile.TemporaryDirectory() as directory:
        paths = {name: os.path.join(directory, name) for name in ("b", "s", "t", "n")}
        cases = {
            "bricks save (atomic+fsync)": lambda: save(state, paths["b"]),
            "bricks save (no fsync)": lambda: save(state, paths["n"], _durable=False),
            "safetensors.numpy save_file": lambda: safetensors.numpy.save_file(arrays,
                                                                                paths["s"]),
            "torch.save": lambda: torch.save(torch_state, paths["t"]),
            "bricks load": lambda: load(paths["b"]),
            "bricks load mmap": lambda: _touch(load(paths["b"], mmap=True)),
            "safetensors.numpy load_file": lambda: safetensors.numpy.load_file(paths["s"]),
            "torch.load": lambda: torch.load(paths["t"], weights_only=True),
        }
        times = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, fn in cases.items():
                times[name].append(_time(fn))
    _report({name: statistics.median(values) for name, values in times.items()}, args.mb)


def _touch(state: dict) -> None:
    """Read every page of an mmap-backed load, so its cost is not deferred."""
    for tensor in state.values():
        tensor.numpy().sum()


def _report(median: dict[str, float], mb: int) -> None:
    print(f"state dict of ~{mb} MB, median of runs (lower is better)")
    for name, seconds in median.items():
        print(f"  {name:32s} {seconds * 1000:8.1f} ms")
    pairs = [("bricks save (no fsync)", "safetensors.numpy save_file"),
             ("bricks save (atomic+fsync)", "safetensors.numpy save_file"),
             ("bricks save (atomic+fsync)", "torch.save"),
             ("bricks load", "safetensors.numpy load_file"), ("bricks load", "torch.load"),
             ("bricks load mmap", "safetensors.numpy load_file")]
    print("ratios (bricks / other; target <= 1.25 vs safetensors):")
    for ours, theirs in pairs:
        print(f"  {ours} / {theirs}: {median[ours] / median[theirs]:.2f}x")
    fsync = median["bricks save (atomic+fsync)"] - median["bricks save (no fsync)"]
    print(f"  fsync cost of a durable save: {fsync * 1000:.1f} ms")


if __name__ == "__main__":
    main()
