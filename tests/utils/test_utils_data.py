"""bricks.utils.data against torch.utils.data: epochs, shuffling, batching, collation, splits."""

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import torch
import torch.utils.data as tdata

import bricks
from bricks.utils import data


def _dataset(n=10):
    return data.TensorDataset(bricks.arange(float(n)).reshape(n, 1), bricks.arange(n))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (10, True),
                                                   (4, False), (12, False)])
def test_every_sample_exactly_once_per_epoch(shuffle, batch_size, drop_last):
    n = 10
    loader = data.DataLoader(_dataset(n), batch_size=batch_size, shuffle=shuffle,
                             drop_last=drop_last)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader) == len(tdata.DataLoader(
            range(n), batch_size=batch_size, drop_last=drop_last))
        seen = np.concatenate([b[1].numpy() for b in batches])
        expected = n - n % batch_size if drop_last else n
        assert len(seen) == expected and len(set(seen.tolist())) == expected
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(n))
        if not shuffle:
            assert seen.tolist() == list(range(expected))
        for x, y in batches:
            assert x.shape == (len(y), 1) and x.dtype == bricks.float32
            np.testing.assert_array_equal(x.numpy()[:, 0], y.numpy())
        if drop_last:
            assert all(len(b[1]) == batch_size for b in batches)


def test_shuffling_is_reproducible_with_a_seed_and_differs_between_epochs():
    def epochs(seed):
        loader = data.DataLoader(_dataset(20), batch_size=5, shuffle=True,
                                 generator=bricks.Generator().manual_seed(seed))
        return [[b[1].tolist() for b in loader] for _ in range(2)]

    first, again, other = epochs(0), epochs(0), epochs(1)
    assert first == again and first != other
    assert first[0] != first[1]
    bricks.manual_seed(3)
    a = [b[1].tolist() for b in data.DataLoader(_dataset(20), batch_size=5, shuffle=True)]
    bricks.manual_seed(3)
    b = [b[1].tolist() for b in data.DataLoader(_dataset(20), batch_size=5, shuffle=True)]
    assert a == b


def test_fast_tensor_batches_equal_the_generic_path():
    ds = _dataset(13)
    generic = data.DataLoader(ds, batch_size=4, shuffle=True, collate_fn=data.default_collate,
                              generator=bricks.Generator().manual_seed(5))
    fast = data.DataLoader(ds, batch_size=4, shuffle=True,
                           generator=bricks.Generator().manual_seed(5))
    for (fx, fy), (gx, gy) in zip(fast, generic):
        np.testing.assert_array_equal(fx.numpy(), gx.numpy())
        np.testing.assert_array_equal(fy.numpy(), gy.numpy())
    subset = data.Subset(ds, [12, 0, 5, 7])
    batches = list(data.DataLoader(subset, batch_size=3))
    assert [b[1].tolist() for b in batches] == [[12, 0, 5], [7]]


SAMPLES = [
    [1.5, 2.5],
    [1, 2, 3],
    [True, False],
    ["a", "b"],
    [np.ones(3, np.float32), np.zeros(3, np.float32)],
    [np.float32(1.0), np.float32(2.0)],
    [np.int32(1), np.int32(2)],
    [{"x": 1.0, "y": [1, 2], "name": "a"}, {"x": 2.0, "y": [3, 4], "name": "b"}],
    [(1, 2.0), (3, 4.0)],
    [[np.ones((2, 2)), 1], [np.zeros((2, 2)), 2]],
]


def _as_numpy(value):
    if isinstance(value, (bricks.Tensor, torch.Tensor)):
        return ("tensor", str(value.dtype).split(".")[-1], value.numpy().tolist())
    if isinstance(value, dict):
        return {k: _as_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_as_numpy(v) for v in value])
    return value


@pytest.mark.parametrize("batch", SAMPLES, ids=range(len(SAMPLES)))
def test_default_collate_matches_torch(batch):
    assert _as_numpy(data.default_collate(batch)) == _as_numpy(tdata.default_collate(batch))


def test_collate_of_bricks_tensors_dicts_and_namedtuples():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"p": Point(bricks.tensor([1.0]), 1)}, {"p": Point(bricks.tensor([2.0]), 2)}]
    out = data.default_collate(batch)
    assert isinstance(out["p"], Point)
    assert out["p"].x.tolist() == [[1.0], [2.0]] and out["p"].y.tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([[1, 2], [3]])


