"""Upsample, PixelShuffle and PixelUnshuffle against torch."""

from __future__ import annotations

import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, randn

CASES = [
    ("Upsample", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", {"size": (7, 3), "mode": "bilinear", "align_corners": True}, (2, 3, 4, 5)),
    ("Upsample", {"scale_factor": 1.5, "mode": "bilinear"}, (2, 3, 4, 5)),
    ("Upsample", {"scale_factor": (2, 3), "mode": "nearest-exact"}, (1, 2, 3, 4)),
    ("Upsample", {"size": 9, "mode": "linear"}, (2, 3, 5)),
    ("Upsample", {"scale_factor": 2, "mode": "trilinear"}, (1, 2, 2, 3, 2)),
    ("PixelShuffle", {"upscale_factor": 2}, (2, 8, 3, 4)),
    ("PixelUnshuffle", {"downscale_factor": 2}, (2, 2, 4, 6)),
]


@pytest.mark.parametrize("name, kwargs, shape", CASES)
def test_resampling_layers_match_torch(name, kwargs, shape):
    layer, expected = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(*shape))


@pytest.mark.parametrize("call, error, pattern", [
    (lambda x: nn.functional.interpolate(x), ValueError, "either size or scale_factor"),
    (lambda x: nn.functional.interpolate(x, 3, 2), ValueError, "only one of size"),
    (lambda x: nn.functional.interpolate(x, 3, align_corners=True), ValueError,
     "align_corners option can only be set"),
    (lambda x: nn.functional.interpolate(x, 3, mode="linear"), NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    (lambda x: nn.functional.pixel_shuffle(x, 2), RuntimeError, "divisible by the square"),
    (lambda x: nn.functional.pad(x, (1, 1), mode="replicate"), NotImplementedError,
     "Padding size 2 is not supported for 4D input tensor"),
    (lambda x: nn.functional.pad(x, (4, 4, 0, 0), mode="reflect"), RuntimeError,
     "Padding size should be less than the corresponding input dimension"),
    (lambda x: nn.functional.pad(x, (1, 1), mode="wrap"), NotImplementedError,
     "Unrecognised padding mode"),
])
def test_resampling_errors_match_torch(call, error, pattern):
    x = bricks.ones(1, 3, 4, 4)
    with pytest.raises(error, match=pattern):
        call(x)
    with pytest.raises(error):
        call(torch.ones(1, 3, 4, 4))
