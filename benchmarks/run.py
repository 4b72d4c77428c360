"""bricks vs PyTorch, side by side in one run: median times and their ratio.

Run: ``python benchmarks/run.py [--threads N] [--torch-compile] [--only-compiled]`` (or
``make bench``). Each workload is timed alternately in bricks and torch; ratios below 1 mean
bricks is faster. The targets come from the issues: 0.5x where Python overhead dominates,
1.1x where BLAS does, 1.5x for the CNN. The compiled rows (issue 15) time a step compiled with
``bricks.compile`` next to the same step in eager bricks and eager torch (and, with
``--torch-compile``, ``torch.compile``'s, whose compile time of 15-35 s is printed, once), with
targets against torch eager of 0.10x (seed MLP), 0.20x (nested blocks) and 1.0x (784 MLP).
The checkpoint restore rows (issue 15) time load + load_state_dict of a small and a 64 MB
model, and ``bricks.load_into``, against torch's load + load_state_dict. ``--threads`` sets both
frameworks' thread counts (default 2; on a busy machine 2-thread figures swing widely, so
compare them with ``--threads 1``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bricks  # noqa: E402
from _timing import compare, compare_many, report  # noqa: E402


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


# ----- compiled steps (issue 15) -----
def _compiled_cases():
    """(name, bricks eager step, torch eager step, target vs torch eager) for compiled rows."""
    import bench_cnn

    rng = np.random.default_rng(0)
    x2 = rng.standard_normal((2, 4)).astype(np.float32)
    y2 = rng.standard_normal((2, 1)).astype(np.float32)
    x128 = rng.standard_normal((128, 784)).astype(np.float32)
    y128 = rng.integers(0, 10, 128)
    cases = [("seed MLP 4-8-1, b=2", *model_workload(seed_mlp, x2, y2, "mse_loss"), 0.10),
             ("nested blocks, b=2", *model_workload(nested_blocks, x2, y2, "mse_loss"), 0.20),
             ("MLP 784-256-256-10, b=128", *model_workload(mlp_784, x128, y128,
                                                          "cross_entropy"), 1.0)]
    return cases + [("LeNet, b=64", b, t, None) for _, b, t in bench_cnn.workloads()]


def compiled_rows(with_torch_compile: bool) -> None:
    """Print eager bricks, compiled bricks, torch eager (and torch.compile) per workload."""
    print("compiled steps: median per step; ratios to torch eager (target for compiled)")
    for name, bricks_step, torch_step, target in _compiled_cases():
        compiled = bricks.compile(bricks_step)
        for _ in range(3):
            compiled()
        if not compiled.replays:
            print(f"{name}: bricks.compile ran eagerly: {compiled.eager_reason}")
        fns = {"eager": bricks_step, "compiled": compiled, "torch": torch_step}
        note = ""
        if with_torch_compile:
            start = time.perf_counter()
            fns["torch.compile"] = torch.compile(torch_step)
            fns["torch.compile"]()
            note = f" (torch.compile took {time.perf_counter() - start:.1f} s to compile)"
        m = compare_many(fns)
        goal = f" (target <= {target:.2f}x)" if target else ""
        extra = f", torch.compile {m['torch.compile'] / m['torch']:.2f}x" if len(m) > 3 else ""
        print(f"  {name:<28} torch {m['torch'] * 1e6:9.1f} us | compiled "
              f"{m['compiled'] / m['torch']:.2f}x{goal}, eager {m['eager'] / m['torch']:.2f}x"
              f"{extra}, compiled/eager {m['compiled'] / m['eager']:.2f}x{note}", flush=True)


_RESTORE_SIZES = (("MLP 784-256-256-10 (0.9 MB)", None), ("16 Linear 1024x1024 (64 MB)", 64))


def _restore_models(megabytes: int | None):
    """The same model in bricks and torch: the 784 MLP (None) or 1024x1024 Linears."""
    if megabytes is None:
        return mlp_784(bricks), mlp_784(torch)
    return tuple(lib.nn.Sequential(*[lib.nn.Linear(1024, 1024) for _ in range(megabytes // 4)])
                 for lib in (bricks, torch))


def restore_rows() -> None:
    """Restoring a checkpoint into an existing model (load + load_state_dict), bricks vs torch.

    Each way of restoring is timed in rotation and divided by torch's plain
    ``load_state_dict(torch.load(path))``: bricks' plain load, its ``mmap=True`` load (views
    of the file, so load_state_dict's copy is the only one), and ``bricks.load_into`` (the
    file read straight into the parameters); torch's ``mmap=True`` load for comparison.
    """
    print("checkpoint restore: median per restore; ratios to torch load + load_state_dict")
    directory = tempfile.mkdtemp(prefix="bricks-bench-")
    for label, megabytes in _RESTORE_SIZES:
        bmodel, tmodel = _restore_models(megabytes)
        bpath, tpath = os.path.join(directory, "b.safetensors"), os.path.join(directory, "t.pt")
        bricks.save(bmodel.state_dict(), bpath)
        torch.save(tmodel.state_dict(), tpath)
        m = compare_many({
            "torch": lambda: tmodel.load_state_dict(torch.load(tpath, weights_only=True)),
            "torch mmap": lambda: tmodel.load_state_dict(torch.load(tpath, weights_only=True,
                                                                    mmap=True)),
            "load": lambda: bmodel.load_state_dict(bricks.load(bpath)),
            "load mmap": lambda: bmodel.load_state_dict(bricks.load(bpath, mmap=True)),
            "load_into": lambda: bricks.load_into(bmodel, bpath)})
        ratios = ", ".join(f"{name} {m[name] / m['torch']:.2f}x"
                           for name in ("load", "load mmap", "load_into", "torch mmap"))
        print(f"  {label:<28} torch {m['torch'] * 1e3:8.2f} ms | {ratios} (target <= 1.00x)",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--torch-compile", action="store_true",
                        help="also time torch.compile (15-35 s to compile each workload)")
    parser.add_argument("--only-compiled", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bricks.set_num_threads(args.threads)
    print(f"bricks {bricks.__version__} vs torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    rows = [] if args.only_compiled else workloads() + _extra_workloads()
    for name, bricks_fn, torch_fn, target in rows:
        ours, theirs = compare(bricks_fn, torch_fn)
        print(report(name, ours, theirs, target), flush=True)
    if not args.only_compiled:
        restore_rows()
    compiled_rows(args.torch_compile)


if __name__ == "__main__":
    main()
