"""Flatten and Unflatten against torch."""

from __future__ import annotations

import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, randn


@pytest.mark.parametrize("args", [(), (0,), (1, 2), (-3, -2)])
def test_flatten_matches_torch(args):
    layer, expected = nn.Flatten(*args), torch.nn.Flatten(*args)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(2, 3, 4, 5))


@pytest.mark.parametrize("dim, sizes", [(1, (2, 5)), (-1, [5, 2]), (1, (-1, 2))])
def test_unflatten_matches_torch(dim, sizes):
    layer, expected = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(3, 10))


def test_unflatten_rejects_sizes_that_do_not_multiply_to_the_dimension():
    with pytest.raises(RuntimeError, match=r"Unflatten\(dim=1, unflattened_size=\(3, 3\)\)"):
        nn.Unflatten(1, (3, 3))(bricks.ones(2, 10))


def test_unflatten_rejects_non_integer_sizes_as_torch():
    with pytest.raises(TypeError):
        torch.nn.Unflatten(1, 10)
    with pytest.raises(TypeError):
        nn.Unflatten(1, 10)
