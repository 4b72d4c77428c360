"""Seed 000, MindSpore half (5.2 参数管理), block by block, through bricks.compat.mindspore."""

from __future__ import annotations

import math
import re
from collections import OrderedDict

import numpy

import bricks

FLOAT = r"[ -]\d\.\d{8}e[+-]\d\d"


def _net():
    from mindspore import nn, ops

    net = nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 1)])
    X = ops.rand((2, 4))
    return net, X, net(X)


def test_mlp_output_prints_as_mindspore(ms):
    _, _, out = _net()
    assert re.fullmatch(rf"Tensor\(shape=\[2, 1\], dtype=Float32, value=\n\[\[{FLOAT}\],\n"
                        rf" \[{FLOAT}\]\]\)", repr(out))


def test_parameter_access_by_cell_and_name(ms):
    net, _, _ = _net()
    params = net[2].parameters_dict()
    assert isinstance(params, OrderedDict)
    assert str(params) == (
        "OrderedDict([('2.weight', Parameter (name=2.weight, shape=(1, 8), dtype=Float32, "
        "requires_grad=True)), ('2.bias', Parameter (name=2.bias, shape=(1,), dtype=Float32, "
        "requires_grad=True))])")
    assert type(net[2].bias).__name__ == "Parameter"
    assert str(net[2].bias) == ("Parameter (name=2.bias, shape=(1,), dtype=Float32, "
                                "requires_grad=True)")
    assert re.fullmatch(r"\[-?\d\.\d+\]", str(net[2].bias.value()))
    assert re.fullmatch(rf"Tensor\(shape=\[1\], dtype=Float32, value= \[{FLOAT}\]\)",
                        repr(net.parameters_dict()['2.bias'].value()))


def test_all_parameters_at_once(ms, capsys):
    net, _, _ = _net()
    print(*[(name, param.shape) for name, param in net[0].parameters_dict().items()])
    print(*[(name, param.shape) for name, param in net.parameters_dict().items()])
    assert capsys.readouterr().out == (
        "('0.weight', (8, 4)) ('0.bias', (8,))\n"
        "('0.weight', (8, 4)) ('0.bias', (8,)) ('2.weight', (1, 8)) ('2.bias', (1,))\n")
    assert len(net.trainable_params()) == 4 and len(list(net.get_parameters())) == 4


def _rgnet():
    from mindspore import nn

    def block1():
        return nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(),
                                  nn.Dense(8, 4), nn.ReLU()])

    def block2():
        net = nn.SequentialCell()
        for i in range(4):
            # 在这里嵌套
            net.append(block1())
        return net

    return nn.SequentialCell([block2(), nn.Dense(4, 1)])


def test_nested_blocks_print_and_name_their_parameters(ms):
    _, X, _ = _net()
    rgnet = _rgnet()
    assert rgnet(X).shape == (2, 1)
    block = ("SequentialCell(\n"
             "      (0): Dense(input_channels=4, output_channels=8, has_bias=True)\n"
             "      (1): ReLU()\n"
             "      (2): Dense(input_channels=8, output_channels=4, has_bias=True)\n"
             "      (3): ReLU()\n"
             "    )")
    inner = "\n".join(f"    ({i}): {block}" for i in range(4))
    assert str(rgnet) == ("SequentialCell(\n  (0): SequentialCell(\n" + inner + "\n  )\n"
                          "  (1): Dense(input_channels=4, output_channels=1, has_bias=True)\n)")
    assert re.fullmatch(r"Tensor\(shape=\[8\], dtype=Float32, value= \[" +
                        ", ".join([FLOAT] * 8) + r"\]\)", repr(rgnet[0][1][0].bias.value()))
    names = [p.name for p in rgnet.get_parameters()]
    assert names[:4] == ["0.0.0.weight", "0.0.0.bias", "0.0.2.weight", "0.0.2.bias"]
    assert names[-2:] == ["1.weight", "1.bias"] and len(names) == 18


