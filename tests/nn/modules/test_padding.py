"""Padding layers, Fold and Unfold against torch."""

from __future__ import annotations

import pytest
import torch

from bricks import nn

from _layer_check import check_same, randn

CASES = [
    ("ZeroPad1d", ((1, 2),), (2, 3, 5)), ("ZeroPad2d", (1,), (2, 3, 4, 5)),
    ("ZeroPad2d", ((1, 0, 2, -1),), (3, 4, 5)), ("ConstantPad1d", (2, 3.5), (3, 5)),
    ("ConstantPad2d", ((1, 2, 0, 1), 0.5), (2, 3, 4, 5)),
    ("ConstantPad3d", (1, -1.0), (1, 2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ReplicationPad1d", ((3, 1),), (3, 5)), ("ReplicationPad2d", (1,), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", ((1, 2, 2, 1),), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name, args, shape", CASES)
def test_padding_layers_match_torch(name, args, shape):
    layer, expected = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(*shape))


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Unfold", (2,), {"padding": 1}, (2, 3, 4, 5)),
    ("Unfold", ((2, 3),), {"dilation": (1, 2), "stride": 2}, (3, 6, 7)),
    ("Fold", ((4, 5), 2), {}, (2, 12, 12)),
    ("Fold", ((5, 6), (2, 3)), {"padding": 1, "stride": (2, 1)}, (2, 18, 18)),
])
def test_fold_and_unfold_match_torch(name, args, kwargs, shape):
    layer, expected = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(*shape))
