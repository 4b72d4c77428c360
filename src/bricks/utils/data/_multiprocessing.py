"""Loading in worker processes: the main side of ``DataLoader(num_workers > 0)``.

``WorkerPool`` starts the workers (``_worker.worker_loop``), hands out tasks round-robin,
keeps ``prefetch_factor`` tasks per worker in flight, and gives the batches back in the
sampler's order. It never waits blindly: while waiting it checks that every worker is alive,
so a worker that dies is reported (with the samples it was loading) instead of hanging.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection as connection
import os
import signal
import time
from typing import Any, Iterator

from ..._creation import default_generator
from . import _shared
from ._worker import EXHAUSTED, Failure, Resume, worker_loop

__all__ = ["WorkerPool", "start_method_context"]

_CHECK_SECONDS = 0.2  # how often a waiting main process checks its workers
_JOIN_SECONDS = 5.0


def start_method_context(context: Any) -> Any:
    """The multiprocessing context of ``multiprocessing_context`` (None: the default).

    Raises:
        ValueError: for a start method this platform does not have.
        TypeError: for something that is neither a start method's name nor a context.
    """
    if context is None:
        return multiprocessing.get_context()
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError("multiprocessing_context option should specify a valid start "
                             f"method in {methods!r}, but got "
                             f"multiprocessing_context={context!r}")
        return multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError("multiprocessing_context option should be a valid context object or a "
                        "string specifying the start method, but got "
                        f"multiprocessing_context={context}")
    return context


def _reraise(failure: Failure) -> None:
    """Raise the worker's exception again here: its type when it can be built, as torch."""
    message = (f"Caught {failure.qualname.rsplit('.', 1)[-1]} in DataLoader worker process "
               f"{failure.worker_id} while {failure.where}.\nOriginal {failure.text}")
    try:
        error_type: Any = importlib.import_module(failure.module)
        for part in failure.qualname.split("."):
            error_type = getattr(error_type, part)
        error = error_type(message)
    except Exception:  # noqa: BLE001  # a type that cannot be found or built from a message
        raise RuntimeError(message) from None
    raise error


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"with exit code {code}"


