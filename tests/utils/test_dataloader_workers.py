"""DataLoader with worker processes (num_workers > 0): the same batches as in-process loading
and as torch, worker_init_fn and get_worker_info, persistent workers, timeouts, and clear
errors (never a hang) when a worker raises or dies."""

import collections
import os
import signal
import time

import numpy as np
import pytest
import torch

import bricks
from bricks.utils import data
from bricks.utils.data import _shared

_INIT_CALLS = []  # in a worker: the ids worker_init_fn was called with, in that process


def _record_init(worker_id):
    info = data.get_worker_info()
    _INIT_CALLS.append((worker_id, info.id, info.num_workers, info.seed))


class Probe(data.Dataset):
    """Each sample says which process loaded it, and what that process's worker saw."""

    def __init__(self, n=20, lib=bricks):
        self.n = n
        self.lib = lib

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        info = self.lib.utils.data.get_worker_info()
        worker = -1 if info is None else info.id
        return {"index": index, "worker": worker, "pid": os.getpid(),
                "inits": len(_INIT_CALLS), "x": self.lib.full((3,), float(index))}


def _values(value):
    """A batch field as a flat list (a Tensor, or a plain int when batching is off)."""
    return np.ravel(value.numpy() if hasattr(value, "numpy") else value).tolist()


def _indices(batches):
    return [_values(b["index"]) for b in batches]


@pytest.mark.parametrize("options", [dict(batch_size=4), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=5, shuffle=True), dict(batch_size=None)])
def test_batches_are_those_of_in_process_loading_in_order(options):
    def load(workers):
        generator = bricks.Generator().manual_seed(7)
        return list(data.DataLoader(Probe(), num_workers=workers, generator=generator,
                                    **options))

    here, there = load(0), load(2)
    assert _indices(here) == _indices(there)
    for a, b in zip(here, there):
        np.testing.assert_array_equal(a["x"].numpy(), b["x"].numpy())
        assert isinstance(b["x"], bricks.Tensor) and b["x"].dtype == bricks.float32
    assert {p for b in here for p in _values(b["pid"])} == {os.getpid()}
    pids = {p for b in there for p in _values(b["pid"])}
    assert len(pids) == 2 and os.getpid() not in pids


def test_worker_init_fn_runs_once_per_worker_with_its_worker_info():
    loader = data.DataLoader(Probe(24), batch_size=4, num_workers=3,
                             worker_init_fn=_record_init)
    batches = list(loader)
    assert sorted(set(np.concatenate([b["worker"].numpy() for b in batches]))) == [0, 1, 2]
    assert set(np.concatenate([b["inits"].numpy() for b in batches])) == {1}
    # round robin: batch i comes from worker i % 3
    assert [int(b["worker"][0]) for b in batches] == [i % 3 for i in range(6)]
    assert _INIT_CALLS == []  # worker_init_fn never ran in this process
    assert data.get_worker_info() is None


