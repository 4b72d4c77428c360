"""The loading worker process: ``WorkerInfo``, ``get_worker_info`` and the worker's loop.

A worker receives ``(task, indices)`` on its own index queue and answers ``(task, worker_id,
result)`` on its own pipe (sent before it takes the next task, so that nothing it finished is
lost if it dies), where the result is a packed batch (``_shared``), a
``Failure`` (an exception, with where it happened) or ``EXHAUSTED`` (an iterable dataset's
copy in this worker has no more items). ``None`` stops the worker; ``Resume`` starts a new
epoch for persistent workers.
"""

from __future__ import annotations

import os
import queue
import random
import traceback
from typing import Any, Callable

from ..._device import xp
from ..._creation import manual_seed
from . import _shared

__all__ = ["WorkerInfo", "get_worker_info", "Failure", "Resume", "EXHAUSTED", "worker_loop"]

EXHAUSTED = "exhausted"
_POLL_SECONDS = 1.0  # how often an idle worker checks that the main process is alive


class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed`` and its own copy of
    the ``dataset`` (to split an ``IterableDataset`` between workers).

    Raises:
        RuntimeError: on assigning an attribute, as torch.
    """

    __initialized = False

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key: str, value: Any) -> None:
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        super().__setattr__(key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={getattr(self, key)}" for key in self.__keys)
        return f"{type(self).__name__}({fields})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker, its ``WorkerInfo``; in the main process, None.

    Example:
        >>> get_worker_info() is None
        True
    """
    return _worker_info


class Failure:
    """An exception raised in a worker, to raise again in the main process."""

    def __init__(self, error: BaseException, worker_id: int, where: str) -> None:
        self.module = type(error).__module__
        self.qualname = type(error).__qualname__
        self.worker_id = worker_id
        self.where = where
        self.text = "".join(traceback.format_exception(type(error), error, error.__traceback__))


class Resume:
    """Start epoch ``epoch`` afresh (persistent workers); the worker echoes it back."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch


def _seed(seed: int, worker_id: int) -> None:
    """Seed bricks, ``random`` and NumPy's global generator differently in each worker."""
    manual_seed(seed)
    random.seed(seed)
    xp.random.seed(xp.random.SeedSequence([worker_id, seed]).generate_state(1)[0])


class _Fetcher:
    """Turns a task's indices into a batch: map-style by index, iterable by ``next``."""

    def __init__(self, dataset: Any, iterable: bool, auto_collation: bool,
                 collate_fn: Callable, batch_size: int | None, drop_last: bool) -> None:
        self.dataset, self.iterable = dataset, iterable
        self.auto_collation, self.collate_fn = auto_collation, collate_fn
        self.batch_size, self.drop_last = batch_size, drop_last
        self.stream = iter(dataset) if iterable else None

    def __call__(self, indices: Any) -> Any:
        if self.iterable:
            return self._next_batch()
        if not self.auto_collation:
            return self.collate_fn(self._sample(indices))
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            samples = _annotated(lambda: getitems(indices), f"samples {indices}")
        else:
            samples = [self._sample(i) for i in indices]
        return _annotated(lambda: self.collate_fn(samples), f"the batch of samples {indices}",
                          "collating ")

    def _sample(self, index: Any) -> Any:
        return _annotated(lambda: self.dataset[index], f"sample {index}")

    def _next_item(self) -> Any:
        stream = self.stream
        assert stream is not None
        return _annotated(lambda: next(stream), "the next item of the IterableDataset")

    def _next_batch(self) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self._next_item())
        batch: list[Any] = []
        while len(batch) < (self.batch_size or 0):
            try:
                batch.append(self._next_item())
            except StopIteration:
                break
        if not batch or (self.drop_last and len(batch) < (self.batch_size or 0)):
            raise StopIteration
        return self.collate_fn(batch)


class _Located(Exception):
    """Carries where in the task an exception happened (a sample index, a batch)."""

    def __init__(self, error: BaseException, where: str) -> None:
        super().__init__(where)
        self.error, self.where = error, where


def _annotated(fn: Callable[[], Any], what: str, verb: str = "loading ") -> Any:
    try:
        return fn()
    except (_Located, StopIteration):
        raise
    except Exception as error:
        raise _Located(error, verb + what) from error


def worker_loop(dataset: Any, iterable: bool, auto_collation: bool, collate_fn: Callable,
                batch_size: int | None, drop_last: bool, index_queue: Any, results: Any,
                worker_id: int, num_workers: int, seed: int,
                init_fn: Callable[[int], None] | None, parent_pid: int) -> None:
    """The body of a worker process: load what the index queue asks until told to stop."""
    global _worker_info
    _seed(seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                              dataset=dataset)
    init_failure = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = _Fetcher(dataset, iterable, auto_collation, collate_fn, batch_size,
                           drop_last)
    except Exception as error:
        init_failure = Failure(error, worker_id, "running worker_init_fn")
    while True:
        try:
            message = index_queue.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process is gone
                return
            continue
        if message is None:
            return
        if isinstance(message, Resume):
            if init_failure is None and iterable:
                fetcher = _Fetcher(dataset, iterable, auto_collation, collate_fn, batch_size,
                                   drop_last)
            results.send((message, worker_id, None))
            continue
        task, indices = message
        results.send((task, worker_id, init_failure or _run(fetcher, indices, worker_id)))


def _run(fetcher: _Fetcher, indices: Any, worker_id: int) -> Any:
    """One task's result: the packed batch, ``EXHAUSTED`` or a ``Failure``."""
    try:
        return _shared.pack(fetcher(indices))
    except StopIteration:
        return EXHAUSTED
    except _Located as located:
        return Failure(located.error, worker_id, located.where)
    except Exception as error:
        return Failure(error, worker_id, f"sending the batch of samples {indices}")
