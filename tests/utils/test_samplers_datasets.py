"""WeightedRandomSampler, Subset, ConcatDataset and IterableDataset through the DataLoader,
against torch.utils.data on the same data."""

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import bricks
from bricks.utils import data


def _both(fn):
    """fn(lib_data, lib) for bricks and for torch."""
    return fn(data, bricks), fn(tdata, torch)


def _batches(loader):
    return [[np.asarray(t.numpy()).tolist() for t in batch] if isinstance(batch, (list, tuple))
            else np.asarray(batch.numpy()).tolist() for batch in loader]


def test_weighted_sampler_draws_in_proportion_to_the_weights():
    weights = [0.1, 0.0, 0.6, 0.3]
    sampler = data.WeightedRandomSampler(weights, 20000,
                                         generator=bricks.Generator().manual_seed(0))
    counts = np.bincount(list(sampler), minlength=4) / 20000
    np.testing.assert_allclose(counts, weights, atol=0.015)
    assert counts[1] == 0 and len(sampler) == 20000
    assert sampler.weights.dtype == bricks.float64  # torch's double


def test_weighted_sampler_without_replacement_draws_each_index_once():
    weights = bricks.tensor([5.0, 0.0, 1.0, 3.0, 0.5])
    sampler = data.WeightedRandomSampler(weights, 5, replacement=False,
                                         generator=bricks.Generator().manual_seed(0))
    firsts = []
    for _ in range(1000):  # epochs
        drawn = list(sampler)
        assert sorted(drawn) == [0, 1, 2, 3, 4] and drawn[-1] == 1  # weight 0 comes last
        firsts.append(drawn[0])
    np.testing.assert_allclose(np.bincount(firsts, minlength=5) / 1000,
                               np.array([5.0, 0.0, 1.0, 3.0, 0.5]) / 9.5, atol=0.05)


def test_weighted_sampler_is_reproducible_and_balances_classes_in_a_loader():
    labels = np.array([0] * 90 + [1] * 10)
    features = bricks.tensor(np.arange(100.0))
    dataset = data.TensorDataset(features, bricks.tensor(labels))
    class_weight = 1.0 / np.bincount(labels)
    weights = class_weight[labels]

    def loader(seed):
        sampler = data.WeightedRandomSampler(weights, 2000,
                                             generator=bricks.Generator().manual_seed(seed))
        return data.DataLoader(dataset, batch_size=100, sampler=sampler)

    drawn = np.concatenate([y.numpy() for _, y in loader(1)])
    assert abs(drawn.mean() - 0.5) < 0.05
    assert _batches(loader(3)) == _batches(loader(3))
    assert _batches(loader(3)) != _batches(loader(4))


@pytest.mark.parametrize("args, error, message", [
    (([1.0, 2.0], 0), ValueError, "num_samples should be a positive integer value"),
    (([1.0, 2.0], True), ValueError, "num_samples should be a positive integer value"),
    (([1.0, 2.0], 2, 1), ValueError, "replacement should be a boolean value"),
    (([[1.0, 2.0]], 2), ValueError, r"weights should be a 1d sequence .* shape \(1, 2\)"),
])
def test_weighted_sampler_rejects_bad_arguments_like_torch(args, error, message):
    for lib in (data, tdata):
        with pytest.raises(error, match=message):
            lib.WeightedRandomSampler(*args)


@pytest.mark.parametrize("weights, num_samples, replacement, message", [
    ([1.0, -1.0], 2, True, "encountering probability entry < 0"),
    ([1.0, float("nan")], 2, True, "encountering probability entry < 0"),
    ([1.0, float("inf")], 2, True, "infinity or NaN"),
    ([0.0, 0.0], 2, True, r"sum of probabilities <= 0"),
    ([1.0, 1.0], 3, False, "cannot sample n_sample > prob_dist.size"),
])
def test_weighted_sampler_bad_weights_raise_when_drawn_like_torch(weights, num_samples,
                                                                  replacement, message):
    for lib in (data, tdata):
        sampler = lib.WeightedRandomSampler(weights, num_samples, replacement)
        with pytest.raises(RuntimeError, match=message):
            list(sampler)


def _parts(lib_data, lib):
    first = lib_data.TensorDataset(lib.arange(6.0).reshape(3, 2), lib.tensor([0, 1, 2]))
    second = lib_data.TensorDataset(lib.arange(10.0).reshape(5, 2) + 100, lib.tensor([3, 4, 5,
                                                                                       6, 7]))
    return first, second


def test_subset_of_concat_dataset_through_the_loader_matches_torch():
    def run(lib_data, lib):
        first, second = _parts(lib_data, lib)
        both = lib_data.ConcatDataset([first, second])
        subset = lib_data.Subset(both, [7, 0, 3, 2, 6])
        assert len(both) == 8 and len(subset) == 5
        return (_batches(lib_data.DataLoader(subset, batch_size=2)),
                _batches(lib_data.DataLoader(first + second, batch_size=3)),
                both.cumulative_sizes, [int(subset[i][1]) for i in range(-2, 5)])

    assert run(data, bricks) == run(tdata, torch)


def test_concat_and_subset_index_errors_match_torch():
    for lib_data, lib in ((data, bricks), (tdata, torch)):
        both = lib_data.ConcatDataset(_parts(lib_data, lib))
        with pytest.raises(ValueError, match="absolute value of index should not exceed"):
            both[-9]
        with pytest.raises(IndexError):
            both[8]
        with pytest.raises(IndexError):
            lib_data.Subset(both, [1, 2])[2]


def test_concat_dataset_refuses_streams_and_nothing():
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter([1])

    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        data.ConcatDataset([Stream()])
    for lib_data in (data, tdata):
        with pytest.raises(AssertionError, match="should not be an empty iterable"):
            lib_data.ConcatDataset([])


class _Counting:
    """A stream of (x, x**2) pairs with a length, as a text-file reader would give."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield float(i), i * i

    def __len__(self):
        return self.n


class Counting(_Counting, data.IterableDataset):
    pass


class TorchCounting(_Counting, tdata.IterableDataset):
    pass


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None), dict(batch_size=4,
                                                                 collate_fn=lambda b: len(b))])
def test_iterable_dataset_through_the_loader_matches_torch(options):
    ours = data.DataLoader(Counting(10), **options)
    theirs = tdata.DataLoader(TorchCounting(10), **options)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(b, int):
            assert a == b
        elif isinstance(b, list) and isinstance(b[0], torch.Tensor):
            assert [x.tolist() for x in a] == [x.tolist() for x in b]
            assert [str(x.dtype) for x in a] == [str(x.dtype).replace("torch", "bricks")
                                                 for x in b]
        else:
            assert a == b or list(a) == list(b)
