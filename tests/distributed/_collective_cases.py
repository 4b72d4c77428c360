"""Collectives checked against their NumPy definitions; run under mpiexec by test_collectives.

Every rank computes what every other rank holds (their inputs are functions of the rank), so
each rank checks its own result without further communication.
"""

import sys

import numpy as np

import bricks
import bricks.distributed as dist

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def inputs(rank, dtype, shape=(3, 4)):
    """Rank ``rank``'s input: distinct per rank, exact in every dtype used."""
    base = np.arange(np.prod(shape)).reshape(shape) % 7 - 3
    return (base * (rank + 1) + rank).astype(dtype)


@case
def all_reduce_ops():
    rank, size = dist.get_rank(), dist.get_world_size()
    every = [inputs(r, np.float64) for r in range(size)]
    want = {dist.ReduceOp.SUM: np.sum(every, 0), dist.ReduceOp.AVG: np.mean(every, 0),
            dist.ReduceOp.MAX: np.max(every, 0), dist.ReduceOp.MIN: np.min(every, 0),
            dist.ReduceOp.PRODUCT: np.prod(every, 0)}
    for dtype in (np.float32, np.float64, np.int64):
        for op, expected in want.items():
            if op == dist.ReduceOp.AVG and dtype == np.int64:
                continue
            t = bricks.from_numpy(inputs(rank, dtype))
            array = t._value
            dist.all_reduce(t, op=op)
            assert t._value is array, "all_reduce must work in place"
            assert t.numpy().dtype == dtype
            np.testing.assert_allclose(t.numpy(), expected.astype(dtype), rtol=1e-6)


@case
def async_collectives():
    rank, size = dist.get_rank(), dist.get_world_size()
    t = bricks.from_numpy(inputs(rank, np.float32))
    work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
    assert work.wait() is True
    every = [inputs(r, np.float32) for r in range(size)]
    np.testing.assert_allclose(t.numpy(), np.mean(every, 0), rtol=1e-6)
    b = bricks.from_numpy(inputs(rank, np.float64))
    dist.broadcast(b, src=size - 1, async_op=True).wait()
    np.testing.assert_array_equal(b.numpy(), inputs(size - 1, np.float64))
    out = [bricks.zeros(3, 4, dtype=bricks.int64) for _ in range(size)]
    work = dist.all_gather(out, bricks.from_numpy(inputs(rank, np.int64)), async_op=True)
    while not work.is_completed():
        pass
    for r in range(size):
        np.testing.assert_array_equal(out[r].numpy(), inputs(r, np.int64))
    dist.barrier(async_op=True).wait()


@case
def broadcast_gather_scatter_reduce():
    rank, size = dist.get_rank(), dist.get_world_size()
    for src in range(size):
        t = bricks.from_numpy(inputs(rank, np.float32))
        dist.broadcast(t, src)
        np.testing.assert_array_equal(t.numpy(), inputs(src, np.float32))
    out = [bricks.empty(3, 4) for _ in range(size)]
    dist.all_gather(out, bricks.from_numpy(inputs(rank, np.float32)))
    for r in range(size):
        np.testing.assert_array_equal(out[r].numpy(), inputs(r, np.float32))
    cat = bricks.empty(size * 3, 4)
    dist.all_gather_into_tensor(cat, bricks.from_numpy(inputs(rank, np.float32)))
    np.testing.assert_array_equal(cat.numpy(), np.concatenate(
        [inputs(r, np.float32) for r in range(size)]))
    dst = size - 1
    t = bricks.from_numpy(inputs(rank, np.int64))
    dist.reduce(t, dst, op=dist.ReduceOp.MAX)
    if rank == dst:
        np.testing.assert_array_equal(t.numpy(), np.max([inputs(r, np.int64)
                                                         for r in range(size)], 0))
    gathered = [bricks.empty(3, 4) for _ in range(size)] if rank == 0 else None
    dist.gather(bricks.from_numpy(inputs(rank, np.float32)), gathered, dst=0)
    if rank == 0:
        for r in range(size):
            np.testing.assert_array_equal(gathered[r].numpy(), inputs(r, np.float32))
    pieces = [bricks.from_numpy(inputs(10 + r, np.float64)) for r in range(size)]
    mine = bricks.empty(3, 4, dtype=bricks.float64)
    dist.scatter(mine, pieces if rank == 1 else None, src=1)
    np.testing.assert_array_equal(mine.numpy(), inputs(10 + rank, np.float64))
    dist.barrier()


@case
def objects():
    rank, size = dist.get_rank(), dist.get_world_size()
    objs = [{"rank": rank}, "x" * rank, None]
    dist.broadcast_object_list(objs, src=1)
    assert objs == [{"rank": 1}, "x", None]
    gathered = [None] * size
    dist.all_gather_object(gathered, (rank, [rank] * rank))
    assert gathered == [(r, [r] * r) for r in range(size)]
    out = [None]
    dist.scatter_object_list(out, [f"to {r}" for r in range(size)] if rank == 0 else None, 0)
    assert out == [f"to {rank}"]
    collected = [None] * size if rank == 0 else None
    dist.gather_object(rank * 2, collected, dst=0)
    if rank == 0:
        assert collected == [2 * r for r in range(size)]


@case
def errors_change_nothing():
    rank = dist.get_rank()
    t = bricks.from_numpy(inputs(rank, np.float32))
    before = t.numpy().copy()
    for call, kind in ((lambda: dist.all_reduce(t.t()), ValueError),
                       (lambda: dist.all_reduce(t.numpy()), TypeError),
                       (lambda: dist.broadcast(t, src=99), ValueError),
                       (lambda: dist.all_reduce(t, op="mean"), ValueError),
                       (lambda: dist.all_gather([t], t), ValueError)):
        try:
            call()
        except kind:
            pass
        else:
            raise AssertionError(f"expected {kind.__name__}")
    np.testing.assert_array_equal(t.numpy(), before)
    try:
        dist.init_process_group("mpi")
    except RuntimeError as error:
        assert "twice" in str(error)
    else:
        raise AssertionError("a second init_process_group must raise")
    assert dist.get_backend() == "mpi" and dist.is_initialized()
    assert 0 <= dist.get_local_rank() < dist.get_world_size()


@case
def raise_on_rank_1():
    # The job must end with an error (MPI_Abort), not hang with rank 0 in the barrier.
    if dist.get_rank() == 1:
        raise RuntimeError("rank 1 fails on purpose")
    dist.barrier()


def main(names):
    dist.init_process_group("mpi")
    for name in names:
        CASES[name]()
        print(f"ok {name}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1:])
