"""``mxnet.gluon.data``: datasets and the DataLoader, yielding Gluon arrays.

A batch is stacked from the samples and handed out as ``NDArray`` (``np.ndarray`` after
``npx.set_np()``); labels keep their dtype.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy

import bricks

from ...._facade import ArrayFacade, unwrap
from ... import npx
from . import vision

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "DataLoader", "vision"]


class Dataset:
    """The base of datasets: ``__getitem__`` and ``__len__``, with lazy transforms."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def transform(self, fn: Callable, lazy: bool = True) -> Dataset:
        """A dataset whose samples are ``fn(*sample)`` (or ``fn(sample)`` for one field)."""
        return _Transformed(self, fn, first_only=False)

    def transform_first(self, fn: Callable, lazy: bool = True) -> Dataset:
        """A dataset whose samples have ``fn`` applied to their first field only."""
        return _Transformed(self, fn, first_only=True)


class _Transformed(Dataset):
    def __init__(self, data: Dataset, fn: Callable, first_only: bool) -> None:
        self._data, self._fn, self._first_only = data, fn, first_only

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: int) -> Any:
        sample = self._data[index]
        if self._first_only and isinstance(sample, tuple):
            return (self._fn(sample[0]), *sample[1:])
        return self._fn(*sample) if isinstance(sample, tuple) else self._fn(sample)


class SimpleDataset(Dataset):
    """A dataset over a list (or anything indexable with a length)."""

    def __init__(self, data: Any) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: int) -> Any:
        return self._data[index]


class ArrayDataset(Dataset):
    """Samples ``(a[i], b[i], ...)`` from arrays of the same length.

    Raises:
        ValueError: if the arrays' lengths differ.
    """

    def __init__(self, *args: Any) -> None:
        if not args:
            raise ValueError("ArrayDataset needs at least one array")
        lengths = {len(a) for a in args}
        if len(lengths) != 1:
            raise ValueError(f"All arrays must have the same length; got lengths "
                             f"{[len(a) for a in args]}")
        self._data = args

    def __len__(self) -> int:
        return len(self._data[0])

    def __getitem__(self, index: int) -> Any:
        if len(self._data) == 1:
            return self._data[0][index]
        return tuple(data[index] for data in self._data)


def _stack(samples: list) -> Any:
    first = samples[0]
    if isinstance(first, tuple):
        return tuple(_stack([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, (ArrayFacade, bricks.Tensor)):
        tensor = bricks.stack([unwrap(s).detach() for s in samples])
    else:
        values = numpy.asarray(samples)
        if values.dtype == numpy.float64:
            values = values.astype(numpy.float32)
        tensor = bricks.from_numpy(values)
    return npx.array_class()._wrap(tensor)


class DataLoader:
    """Batches from a dataset: ``batch_size`` samples at a time, shuffled or in order.

    Args:
        dataset: a Dataset (or anything indexable with a length).
        batch_size: samples per batch.
        shuffle: draw a new order each epoch.
        last_batch: ``'keep'`` (a smaller last batch), ``'discard'`` or ``'rollover'`` (the
            rest starts the next epoch).
        batchify_fn: how samples become a batch (stacked arrays by default).
        num_workers: accepted; samples are loaded in the calling process.

    Raises:
        ValueError: for a bad ``batch_size`` or ``last_batch``.
    """

    def __init__(self, dataset: Any, batch_size: int | None = None, shuffle: bool = False,
                 sampler: Any = None, last_batch: str | None = None, batch_sampler: Any = None,
                 batchify_fn: Callable | None = None, num_workers: int = 0,
                 **kwargs: Any) -> None:
        if batch_size is None or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        last_batch = last_batch or "keep"
        if last_batch not in ("keep", "discard", "rollover"):
            raise ValueError(f"last_batch must be one of 'keep', 'discard', or 'rollover', "
                             f"but got {last_batch}")
        self._dataset, self._batch_size, self._shuffle = dataset, batch_size, shuffle
        self._last_batch = last_batch
        self._batchify = batchify_fn or _stack
        self._carry: list[int] = []

    def _order(self) -> list[int]:
        count = len(self._dataset)
        order = bricks.randperm(count).tolist() if self._shuffle else list(range(count))
        return self._carry + order

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        self._carry = []
        size = self._batch_size
        for start in range(0, len(order), size):
            chosen = order[start:start + size]
            if len(chosen) < size and self._last_batch != "keep":
                if self._last_batch == "rollover":
                    self._carry = chosen
                return
            yield self._batchify([self._dataset[i] for i in chosen])

    def __len__(self) -> int:
        count = len(self._dataset) + len(self._carry)
        if self._last_batch == "keep":
            return -(-count // self._batch_size)
        return count // self._batch_size
