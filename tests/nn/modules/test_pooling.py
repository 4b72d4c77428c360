"""MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and AdaptiveAvgPool1d against torch."""

from __future__ import annotations

import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, randn

CASES = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}),
    ("MaxPool2d", ((2, 3),), {"stride": (1, 2), "dilation": 2, "ceil_mode": True}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}),
    ("AvgPool2d", (3,), {"stride": 2, "ceil_mode": True, "divisor_override": 4}),
    ("AdaptiveAvgPool2d", ((1, 1),), {}),
    ("AdaptiveAvgPool2d", (3,), {}),
    ("AdaptiveAvgPool2d", ((4, None),), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CASES)
def test_pooling_matches_torch(name, args, kwargs):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(2, 3, 9, 7))
    check_same(layer, expected, randn(3, 8, 8, seed=1))


@pytest.mark.parametrize("output_size", [1, 3, (4,), 9])
def test_adaptive_avg_pool1d_matches_torch(output_size):
    layer, expected = nn.AdaptiveAvgPool1d(output_size), torch.nn.AdaptiveAvgPool1d(output_size)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(2, 3, 7))
    check_same(layer, expected, randn(3, 8, seed=1))


def test_max_pool_returns_indices_as_torch():
    layer, expected = nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(
        2, return_indices=True)
    x = randn(1, 2, 4, 6)
    out, indices = layer(bricks.tensor(x))
    want, want_indices = expected(torch.tensor(x))
    assert indices.tolist() == want_indices.tolist()
    assert out.tolist() == want.tolist()


def test_pooling_rejects_wrong_rank_naming_the_layer():
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=2, .*got shape \(4, 4\)"):
        nn.MaxPool2d(2)(bricks.ones(4, 4))


MORE_CASES = [
    ("MaxPool1d", (2,), {}, (2, 3, 9)),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (3, 9)),
    ("AvgPool1d", (3,), {}, (2, 3, 9)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (3, 9)),
    ("MaxPool3d", (2,), {}, (2, 3, 4, 6, 5)),
    ("MaxPool3d", ((2, 3, 2),), {"stride": 1, "padding": 1, "dilation": (2, 1, 1)},
     (3, 5, 6, 4)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", MORE_CASES)
def test_more_pooling_matches_torch(name, args, kwargs, shape):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(*shape))


@pytest.mark.parametrize("name, shape", [("MaxPool1d", (2, 3, 9)), ("MaxPool3d", (2, 2, 5, 6, 7))])
def test_max_pool_1d_and_3d_return_indices_as_torch(name, shape):
    layer = getattr(nn, name)(3, stride=2, padding=1, return_indices=True)
    expected = getattr(torch.nn, name)(3, stride=2, padding=1, return_indices=True)
    x = randn(*shape)
    out, indices = layer(bricks.tensor(x))
    want, want_indices = expected(torch.tensor(x))
    assert indices.tolist() == want_indices.tolist()
    assert out.tolist() == want.tolist()


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: nn.MaxPool2d(0), RuntimeError, r"kernel_size should be greater than zero"),
    (lambda: nn.MaxPool1d(2, stride=0), RuntimeError, r"stride should be greater than zero"),
    (lambda: nn.AvgPool2d(2.5), TypeError, r"argument 'kernel_size' must be an int"),
    (lambda: nn.MaxPool3d(2, padding=-1), RuntimeError, r"padding must be non-negative"),
])
def test_bad_pooling_arguments_raise_naming_the_argument(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
