"""Layers with the same float64 values in bricks and torch, for tests that compare the two."""

from __future__ import annotations

import numpy as np


def seeded_linear(T, i=4, o=3, seed=1):
    """``T.nn.Linear(i, o)`` in float64, weight and bias drawn from NumPy's ``seed``."""
    m = T.nn.Linear(i, o).double()
    rs = np.random.RandomState(seed)
    with T.no_grad():
        m.weight.copy_(T.tensor(rs.randn(o, i)))
        m.bias.copy_(T.tensor(rs.randn(o)))
    return m
