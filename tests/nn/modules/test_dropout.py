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
