"""Lazy layers: shapes inferred at the first forward, pending initializers, clear errors."""

import warnings

import numpy as np
import pytest

import bricks
from bricks import nn
from bricks.nn import init
from _tiny_layers import LazyLinear, Linear, ReLU


def test_lazy_layer_becomes_its_target_class_at_the_first_forward():
    layer = LazyLinear(3)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert isinstance(layer.weight, nn.UninitializedParameter)
    out = layer(bricks.ones(2, 5))
    assert out.shape == bricks.Size([2, 3])
    assert type(layer) is Linear and type(layer.weight) is nn.Parameter
    assert layer.weight.shape == bricks.Size([3, 5])
    assert repr(layer) == "Linear(in_features=5, out_features=3, bias=True)"
    assert not layer._forward_pre_hooks  # the call path is lean again


def test_parameters_keep_identity_through_materialization():
    net = nn.Sequential(LazyLinear(4), ReLU(), LazyLinear(1))
    params = list(net.parameters())  # e.g. an optimizer built before the first forward
    net(bricks.ones(2, 6))
    assert [p is q for p, q in zip(params, net.parameters())] == [True] * 4
    assert [tuple(p.shape) for p in params] == [(4, 6), (4,), (1, 4), (1,)]


def test_touching_uninitialized_values_names_the_parameter():
    net = nn.Sequential(LazyLinear(4))
    with pytest.raises(RuntimeError, match="LazyLinear.bias.*forward pass"):
        net[0].bias.numel()
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        sum(p.numel() for p in net.parameters())


def test_initializer_given_before_the_shape_is_applied_at_materialization():
    net = nn.Sequential(LazyLinear(4), ReLU(), LazyLinear(2))
    net.initialize(init.Constant(0.5), select=r"weight$")
    net(bricks.ones(1, 3))
    assert (net[0].weight == 0.5).all() and (net[2].weight == 0.5).all()
    assert not (net[0].bias == 0.5).all()


def test_state_dict_of_a_lazy_model_then_load_materializes():
    lazy = nn.Sequential(LazyLinear(2))
    assert list(lazy.state_dict()) == ["0.weight", "0.bias"]
    lazy.load_state_dict({"0.weight": bricks.ones(2, 3), "0.bias": bricks.zeros(2)})
    assert lazy[0].weight.shape == bricks.Size([2, 3])
    assert lazy(bricks.ones(1, 3)).tolist() == [[3.0, 3.0]]


def test_real_lazy_linear_follows_the_contract():
    layer = nn.LazyLinear(256)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=256, bias=True)"
    layer.initialize(init.Normal(0.01))
    layer(bricks.rand(2, 20))
    assert type(layer) is nn.Linear and layer.weight.shape == bricks.Size([256, 20])
    assert abs(float(layer.weight.std()) - 0.01) < 0.002


def test_initialize_marks_parameters_and_warns_once_on_a_second_call():
    net = nn.Sequential(Linear(3, 4), Linear(4, 1))
    net.initialize(init.Constant(1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.initialize(init.Constant(2.0))
    assert len(caught) == 1 and "force_reinit=True" in str(caught[0].message)
    assert (net[0].weight == 1.0).all()
    net.initialize(init.Constant(3.0), force_reinit=True)
    assert (net[0].weight == 3.0).all() and (net[1].bias == 3.0).all()


def test_initialize_with_select_and_names_passed_to_custom_initializers():
    seen = []

    class Record(init.Initializer):
        def init_tensor(self, name, data):
            seen.append(name)
            data[:] = 7.0

    net = nn.Sequential(Linear(2, 2), nn.Sequential(Linear(2, 2)))
    net.initialize(Record(), select=r"^1\..*weight")
    assert seen == ["1.0.weight"]
    assert (net[1][0].weight == 7.0).all() and not (net[0].weight == 7.0).all()


def test_initialize_none_reruns_default_init_and_plain_callables_work():
    net = nn.Sequential(Linear(2, 3))
    net.initialize(lambda t: init.zeros_(t))
    assert (net[0].weight == 0).all()
    net.initialize(force_reinit=True)  # init=None: the layers' reset_parameters()
    assert not (net[0].weight == 0).all() and (net[0].bias == 0).all()
    with pytest.raises(TypeError, match="initializer"):
        net.initialize(3, force_reinit=True)


def test_collect_params_is_a_view_keyed_by_dotted_names():
    net = nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    weights = net.collect_params(".*weight")
    assert isinstance(weights, nn.ParameterDict)
    assert list(weights) == ["0.weight", "2.weight"]
    assert weights["2.weight"] is net[2].weight
    assert list(weights.values()) == list(weights.parameters())
    weights.initialize(init.Ones())
    assert (net[0].weight == 1).all()
    weights.requires_grad_(False)
    assert [p.requires_grad for p in net.parameters()] == [False, True, False, True]
    assert list(net.collect_params()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "(0.weight): Parameter containing: [bricks.FloatTensor of size 3x2]" in repr(weights)


def test_collect_params_zero_grad():
    net = nn.Sequential(Linear(2, 1))
    net(bricks.ones(1, 2)).sum().backward()
    net.collect_params("bias").zero_grad()
    assert net[0].bias.grad is None and net[0].weight.grad is not None
    np.testing.assert_array_equal(net[0].weight.grad.numpy(), [[1.0, 1.0]])


def test_collect_params_feeds_an_optimizer_directly_or_through_parameters():
    from bricks import optim

    net = nn.Sequential(Linear(2, 1))
    for params in (net.collect_params("weight"), net.collect_params("weight").parameters()):
        before = net[0].weight.numpy(force=True).copy()
        opt = optim.SGD(params, lr=0.5)
        net.zero_grad()
        net(bricks.ones(1, 2)).sum().backward()
        opt.step()
        np.testing.assert_allclose(net[0].weight.numpy(force=True), before - 0.5)
