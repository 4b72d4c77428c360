"""Where torch refuses, bricks refuses (issue 12, item 4): mixed dtypes in matrix products,
views of layouts that need a copy, float sizes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks


def _message(f, lib):
    with pytest.raises(Exception) as error:
        f(lib)
    return type(error.value), str(error.value)


@pytest.mark.parametrize("case", [
    lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64),
    lambda m: m.mm(m.ones(2, 3), m.ones(3, 2, dtype=m.int64)),
    lambda m: m.matmul(m.ones(3), m.ones(3, dtype=m.float64)),
    lambda m: m.bmm(m.ones(1, 2, 3), m.ones(1, 3, 2, dtype=m.float64)),
    lambda m: m.ones(5, 2, 3, dtype=m.float64) @ m.ones(3, 2),
])
def test_matrix_products_of_mixed_dtypes_raise_torch_error(case):
    assert _message(case, bricks) == _message(case, torch)


def test_integer_matrix_products_work_as_torch():
    ours = bricks.ones(2, 3, dtype=bricks.int64) @ bricks.ones(3, 2, dtype=bricks.int64)
    assert ours.dtype == bricks.int64 and ours.tolist() == [[3, 3], [3, 3]]


@pytest.mark.parametrize("case", [
    lambda m: m.zeros(2.5), lambda m: m.ones(2, 2.0), lambda m: m.rand(2.5),
    lambda m: m.zeros(True), lambda m: m.empty((2, 1.5)), lambda m: m.zeros(np.float64(2)),
])
def test_float_sizes_raise_type_error_as_torch(case):
    assert _message(case, bricks)[0] is _message(case, torch)[0] is TypeError


def test_integer_like_sizes_are_accepted_as_torch():
    for lib in (bricks, torch):
        assert tuple(lib.zeros(np.int64(2), lib.tensor(3)).shape) == (2, 3)


def test_view_of_a_viewable_non_contiguous_layout_shares_memory():
    x = bricks.zeros(4, 6)
    v = x[:, :4].view(4, 2, 2)
    v[0, 0, 0] = 1.0
    assert x[0, 0].item() == 1.0
