"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``ConcatDataset``,
``Subset`` and ``random_split``."""

from __future__ import annotations

import bisect
import math
import warnings
from typing import Any, Iterator, Sequence

from ..._device import xp
from ..._creation import Generator, default_generator
from ..._tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and usually ``__len__``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> [Squares()[i] for i in range(3)]
        [0, 1, 4]
    """

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream-style dataset: subclasses define ``__iter__``; the loader batches its items."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset) -> Any:
        raise TypeError("IterableDataset does not support concatenation with +")


class TensorDataset(Dataset):
    """Samples that are the rows of tensors sharing their first dimension.

    Args:
        *tensors: tensors with the same size of the first dimension.

    Raises:
        AssertionError: if the first dimensions differ (torch's type for this mistake).

    Example:
        >>> import bricks
        >>> ds = TensorDataset(bricks.arange(3), bricks.arange(3) * 10)
        >>> ds[2]
        (tensor(2), tensor(20))
    """

    def __init__(self, *tensors: Tensor) -> None:
        sizes = [t.size(0) for t in tensors]
        if any(size != sizes[0] for size in sizes):
            raise AssertionError(f"Size mismatch between tensors: first dimensions {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)

    def _batch(self, indices: Any) -> list[Tensor]:
        """The collated batch at an index array: one fancy-index per tensor."""
        return [Tensor._wrap(t._value[indices]) for t in self.tensors]


class ConcatDataset(Dataset):
    """The concatenation of several map-style datasets.

    Raises:
        AssertionError: for an empty list of datasets, or an ``IterableDataset`` in it (the
            type torch raises).
    """

    def __init__(self, datasets: Sequence[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")  # torch's type
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)  # type: ignore[arg-type]  # map-style datasets define __len__
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset: the whole dataset.
        indices: the indices of the subset.
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(  # type: ignore[attr-defined]  # checked above
                [self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def _batch(self, indices: Any) -> list[Tensor]:
        """The collated batch for a subset of a TensorDataset (one fancy-index per tensor)."""
        # The dataset is a TensorDataset, or a Subset of one (see the loader's _fast_batches).
        return self.dataset._batch(xp.asarray(self.indices)[indices])  # type: ignore[attr-defined]


def _lengths(total: int, lengths: Sequence[int | float]) -> list[int]:
    """Integer lengths from ints, or from fractions that sum to 1 (torch's rounding)."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(total * fraction)) for fraction in lengths]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.", stacklevel=3)
        return counts
    return [int(n) for n in lengths]


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: Generator | None = default_generator) -> list[Subset]:
    """Split a dataset into non-overlapping random subsets of the given lengths.

    Args:
        dataset: the dataset to split.
        lengths: the lengths of the splits, or fractions of the dataset that sum to 1
            (the remainder after flooring goes round-robin to the first splits).
        generator: the random generator of the permutation.

    Returns:
        One ``Subset`` per length.

    Raises:
        ValueError: if the lengths do not add up to the dataset's length.

    Example:
        >>> import bricks
        >>> parts = random_split(range(10), [0.7, 0.3], bricks.Generator().manual_seed(0))
        >>> [len(p) for p in parts]
        [7, 3]
    """
    counts = _lengths(len(dataset), lengths)  # type: ignore[arg-type]  # a sized dataset
    if sum(counts) != len(dataset):  # type: ignore[arg-type]  # ditto
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = (generator or default_generator).numpy.permutation(sum(counts)).tolist()
    splits, offset = [], 0
    for count in counts:
        splits.append(Subset(dataset, order[offset:offset + count]))
        offset += count
    return splits
