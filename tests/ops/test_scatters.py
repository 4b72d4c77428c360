"""The writes into a copy by place (ops/scatters.py) beyond the op table: torch's exception
types for bad input, failed in-place calls changing nothing, the in-place methods (self
returned, version moved, leaves refused), integer dtypes, and ``unravel_index``."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks


def _same(ours: Any, theirs: Any) -> None:
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def _both(call: Callable[[Any], Any]) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: index_reduce is in beta
        return call(bricks), call(torch)


def _i(m: Any, values: Any, dtype: str = "int64") -> Any:
    return m.tensor(values, dtype=getattr(m, dtype))


BAD = {
    "select_scatter index": lambda m: m.select_scatter(m.zeros(2, 3), m.ones(3), 0, 5),
    "select_scatter dim": lambda m: m.select_scatter(m.zeros(2, 3), m.ones(3), 2, 0),
    "slice_scatter step 0": lambda m: m.slice_scatter(m.zeros(2, 3), m.ones(2, 2), 1, 0, None,
                                                      0),
    "slice_scatter step -1": lambda m: m.slice_scatter(m.zeros(2, 3), m.ones(2, 2), 1, 0,
                                                       None, -1),
    "diagonal_scatter same dims": lambda m: m.diagonal_scatter(m.zeros(3, 3), m.ones(3), 0, 1,
                                                               1),
    "diagonal_scatter 1-D": lambda m: m.diagonal_scatter(m.zeros(3), m.ones(1)),
    "masked_scatter uint8 mask": lambda m: m.masked_scatter(m.zeros(3), _i(m, [1, 0, 1],
                                                                          "uint8"), m.ones(3)),
    "masked_scatter dtype": lambda m: m.masked_scatter(m.zeros(3), _i(m, [1, 0, 1], "bool"),
                                                       m.ones(3, dtype=m.float64)),
    "masked_scatter short source": lambda m: m.masked_scatter(m.zeros(3), _i(m, [1, 0, 1],
                                                                             "bool"), m.ones(1)),
    "masked_scatter_ mask larger": lambda m: m.zeros(3).masked_scatter_(
        _i(m, [[1, 0, 1]] * 2, "bool"), m.ones(6)),
    "put int32 index": lambda m: m.put(m.zeros(2, 3), _i(m, [0, 1], "int32"), m.ones(2)),
    "put float index": lambda m: m.put(m.zeros(2, 3), m.tensor([0.0, 1.0]), m.ones(2)),
    "put dtype": lambda m: m.put(m.zeros(2, 3), _i(m, [0, 1]), m.ones(2, dtype=m.float64)),
    "put past end": lambda m: m.put(m.zeros(2, 3), _i(m, [0, 6]), m.ones(2)),
    "put before start": lambda m: m.put(m.zeros(2, 3), _i(m, [0, -7]), m.ones(2)),
    "put sizes": lambda m: m.put(m.zeros(2, 3), _i(m, [0, 1]), m.ones(1)),
    "put into empty": lambda m: m.put(m.zeros(0), _i(m, [0]), m.ones(1)),
    "index_reduce sum": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [0]), m.ones(1, 2),
                                                 "sum"),
    "index_reduce float index": lambda m: m.index_reduce(m.ones(3, 2), 0, m.tensor([0.0]),
                                                         m.ones(1, 2), "prod"),
    "index_reduce dtype": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [0]),
                                                   m.ones(1, 2, dtype=m.float64), "prod"),
    "index_reduce past end": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [3]),
                                                      m.ones(1, 2), "amax"),
    "index_reduce negative": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [-1]),
                                                      m.ones(1, 2), "amax"),
    "index_reduce 2-D index": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [[0, 1]]),
                                                       m.ones(2, 2), "mean"),
    "index_reduce count": lambda m: m.index_reduce(m.ones(3, 2), 0, _i(m, [0, 1, 2]),
                                                   m.ones(4, 2), "amin"),
    "index_reduce 0-d shape": lambda m: m.index_reduce(m.tensor(5.0), 0, _i(m, [0, 0]),
                                                       m.ones(2), "prod"),
    "fill_diagonal_ 1-D": lambda m: m.zeros(3).fill_diagonal_(1),
    "fill_diagonal_ unequal": lambda m: m.zeros(3, 3, 2).fill_diagonal_(1),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_torch_exception_type(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as expected:
            BAD[name](torch)
    with pytest.raises(type(expected.value)):
        BAD[name](bricks)


def test_failed_in_place_calls_change_nothing() -> None:
    x = bricks.arange(6.0).reshape(2, 3)
    version = x._version
    with pytest.raises(IndexError):
        x.put_(_i(bricks, [0, 6]), bricks.ones(2))
    with pytest.raises(RuntimeError):
        x.index_reduce_(0, _i(bricks, [0]), bricks.ones(1, 3, dtype=bricks.float64), "prod")
    with pytest.raises(RuntimeError):
        x.masked_scatter_(_i(bricks, [True, True, True], "bool"), bricks.ones(2))
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and x._version == version


INPLACE = {
    "masked_scatter_": lambda m, x: x.masked_scatter_(_i(m, [True, False, True], "bool"),
                                                      m.arange(6.0)),
    "put_": lambda m, x: x.put_(_i(m, [0, 0, -1]), m.tensor([1.0, 2.0, 3.0]), accumulate=True),
    "index_reduce_": lambda m, x: x.index_reduce_(1, _i(m, [2, 0, 2]), m.arange(6.0).reshape(
        2, 3), "mean", include_self=False),
    "fill_diagonal_": lambda m, x: x.fill_diagonal_(-1.5),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_methods_return_self_and_move_the_version(name: str) -> None:
    ours, theirs = _both(lambda m: m.arange(6.0).reshape(2, 3) + 1)
    version = ours._version
    got, expected = _both(lambda m: INPLACE[name](m, ours if m is bricks else theirs))
    assert got is ours and ours._version == version + 1
    _same(ours, theirs)


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_methods_refuse_a_leaf_that_requires_grad(name: str) -> None:
    leaf = bricks.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        INPLACE[name](bricks, leaf)


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_methods_on_a_non_leaf_give_torch_gradients(name: str) -> None:
    values = (np.arange(6.0).reshape(2, 3) + 1).astype(np.float32)

    def run(m: Any) -> Any:
        leaf = m.tensor(values, requires_grad=True)
        out = INPLACE[name](m, leaf * 2)
        (out * m.tensor(values)).sum().backward()
        return leaf.grad

    ours, theirs = _both(run)
    _same(ours, theirs)


@pytest.mark.parametrize("call", [
    lambda m: m.index_reduce(m.ones(3, 2, dtype=m.int64) * 7, 0, _i(m, [0, 2, 0, 2]),
                             m.arange(8).reshape(4, 2), "mean"),
    lambda m: m.index_reduce(m.ones(3, 2, dtype=m.int64) * -7, 0, _i(m, [0, 2, 0, 2]),
                             m.arange(8).reshape(4, 2), "mean", include_self=False),
    lambda m: m.index_reduce(m.ones(3, 2, dtype=m.int32), 0, _i(m, [1, 1], "int32"),
                             m.tensor([[2, 3], [4, 5]], dtype=m.int32), "prod"),
    lambda m: m.index_reduce(m.tensor(5.0), 0, m.tensor(0), m.tensor(2.0), "prod"),
    lambda m: m.zeros(3, 3, dtype=m.int64).fill_diagonal_(2.7),
    lambda m: m.zeros(3, 3, dtype=m.bool).fill_diagonal_(1),
    lambda m: m.zeros(3, 3).fill_diagonal_(m.tensor(2.0)),
    lambda m: m.zeros(0, 3).fill_diagonal_(1),
    lambda m: m.zeros(3, 7).fill_diagonal_(5, wrap=True),
    lambda m: m.select_scatter(m.zeros(2, 3), m.ones(3, dtype=m.float64), 0, -1),
    lambda m: m.slice_scatter(m.zeros(2, 3, dtype=m.int64), m.ones(2, 0, dtype=m.int64), 1, 5),
    lambda m: m.put(m.zeros(0), _i(m, []), m.ones(0)),
    lambda m: m.masked_scatter(m.zeros(2, 3, dtype=m.int32), _i(m, [True, False, True], "bool"),
                               m.arange(6, dtype=m.int32)),
])
def test_integer_bool_and_corner_cases_match_torch(call: Any) -> None:
    _same(*_both(call))


@pytest.mark.parametrize("indices,shape", [
    ([4, 1], (2, 3)), (4, (2, 3)), ([-1], (2, 3)), ([6], (2, 3)), ([-7], (2, 3)),
    ([[1, 5]], (2, 3)), ([], (2, 3)), ([1], 6), ([1], bricks.Size([2, 3])), ([0], ()),
    ([5, 23], (2, 3, 4))])
def test_unravel_index_matches_torch(indices: Any, shape: Any) -> None:
    torch_shape = torch.Size(shape) if isinstance(shape, bricks.Size) else shape
    ours = bricks.unravel_index(bricks.tensor(indices, dtype=bricks.int64), shape)
    theirs = torch.unravel_index(torch.tensor(indices, dtype=torch.int64), torch_shape)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape)
        _same(o, t)


@pytest.mark.parametrize("call", [
    lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([True]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, -3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, 0))])
def test_unravel_index_errors_match_torch(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(bricks)


def test_block_diag_and_combinations_corner_cases_match_torch() -> None:
    for call in (lambda m: m.block_diag(), lambda m: m.block_diag(m.tensor([1, 2]), m.tensor(
                 [True])), lambda m: m.block_diag(m.ones(2, 2), m.tensor(3.0, dtype=m.float64)),
                 lambda m: m.block_diag(m.ones(2, 2, dtype=m.int32), m.tensor(3)),
                 lambda m: m.combinations(m.tensor([1, 2, 3]), 0),
                 lambda m: m.combinations(m.tensor([1.0, 2.0]), 4),
                 lambda m: m.combinations(m.tensor([1, 2, 3]), 4, with_replacement=True)):
        ours, theirs = _both(call)
        assert tuple(ours.shape) == tuple(theirs.shape)
        _same(ours, theirs)
    with pytest.raises(RuntimeError):
        bricks.combinations(bricks.tensor([1.0]), -1)
