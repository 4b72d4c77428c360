"""Compare a bricks layer with the same torch layer on the same weights and inputs."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pytest
import torch

import bricks

RTOL, ATOL = 1e-4, 1e-5


def copy_weights(layer: Any, torch_layer: Any) -> None:
    """Load the bricks layer's state_dict into the torch layer (same keys, same order)."""
    state = layer.state_dict()
    assert list(state) == list(torch_layer.state_dict()), "state_dict keys or order differ"
    torch_layer.load_state_dict(
        {k: torch.from_numpy(np.array(v.detach().numpy(), copy=True)) for k, v in state.items()})


def as_numpy(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return value.detach().numpy()


def flat(outputs: Any) -> list:
    """Nested tuples of tensors as one list (RNN outputs are (out, (h, c)))."""
    if isinstance(outputs, (tuple, list)):
        return [t for item in outputs for t in flat(item)]
    return [outputs]


def run_both(layer: Any, torch_layer: Any, inputs: Sequence[np.ndarray],
             grad_inputs: bool = True, seed: int = 0) -> tuple[list, list, list, list]:
    """Forward both layers on the same inputs, backward a fixed random weighting of outputs.

    Returns the outputs and input gradients of each framework as NumPy arrays.
    """
    b_in = [bricks.tensor(x, requires_grad=grad_inputs and x.dtype.kind == "f")
            for x in inputs]
    t_in = [torch.tensor(x, requires_grad=grad_inputs and x.dtype.kind == "f") for x in inputs]
    b_out, t_out = flat(layer(*b_in)), flat(torch_layer(*t_in))
    assert len(b_out) == len(t_out)
    rng = np.random.default_rng(seed)
    b_loss, t_loss = 0, 0
    for b, t in zip(b_out, t_out):
        weights = rng.standard_normal(tuple(t.shape)).astype(as_numpy(t).dtype)
        b_loss = b_loss + (b * bricks.tensor(weights)).sum()
        t_loss = t_loss + (t * torch.tensor(weights)).sum()
    b_loss.backward()
    t_loss.backward()
    b_grads = [None if x.grad is None else x.grad.numpy() for x in b_in]
    t_grads = [None if x.grad is None else x.grad.numpy() for x in t_in]
    return [as_numpy(o) for o in b_out], [as_numpy(o) for o in t_out], b_grads, t_grads


def check_same(layer: Any, torch_layer: Any, *inputs: np.ndarray, rtol: float = RTOL,
               atol: float = ATOL, grad_inputs: bool = True) -> None:
    """Outputs, input gradients and every parameter gradient agree with torch's."""
    copy_weights(layer, torch_layer)
    b_out, t_out, b_grads, t_grads = run_both(layer, torch_layer, inputs, grad_inputs)
    for b, t in zip(b_out, t_out):
        assert b.shape == t.shape
        np.testing.assert_allclose(b, t, rtol=rtol, atol=atol)
    for b, t in zip(b_grads, t_grads):
        assert (b is None) == (t is None)
        if b is not None:
            np.testing.assert_allclose(b, t, rtol=rtol, atol=atol)
    torch_params = dict(torch_layer.named_parameters())
    names = [name for name, _ in layer.named_parameters()]
    assert names == list(torch_params)
    for name, param in layer.named_parameters():
        expected = torch_params[name].grad
        assert (param.grad is None) == (expected is None), name
        if expected is not None:
            np.testing.assert_allclose(param.grad.numpy(), expected.numpy(), rtol=rtol,
                                       atol=atol, err_msg=name)


def randn(*shape: int, seed: int = 0, dtype: Any = np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def raises_as_torch(call: Any) -> None:
    """``call(bricks)`` raises what ``call(torch)`` raises: same type, same message."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(bricks)
    assert str(got.value) == str(expected.value)
