"""Dropout: scaling, train/eval behaviour, repr and argument checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn


def test_dropout_repr_matches_torch():
    for args in [(), (0.2,), (0.3, True)]:
        assert repr(nn.Dropout(*args)) == repr(torch.nn.Dropout(*args))


def test_dropout_zeroes_about_p_and_scales_the_rest_in_training():
    bricks.manual_seed(0)
    x = bricks.ones(200, 100, requires_grad=True)
    out = nn.Dropout(0.3)(x)
    values = out.detach().numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.7, rtol=1e-6)


def test_dropout_is_identity_in_eval_mode_and_with_p_zero():
    x = bricks.tensor(np.arange(6.0, dtype=np.float32))
    np.testing.assert_array_equal(nn.Dropout(0.5).eval()(x).numpy(), x.numpy())
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).numpy(), x.numpy())


def test_dropout_with_p_one_zeroes_everything():
    assert not nn.Dropout(1.0)(bricks.ones(4, 4)).numpy().any()


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_probability_outside_zero_one_as_torch(p):
    with pytest.raises(ValueError):
        torch.nn.Dropout(p)
    with pytest.raises(ValueError, match=f"got {p}"):
        nn.Dropout(p)


@pytest.mark.parametrize("name, shape", [("Dropout1d", (40, 30, 5)), ("Dropout2d", (40, 30, 3, 2)),
                                         ("Dropout3d", (40, 30, 2, 2, 2))])
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(name, shape):
    layer, expected = getattr(nn, name)(0.4), getattr(torch.nn, name)(0.4)
    assert repr(layer) == repr(expected)
    bricks.manual_seed(0)
    out = layer(bricks.ones(*shape)).numpy().reshape(shape[0], shape[1], -1)
    per_channel = out[:, :, 0]
    assert (out == per_channel[:, :, None]).all()  # a channel is kept or dropped whole
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.6)}
    assert 0.3 < (per_channel == 0).mean() < 0.5
    np.testing.assert_array_equal(layer.eval()(bricks.ones(*shape)).numpy(), 1.0)


def test_channel_dropout_rejects_wrong_rank():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        nn.Dropout1d()(bricks.ones(2, 3, 4, 5))
