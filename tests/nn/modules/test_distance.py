"""CosineSimilarity and PairwiseDistance against torch."""

from __future__ import annotations

import pytest
import torch

from bricks import nn

from _layer_check import check_same, randn


@pytest.mark.parametrize("name, kwargs, shapes", [
    ("CosineSimilarity", {}, ((4, 5, 2), (4, 5, 2))),
    ("CosineSimilarity", {"dim": -1, "eps": 1e-6}, ((4, 5), (1, 5))),
    ("PairwiseDistance", {}, ((4, 5), (4, 5))),
    ("PairwiseDistance", {"p": 1.0, "keepdim": True}, ((4, 5), (4, 5))),
    ("PairwiseDistance", {"p": 3.0}, ((5,), (5,))),
])
def test_distance_layers_match_torch(name, kwargs, shapes):
    layer, expected = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, *(randn(*shape, seed=i) for i, shape in enumerate(shapes)))
