"""Data-parallel training over MPI: step time at 1, 2 and 4 processes, allreduce bandwidth,
and the cost of DDP's bookkeeping; torch DDP (gloo) on the same work for comparison.

Run: ``python benchmarks/distributed.py [--procs 1 2 4] [--steps 30] [--no-torch]``. It
launches itself under ``python -m bricks.distributed.run -n P`` for each P and prints:

* step time (median over steps of the slowest rank; each step starts after a barrier, so
  rank skew is not counted) of an SGD-momentum DDP step for the MLP 784-256-256-10 and
  LeNet, with a fixed per-process batch (128 / 64: weak scaling, throughput in samples/s)
  and a fixed global batch (strong scaling);
* allreduce (in place, float32) from 1 KB to 64 MB: median time and bus bandwidth
  (``bytes * 2(P-1)/P / time``);
* DDP's overhead per step at P=1: the step with DDP minus the plain step.

Processes run with one BLAS thread each. On a machine with fewer cores than processes the
figures above the core count measure oversubscription, not MPI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # before NumPy loads: see docs/performance.md

MODELS = {"mlp": ((784,), 128), "lenet": ((1, 28, 28), 64)}  # input shape, batch per process
SIZES = [2**10, 2**12, 2**16, 2**18, 2**20, 2**22, 2**24, 2**26]


def build(lib, name):
    nn = lib.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


# ----- worker side (runs on every rank) -----
def timed_steps(step, barrier, steps, warmup=5):
    times = []
    for i in range(warmup + steps):
        barrier()
        start = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_step(lib, model, params, batch, shape):
    import numpy as np

    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((batch,) + shape).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, batch))
    optimizer = lib.optim.SGD(params, lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def bricks_steps(args, comm, world):
    import bricks
    from bricks.nn.parallel import DistributedDataParallel

    out = {}
    for name, (shape, batch) in MODELS.items():
        for mode, local in (("weak", batch), ("strong", max(1, batch // world))):
            ddp = DistributedDataParallel(build(bricks, name))
            step = make_step(bricks, ddp, ddp.parameters(), local, shape)
            out[f"{name}/{mode}"] = comm.allreduce(timed_steps(step, comm.Barrier, args.steps),
                                                  op=max_op())
        if world == 1:
            out[f"{name}/overhead"] = ddp_overhead(bricks, name, shape, batch, args.steps)
    return out


def ddp_overhead(bricks, name, shape, batch, steps):
    """Median CPU time of this thread per step, DDP minus plain, measured alternately.

    CPU time, not wall time: on a shared machine preemption would hide a 0.1 ms difference.
    """
    from bricks.nn.parallel import DistributedDataParallel

    plain = build(bricks, name)
    ddp = DistributedDataParallel(build(bricks, name))
    pair = [make_step(bricks, plain, plain.parameters(), batch, shape),
            make_step(bricks, ddp, ddp.parameters(), batch, shape)]
    times = [[], []]
    for i in range(5 + 3 * steps):
        for which in ((0, 1) if i % 2 else (1, 0)):
            start = time.thread_time()
            pair[which]()
            if i >= 5:
                times[which].append(time.thread_time() - start)
    return [statistics.median(times[0]), statistics.median(times[1])]


def torch_steps(args, comm, world):
    import socket

    import torch
    import torch.distributed as tdist

    torch.set_num_threads(1)
    port = None
    if comm.Get_rank() == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    port = comm.bcast(port, root=0)
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}",
                             rank=comm.Get_rank(), world_size=world)
    out = {}
    for name, (shape, batch) in MODELS.items():
        for mode, local in (("weak", batch), ("strong", max(1, batch // world))):
            ddp = torch.nn.parallel.DistributedDataParallel(build(torch, name))
            step = make_step(torch, ddp, ddp.parameters(), local, shape)
            out[f"{name}/{mode}"] = comm.allreduce(timed_steps(step, comm.Barrier, args.steps),
                                                  op=max_op())
    tdist.destroy_process_group()
    return out


def allreduce_sweep(comm):
    import numpy as np

    import bricks
    import bricks.distributed as dist

    out = {}
    for size in SIZES:
        t = bricks.from_numpy(np.ones(size // 4, np.float32))
        iterations = max(5, min(200, 2**25 // size))
        seconds = timed_steps(lambda: dist.all_reduce(t), comm.Barrier, iterations, warmup=2)
        out[str(size)] = comm.allreduce(seconds, op=max_op())
    return out


def max_op():
    from mpi4py import MPI

    return MPI.MAX


def worker(args):
    import bricks.distributed as dist

    dist.init_process_group("mpi")
    comm = dist._group._comm()
    world = comm.Get_size()
    result = {"world": world, "bricks": bricks_steps(args, comm, world)}
    if world > 1:
        result["allreduce"] = allreduce_sweep(comm)
    if not args.no_torch:
        try:
            result["torch"] = torch_steps(args, comm, world)
        except Exception as error:  # report, do not fail the bricks figures
            result["torch_error"] = f"{type(error).__name__}: {error}"
    if comm.Get_rank() == 0:
        print("RESULT " + json.dumps(result), flush=True)


# ----- launcher side -----
def launch(procs, args):
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "bricks.distributed.run", "-n", str(procs),
               os.path.join(here, "distributed.py"), "--worker", "--steps", str(args.steps)]
    if args.no_torch:
        command.append("--no-torch")
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800,
                         check=False)
    for line in run.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"P={procs} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")


def ms(seconds):
    return f"{seconds * 1e3:8.2f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    results = {p: launch(p, args) for p in args.procs}
    print(f"cores: {os.cpu_count()}; one BLAS thread per process; steps: {args.steps}")
    print("\nDDP step time (slowest rank, median) and samples/s relative to 1 process")
    base = results.get(1, {}).get("bricks", {})
    for key in ("mlp/weak", "mlp/strong", "lenet/weak", "lenet/strong"):
        name, mode = key.split("/")
        per = MODELS[name][1]
        for p, r in results.items():
            t = r["bricks"][key]
            samples = per * p if mode == "weak" else per
            speed = ""
            if key in base:
                speed = f"  speed-up {samples / t / (per / base[key]):5.2f}x"
            torch_t = r.get("torch", {}).get(key)
            versus = f"  torch {ms(torch_t)}  bricks/torch {t / torch_t:5.2f}" if torch_t else ""
            print(f"  {key:<13} P={p}  {ms(t)}{speed}{versus}")
        if "torch_error" in next(iter(results.values())):
            print("  torch:", next(iter(results.values()))["torch_error"])
    if 1 in results:
        print("\nDDP overhead per step at P=1 (DDP step - plain step, batch 128 / 64)")
        for name in MODELS:
            plain, ddp = results[1]["bricks"][name + "/overhead"]
            print(f"  {name:<6} plain {ms(plain)}  DDP {ms(ddp)}  overhead {ms(ddp - plain)} "
                  f"({(ddp - plain) / plain:+.0%}; CPU time of the training thread)")
    for p, r in results.items():
        if "allreduce" not in r:
            continue
        print(f"\nallreduce, in place, float32, P={p}")
        for size, seconds in r["allreduce"].items():
            size = int(size)
            busbw = size * 2 * (p - 1) / p / seconds / 1e9
            label = f"{size // 2**20} MB" if size >= 2**20 else f"{size // 2**10} KB"
            print(f"  {label:>6}  {seconds * 1e6:10.1f} us  {busbw:7.2f} GB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