class _ShardsMixin:
    """Yields range(n), split between the workers by get_worker_info (torch's recipe)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = self.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class Shards(_ShardsMixin, data.IterableDataset):
    get_worker_info = staticmethod(data.get_worker_info)


class TorchShards(_ShardsMixin, torch.utils.data.IterableDataset):
    get_worker_info = staticmethod(torch.utils.data.get_worker_info)


@pytest.mark.parametrize("options", [dict(batch_size=4), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None)])
def test_iterable_dataset_split_by_worker_info_matches_torch(options):
    got = [_values(b) for b in data.DataLoader(Shards(23), num_workers=2, **options)]
    want = [_values(b) for b in torch.utils.data.DataLoader(TorchShards(23), num_workers=2,
                                                             **options)]
    assert got == want
    alone = [_values(b) for b in data.DataLoader(Shards(23), num_workers=0, **options)]
    if not options.get("drop_last"):
        assert sorted(sum(got, [])) == sorted(sum(alone, [])) == list(range(23))


def test_persistent_workers_serve_every_epoch_and_restart_a_broken_one():
    loader = data.DataLoader(Probe(12), batch_size=2, num_workers=2, persistent_workers=True,
                             worker_init_fn=_record_init, prefetch_factor=3)
    epochs = [list(loader) for _ in range(2)]
    pids = [{int(p) for b in batches for p in b["pid"].numpy()} for batches in epochs]
    assert pids[0] == pids[1] and len(pids[0]) == 2
    for batches in epochs:
        assert _indices(batches) == [[i, i + 1] for i in range(0, 12, 2)]
        assert {int(n) for b in batches for n in b["inits"].numpy()} == {1}
    for batch in loader:  # leave an epoch early: the next one starts from the beginning
        break
    assert _indices(list(loader)) == _indices(epochs[0])
    stream = data.DataLoader(Shards(10), batch_size=3, num_workers=2,
                             persistent_workers=True)
    assert [b.tolist() for b in stream] == [b.tolist() for b in stream]


def test_in_order_false_gives_every_batch():
    loader = data.DataLoader(Probe(30), batch_size=4, num_workers=2, in_order=False)
    assert sorted(sum(_indices(loader), [])) == list(range(30))


def test_pin_memory_and_prefetch_factor_are_accepted():
    loader = data.DataLoader(Probe(8), batch_size=4, num_workers=2, pin_memory=True,
                             prefetch_factor=1)
    assert _indices(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]


class Slow(data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        if index == 2:
            time.sleep(3)
        return index


def test_timeout_raises_torch_error_and_stops_the_workers():
    loader = data.DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.3)
    iterator = iter(loader)
    assert next(iterator).tolist() == [0]
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        list(iterator)
    assert time.monotonic() - start < 2.5  # raised at the timeout, not after the sleep


class Faulty(data.Dataset):
    def __init__(self, action):
        self.action = action

    def __len__(self):
        return 12

    def __getitem__(self, index):
        if index == 7 and data.get_worker_info() is not None:
            if self.action == "raise":
                raise KeyError("no label for this image")
            if self.action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(3)
        return index


def test_a_worker_exception_is_raised_with_its_type_worker_and_sample():
    loader = data.DataLoader(Faulty("raise"), batch_size=2, num_workers=2)
    with pytest.raises(KeyError) as caught:
        list(loader)
    text = str(caught.value)
    assert "Caught KeyError in DataLoader worker process 1 while loading sample 7" in text
    assert "Original Traceback" in text and "no label for this image" in text


@pytest.mark.parametrize("action, how", [("kill", "killed by signal SIGKILL"),
                                         ("exit", "with exit code 3")])
def test_a_dying_worker_is_reported_with_its_samples_not_a_hang(action, how):
    loader = data.DataLoader(Faulty(action), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker 1 \(pid \d+\) exited "
                       rf"unexpectedly, {how} while loading the batch of samples \[6, 7\]"):
        list(loader)


def _failing_init(worker_id):
    raise ValueError(f"cannot open the database in worker {worker_id}")


def test_a_failing_worker_init_fn_is_reported():
    loader = data.DataLoader(Probe(4), batch_size=2, num_workers=1,
                             worker_init_fn=_failing_init)
    with pytest.raises(ValueError, match="worker process 0 while running worker_init_fn"):
        list(loader)


def test_abandoned_iterator_stops_its_workers():
    loader = data.DataLoader(Probe(40), batch_size=2, num_workers=2)
    iterator = iter(loader)
    next(iterator)
    pool = iterator.gi_frame.f_locals["self"].pool
    iterator.close()
    assert pool.closed and all(not w.is_alive() for w in pool.workers)


Pair = collections.namedtuple("Pair", "image label")


class Rich(data.Dataset):
    """Samples with big arrays (sent through shared memory), strings and named tuples."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        image = np.full((64, 64, 8), index, dtype=np.float32)
        return {"pair": Pair(bricks.tensor(image), index), "name": f"img{index}",
                "raw": image[:2, :2, 0].astype(np.int16)}


def test_structured_batches_with_large_arrays_match_in_process_loading():
    here = list(data.DataLoader(Rich(), batch_size=3))
    there = list(data.DataLoader(Rich(), batch_size=3, num_workers=2))
    for a, b in zip(here, there):
        assert isinstance(b["pair"], Pair) and b["name"] == a["name"]
        np.testing.assert_array_equal(a["pair"].image.numpy(), b["pair"].image.numpy())
        assert b["pair"].label.tolist() == a["pair"].label.tolist()
        assert b["raw"].dtype == a["raw"].dtype == bricks.int16


def test_shared_block_is_unlinked_once_read():
    batch = [bricks.ones(300, 300), np.arange(10)]
    payload = _shared.pack(batch)
    name = _shared.pickle.loads(payload)[1][0]
    assert os.path.exists(f"/dev/shm/{name}")
    tensor, array = _shared.unpack(payload)
    assert not os.path.exists(f"/dev/shm/{name}")
    assert tensor.shape == (300, 300) and float(tensor.sum()) == 90000.0
    assert array.tolist() == list(range(10))


def test_forkserver_workers_load_the_same_batches():
    # range(9) is a map-style dataset that the forkserver unpickles without importing this
    # module (and torch with it)
    loader = data.DataLoader(range(9), batch_size=2, num_workers=2,
                             multiprocessing_context="forkserver")
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7], [8]]


@pytest.mark.parametrize("options, message", [
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(num_workers=1, multiprocessing_context="teleport"),
     "multiprocessing_context option should specify a valid start method"),
])
def test_bad_worker_options_raise_like_torch(options, message):
    with pytest.raises(ValueError, match=message):
        data.DataLoader(Probe(), **options)
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(Probe(lib=torch), **options)
