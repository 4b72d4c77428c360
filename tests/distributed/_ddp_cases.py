"""DistributedDataParallel against single-process training; run under mpiexec by test_ddp.

Every rank starts from a different seed; DDP's broadcast makes the replicas equal. Each rank
also trains, alone, a reference copy of the model on the whole global batch (the
concatenation of every rank's share): after the steps, the replicas must be bit-identical
across ranks and equal the reference within float32 tolerance.
"""

import copy
import shutil
import sys
import tempfile

import numpy as np

import bricks
import bricks.distributed as dist
from bricks import nn
from bricks.nn.parallel import DistributedDataParallel as DDP

CASES = {}
STEPS = 3


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def flat(model):
    return np.concatenate([t.detach().numpy().astype(np.float64).ravel() for t in
                           list(model.parameters()) + list(model.buffers())])


def check(ddp, reference, atol=2e-6):
    """Bit-identical replicas on every rank, equal to the reference."""
    mine = flat(ddp.module)
    every = dist._group._comm().allgather(mine)
    for r, theirs in enumerate(every):
        assert np.array_equal(theirs, mine), f"rank {r} differs from rank {dist.get_rank()}"
    np.testing.assert_allclose(mine, flat(reference), rtol=1e-5, atol=atol)


def global_batch(step, shape, classes=10, per_rank=8):
    """The same global batch on every rank (seeded by step); return (whole, my share)."""
    size, rank = dist.get_world_size(), dist.get_rank()
    rng = np.random.default_rng(100 + step)
    x = rng.standard_normal((per_rank * size,) + shape).astype(np.float32)
    y = rng.integers(0, classes, per_rank * size)
    mine = slice(rank * per_rank, (rank + 1) * per_rank)
    return (bricks.from_numpy(x), bricks.from_numpy(y)), (bricks.from_numpy(x[mine]),
                                                          bricks.from_numpy(y[mine]))


def start(make, optimizer=bricks.optim.SGD, **ddp_options):
    bricks.manual_seed(1000 + dist.get_rank())  # different replicas before the broadcast
    ddp = DDP(make(), **ddp_options)
    reference = copy.deepcopy(ddp.module)
    options = {"lr": 0.1, "momentum": 0.9} if optimizer is bricks.optim.SGD else {"lr": 1e-2}
    return ddp, reference, optimizer(ddp.parameters(), **options), optimizer(
        reference.parameters(), **options)


def train(make, shape, optimizer=bricks.optim.SGD, plain=None, **ddp_options):
    ddp, reference, opt, ref_opt = start(make, optimizer, **ddp_options)
    if plain is not None:
        reference = plain(reference)
        ref_opt = type(ref_opt)(reference.parameters(), **ref_opt.defaults)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(STEPS):
        (x, y), (xr, yr) = global_batch(step, shape)
        opt.zero_grad()
        loss_fn(ddp(xr), yr).backward()
        opt.step()
        ref_opt.zero_grad()
        loss_fn(reference(x), y).backward()
        ref_opt.step()
    return ddp, reference


def mlp():
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 10))


@case
def mlp_sgd_many_buckets():
    ddp, reference = train(mlp, (20,), bucket_cap_mb=0.002)
    assert len(ddp._buckets) == 3
    check(ddp, reference)
    # Overlap: when the first layer's gradient is final (the last of backward), the buckets
    # of the later layers are already on their way.
    launched = []
    ddp.module[0].weight.register_post_accumulate_grad_hook(
        lambda p: launched.append(ddp._next_bucket))
    (_, _), (xr, yr) = global_batch(0, (20,))
    nn.CrossEntropyLoss()(ddp(xr), yr).backward()
    assert launched and launched[0] >= 2, launched


@case
def mlp_adam_one_bucket_as_views():
    ddp, reference = train(mlp, (20,), bricks.optim.Adam, gradient_as_bucket_view=True)
    assert len(ddp._buckets) == 1
    check(ddp, reference)


