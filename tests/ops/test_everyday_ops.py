"""The everyday names outside the op table (issue 12): counting, searching, sampling, and
their errors, compared with torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks


def _both(values, dtype="float64"):
    array = np.asarray(values, dtype=dtype)
    return bricks.tensor(array), torch.tensor(array)


def _same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True}])
def test_unique_matches_torch(kwargs):
    ours, theirs = _both([[3, 1, 3], [0, 1, 0], [3, 1, 3]], "int64")
    _same(bricks.unique(ours, **kwargs), torch.unique(theirs, **kwargs))
    _same(ours.unique(**kwargs), theirs.unique(**kwargs))


def test_unique_consecutive_matches_torch():
    ours, theirs = _both([1, 1, 2, 2, 3, 1, 1, 2], "int64")
    _same(bricks.unique_consecutive(ours, return_inverse=True, return_counts=True),
          torch.unique_consecutive(theirs, return_inverse=True, return_counts=True))


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_and_searchsorted_match_torch(right):
    values_o, values_t = _both([[0.5, 1.0, 3.0], [5.0, 7.0, 9.0]])
    bounds_o, bounds_t = _both([1.0, 3.0, 5.0, 7.0])
    _same(bricks.bucketize(values_o, bounds_o, right=right),
          torch.bucketize(values_t, bounds_t, right=right))
    _same(bricks.searchsorted(bounds_o, values_o, right=right),
          torch.searchsorted(bounds_t, values_t, right=right))
    rows_o, rows_t = _both([[1.0, 3.0, 5.0], [2.0, 4.0, 8.0]])
    _same(bricks.searchsorted(rows_o, values_o, side="right" if right else "left",
                              out_int32=True),
          torch.searchsorted(rows_t, values_t, side="right" if right else "left",
                             out_int32=True))


def test_searchsorted_errors_as_torch():
    rows_o, rows_t = _both([[1.0, 3.0], [2.0, 4.0]])
    values_o, values_t = _both([[1.0], [2.0], [3.0]])
    for lib, rows, values in ((bricks, rows_o, values_o), (torch, rows_t, values_t)):
        with pytest.raises(RuntimeError):
            lib.searchsorted(rows, values)
        with pytest.raises(RuntimeError):
            lib.searchsorted(rows, values[:2], side="left", right=True)


def test_histc_and_bincount_match_torch():
    ours, theirs = _both(np.random.default_rng(0).standard_normal(50), "float32")
    _same(bricks.histc(ours, bins=7, min=-2, max=2), torch.histc(theirs, bins=7, min=-2, max=2))
    _same(ours.histc(), theirs.histc())
    ints_o, ints_t = _both([0, 3, 3, 1, 5], "int64")
    w_o, w_t = _both([0.5, 1.0, 2.0, 1.0, 0.25])
    _same(bricks.bincount(ints_o), torch.bincount(ints_t))
    _same(ints_o.bincount(w_o, minlength=8), ints_t.bincount(w_t, minlength=8))
    for lib, ints in ((bricks, ints_o), (torch, ints_t)):
        with pytest.raises(RuntimeError):
            lib.bincount(-ints - 1)


def test_multinomial_draws_by_weight_and_refuses_as_torch():
    bricks.manual_seed(0)
    weights = bricks.tensor([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0]])
    draws = bricks.multinomial(weights, 4000, replacement=True)
    assert draws.shape == (2, 4000) and draws.dtype == bricks.int64
    share = (draws[0] == 2).float().mean().item()
    assert abs(share - 0.75) < 0.03 and bool((draws[1] == 0).all())
    no_repeat = weights[0].multinomial(2)
    assert sorted(no_repeat.tolist()) == [1, 2]
    exhausted = bricks.tensor([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0]]).multinomial(2)
    assert exhausted[1, 0].item() == 0 and exhausted[1, 1].item() in (1, 2)  # as torch
    for lib in (bricks, torch):
        with pytest.raises(RuntimeError):
            lib.multinomial(lib.tensor([1.0, 1.0]), 3)
        with pytest.raises(RuntimeError):
            lib.multinomial(lib.tensor([1.0, -1.0]), 1)


def test_median_and_mode_indices_match_torch():
    ours, theirs = _both([[1.0, 2.0, 2.0, 1.0], [4.0, 3.0, 3.0, 9.0]])
    _same(bricks.median(ours), torch.median(theirs))
    _same(tuple(bricks.median(ours, 1)), tuple(torch.median(theirs, 1)))
    _same(tuple(ours.mode(1)), tuple(theirs.mode(1)))
    nan_o, nan_t = _both([[1.0, float("nan"), 2.0], [3.0, 1.0, 2.0]])
    _same(nan_o.median(1).values, nan_t.median(1).values)
    _same(bricks.nanmedian(nan_o, 1).values, torch.nanmedian(nan_t, 1).values)


def test_quantile_errors_as_torch():
    for lib in (bricks, torch):
        x = lib.tensor([1.0, 2.0, 3.0])
        with pytest.raises(RuntimeError):
            lib.quantile(x, 1.5)
        with pytest.raises(RuntimeError):
            lib.quantile(x.long(), 0.5)
        with pytest.raises(RuntimeError):
            lib.quantile(x, 0.5, interpolation="cubic")


def test_meshgrid_takes_a_list_and_refuses_2d_as_torch():
    a_o, a_t = _both([1.0, 2.0])
    b_o, b_t = _both([3.0, 4.0, 5.0])
    _same(bricks.meshgrid([a_o, b_o], indexing="xy"), torch.meshgrid([a_t, b_t], indexing="xy"))
    for lib, a in ((bricks, a_o), (torch, a_t)):
        with pytest.raises(RuntimeError):
            lib.meshgrid(a.reshape(1, 2), a, indexing="ij")


def test_in_place_index_writes_on_a_leaf_are_refused_and_work_under_no_grad():
    for lib in (bricks, torch):
        w = lib.zeros(3, 2, requires_grad=True)
        with pytest.raises(RuntimeError):
            w.index_add_(0, lib.tensor([1]), lib.ones(1, 2))
        with lib.no_grad():
            w.index_add_(0, lib.tensor([1, 1]), lib.ones(2, 2))
            w.scatter_(1, lib.tensor([[0], [1], [0]]), 5.0)
        assert w.tolist() == [[5.0, 0.0], [2.0, 5.0], [5.0, 0.0]]


def test_scatter_and_index_errors_as_torch():
    for lib in (bricks, torch):
        x = lib.zeros(3, 3)
        with pytest.raises(RuntimeError):
            x.scatter(0, lib.tensor([[0.0, 1.0]]), lib.ones(1, 2))
        with pytest.raises(RuntimeError):
            x.scatter(0, lib.tensor([[3]]), lib.ones(1, 1))
        with pytest.raises(RuntimeError):  # torch's types differ by op: RuntimeError here...
            x.index_add(0, lib.tensor([5]), lib.ones(1, 3))
        with pytest.raises(IndexError):  # ...and IndexError for the same mistake here
            x.index_copy(0, lib.tensor([5]), lib.ones(1, 3))
        with pytest.raises(IndexError):
            x.index_copy(0, lib.tensor([[0]]), lib.ones(1, 3))


def test_repeat_interleave_of_counts_alone_matches_torch():
    ours, theirs = _both([2, 0, 3], "int64")
    _same(bricks.repeat_interleave(ours), torch.repeat_interleave(theirs))
    for lib in (bricks, torch):
        with pytest.raises(RuntimeError):
            lib.repeat_interleave(lib.ones(3), lib.tensor([1, 2]), dim=0)


def test_lgamma_and_digamma_match_torch_at_awkward_points():
    ours, theirs = _both([-2.5, -0.5, 0.1, 0.5, 1.0, 2.0, 7.5, 30.0, 0.0, -1.0])
    _same(bricks.lgamma(ours), torch.lgamma(theirs))
    np.testing.assert_allclose(bricks.digamma(ours).numpy()[:8],
                               torch.digamma(theirs).numpy()[:8], rtol=1e-10)


def test_integer_inputs_of_float_functions_give_the_default_float_as_torch():
    for name in ("sinh", "atan", "erf", "lgamma", "expm1", "log2"):
        ours = getattr(bricks, name)(bricks.tensor([1, 2]))
        theirs = getattr(torch, name)(torch.tensor([1, 2]))
        _same(ours, theirs)
    _same(bricks.atan2(bricks.tensor([1, 2]), bricks.tensor([2, 1])),
          torch.atan2(torch.tensor([1, 2]), torch.tensor([2, 1])))
