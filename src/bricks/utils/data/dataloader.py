"""``DataLoader`` and its default collation: batches of samples as tensors."""

from __future__ import annotations

import collections.abc
import itertools
import numbers
import warnings
from typing import Any, Callable, Iterator

from ... import cuda as _cuda
from ..._device import xp
from ..._dtypes import float64
from ..._creation import Generator, tensor
from ..._tensor import Tensor
from ...ops import stack
from ._multiprocessing import WorkerPool, start_method_context
from ._worker import get_worker_info
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


_NOTHING = object()


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays (also inside dicts, lists and tuples) into tensors; keep the rest."""
    if isinstance(data, xp.ndarray) and data.dtype.kind not in "USO":
        return Tensor._wrap(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)(  # type: ignore[call-arg]  # the input's own (concrete) mapping class
            {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


def _pinned(batch: Any) -> Any:
    """``batch`` with its tensors (also inside dicts, lists and tuples) in pinned memory."""
    if isinstance(batch, Tensor):
        return batch.pin_memory()
    if isinstance(batch, collections.abc.Mapping):
        return type(batch)({key: _pinned(batch[key]) for key in batch})  # type: ignore[call-arg]
    if _is_namedtuple(batch):
        return type(batch)(*(_pinned(b) for b in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(_pinned(b) for b in batch)
    return batch


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch, recursively, as torch's ``default_collate``.

    Tensors and NumPy arrays are stacked along a new first dimension; Python floats become
    a float64 tensor, ints an int64 one, bools a bool one; strings stay a list; dicts,
    named tuples, tuples and lists are collated field by field (a tuple gives a list).

    Raises:
        RuntimeError: if the sequences in a batch differ in length.
        TypeError: for an element type that cannot be collated.

    Example:
        >>> default_collate([{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}])
        {'x': tensor([1., 3.], dtype=bricks.float64), 'y': tensor([2, 4])}
    """
    return _collate(batch, ())


def _where(path: tuple) -> str:
    """Where in a sample a field is, in the user's words: ``field ['image'][0]``."""
    if not path:
        return "the samples themselves"
    return "field " + "".join(f"[{key!r}]" for key in path)


def _shape_of(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {list(shape)}"
    return type(value).__name__


def _mismatch(batch: list[Any], path: tuple, kind: Any, name: str) -> TypeError | None:
    """A TypeError naming the field and the samples when not every element is a ``kind``."""
    for i, value in enumerate(batch):
        if not isinstance(value, kind):
            return TypeError(f"default_collate: expected {name} as element {i} in argument 0, "
                             f"but got {type(value).__name__}: at {_where(path)}, sample 0 "
                             f"holds {_shape_of(batch[0])} and sample {i} holds "
                             f"{_shape_of(value)}")
    return None


def _unequal(batch: list[Any], path: tuple) -> RuntimeError:
    first = list(batch[0].shape)
    i, other = next((i, list(b.shape)) for i, b in enumerate(batch) if list(b.shape) != first)
    return RuntimeError(f"stack expects each tensor to be equal size, but got {first} at entry "
                        f"0 and {other} at entry {i}: at {_where(path)}")


def _collate(batch: list[Any], path: tuple) -> Any:
    elem = batch[0]
    if isinstance(elem, Tensor):
        error = _mismatch(batch, path, Tensor, "Tensor")
        if error is not None:
            raise error
        if any(tuple(t.shape) != tuple(elem.shape) for t in batch):
            raise _unequal(batch, path)
        if not any(t.requires_grad for t in batch):
            return Tensor._wrap(xp.stack([t._value for t in batch]))  # no graph to record
        return stack(batch, 0)
    if isinstance(elem, (xp.ndarray, xp.generic)) and elem.dtype.kind not in "USO":
        error = _mismatch(batch, path, (xp.ndarray, xp.generic), "a NumPy array")
        if error is not None:
            raise error
        if any(xp.shape(b) != xp.shape(elem) for b in batch):
            raise _unequal(batch, path)
        return Tensor._wrap(xp.stack([xp.asarray(b) for b in batch]))
    if isinstance(elem, (bool, float, numbers.Integral)):
        error = _mismatch(batch, path, numbers.Number, "a number")
        if error is not None:
            raise error
        if isinstance(elem, bool):
            return tensor(batch)
        return tensor(batch, dtype=float64) if isinstance(elem, float) else tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _collate_mapping(elem, batch, path)
    if _is_namedtuple(elem):
        return type(elem)(*(_collate(list(s), path + (name,))
                            for name, s in zip(elem._fields, zip(*batch))))
    if isinstance(elem, collections.abc.Sequence):
        error = _mismatch(batch, path, collections.abc.Sequence, "a sequence")
        if error is not None:
            raise error
        for i, sample in enumerate(batch):
            if len(sample) != len(elem):
                raise RuntimeError(f"each element in list of batch should be of equal size: "
                                   f"at {_where(path)}, sample 0 has {len(elem)} elements "
                                   f"and sample {i} has {len(sample)}")
        return [_collate(list(samples), path + (i,)) for i, samples in enumerate(zip(*batch))]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem)} at {_where(path)}")


def _collate_mapping(elem: Any, batch: list[Any], path: tuple) -> Any:
    for i, sample in enumerate(batch):
        if not isinstance(sample, collections.abc.Mapping):
            raise TypeError(f"default_collate: at {_where(path)}, sample 0 is a mapping but "
                            f"sample {i} is a {type(sample).__name__}")
        missing = [key for key in elem if key not in sample]
        if missing:
            raise KeyError(f"{_where(path + (missing[0],))} is missing from sample {i}")
    collated = {key: _collate([d[key] for d in batch], path + (key,)) for key in elem}
    try:
        return type(elem)(collated)
    except TypeError:  # a mapping type that cannot be built from a dict
        return collated


