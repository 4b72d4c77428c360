"""Every load path of every dialect is all or nothing: a failed load leaves the model
bit-identical (deferred shapes included) and names every problem in the dialect's words."""

from __future__ import annotations

import numpy
import pytest

import bricks
from bricks import nn


def _gluon_mlp(hidden=4):
    from mxnet.gluon import nn as gnn

    net = gnn.Sequential()
    net.add(gnn.Dense(hidden, activation="relu"), gnn.Dense(2))
    return net


def _values(params):
    return {name: p.data().asnumpy().copy() for name, p in params.items()}


def test_gluon_load_parameters_into_deferred_shapes_fails_without_touching_them(mx, tmp_path):
    from mxnet import gluon, nd

    source = _gluon_mlp(hidden=3)
    source.initialize()
    source(nd.ones((1, 5)))
    path = str(tmp_path / "mlp.params")
    source.save_parameters(path)
    bricks.save({**bricks.load(path), "extra.weight": bricks.ones(1)}, path)
    target = _gluon_mlp(hidden=3)
    target.initialize()  # the weights' shapes are unknown until the first forward pass
    biases = {name: p.data().asnumpy().copy() for name, p in target.collect_params().items()
              if name.endswith("bias")}
    with pytest.raises(AssertionError) as error:
        target.load_parameters(path)
    assert "'extra.weight' loaded from file" in str(error.value)
    assert target[0].weight.shape == (3, 0)  # still deferred: no shape taken from the file
    for layer in target:
        with pytest.raises(gluon.parameter.DeferredInitializationError):
            layer.weight.data()
    for name, values in biases.items():
        numpy.testing.assert_array_equal(target.collect_params()[name].data().asnumpy(), values)
    target.load_parameters(path, ignore_extra=True)  # allowed: loads, shapes from the file
    numpy.testing.assert_array_equal(target[0].weight.data().asnumpy(),
                                     source[0].weight.data().asnumpy())


def test_gluon_load_parameters_reports_every_shape_mismatch_and_changes_nothing(mx, tmp_path):
    from mxnet import nd

    wide = _gluon_mlp(hidden=6)
    wide.initialize()
    wide(nd.ones((1, 5)))
    path = str(tmp_path / "wide.params")
    wide.save_parameters(path)
    net = _gluon_mlp(hidden=4)
    net.initialize()
    net(nd.ones((1, 5)))
    before = _values(net.collect_params())
    with pytest.raises(AssertionError) as error:
        net.load_parameters(path)
    message = str(error.value)
    assert "shape incompatible expected (4, 5) vs saved (6, 5)" in message
    assert "shape incompatible expected (2, 4) vs saved (2, 6)" in message
    for name, values in _values(net.collect_params()).items():
        numpy.testing.assert_array_equal(values, before[name])


def test_gluon_parameter_dict_load_checks_the_weight_before_writing_the_bias(mx, tmp_path):
    from mxnet import nd

    net = _gluon_mlp()
    net.initialize()
    net(nd.ones((1, 5)))
    params = net.collect_params()
    before = _values(params)
    saved = {name: bricks.from_numpy(values + 1) for name, values in before.items()}
    weight = next(name for name in saved if name.endswith("weight"))
    saved[weight] = bricks.zeros(9, 9)
    path = str(tmp_path / "dict.params")
    bricks.save(saved, path)
    with pytest.raises(AssertionError, match=f"Failed loading Parameter '{weight}'"):
        params.load(path)
    for name, values in _values(params).items():
        numpy.testing.assert_array_equal(values, before[name])


def test_mindspore_load_param_into_net_is_all_or_nothing(ms):
    from mindspore import Tensor, nn as msnn

    net = msnn.SequentialCell([msnn.Dense(3, 2), msnn.Dense(2, 1)])
    before = {name: p.asnumpy().copy() for name, p in net.parameters_dict().items()}
    with pytest.raises(RuntimeError) as error:
        ms.load_param_into_net(net, {"0.bias": Tensor(numpy.ones(2, numpy.float32)),
                                     "1.weight": Tensor(numpy.ones((5, 5), numpy.float32)),
                                     "0.weight": Tensor(numpy.ones((2, 3), numpy.int64))})
    assert "1.weight" in str(error.value) and "0.weight" in str(error.value)
    for name, p in net.parameters_dict().items():
        numpy.testing.assert_array_equal(p.asnumpy(), before[name])


def test_pytorch_style_load_into_a_lazy_model_is_all_or_nothing():
    net = nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.Linear(3, 1))
    frozen = net[2].weight.detach().clone()
    with pytest.raises(RuntimeError):
        net.load_state_dict({"0.weight": bricks.ones(3, 4), "0.bias": bricks.ones(3),
                             "2.weight": bricks.ones(5, 5), "2.bias": bricks.ones(1)})
    assert isinstance(net[0].weight, nn.UninitializedParameter)
    assert bricks.equal(net[2].weight, frozen)


@pytest.mark.parametrize("read", [
    lambda t: t.detach().numpy(), lambda t: t.numpy(), lambda t: t.tolist(),
    lambda t: t.item(), lambda t: numpy.asarray(t.detach()), lambda t: t.detach() + 1])
def test_reading_an_uninitialized_parameter_says_to_run_a_forward_pass(read):
    layer = nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="Run one forward pass"):
        read(layer.weight)
