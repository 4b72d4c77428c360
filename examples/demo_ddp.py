"""bricks data-parallel demo: the digits MLP of demo.py trained on N processes over MPI.

Every rank builds the model from its own seed; ``DistributedDataParallel`` broadcasts rank
0's weights, each rank trains on its ``DistributedSampler`` share of every epoch, and the
gradients are averaged in backward. Rank 0 also trains, alone, a copy of the model on the
global batches (the concatenation of the ranks' batches): the script shows that the
replicas are identical on every rank and equal that single-process run.

Run: ``make demo-ddp`` or ``python -m bricks.distributed.run -n 2 examples/demo_ddp.py
[--epochs N]``. Exits with status 1 if the replicas differ, if they differ from the
single-process run by more than float32 rounding, or if held-out accuracy is below 90%.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time

import numpy as np
from demo import accuracy, build_model, load_data

import bricks
import bricks.distributed as dist
from bricks import nn
from bricks.nn.parallel import DistributedDataParallel
from bricks.utils.data import DataLoader, TensorDataset
from bricks.utils.data.distributed import DistributedSampler

REQUIRED_ACCURACY = 0.90
TOLERANCE = 1e-4


def flat(net: nn.Module) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])


def global_batches(data: TensorDataset, world: int, epoch: int, batch_size: int, seed: int):
    """The global batch of each step: every rank's batch of that step, concatenated."""
    shares = []
    for rank in range(world):
        sampler = DistributedSampler(data, world, rank, seed=seed)
        sampler.set_epoch(epoch)
        shares.append(list(sampler))
    for start in range(0, len(shares[0]), batch_size):
        index = bricks.tensor([i for share in shares for i in share[start:start + batch_size]])
        yield data.tensors[0][index], data.tensors[1][index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=16, help="per process")
    args = parser.parse_args(argv)
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    bricks.manual_seed(args.seed + 1000 * rank)  # different on purpose: DDP syncs them

    x_train, y_train, x_test, y_test = load_data(args.seed)
    data = TensorDataset(bricks.from_numpy(x_train), bricks.from_numpy(y_train))
    net = build_model()
    net(data.tensors[0][:1])  # materialize the lazy first layer before wrapping
    model = DistributedDataParallel(net)
    reference = copy.deepcopy(net) if rank == 0 else None
    sampler = DistributedSampler(data, seed=args.seed)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=sampler)
    optimizer = bricks.optim.Adam(model.parameters(), lr=2e-3)
    ref_optimizer = bricks.optim.Adam(reference.parameters(), lr=2e-3) if reference else None
    loss_fn = nn.CrossEntropyLoss()
    if rank == 0:
        print(f"{world} processes, {len(sampler)} of {len(data)} images each per epoch, "
              f"batch {args.batch_size} per process ({args.batch_size * world} global)")
    start = time.perf_counter()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        if reference is not None:
            for x, y in global_batches(data, world, epoch, args.batch_size, args.seed):
                ref_optimizer.zero_grad()
                loss_fn(reference(x), y).backward()
                ref_optimizer.step()
    seconds = time.perf_counter() - start

    replicas = [None] * world
    dist.all_gather_object(replicas, flat(net))
    identical = all(np.array_equal(replicas[0], other) for other in replicas)
    status = 0
    if rank == 0:
        net.eval()
        test_accuracy = accuracy(net, bricks.from_numpy(x_test), y_test)
        difference = float(np.max(np.abs(flat(net) - flat(reference))))
        print(f"trained {args.epochs} epochs in {seconds:.1f} s (rank 0 also ran the "
              "single-process reference)")
        print(f"replicas bit-identical on all {world} ranks: {identical}")
        print(f"max |DDP - single process on the global batches| = {difference:.2e} "
              f"(parameters of size ~{float(np.abs(flat(net)).mean()):.2e})")
        print(f"held-out accuracy: {test_accuracy:.4f}")
        if not identical or difference > TOLERANCE or test_accuracy < REQUIRED_ACCURACY:
            print("FAILED", file=sys.stderr)
            status = 1
    failed = [status]
    dist.broadcast_object_list(failed)
    dist.destroy_process_group()
    return failed[0]


if __name__ == "__main__":
    sys.exit(main())