@case
def cnn_sync_batchnorm():
    def cnn():
        return nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(4 * 4 * 4, 16), nn.BatchNorm1d(16), nn.ReLU(),
            nn.Linear(16, 10)))

    def plain(model):
        # The reference: the same model with BatchNorm layers on the whole batch.
        for index, kind in (("1", nn.BatchNorm2d), ("6", nn.BatchNorm1d)):
            sync = model._modules[index]
            bn = kind(sync.num_features)
            bn.load_state_dict(sync.state_dict())
            model._modules[index] = bn
        return model

    ddp, reference = train(cnn, (1, 8, 8), plain=plain)
    assert isinstance(ddp.module[1], nn.SyncBatchNorm)
    assert isinstance(reference[1], nn.BatchNorm2d)
    check(ddp, reference, atol=1e-5)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(20, 20)
        self.middle = nn.Linear(20, 20)
        self.head = nn.Linear(20, 10)

    def forward(self, x):
        h = self.embed(x).tanh()
        h = self.middle(h).tanh()
        return self.head(self.embed(h))  # embed used twice


@case
def tied_layer():
    ddp, reference = train(Tied, (20,), bucket_cap_mb=0.001)
    assert sum(1 for _ in ddp.parameters()) == 6
    check(ddp, reference)


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(20, 10)
        self.extra = nn.Linear(10, 10)  # used by rank 0 only
        self.never = nn.Linear(10, 10)  # used by no rank

    def forward(self, x, use_extra):
        h = self.trunk(x)
        return self.extra(h) if use_extra else h


@case
def unused_branches():
    ddp, reference, opt, ref_opt = start(Branchy, find_unused_parameters=True)
    loss_fn = nn.CrossEntropyLoss()
    size, rank = dist.get_world_size(), dist.get_rank()
    for step in range(STEPS):
        (x, y), (xr, yr) = global_batch(step, (20,))
        opt.zero_grad()
        loss_fn(ddp(xr, rank == 0), yr).backward()
        opt.step()
        ref_opt.zero_grad()
        losses = [loss_fn(reference(x[r * 8:(r + 1) * 8], r == 0), y[r * 8:(r + 1) * 8])
                  for r in range(size)]
        (sum(losses) / size).backward()
        ref_opt.step()
    assert ddp.module.never.weight.grad is None
    assert ddp.module.extra.weight.grad is not None
    check(ddp, reference)


@case
def unused_without_the_option_raises():
    ddp, _, _, _ = start(Branchy)
    (_, _), (xr, _) = global_batch(0, (20,))
    try:
        ddp(xr, False).sum().backward()
    except RuntimeError as error:
        assert "find_unused_parameters=True" in str(error) and "extra.weight" in str(error)
    else:
        raise AssertionError("expected a RuntimeError for parameters without gradient")


@case
def no_sync_accumulation():
    ddp, reference, opt, ref_opt = start(mlp, bucket_cap_mb=0.002)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(2):
        opt.zero_grad()
        ref_opt.zero_grad()
        for micro in range(3):
            (x, y), (xr, yr) = global_batch(10 * step + micro, (20,))
            if micro < 2:
                with ddp.no_sync():
                    loss_fn(ddp(xr), yr).backward()
            else:
                loss_fn(ddp(xr), yr).backward()
            loss_fn(reference(x), y).backward()
        opt.step()
        ref_opt.step()
    check(ddp, reference)


@case
def state_dict_has_module_prefix():
    ddp, _, _, _ = start(mlp)
    keys = list(ddp.state_dict())
    assert keys[0] == "module.0.weight", keys
    fresh = mlp()
    fresh.load_state_dict({k[len("module."):]: v for k, v in ddp.state_dict().items()})
    assert np.array_equal(flat(fresh), flat(ddp.module))
    try:
        DDP(nn.LazyLinear(3))
    except RuntimeError as error:
        assert "uninitialized parameters" in str(error) and "weight" in str(error)
    else:
        raise AssertionError("lazy parameters must be refused")


