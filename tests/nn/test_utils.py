"""bricks.nn.utils against torch.nn.utils: clipping and vector conversion."""

import math

import numpy as np
import pytest
import torch

import bricks
from bricks.nn import utils


def _pairs(seed=0, scale=1.0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2), (1,)]
    b_params, t_params = [], []
    for shape in shapes:
        value = rng.normal(size=shape).astype(dtype)
        grad = (rng.normal(size=shape) * scale).astype(dtype)
        b = bricks.tensor(value, requires_grad=True)
        b.grad = bricks.tensor(grad)
        t = torch.tensor(value, requires_grad=True)
        t.grad = torch.tensor(grad)
        b_params.append(b)
        t_params.append(t)
    return b_params, t_params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, 0.5, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    b_params, t_params = _pairs(dtype=dtype)
    b_total = utils.clip_grad_norm_(b_params, max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    assert b_total.dtype.name == str(t_total.dtype).split(".")[-1]
    np.testing.assert_allclose(b_total.item(), t_total.item(), rtol=1e-5)
    for b, t in zip(b_params, t_params):
        np.testing.assert_allclose(b.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_accepts_one_tensor_skips_missing_grads_and_handles_none():
    b_params, t_params = _pairs()
    b_params[1].grad = None
    t_params[1].grad = None
    np.testing.assert_allclose(utils.clip_grad_norm_(b_params, 0.1).item(),
                               torch.nn.utils.clip_grad_norm_(t_params, 0.1).item(), rtol=1e-5)
    assert b_params[1].grad is None
    single = bricks.tensor([1.0], requires_grad=True)
    single.grad = bricks.tensor([10.0])
    assert utils.clip_grad_norm_(single, 1.0).item() == 10.0
    np.testing.assert_allclose(single.grad.numpy(), [1.0], rtol=1e-5)
    assert utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_nonfinite_norm_raises_when_asked_and_changes_nothing():
    b_params, _ = _pairs()
    b_params[0].grad._value[0, 0] = np.inf
    before = [p.grad.numpy().copy() for p in b_params]
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_(b_params, 1.0, error_if_nonfinite=True)
    for p, grad in zip(b_params, before):
        np.testing.assert_array_equal(p.grad.numpy(), grad)


def test_clip_grad_value_matches_torch():
    b_params, t_params = _pairs(scale=3.0)
    assert utils.clip_grad_value_(b_params, 1.5) is None
    torch.nn.utils.clip_grad_value_(t_params, 1.5)
    for b, t in zip(b_params, t_params):
        np.testing.assert_array_equal(b.grad.numpy(), t.grad.numpy())


def test_parameters_to_vector_and_back_match_torch_and_keep_the_graph():
    b_params, t_params = _pairs()
    b_vec = utils.parameters_to_vector(b_params)
    t_vec = torch.nn.utils.parameters_to_vector(t_params)
    np.testing.assert_array_equal(b_vec.detach().numpy(), t_vec.detach().numpy())
    for p in b_params:
        p.grad = None
    (b_vec * bricks.arange(float(b_vec.numel()))).sum().backward()
    np.testing.assert_array_equal(b_params[1].grad.numpy(), np.arange(12.0, 16.0))
    new = bricks.arange(float(b_vec.numel()))
    utils.vector_to_parameters(new, b_params)
    torch.nn.utils.vector_to_parameters(torch.arange(float(t_vec.numel())), t_params)
    for b, t in zip(b_params, t_params):
        np.testing.assert_array_equal(b.detach().numpy(), t.detach().numpy())
        assert b.requires_grad


def test_vector_to_parameters_rejects_bad_input_and_changes_nothing():
    b_params, _ = _pairs()
    before = [p.detach().numpy().copy() for p in b_params]
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        utils.vector_to_parameters([1.0, 2.0], b_params)
    with pytest.raises(RuntimeError, match="the vector has 3"):
        utils.vector_to_parameters(bricks.zeros(3), b_params)
    for p, value in zip(b_params, before):
        np.testing.assert_array_equal(p.detach().numpy(), value)