def test_builtin_initialization_normal_zeros_one(ms):
    from mindspore import nn
    from mindspore.common.initializer import initializer

    net, _, _ = _net()

    def init_normal(m):
        if type(m) == nn.Dense:
            m.weight.set_data(initializer('normal', m.weight.shape, m.weight.dtype))
            m.bias.set_data(initializer('zeros', m.bias.shape, m.bias.dtype))
    net.apply(init_normal)
    shown = net[0].weight.data[0], net[0].bias.data[0]
    assert re.fullmatch(r"\(Tensor\(shape=\[4\], dtype=Float32, value= \[" +
                        ", ".join([FLOAT] * 4) + r"\]\), Tensor\(shape=\[\], dtype=Float32, "
                        r"value= 0\)\)", repr(shown))
    assert numpy.abs(net[0].weight.data.asnumpy()).max() < 0.06  # N(0, 0.01)

    def init_constant(m):
        if type(m) == nn.Dense:
            m.weight.set_data(initializer('one', m.weight.shape, m.weight.dtype))
            m.bias.set_data(initializer('zeros', m.bias.shape, m.bias.dtype))
    net.apply(init_constant)
    assert repr((net[0].weight.data[0], net[0].bias.data[0])) == (
        "(Tensor(shape=[4], dtype=Float32, value= [ 1.00000000e+00,  1.00000000e+00,  "
        "1.00000000e+00,  1.00000000e+00]), Tensor(shape=[], dtype=Float32, value= 0))")


def test_xavier_for_one_layer_and_42_for_another(ms, capsys):
    from mindspore import nn
    from mindspore.common.initializer import initializer

    net, _, _ = _net()

    def init_xavier(m):
        if type(m) == nn.Dense:
            m.weight.set_data(initializer('xavier_uniform', m.weight.shape, m.weight.dtype))

    def init_42(m):
        if type(m) == nn.Dense:
            m.weight.set_data(initializer(42, m.weight.shape, m.weight.dtype))

    net[0].apply(init_xavier)
    net[2].apply(init_42)
    print(net[0].weight.data[0])
    print(net[2].weight.data.value())
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\[.*\]", lines[0])
    assert lines[1] == "[[42. 42. 42. 42. 42. 42. 42. 42.]]"
    assert numpy.abs(net[0].weight.asnumpy()).max() <= math.sqrt(6 / 12)


def test_custom_initialization_keeps_large_values(ms, capsys):
    from mindspore import nn
    from mindspore.common.initializer import Uniform, initializer

    net, _, _ = _net()

    def my_init(m):
        if type(m) == nn.Dense:
            print("Init", *[(name, param.shape)
                            for name, param in m.parameters_dict().items()][0])
            m.weight.set_data(initializer(Uniform(scale=10), m.weight.shape, m.weight.dtype))
            m.weight.data[:] *= (m.weight.data.abs() >= 5)

    net.apply(my_init)
    assert capsys.readouterr().out == "Init 0.weight (8, 4)\nInit 2.weight (1, 8)\n"
    assert repr(net[0].weight[:2]).startswith("Tensor(shape=[2, 4], dtype=Float32, value=\n[[")
    weights = net[0].weight.asnumpy()
    kept = weights[weights != 0]
    assert (numpy.abs(kept) >= 5).all() and (numpy.abs(kept) <= 10).all()


def test_setting_parameters_directly(ms):
    net, _, _ = _net()
    before = net[0].weight.asnumpy()
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    shown = repr(net[0].weight.data[0])
    assert shown.startswith("Tensor(shape=[4], dtype=Float32, value= [ 4.20000000e+01, ")
    numpy.testing.assert_allclose(net[0].weight.asnumpy()[1:], before[1:] + 1, rtol=1e-6)


def test_tied_parameters_are_one_object(ms, capsys):
    from mindspore import nn

    _, X, _ = _net()
    # 我们需要给共享层一个名称,以便可以引用它的参数
    shared = nn.Dense(8, 8)
    net = nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(),
                             shared, nn.ReLU(),
                             shared, nn.ReLU(),
                             nn.Dense(8, 1)])
    net(X)
    # 检查参数是否相同
    print(net[2].weight.data[0] == net[4].weight.data[0])
    net[2].weight.data[0, 0] = 100
    # 确保它们实际上是同一个对象,而不只是有相同的值
    print(net[2].weight.data[0] == net[4].weight.data[0])
    assert capsys.readouterr().out == "[ True  True  True  True  True  True  True  True]\n" * 2
    assert list(net.parameters_dict()) == ["0.weight", "0.bias", "4.weight", "4.bias",
                                           "6.weight", "6.bias"]
    assert net[4].weight.asnumpy()[0, 0] == 100
    bricks.sum(bricks.Tensor.__mul__(net(X)._t, 1)).backward()
    assert net[2].weight.grad is net[4].weight.grad and net[2].weight.grad.shape == (8, 8)