@case
def checkpoint_resume():
    # Rank 0 writes, the others wait at a barrier, every rank loads: resuming gives the
    # numbers of an uninterrupted run.
    loss_fn = nn.CrossEntropyLoss()

    def steps(ddp, opt, first, last):
        for step in range(first, last):
            (_, _), (xr, yr) = global_batch(step, (20,))
            opt.zero_grad()
            loss_fn(ddp(xr), yr).backward()
            opt.step()

    ddp, _, opt, _ = start(mlp)
    steps(ddp, opt, 0, 4)
    straight = flat(ddp.module)
    ddp, _, opt, _ = start(mlp)
    steps(ddp, opt, 0, 2)
    directory = [tempfile.mkdtemp() if dist.get_rank() == 0 else None]
    dist.broadcast_object_list(directory)
    path = directory[0] + "/checkpoint.safetensors"
    dist.save_on_rank0({"model": ddp.state_dict(), "optimizer": opt.state_dict()}, path)
    bricks.manual_seed(5 + dist.get_rank())
    ddp2 = DDP(mlp(), init_sync=False)  # different on each rank until it loads
    opt2 = bricks.optim.SGD(ddp2.parameters(), lr=0.1, momentum=0.9)
    state = dist.load(path, src=0)  # rank 0 reads, the others receive its bytes
    assert np.array_equal(state["model"]["module.0.weight"].numpy(),
                          bricks.load(path)["model"]["module.0.weight"].numpy())
    ddp2.load_state_dict(state["model"])
    opt2.load_state_dict(state["optimizer"])
    steps(ddp2, opt2, 2, 4)
    assert np.array_equal(flat(ddp2.module), straight)
    dist.barrier()
    if dist.get_rank() == 0:
        shutil.rmtree(directory[0])


@case
def sampler_covers_each_sample_once_per_epoch():
    from bricks.utils.data.distributed import DistributedSampler

    size = dist.get_world_size()
    sampler = DistributedSampler(range(10 * size), seed=3)
    orders = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        shares = [None] * size
        dist.all_gather_object(shares, list(sampler))
        everything = [i for share in shares for i in share]
        assert sorted(everything) == list(range(10 * size))
        orders.append(everything)
    assert orders[0] != orders[1]


@case
def sync_batchnorm_unequal_batches_equal_batchnorm_on_the_whole_batch():
    # Rank r holds 3 + r samples; every rank computes the reference on the concatenation.
    size, rank = dist.get_world_size(), dist.get_rank()
    rng = np.random.default_rng(7)
    parts = [rng.standard_normal((3 + r, 4, 5)).astype(np.float64) for r in range(size)]
    gy = [rng.standard_normal(p.shape) for p in parts]
    sync, plain = nn.SyncBatchNorm(4, dtype=bricks.float64), nn.BatchNorm1d(
        4, dtype=bricks.float64)
    for bn in (sync, plain):
        with bricks.no_grad():
            bn.weight.copy_(bricks.linspace(0.5, 2.0, 4, dtype=bricks.float64))
            bn.bias.copy_(bricks.linspace(-1.0, 1.0, 4, dtype=bricks.float64))
    x = bricks.from_numpy(parts[rank]).requires_grad_()
    out = sync(x)
    (out * bricks.from_numpy(gy[rank])).sum().backward()
    whole = bricks.from_numpy(np.concatenate(parts)).requires_grad_()
    y = plain(whole)
    (y * bricks.from_numpy(np.concatenate(gy))).sum().backward()
    start = sum(3 + r for r in range(rank))
    mine = slice(start, start + 3 + rank)
    np.testing.assert_allclose(out.detach().numpy(), y.detach().numpy()[mine], rtol=1e-12,
                               atol=1e-12)
    sync.eval()
    plain.eval()
    np.testing.assert_allclose(sync.running_mean.numpy(), plain.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(sync.running_var.numpy(), plain.running_var.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), whole.grad.numpy()[mine], rtol=1e-10, atol=1e-12)
    # weight and bias grads are each rank's part: their sum is the whole batch's.
    for name in ("weight", "bias"):
        total = getattr(sync, name).grad.clone()
        dist.all_reduce(total)
        np.testing.assert_allclose(total.numpy(), getattr(plain, name).grad.numpy(),
                                   rtol=1e-10)


def main(names):
    dist.init_process_group("mpi")
    for name in names:
        CASES[name]()
        print(f"ok {name}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1:])
