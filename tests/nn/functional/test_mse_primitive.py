"""The fused MSE primitive: gradients, torch's numbers and grad_fn name."""

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import gradcheck

F = bricks.nn.functional


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target_shape", [(3, 4), (4,)])
def test_mse_loss_matches_torch_and_finite_differences(reduction, target_shape):
    x = bricks.randn(3, 4, dtype=bricks.float64, requires_grad=True)
    t = bricks.randn(*target_shape, dtype=bricks.float64, requires_grad=True)
    with pytest.warns(UserWarning) if target_shape != (3, 4) else _no_warning():
        assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (x, t))
        ours = F.mse_loss(x, t, reduction=reduction)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    tt = torch.tensor(t.detach().numpy(), requires_grad=True)
    with pytest.warns(UserWarning) if target_shape != (3, 4) else _no_warning():
        theirs = torch.nn.functional.mse_loss(tx, tt, reduction=reduction)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    x.grad = t.grad = None  # gradcheck ran backward already
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-12)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