class WorkerPool:
    """``num_workers`` processes loading for one DataLoader (kept across epochs when
    ``persistent_workers``)."""

    def __init__(self, loader: Any) -> None:
        # The options, not the loader: a loader that keeps its pool (persistent workers)
        # and a pool that kept the loader would be a cycle, freed only by the collector.
        self.num_workers = loader.num_workers
        self.in_order = loader.in_order
        self.prefetch = max(1, loader.prefetch_factor * loader.num_workers)
        self.timeout = loader.timeout
        self.persistent = loader.persistent_workers
        context = start_method_context(loader.multiprocessing_context)
        self.index_queues: list[Any] = []
        self.readers: list[Any] = []
        self.workers: list[Any] = []
        generator = loader.generator or default_generator
        base_seed = int(generator.numpy.integers(2 ** 63 - 2 ** 16))
        for worker_id in range(self.num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            reader, writer = context.Pipe(duplex=False)
            worker = context.Process(
                target=worker_loop, daemon=True,
                args=(loader.dataset, loader._iterable, loader._auto_collation,
                      loader.collate_fn, loader.batch_size, loader.drop_last, index_queue,
                      writer, worker_id, self.num_workers, base_seed + worker_id,
                      loader.worker_init_fn, os.getpid()))
            worker.start()
            writer.close()  # the worker holds the only writing end: its death ends the pipe
            self.index_queues.append(index_queue)
            self.readers.append(reader)
            self.workers.append(worker)
        self.epoch = 0
        self.closed = False

    # ----- one epoch -----
    def epoch_batches(self, index_batches: Iterator[Any] | None) -> Iterator[Any]:
        """The batches of one epoch, in order (``index_batches`` is None for a stream)."""
        if self.epoch:
            self._resume()
        self.epoch += 1
        return _Epoch(self, index_batches).batches()

    def _resume(self) -> None:
        """Start a new epoch on persistent workers, dropping what the last one left."""
        marker_epoch = self.epoch
        for index_queue in self.index_queues:
            index_queue.put(Resume(marker_epoch))
        waiting = set(range(self.num_workers))
        while waiting:
            task, worker_id, result = self.get(None, {})
            if isinstance(task, Resume) and task.epoch == marker_epoch:
                waiting.discard(worker_id)
            else:
                _shared.discard(result)

    def get(self, timeout: float | None, outstanding: dict[int, Any]) -> Any:
        """The next result, watching the workers meanwhile.

        Raises:
            RuntimeError: when ``timeout`` seconds pass without one, as torch ("DataLoader
                timed out after N seconds"), or when a worker has died (naming the samples
                it was loading).
        """
        deadline = None if not timeout else time.monotonic() + timeout
        sentinels = [worker.sentinel for worker in self.workers]
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            ready = connection.wait(self.readers + sentinels, timeout=remaining)
            for reader in self.readers:  # what a worker sent before it died still counts
                if reader in ready or reader.poll():
                    try:
                        return reader.recv()
                    except (EOFError, OSError):
                        pass  # the worker is gone: its sentinel says so below
            for worker_id, worker in enumerate(self.workers):
                if worker.sentinel in ready:
                    worker.join(timeout=1.0)
                    self._report_death(worker_id, outstanding)
            if deadline is not None and time.monotonic() >= deadline:
                self.shutdown(force=True)
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def _report_death(self, worker_id: int, outstanding: dict[int, Any]) -> None:
        """Raise the error of a worker that exited: its first unfinished task is the one."""
        worker = self.workers[worker_id]
        mine = [indices for _, (owner, indices) in sorted(outstanding.items())
                if owner == worker_id]
        pid, code = worker.pid, worker.exitcode
        self.shutdown(force=True)
        doing = ""
        if mine and isinstance(mine[0], list):
            doing = f" while loading the batch of samples {mine[0]}"
        elif mine and mine[0] is not None:
            doing = f" while loading sample {mine[0]}"
        elif mine:
            doing = " while loading from the IterableDataset"
        raise RuntimeError(f"DataLoader worker {worker_id} (pid {pid}) exited unexpectedly, "
                           f"{_exit_text(code)}{doing}. A worker that runs out of memory is "
                           "killed by the system; try fewer workers or a smaller batch_size.")

    # ----- shutting down -----
    def shutdown(self, force: bool = False) -> None:
        """Stop the workers (at once when ``force``) and free what is left in the queues."""
        if self.closed:
            return
        self.closed = True
        for worker, index_queue in zip(self.workers, self.index_queues):
            if force and worker.exitcode is None:
                worker.terminate()
            elif worker.exitcode is None:
                try:
                    index_queue.put(None)
                except (OSError, ValueError):
                    pass
        deadline = time.monotonic() + _JOIN_SECONDS
        for worker in self.workers:
            worker.join(timeout=max(deadline - time.monotonic(), 0.0))
            if worker.exitcode is None:
                worker.terminate()
                worker.join(timeout=1.0)
        self._drain()
        for index_queue in self.index_queues:
            index_queue.close()
        for reader in self.readers:
            reader.close()

    def _drain(self) -> None:
        for reader in self.readers:
            try:
                while reader.poll():
                    _shared.discard(reader.recv()[2])
            except (EOFError, OSError):
                pass

    def __del__(self) -> None:
        try:
            self.shutdown(force=True)  # never wait in a finalizer
        except Exception:  # noqa: BLE001, S110  # interpreter shutdown: nothing left to free
            pass


class _Epoch:
    """The bookkeeping of one pass: tasks sent, results waiting for their turn."""

    def __init__(self, pool: WorkerPool, index_batches: Iterator[Any] | None) -> None:
        self.pool = pool
        self.index_batches = index_batches
        self.in_order = pool.in_order
        self.active = [True] * pool.num_workers
        self.next_worker = 0
        self.sent = 0
        self.received = 0
        self.outstanding: dict[int, tuple[int, Any]] = {}  # task -> (worker, indices)
        self.ready: dict[int, Any] = {}
        self.sampler_done = False

    def batches(self) -> Iterator[Any]:
        pool = self.pool
        try:
            for _ in range(pool.prefetch):
                self._send()
            while True:
                batch = self._next()
                if batch is _DONE:
                    break
                self._send()
                yield batch
        finally:
            self._finish()

    def _send(self) -> None:
        """Give the next task to the next active worker (if any task and worker are left)."""
        if self.sampler_done or not any(self.active):
            return
        indices = None
        if self.index_batches is not None:
            try:
                indices = next(self.index_batches)
            except StopIteration:
                self.sampler_done = True
                return
        while not self.active[self.next_worker]:
            self.next_worker = (self.next_worker + 1) % self.pool.num_workers
        worker_id = self.next_worker
        self.next_worker = (worker_id + 1) % self.pool.num_workers
        self.pool.index_queues[worker_id].put((self.sent, indices))
        self.outstanding[self.sent] = (worker_id, indices)
        self.sent += 1

    def _next(self) -> Any:
        """The next batch in order, or ``_DONE``."""
        while True:
            if self.in_order:
                while self.received in self.ready:
                    result = self.ready.pop(self.received)
                    self.received += 1
                    if result is not EXHAUSTED:
                        return self._open(result)
            elif self.ready:
                result = self.ready.pop(next(iter(self.ready)))
                self.received += 1
                if result is not EXHAUSTED:
                    return self._open(result)
                continue
            if not self.outstanding:
                return _DONE
            self._receive()

    def _receive(self) -> None:
        task, worker_id, result = self.pool.get(self.pool.timeout, self.outstanding)
        if isinstance(task, Resume) or task not in self.outstanding:
            _shared.discard(result)
            return
        del self.outstanding[task]
        if result is EXHAUSTED or result == EXHAUSTED:
            self.active[worker_id] = False
            result = EXHAUSTED
            self._send()  # the task this worker could not do goes to another one
        self.ready[task] = result

    def _open(self, result: Any) -> Any:
        if isinstance(result, Failure):
            self.pool.shutdown(force=True)
            _reraise(result)
        return _shared.unpack(result)

    def _finish(self) -> None:
        """End the pass: stop the workers, or (persistent) leave them for the next one."""
        pool = self.pool
        for result in self.ready.values():
            _shared.discard(result)
        self.ready.clear()
        if not (pool.persistent and not pool.closed):
            pool.shutdown()


_DONE = object()
