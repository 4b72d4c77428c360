"""Samplers: the order in which a loader visits a dataset's indices, and its batches."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from ..._device import xp
from ..._creation import Generator, default_generator
from ..._tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "BatchSampler", "WeightedRandomSampler"]


class Sampler:
    """Base class of samplers: ``__iter__`` yields indices (or lists of them)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """The indices ``0 .. len(data_source) - 1`` in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def _order(self) -> Any:
        return xp.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _epoch_rng(generator: Generator | None) -> Any:
    """The NumPy generator for one epoch: the given one, or one seeded from the default."""
    if generator is not None:
        return generator.numpy
    seed = int(default_generator.numpy.integers(2**63))  # as torch: a fresh seed per epoch
    return xp.random.default_rng(seed)


class RandomSampler(Sampler):
    """The indices in a random order (a new one each epoch), or drawn with replacement.

    Args:
        data_source: the dataset to sample from.
        replacement: draw ``num_samples`` indices with replacement.
        num_samples: how many indices to draw (default: the dataset's length).
        generator: the random generator (default: a seed drawn from ``bricks``'s default
            generator, so ``bricks.manual_seed`` makes runs reproducible).

    Raises:
        TypeError: if ``replacement`` is not a bool.
        ValueError: if ``num_samples`` is not a positive integer.
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got replacement="
                            f"{replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> Any:
        """This epoch's indices as one array."""
        n, rng = len(self.data_source), _epoch_rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, self.num_samples)
        whole, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(whole)]
        if rest:
            parts.append(rng.permutation(n)[:rest])
        return xp.concatenate(parts) if len(parts) != 1 else parts[0]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _order(self) -> Any:
        return xp.asarray(self.indices)[_epoch_rng(self.generator).permutation(len(self.indices))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size``.

    Args:
        sampler: any iterable of indices.
        batch_size: the size of a batch.
        drop_last: drop the last batch when it is smaller.

    Raises:
        ValueError: for a batch_size that is not a positive int or a drop_last not a bool.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError("drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _index_batches(self) -> Iterator[Any]:
        """The batches as index arrays, when the sampler can give its order as one array."""
        order = self.sampler._order()  # type: ignore[union-attr]  # callers check it has one
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]

    def __iter__(self) -> Iterator[list[int]]:
        if hasattr(self.sampler, "_order"):
            for batch in self._index_batches():
                yield batch.tolist()
            return
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]  # unsized samplers fail, as in torch
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class WeightedRandomSampler(Sampler):
    """Draw ``num_samples`` indices with probabilities proportional to ``weights``.

    Args:
        weights: one non-negative weight per index (a sequence or a 1-D tensor).
        num_samples: how many indices to draw each epoch.
        replacement: draw with replacement (without: each index at most once).
        generator: the random generator (default: a seed drawn from ``bricks``'s default
            generator each epoch).

    Raises:
        ValueError: for a num_samples that is not a positive int, a replacement that is not a
            bool, or weights that are not 1-D.
        RuntimeError: on iterating, for negative weights or weights that sum to zero, or more
            samples than weights without replacement (as torch's ``multinomial``).

    Example:
        >>> import bricks
        >>> sampler = WeightedRandomSampler([0.0, 1.0, 0.0], 4,
        ...                                 generator=bricks.Generator().manual_seed(0))
        >>> list(sampler)
        [1, 1, 1, 1]
    """

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        values = weights._value if isinstance(weights, Tensor) else weights
        array = xp.asarray(values, dtype=xp.float64)
        if array.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(array.shape)}")
        self.weights = Tensor._wrap(array)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _order(self) -> Any:
        weights = self.weights._value
        _check_distribution(weights, self.num_samples, self.replacement)
        rng = _epoch_rng(self.generator)
        if self.replacement:
            return rng.choice(weights.size, self.num_samples, p=weights / weights.sum())
        # Without replacement: the smallest exponential keys scaled by 1 / weight (as torch's
        # multinomial; a zero weight gets an infinite key and comes last).
        with xp.errstate(divide="ignore"):
            keys = rng.exponential(size=weights.size) / weights
        return xp.argsort(keys, kind="stable")[:self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


def _check_distribution(weights: Any, num_samples: int, replacement: bool) -> None:
    """torch's ``multinomial`` checks of the weights, with its messages."""
    if not (weights >= 0).all():  # NaN fails this too, as in torch
        raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                           "< 0)")
    if xp.isinf(weights).any():
        raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                           "= infinity or NaN)")
    if weights.sum() <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > weights.size:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