def _fast_batches(dataset: Any) -> bool:
    """Whether batches can be cut from the dataset's tensors with one fancy-index each."""
    if isinstance(dataset, Subset):
        return _fast_batches(dataset.dataset)
    # stacking tensors that require grad records a graph; the fast path would drop it
    return type(dataset) is TensorDataset and not any(t.requires_grad for t in dataset.tensors)


class DataLoader:
    """Iterate over a dataset in (shuffled) batches, collated into tensors.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__`` and ``__len__``) or an
            ``IterableDataset``.
        batch_size: samples per batch; None turns batching off.
        shuffle: visit the samples in a new random order each epoch.
        sampler: the order of the indices (excludes ``shuffle``).
        batch_sampler: yields whole lists of indices (excludes batch_size, shuffle,
            sampler and drop_last).
        num_workers: how many worker processes load batches (0: load in this process).
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: copy each batch's tensors into pinned host memory, for faster copies to
            a GPU; without one, warns once per epoch and loads as usual, as torch.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: with workers, the seconds to wait for a batch before raising (0: forever,
            while the workers live).
        worker_init_fn: called in each worker with its id, once, after seeding.
        multiprocessing_context: a start method (``'fork'``, ``'forkserver'``,
            ``'spawn'``) or a multiprocessing context (default: the platform's).
        generator: the random generator of the shuffling and of the workers' seeds.
        prefetch_factor: batches each worker loads ahead (default 2 with workers).
        persistent_workers: keep the workers alive from one epoch to the next.
        in_order: give the batches in the sampler's order (else as workers finish them).

    Each worker seeds bricks, ``random`` and NumPy with its own seed (``base_seed +
    worker_id``, ``base_seed`` drawn from ``generator``) and sees its ``WorkerInfo`` through
    ``get_worker_info()``; an ``IterableDataset`` is iterated by every worker (split it with
    that info). Batches come back through shared memory. A worker's exception is raised
    again here, with its type, the worker and the sample index; a worker that dies is
    reported with the samples it was loading.

    Raises:
        ValueError: for options that exclude each other, a negative num_workers, timeout or
            prefetch_factor, or worker options without workers.

    Example:
        >>> import bricks
        >>> ds = TensorDataset(bricks.arange(5.0))
        >>> [b[0].tolist() for b in DataLoader(ds, batch_size=2)]
        [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | None = None, batch_sampler: Any = None,
                 num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        prefetch_factor = _check_worker_options(num_workers, prefetch_factor,
                                                persistent_workers, multiprocessing_context)
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._pool: WorkerPool | None = None
        self._iterable = isinstance(dataset, IterableDataset)
        self._set_sampling(batch_size, shuffle, sampler, batch_sampler, drop_last, generator)
        self._auto_collation = self.batch_sampler is not None or (
            self._iterable and self.batch_size is not None)
        self.collate_fn = collate_fn or (default_collate if self._auto_collation
                                         else default_convert)

    def _set_sampling(self, batch_size: int | None, shuffle: bool | None, sampler: Any,
                      batch_sampler: Any, drop_last: bool, generator: Any) -> None:
        if self._iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle, "
                             "sampler and batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(self.dataset, generator=generator) if shuffle
                       else SequentialSampler(self.dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler if not self._iterable else None

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # TypeError when the stream has no length, as torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self) -> Iterator[Any]:
        batches = self._batches()
        if not self.pin_memory:
            return batches
        if not _cuda.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", UserWarning, stacklevel=2)
            return batches
        return (_pinned(batch) for batch in batches)

    def _batches(self) -> Iterator[Any]:
        """The batches of one epoch, in this process or from the workers."""
        if self.num_workers > 0:
            return self._iter_workers()
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        if (self.collate_fn is default_collate and _fast_batches(self.dataset)
                and type(self.batch_sampler) is BatchSampler
                and hasattr(self.batch_sampler.sampler, "_order")):
            return (self.dataset._batch(indices)
                    for indices in self.batch_sampler._index_batches())
        return (self.collate_fn(self._fetch(indices)) for indices in self.batch_sampler)

    def _iter_workers(self) -> Iterator[Any]:
        """The batches of one epoch, loaded by worker processes."""
        index_batches = None
        if not self._iterable:
            sampler = self.batch_sampler if self.batch_sampler is not None else self.sampler
            # Draw this epoch's order before the workers' seeds, so that a seeded shuffle
            # gives the batches of in-process loading.
            order = iter(sampler)
            first = next(order, _NOTHING)
            index_batches = order if first is _NOTHING else itertools.chain([first], order)
        pool = self._pool
        if pool is None or pool.closed:
            pool = WorkerPool(self)
            self._pool = pool if self.persistent_workers else None
        return pool.epoch_batches(index_batches)

    def _fetch(self, indices: list[int]) -> list[Any]:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(indices)
        return [self.dataset[i] for i in indices]

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


def _check_worker_options(num_workers: int, prefetch_factor: int | None,
                          persistent_workers: bool, multiprocessing_context: Any) -> int | None:
    """The prefetch factor to use (2 with workers), after torch's checks of the options."""
    if num_workers == 0:
        if prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             "loading (num_workers > 0), but got num_workers=0")
        return None
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    start_method_context(multiprocessing_context)  # a bad start method fails here, as torch
    return 2 if prefetch_factor is None else prefetch_factor
