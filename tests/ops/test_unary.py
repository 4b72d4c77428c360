"""ops/unary.py: paths the op table's small inputs do not reach."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 0, 1, 2)], ids=["contiguous", "cwhn"])
def test_relu_gradient_on_many_elements_equals_torchs(dtype: type, order: tuple) -> None:
    # Above 4096 elements ReLU's backward masks the gradient's bits instead of where():
    # the same numbers, inf and NaN included, in any memory layout (a conv's is (C, H, W, N)).
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6, 10, 32)).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    x.flat[:6] = [np.nan, 0.0, -0.0, -1.0, 2.0, -np.inf]
    g.flat[:6] = [np.inf, np.nan, -np.inf, np.inf, np.nan, np.inf]
    x, g = x.transpose(order), g.transpose(order)
    bx = bricks.tensor(x, requires_grad=True)
    bricks.relu(bx).backward(bricks.tensor(g))
    tx = torch.tensor(x, requires_grad=True)
    torch.relu(tx).backward(torch.tensor(g))
    got, want = bx.grad.numpy(), tx.grad.numpy()
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
