"""Parameter, UninitializedParameter, Buffer: identity, printing, sharing, lazy errors."""

import copy

import numpy as np
import pytest
import torch

import bricks
from bricks import nn


def test_parameter_is_a_tensor_sharing_the_data_array():
    data = bricks.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, bricks.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad is None
    data[0] = 5.0
    assert p.tolist() == [5.0, 2.0]


@pytest.mark.parametrize("values", [[-0.2031], [[0.1540, -0.1524, 0.2029], [1.0, 2.0, 3.0]],
                                    [1.0, 2.0]])
def test_parameter_prints_as_torch(values):
    expected = repr(torch.nn.Parameter(torch.tensor(values)))
    assert repr(nn.Parameter(bricks.tensor(values))) == expected


def test_parameter_without_grad_prints_as_torch():
    expected = repr(torch.nn.Parameter(torch.tensor([1.5]), requires_grad=False))
    assert repr(nn.Parameter(bricks.tensor([1.5]), requires_grad=False)) == expected


def test_parameter_data_is_detached_and_writes_through():
    p = nn.Parameter(bricks.zeros(2, 3))
    d = p.data
    assert type(d) is bricks.Tensor and not d.requires_grad
    d[:] += 1
    d[0, 0] = 42
    assert p.tolist() == [[42.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


def test_parameter_none_is_empty_and_integer_cannot_require_grad():
    assert nn.Parameter().shape == bricks.Size([0])
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(bricks.tensor([1, 2]))
    assert not nn.Parameter(bricks.tensor([1, 2]), requires_grad=False).requires_grad
    with pytest.raises(TypeError, match="Tensor"):
        nn.Parameter([1.0])


def test_deepcopy_gives_an_independent_parameter():
    p = nn.Parameter(bricks.ones(2))
    q = copy.deepcopy(p)
    q.data[0] = 3
    assert isinstance(q, nn.Parameter) and p.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("touch", [
    lambda p: p.shape, lambda p: p.numel(), lambda p: p.tolist(),
    lambda p: p.size(), lambda p: p + 1, lambda p: p.dtype,
])
def test_uninitialized_parameter_refuses_values_and_says_what_to_do(touch):
    p = nn.UninitializedParameter()
    with pytest.raises(RuntimeError, match="uninitialized parameter.*forward pass"):
        touch(p)


def test_uninitialized_parameter_data_is_an_empty_tensor_as_in_torch():
    # the textbook initializes a LazyLinear with ``.data.normal_(0, 0.01)``: a no-op in torch
    for lib in (bricks, torch):
        p = lib.nn.UninitializedParameter()
        data = p.data.normal_(0, 0.01)
        assert tuple(data.shape) == (0,) and not data.requires_grad
        assert isinstance(p, lib.nn.UninitializedParameter)


def test_uninitialized_parameter_is_a_parameter_and_prints_as_torch():
    p = nn.UninitializedParameter()
    assert isinstance(p, nn.Parameter) and isinstance(p, bricks.Tensor)
    assert repr(p) == repr(torch.nn.UninitializedParameter())


def test_materialize_turns_it_into_a_plain_parameter_with_identity_kept():
    p = nn.UninitializedParameter()
    holder = [p]
    p.materialize((3, 2))
    assert holder[0] is p and type(p) is nn.Parameter
    assert not isinstance(p, nn.UninitializedParameter)
    assert p.shape == bricks.Size([3, 2]) and p.requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor(")


def test_materialize_uses_the_dtype_asked_for():
    p = nn.UninitializedParameter(dtype=bricks.float64)
    p.materialize(4)
    assert p.dtype is bricks.float64 and p.shape == bricks.Size([4])


def test_sum_of_numel_over_an_uninitialized_model_names_the_parameter():
    from _tiny_layers import LazyLinear

    net = nn.Sequential(LazyLinear(3))
    with pytest.raises(RuntimeError, match="'LazyLinear.weight'.*forward pass"):
        sum(p.numel() for p in net.parameters())


def test_uninitialized_buffer_materializes_into_a_tensor():
    b = nn.UninitializedBuffer()
    with pytest.raises(RuntimeError, match="uninitialized buffer"):
        b.numel()
    b.materialize((2,))
    assert isinstance(b, bricks.Tensor) and b.shape == bricks.Size([2])
    assert not isinstance(b, nn.UninitializedBuffer)


def test_buffer_assigned_to_a_module_is_registered():
    m = nn.Module()
    m.stats = nn.Buffer(bricks.zeros(2))
    m.scratch = nn.Buffer(bricks.ones(1), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["stats", "scratch"]
    assert list(m.state_dict()) == ["stats"]
    assert type(m.stats) is bricks.Tensor


def test_parameters_are_never_pickled():
    import pickle

    with pytest.raises(TypeError, match="never pickles"):
        pickle.dumps(nn.Parameter(bricks.ones(1)))


def test_parameter_grad_accumulates_like_torch():
    w = np.array([0.5, -1.0], dtype=np.float32)
    p = nn.Parameter(bricks.tensor(w))
    tp = torch.nn.Parameter(torch.tensor(w))
    for param, lib in ((p, bricks), (tp, torch)):
        (param * param).sum().backward()
        (param * 3).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy())


def test_uninitialized_parameter_can_be_frozen_before_it_has_a_shape():
    p = nn.UninitializedParameter()
    assert p.requires_grad_(False) is p and not p.requires_grad
    p.materialize((2,))
    assert not p.requires_grad
