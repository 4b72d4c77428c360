"""Seed 001 (MXNet Gluon parameter management), block by block, through bricks.compat.mxnet.

Each test runs the seed's code as written (after ``install("mxnet")``) and checks what the
seed's text says it shows. Gluon's global name counters keep running across tests, so
expected names are computed from each layer's prefix.
"""

from __future__ import annotations

import re
import warnings

import numpy
import pytest


def _access_net():
    from mxnet import nd
    from mxnet.gluon import nn

    net = nn.Sequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()

    X = nd.random.uniform(shape=(2, 20))
    Y = net(X)
    return net, X, Y


def test_access_prints_the_network_and_its_parameter_dict(mx):
    net, _, _ = _access_net()
    d0, d1 = net[0].prefix, net[1].prefix
    assert re.fullmatch(r"dense\d+_", d0) and re.fullmatch(r"dense\d+_", d1)
    assert str(net) == ("Sequential(\n"
                        "  (0): Dense(20 -> 256, Activation(relu))\n"
                        "  (1): Dense(256 -> 10, linear)\n"
                        ")")
    assert str(net[0].params) == (f"{d0} (\n"
                                  f"  Parameter {d0}weight (shape=(256, 20), dtype=float32)\n"
                                  f"  Parameter {d0}bias (shape=(256,), dtype=float32)\n"
                                  ")")
    assert type(net[0].params).__name__ == "ParameterDict"
    assert net[0].params[f"{d0}weight"] is net[0].weight


def test_access_weight_data_grad_and_bias(mx):
    net, _, _ = _access_net()
    row = net[0].weight.data()[0]
    text = repr(row)
    assert text.startswith("\n[") and text.endswith("]\n<NDArray 20 @cpu(0)>")
    values = net[0].weight.data().asnumpy()
    assert values.shape == (256, 20) and numpy.abs(values).max() <= 0.07
    assert values.std() == pytest.approx(0.07 / numpy.sqrt(3), rel=0.05)  # Uniform(0.07)
    assert repr(net[0].weight.grad()[0]) == (
        "\n[0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]\n<NDArray 20 @cpu(0)>")
    assert repr(net[1].bias.data()) == "\n[0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]\n<NDArray 10 @cpu(0)>"


def test_collect_params_all_and_by_regex(mx):
    net, _, _ = _access_net()
    s, d0, d1 = net.prefix, net[0].prefix, net[1].prefix
    assert str(net.collect_params()) == (
        f"{s} (\n"
        f"  Parameter {d0}weight (shape=(256, 20), dtype=float32)\n"
        f"  Parameter {d0}bias (shape=(256,), dtype=float32)\n"
        f"  Parameter {d1}weight (shape=(10, 256), dtype=float32)\n"
        f"  Parameter {d1}bias (shape=(10,), dtype=float32)\n"
        ")")
    assert str(net.collect_params('.*weight')) == (
        f"{s} (\n"
        f"  Parameter {d0}weight (shape=(256, 20), dtype=float32)\n"
        f"  Parameter {d1}weight (shape=(10, 256), dtype=float32)\n"
        ")")


def test_builtin_initializers_normal_and_constant(mx):
    from mxnet import init

    net, _, _ = _access_net()
    net.initialize(init=init.Normal(sigma=0.01), force_reinit=True)
    printed = str(net[0].weight.data()[0])
    assert printed.endswith("<NDArray 20 @cpu(0)>")
    weights = net[0].weight.data().asnumpy()
    assert weights.std() == pytest.approx(0.01, rel=0.05) and abs(weights.mean()) < 1e-3
    assert (net[0].bias.data().asnumpy() == 0).all()  # biases keep their own 'zeros'
    net.initialize(init=init.Constant(2), force_reinit=True)
    assert str(net[0].weight.data()[0]) == (
        "\n[2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2. 2.]\n<NDArray 20 @cpu(0)>")
    assert {"Normal", "Constant", "Uniform", "Xavier", "Initializer"} <= set(dir(init))


def test_custom_initializer_overriding_init_weight(mx, capsys):
    from mxnet import init, nd

    net, _, _ = _access_net()
    capsys.readouterr()

    class MyInit(init.Initializer):
        def _init_weight(self, name, data):
            print(name, data.shape)
            data[:] = nd.random.uniform(low=-10, high=10, shape=data.shape)
            data *= data.abs() >= 5  # 保留绝对值大于等于5的值,其余为0

    net.initialize(MyInit(), force_reinit=True)
    print(net[0].weight.data()[0])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{net[0].prefix}weight (256, 20)"
    assert out[1] == f"{net[1].prefix}weight (10, 256)"
    weights = net[0].weight.data().asnumpy()
    kept = weights[weights != 0]
    assert (numpy.abs(kept) >= 5).all() and (numpy.abs(kept) <= 10).all()
    assert 0.35 < kept.size / weights.size < 0.65  # half of U(-10, 10) has |w| >= 5