def test_dict_dataset_batches_through_the_loader():
    class Records(data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float32), "label": i}

    batches = list(data.DataLoader(Records(), batch_size=2))
    assert [b["label"].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0]["x"].shape == (2, 2) and batches[0]["x"].dtype == bricks.float32


def test_batch_size_none_and_custom_collate_and_batch_sampler():
    ds = _dataset(4)
    assert [y.item() for _, y in data.DataLoader(ds, batch_size=None)] == [0, 1, 2, 3]
    loader = data.DataLoader(ds, batch_size=2, collate_fn=lambda b: len(b))
    assert list(loader) == [2, 2]
    sampler = data.BatchSampler(data.SequentialSampler(ds), 3, drop_last=False)
    assert [b[1].tolist() for b in data.DataLoader(ds, batch_sampler=sampler)] == [[0, 1, 2], [3]]
    assert list(data.BatchSampler(range(5), 2, drop_last=True)) == [[0, 1], [2, 3]]


def test_iterable_dataset_is_batched():
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.tolist() for b in data.DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="IterableDataset"):
        data.DataLoader(Stream(), shuffle=True)


def test_exclusive_options_raise_like_torch():
    ds = _dataset(4)
    cases = [dict(sampler=data.SequentialSampler(ds), shuffle=True),
             dict(batch_sampler=[[0]], batch_size=2), dict(batch_size=None, drop_last=True),
             dict(num_workers=-1)]
    for kwargs in cases:
        with pytest.raises(ValueError):
            data.DataLoader(ds, **kwargs)
        torch_kwargs = dict(kwargs)
        if "sampler" in torch_kwargs:
            torch_kwargs["sampler"] = tdata.SequentialSampler(range(4))
        with pytest.raises(ValueError):
            tdata.DataLoader(range(4), **torch_kwargs)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        data.BatchSampler(range(3), 0, False)
    with pytest.raises(AssertionError, match="Size mismatch"):
        data.TensorDataset(bricks.zeros(3), bricks.zeros(4))


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.5],
                                     [0.25, 0.25, 0.25, 0.25]])
def test_random_split_sizes_match_torch_and_cover_the_dataset(lengths):
    n = 10
    splits = data.random_split(range(n), lengths, generator=bricks.Generator().manual_seed(0))
    expected = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in splits] == [len(s) for s in expected]
    assert sorted(i for s in splits for i in s) == list(range(n))
    again = data.random_split(range(n), lengths, generator=bricks.Generator().manual_seed(0))
    assert [list(s) for s in splits] == [list(s) for s in again]
    assert all(isinstance(s, data.Subset) for s in splits)


def test_random_split_rejects_lengths_that_do_not_add_up():
    with pytest.raises(ValueError, match="Sum of input lengths"):
        data.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        tdata.random_split(range(10), [3, 3])


def test_random_sampler_with_replacement_and_num_samples():
    g = bricks.Generator().manual_seed(0)
    drawn = list(data.RandomSampler(range(5), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) <= set(range(5))
    more = list(data.RandomSampler(range(5), num_samples=12, generator=g))
    assert len(more) == 12 and sorted(more[:10]) == sorted(list(range(5)) * 2)
    with pytest.raises(ValueError, match="num_samples"):
        data.RandomSampler(range(5), num_samples=0)


def test_concat_dataset_and_add():
    a, b = _dataset(3), _dataset(2)
    both = a + b
    assert len(both) == 5 and both[3][1].item() == 0 and both[-1][1].item() == 1


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), drop_last=st.booleans(),
       shuffle=st.booleans(), seed=st.integers(0, 2**32))
def test_loader_partitions_the_dataset_for_any_sizes(n, batch_size, drop_last, shuffle, seed):
    loader = data.DataLoader(_dataset(n), batch_size=batch_size, shuffle=shuffle,
                             drop_last=drop_last, generator=bricks.Generator().manual_seed(seed))
    batches = [b[1].tolist() for b in loader]
    assert len(batches) == len(loader)
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen)) == (n - n % batch_size if drop_last else n)
    assert all(len(b) == batch_size for b in batches[:-1])


def test_collate_of_unequal_tensors_raises_runtime_error_like_torch():
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([bricks.zeros(2), bricks.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        tdata.default_collate([torch.zeros(2), torch.zeros(3)])


def test_collate_keeps_the_graph_of_tensors_that_require_grad():
    a = bricks.tensor([1.0, 2.0], requires_grad=True)
    out = data.default_collate([a, a * 2])
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]
