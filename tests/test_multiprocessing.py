"""bricks.multiprocessing: torch.multiprocessing's surface, and tensors in shared memory whose
in-place changes in a child (fork, spawn, through a queue) the parent sees, as torch's."""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest
import torch
import torch.multiprocessing as tmp

import bricks
import bricks.multiprocessing as mp
from bricks import nn

import multiprocessing_children as children


def test_surface_is_torchs() -> None:
    missing = [name for name in tmp.__all__ if not hasattr(mp, name)]
    assert missing == [] or set(missing) <= {"SpawnContext"}, missing
    for name in ("Process", "Queue", "Pool", "get_context", "set_start_method",
                 "get_start_method", "cpu_count", "Manager"):
        assert getattr(mp, name) is getattr(multiprocessing, name)
    assert mp.get_all_sharing_strategies() <= tmp.get_all_sharing_strategies()
    assert mp.get_sharing_strategy() == tmp.get_sharing_strategy() == "file_descriptor"
    with pytest.raises(ValueError, match="file_system"):
        mp.set_sharing_strategy("file_system")


@pytest.mark.parametrize("shape,dtype", [((3,), np.float32), ((2, 3), np.int64), ((0, 2),
                                                                                  np.float64),
                                         ((), np.float64)])
def test_share_memory_keeps_values_and_is_shared_as_torch(shape, dtype) -> None:
    values = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    t, b = torch.tensor(values), bricks.tensor(values)
    assert b.is_shared() is t.is_shared() is False
    assert b.share_memory_() is b and t.share_memory_() is t
    assert b.is_shared() is t.is_shared() is True
    np.testing.assert_array_equal(b.numpy(), values)
    assert b.dtype == bricks.tensor(values).dtype and b.shape == t.shape
    assert b.share_memory_() is b  # already shared: nothing happens


def test_views_of_shared_memory_are_shared() -> None:
    b = bricks.zeros(2, 3).share_memory_()
    t = torch.zeros(2, 3).share_memory_()
    assert b[1].is_shared() and b.t().is_shared() and t[1].is_shared()
    assert not (b + 1).is_shared() and not (t + 1).is_shared()


def test_fork_child_writes_are_seen_by_the_parent() -> None:
    context = mp.get_context("fork")
    shared, private = bricks.zeros(3).share_memory_(), bricks.zeros(3)
    for tensor in (shared, private):
        child = context.Process(target=children.add_in_place, args=(tensor, 2.0))
        child.start()
        child.join()
        assert child.exitcode == 0
    assert shared.tolist() == [2.0, 2.0, 2.0]  # the same pages
    assert private.tolist() == [0.0, 0.0, 0.0]  # copy-on-write, as torch without share_memory_


def test_spawned_children_write_into_the_parents_tensors_and_model() -> None:
    shared, unshared = bricks.zeros(2).share_memory_(), bricks.zeros(2)
    model = nn.Linear(2, 1).share_memory()
    before = [p.detach().numpy().copy() for p in model.parameters()]
    queue = mp.get_context("spawn").SimpleQueue()
    mp.spawn(children.spawn_worker, args=(shared, unshared, model, queue), nprocs=2)
    assert shared.tolist() == [1.0, 2.0]
    # torch moves a tensor it sends into shared memory: bricks too
    assert unshared.is_shared() and unshared.tolist() == [1.0, 2.0]
    assert queue.get() == ("Parameter", True, True, True)
    for p, old in zip(model.parameters(), before):
        np.testing.assert_allclose(p.detach().numpy(), old + 1.0)


def test_tensors_sent_through_a_queue_to_a_running_child_share_memory() -> None:
    context = mp.get_context("fork")
    requests, done = context.Queue(), context.Queue()
    child = context.Process(target=children.serve_queue, args=(requests, done))
    child.start()
    try:
        tensor = bricks.tensor([1.0, 2.0]).share_memory_()
        requests.put(tensor)
        assert done.get(timeout=30) is True
        assert tensor.tolist() == [10.0, 20.0]
        view = tensor[1:]  # a view travels as its place in the segment
        requests.put(view)
        assert done.get(timeout=30) is True
        assert tensor.tolist() == [10.0, 200.0]
    finally:
        requests.put(None)
        child.join(30)


def test_pickling_refuses_non_leaf_tensors_as_torch_and_keeps_leaves() -> None:
    from multiprocessing.reduction import ForkingPickler

    x = bricks.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf"):
        ForkingPickler.dumps(x * 2)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf"):
        ForkingPickler.dumps(torch.ones(2, requires_grad=True) * 2)
    copy = pickle.loads(ForkingPickler.dumps(nn.Parameter(bricks.ones(2))))
    assert type(copy) is nn.Parameter and copy.requires_grad and copy.is_shared()
    plain = pickle.loads(pickle.dumps(bricks.ones(2).share_memory_()))  # not multiprocessing
    assert plain.tolist() == [1.0, 1.0]


def test_a_childs_exception_is_reported_as_torch() -> None:
    with pytest.raises(mp.ProcessRaisedException, match="ValueError: bad rank") as info:
        mp.start_processes(children.fail, args=("bad rank",), nprocs=2, start_method="fork")
    assert info.value.error_index == 1
    assert "-- Process 1 terminated with the following error:" in str(info.value)
    assert issubclass(mp.ProcessRaisedException, mp.ProcessException)


def test_an_exit_code_is_reported_and_join_false_returns_the_context() -> None:
    with pytest.raises(mp.ProcessExitedException, match="process 0 terminated with exit code 3"):
        mp.start_processes(children.exit_with, args=(3,), start_method="fork")
    context = mp.start_processes(children.exit_with, args=(0,), join=False, start_method="fork")
    assert len(context.pids()) == 1
    while not context.join():
        pass