def test_set_data_adds_one_through_an_alias(mx):
    net, _, _ = _access_net()
    wdata = net[0].weight.data()
    wdata[:] = net[0].weight.data()
    before = wdata[0].asnumpy()
    net[0].weight.set_data(wdata + 1)
    numpy.testing.assert_allclose(wdata[0].asnumpy(), before + 1, rtol=1e-6)
    numpy.testing.assert_allclose(net[0].weight.data()[0].asnumpy(), before + 1, rtol=1e-6)


def test_shared_parameters_are_one_object_and_sum_their_gradients(mx):
    from mxnet import autograd, nd
    from mxnet.gluon import nn

    net = nn.Sequential()
    shared = nn.Dense(8, activation='relu')  # 共享层
    # 第三层的参数使用了第二层的参数
    net.add(nn.Dense(8, activation='relu'), shared,
            nn.Dense(8, activation='relu', params=shared.params))
    net.initialize()

    X = nd.random.uniform(shape=(2, 20))
    net(X)
    assert str(net[1].weight.data()[0]) == str(net[2].weight.data()[0])
    assert str(net[2].params).startswith(f"{shared.prefix} (\n")
    assert len(net.collect_params()) == 4
    net[1].weight.set_data(net[1].weight.data() * 0 + 0.5)
    assert (net[2].weight.data().asnumpy() == 0.5).all()
    with autograd.record():
        loss = net(X).sum()
    loss.backward()
    grad = net[1].weight.grad().asnumpy()
    assert net[1].weight is net[2].weight and numpy.abs(grad).sum() > 0
    assert net.collect_params()[f"{shared.prefix}weight"].grad() is not None


def test_deferred_initialization_prints_only_at_first_forward(mx, capsys):
    from mxnet import gluon, init, nd
    from mxnet.gluon import nn

    class MyInit(init.Initializer):
        def _init_weight(self, name, data):
            print('Init', name, data.shape)

    net = nn.Sequential()
    net.add(nn.Dense(256, activation='relu'), nn.Dense(10))
    net.initialize(init=MyInit())
    assert capsys.readouterr().out == ""
    d0, d1 = net[0].prefix, net[1].prefix
    assert repr(net[0].weight) == f"Parameter {d0}weight (shape=(256, 0), dtype=float32)"
    assert str(net) == ("Sequential(\n"
                        "  (0): Dense(None -> 256, Activation(relu))\n"
                        "  (1): Dense(None -> 10, linear)\n"
                        ")")
    with pytest.raises(gluon.DeferredInitializationError, match="deferred"):
        net[0].weight.data()

    X = nd.random.uniform(shape=(2, 20))
    Y = net(X)
    assert capsys.readouterr().out == (f"Init {d0}weight (256, 20)\n"
                                       f"Init {d1}weight (10, 256)\n")
    assert Y.shape == (2, 10)

    net.initialize(init=MyInit(), force_reinit=True)
    assert capsys.readouterr().out == (f"Init {d0}weight (256, 20)\n"
                                       f"Init {d1}weight (10, 256)\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.initialize(init=MyInit())
    assert capsys.readouterr().out == ""
    assert len(caught) == 4
    assert str(caught[0].message) == (f"Parameter '{d0}weight' is already initialized, "
                                      "ignoring. Set force_reinit=True to re-initialize.")


def test_known_input_size_avoids_deferred_initialization(mx, capsys):
    from mxnet import init
    from mxnet.gluon import nn

    class MyInit(init.Initializer):
        def _init_weight(self, name, data):
            print('Init', name, data.shape)

    net = nn.Sequential()
    net.add(nn.Dense(256, in_units=20, activation='relu'), nn.Dense(10, in_units=256))
    net.initialize(init=MyInit())
    assert capsys.readouterr().out == (f"Init {net[0].prefix}weight (256, 20)\n"
                                       f"Init {net[1].prefix}weight (10, 256)\n")
    assert str(net[0]) == "Dense(20 -> 256, Activation(relu))"


def test_data_before_initialize_is_an_error(mx):
    from mxnet.gluon import nn

    layer = nn.Dense(3, in_units=2)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        layer.weight.data()
