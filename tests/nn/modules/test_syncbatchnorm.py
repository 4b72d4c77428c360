"""SyncBatchNorm in one process (no process group): BatchNorm; conversion keeps the state."""

import numpy as np
import pytest
import torch

import bricks
from bricks import nn


def test_without_a_process_group_it_is_batchnorm_as_torch():
    x = np.random.default_rng(0).standard_normal((6, 3, 4, 4)).astype(np.float32)
    ours = nn.SyncBatchNorm(3)
    theirs = nn.BatchNorm2d(3)
    reference = torch.nn.BatchNorm2d(3)
    xb = bricks.from_numpy(x).requires_grad_()
    xt = bricks.from_numpy(x.copy()).requires_grad_()
    xr = torch.from_numpy(x.copy()).requires_grad_()
    for layer, inp in ((ours, xb), (theirs, xt), (reference, xr)):
        (layer(inp) ** 2).sum().backward()
    np.testing.assert_allclose(xb.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(xb.grad.numpy(), xr.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), reference.running_var.numpy(), rtol=1e-6)


def test_convert_replaces_every_batchnorm_sharing_parameters_buffers_and_mode():
    inner = nn.BatchNorm1d(5)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Sequential(inner))
    model.eval()
    weight, running_mean = inner.weight, inner.running_mean
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert converted is model
    assert isinstance(model[1], nn.SyncBatchNorm) and isinstance(model[2][0], nn.SyncBatchNorm)
    assert model[2][0].weight is weight and model[2][0].running_mean is running_mean
    assert not model[2][0].training
    assert list(model.state_dict()) == list(torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4),
                            torch.nn.Sequential(torch.nn.BatchNorm1d(5)))).state_dict())
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm2d(2))
    assert type(single) is nn.SyncBatchNorm


def test_input_checks_name_the_layer():
    with pytest.raises(ValueError, match="at least 2D"):
        nn.SyncBatchNorm(3)(bricks.zeros(3))
    with pytest.raises(RuntimeError, match="3 channels"):
        nn.SyncBatchNorm(3)(bricks.zeros(2, 4))
