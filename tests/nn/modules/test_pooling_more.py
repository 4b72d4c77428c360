"""AdaptiveMaxPool3d, MaxUnpool3d, LPPool3d and FractionalMaxPool2d/3d against torch's: repr,
outputs, indices on ties and NaN, input gradients, empty batches and errors. (Values and
gradients on random and edge inputs, and gradcheck, are rows of functional_table.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, raises_as_torch, randn

SAMPLES_2D = np.random.default_rng(3).uniform(0, 1, (2, 3, 2)).astype(np.float32)
SAMPLES_3D = np.random.default_rng(4).uniform(0, 1, (2, 3, 3)).astype(np.float32)


CASES = [
    ("AdaptiveMaxPool3d", ((2, None, 3),), {}, (2, 3, 4, 5, 7)),
    ("AdaptiveMaxPool3d", (2,), {"return_indices": True}, (3, 4, 5, 7)),
    ("LPPool3d", (2, (2, 3, 2)), {"stride": 1, "ceil_mode": True}, (2, 3, 4, 5, 6)),
    ("LPPool3d", (float("inf"), 2), {}, (3, 4, 4, 5)),
    ("LPPool3d", (1.5, 2), {"stride": (1, 2, 2)}, (2, 3, 4, 4, 5)),
    ("FractionalMaxPool2d", (3,), {"output_size": (4, 5), "samples": SAMPLES_2D},
     (2, 3, 9, 11)),
    ("FractionalMaxPool2d", ((2, 3),), {"output_ratio": 0.5, "return_indices": True,
                                        "samples": SAMPLES_2D}, (2, 3, 9, 11)),
    ("FractionalMaxPool2d", (2,), {"output_size": 4, "samples": SAMPLES_2D[:1]}, (3, 9, 8)),
    ("FractionalMaxPool3d", ((2, 3, 2),), {"output_size": (3, 3, 4), "samples": SAMPLES_3D},
     (2, 3, 6, 7, 8)),
    ("FractionalMaxPool3d", (2,), {"output_ratio": (0.5, 0.6, 0.5), "return_indices": True,
                                   "samples": SAMPLES_3D[:1]}, (3, 6, 7, 8)),
]


def _build(lib, name, args, kwargs):
    kwargs = dict(kwargs)
    if "samples" in kwargs:
        kwargs["_random_samples"] = lib.tensor(kwargs.pop("samples"))
    return getattr(lib.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
def test_layer_matches_torch(name, args, kwargs, shape):
    layer, expected = _build(bricks, name, args, kwargs), _build(torch, name, args, kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    check_same(layer, expected, randn(*shape))


def test_max_unpool3d_inverts_max_pool3d_as_torch():
    x = randn(2, 3, 5, 6, 4)
    pooled, where = nn.MaxPool3d(2, return_indices=True)(bricks.tensor(x))
    t_pooled, t_where = torch.nn.MaxPool3d(2, return_indices=True)(torch.tensor(x))
    layer, expected = nn.MaxUnpool3d(2), torch.nn.MaxUnpool3d(2)
    assert repr(layer) == repr(expected)
    assert repr(nn.MaxUnpool3d((1, 2, 3), 2, 1)) == repr(torch.nn.MaxUnpool3d((1, 2, 3), 2, 1))
    for size in (None, (5, 6, 4), [2, 3, 5, 6, 4]):
        np.testing.assert_array_equal(layer(pooled, where, output_size=size).numpy(),
                                      expected(t_pooled, t_where, output_size=size).numpy())


def _ties_nan_and_infinities(shape):
    x = randn(*shape)
    x[0, 0] = 1.0  # a plane of ties: the first maximum wins
    x[0, 1] = -np.inf  # a plane of -inf
    x[1, 0, ..., 1:3] = np.nan  # NaN wins, the last one met
    x[1, 1, ..., 0] = np.inf
    return x


@pytest.mark.parametrize("call", [
    lambda F, x, s: F.adaptive_max_pool3d(x, (2, 3, 2), return_indices=True),
    lambda F, x, s: F.adaptive_max_pool3d(x, (4, 7, 5), return_indices=True),
    lambda F, x, s: F.fractional_max_pool3d(x, 2, output_size=(2, 3, 2), return_indices=True,
                                            _random_samples=s),
    lambda F, x, s: F.fractional_max_pool2d(x[:, :, 0], 2, output_size=(3, 2),
                                            return_indices=True, _random_samples=s[..., :2]),
    lambda F, x, s: F.max_pool3d_with_indices(x, 2),
])
def test_ties_nan_and_infinities_pick_torchs_winner(call):
    x = _ties_nan_and_infinities((2, 3, 4, 6, 5))
    got = call(bricks.nn.functional, bricks.tensor(x, requires_grad=True),
               bricks.tensor(SAMPLES_3D))
    want = call(torch.nn.functional, torch.tensor(x, requires_grad=True),
                torch.tensor(SAMPLES_3D))
    np.testing.assert_array_equal(got[0].detach().numpy(), want[0].detach().numpy())
    assert got[1].tolist() == want[1].tolist()


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, 2, True)[0],
    lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x[:, :, 0], (3, 1)),
    lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x[:, :, 0, 0], 2),
    lambda lib, x: lib.nn.functional.max_unpool3d(
        *lib.nn.functional.max_pool3d(x, 2, return_indices=True), 2),
    lambda lib, x: lib.nn.functional.max_unpool2d(
        *lib.nn.functional.max_pool2d(x[:, :, 0], 2, return_indices=True), 2),
    lambda lib, x: lib.nn.functional.lp_pool3d(x, 2, 2),
    lambda lib, x: lib.nn.functional.lp_pool2d(x[:, :, 0], 2, 2),
    lambda lib, x: lib.nn.functional.lp_pool1d(x[:, :, 0, 0], 2, 2),
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 2),
    lambda lib, x: lib.nn.functional.fractional_max_pool2d(x[:, :, 0], 2, output_size=2),
    lambda lib, x: lib.nn.functional.fractional_max_pool3d(x, 2, output_size=(1, 2, 2)),
])
def test_an_empty_batch_pools_to_an_empty_batch_as_torch(call):
    x = np.zeros((0, 2, 4, 5, 6), np.float32)
    mine, theirs = bricks.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got, want = call(bricks, mine), call(torch, theirs)
    assert tuple(got.shape) == tuple(want.shape)
    got.sum().backward()
    want.sum().backward()
    assert tuple(mine.grad.shape) == tuple(theirs.grad.shape)


def test_fractional_pooling_draws_its_samples_when_none_are_given():
    x = bricks.tensor(randn(2, 3, 9, 8))
    bricks.manual_seed(0)
    values, indices = nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True)(x)
    bricks.manual_seed(0)
    again = nn.functional.fractional_max_pool2d(x, 3, output_size=(4, 4))
    assert tuple(values.shape) == (2, 3, 4, 4)
    np.testing.assert_array_equal(values.numpy(), again.numpy())
    flat = x.numpy().reshape(2, 3, -1)
    np.testing.assert_array_equal(values.numpy().reshape(2, 3, -1),
                                  np.take_along_axis(flat, indices.numpy().reshape(2, 3, -1), -1))
    # the last window ends at the input's edge, whatever the samples
    assert (indices.numpy()[..., -1, -1] // 8 >= 9 - 3).all()


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.ones(3, 4, 5), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.ones(2, 3, 4, 5), (2, 2)),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.ones(2, 0, 3, 4, 5), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool3d(lib.ones(2, 3, 4, 5), (-1, 2, 2)),
    lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.ones(2, 0, 4, 5), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.ones(2, 1, 4, 5, dtype=lib.long), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool1d(lib.ones(2, 0, 4), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.ones(1, 1, 2, 2, 2),
                                               lib.full((1, 1, 2, 2, 2), 99), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.ones(1, 1, 2, 2, 2),
                                               lib.full((1, 1, 2, 2, 2), -1), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.ones(1, 2, 2), lib.zeros(1, 2, 2).long(), 2),
    lambda lib: lib.nn.functional.max_unpool3d(lib.ones(1, 1, 2, 2, 2),
                                               lib.zeros(1, 1, 2, 2, 2).long(), 2,
                                               output_size=(9, 9, 9)),
    lambda lib: lib.nn.functional.max_unpool2d(lib.ones(2, 2), lib.zeros(2, 2).long(), 2),
    lambda lib: lib.nn.functional.max_unpool1d(lib.ones(2), lib.zeros(2).long(), 2),
    lambda lib: lib.nn.functional.lp_pool3d(lib.ones(2, 4, 4), 2, 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2,
                                                        output_ratio=0.5),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2,
                                                        output_ratio=(0.5, 0.5, 0.5)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2, output_size=7),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), (1, 4),
                                                        output_size=(3, 7)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2,
                                                        output_size=(3, 3, 3)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), (2, 2, 2),
                                                        output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 7, 8), 2, output_size=-1),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(7, 8), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 1, 2, 7, 8), 2,
                                                        output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 0, 7, 8), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(1, 2, 7, 8), 2, output_size=3, _random_samples=lib.ones(1, 2, 3) / 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(1, 2, 7, 8), 2, output_size=3, _random_samples=lib.ones(1, 3, 2) / 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(2, 2, 7, 8), 2, output_size=3, _random_samples=lib.ones(1, 2, 2) / 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(1, 2, 7, 8), 2, output_size=3, _random_samples=lib.ones(2, 2) / 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.ones(1, 2, 7, 8), 2, output_size=3, _random_samples=lib.ones(1, 2, 2).double()),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(1, 2, 5, 7, 8), 2,
                                                        output_size=5),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(1, 2, 5, 7, 8), (1, 4, 1),
                                                        output_size=(3, 4, 3)),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(2, 7, 8), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.ones(1, 0, 5, 7, 8), 2,
                                                        output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool3d(
        lib.ones(1, 2, 5, 7, 8), 2, output_size=2, _random_samples=lib.ones(1, 2, 2) / 2),
    lambda lib: lib.nn.FractionalMaxPool2d(2),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 1.0)),
    lambda lib: lib.nn.FractionalMaxPool3d(2, output_ratio=1.5),
    lambda lib: lib.nn.FractionalMaxPool3d(2),
    lambda lib: lib.nn.FractionalMaxPool3d((2, 0, 2), output_size=2),
])
def test_bad_input_raises_torchs_error(call):
    raises_as_torch(call)
