"""Seed 004 (d2l 5.2 for OneFlow), run with ``import bricks as flow``.

OneFlow prints its own formats (``dtype=oneflow.float32``, ``grad_fn=<accumulate_grad>``);
bricks prints PyTorch's, so this file checks what the text says each block shows: names,
shapes, structure, grads, init values and tying.
"""

import numpy as np
import pytest

import bricks
from _seedrun import namespace, run

SETUP = """
import oneflow as flow
from oneflow import nn

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = flow.rand(2, 4)
net(X)
"""


@pytest.fixture
def ns():
    ns = namespace("flow")
    _, value = run(SETUP, ns)
    assert value.shape == bricks.Size([2, 1]) and value.grad_fn is not None
    return ns


def test_parameter_access(ns):
    out, _ = run("print(net[2].state_dict())", ns)
    assert out.startswith("OrderedDict([('weight', tensor([[") and "('bias', tensor([" in out
    out, _ = run("""
print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)
""", ns)
    lines = out.splitlines()
    assert lines[0] == "<class 'bricks.nn.parameter.Parameter'>"
    assert lines[1] == "Parameter containing:" and lines[2].endswith("requires_grad=True)")
    assert run("net[2].weight.grad == None", ns)[1] is True


def test_all_parameters_at_once(ns):
    out, _ = run("""
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
""", ns)
    assert out == ("('weight', bricks.Size([8, 4])) ('bias', bricks.Size([8]))\n"
                   "('0.weight', bricks.Size([8, 4])) ('0.bias', bricks.Size([8])) "
                   "('2.weight', bricks.Size([1, 8])) ('2.bias', bricks.Size([1]))\n")
    _, value = run("net.state_dict()['2.bias'].data", ns)
    assert value.shape == bricks.Size([1]) and float(value) == float(ns["net"][2].bias)


def test_nested_blocks(ns):
    _, value = run("""
def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                         nn.Linear(8, 4), nn.ReLU())

def block2():
    net = nn.Sequential()
    for i in range(4):
        # 在这里嵌套
        net.add_module(f'block {i}', block1())
    return net

rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
rgnet(X)
""", ns)
    assert value.shape == bricks.Size([2, 1])
    out, _ = run("print(rgnet)", ns)
    # OneFlow's text shows the same tree (its indentation is lost in the seed's page).
    assert [line.strip() for line in out.splitlines()][:3] == [
        "Sequential(", "(0): Sequential(", "(block 0): Sequential("]
    assert out.count("Linear(in_features=4, out_features=8, bias=True)") == 4
    _, value = run("rgnet[0][1][0].bias.data", ns)
    assert value.shape == bricks.Size([8])


def test_builtin_initialization(ns):
    _, (row, bias) = run("""
def init_normal(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)
net.apply(init_normal)
net[0].weight.data[0], net[0].bias.data[0]
""", ns)
    assert float(bias) == 0 and float(row.abs().max()) < 0.06
    _, (row, bias) = run("""
def init_constant(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)
net.apply(init_constant)
net[0].weight.data[0], net[0].bias.data[0]
""", ns)
    assert row.tolist() == [1.0] * 4 and float(bias) == 0
    out, _ = run("""
def xavier(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
def init_42(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 42)

net[0].apply(xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
""", ns)
    assert out.splitlines()[-1] == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"
    assert float(ns["net"][0].weight.abs().max()) <= (6 / 12) ** 0.5


def test_custom_initialization_and_direct_setting(ns):
    out, value = run("""
def my_init(m):
    with flow.no_grad():
        if type(m) == nn.Linear:
            print("Init", *[(name, param.shape)
                            for name, param in m.named_parameters()][0])
            nn.init.uniform_(m.weight, -10, 10)
            factor = (m.weight.data.abs() >= 5).type_as(m.weight.data)
            m.weight.data[:] *= factor

net.apply(my_init)
net[0].weight[:2]
""", ns)
    assert out == "Init weight bricks.Size([8, 4])\nInit weight bricks.Size([1, 8])\n"
    w = np.abs(value.detach().numpy())
    assert np.all((w == 0) | ((w >= 5) & (w <= 10)))
    before = ns["net"][0].weight.numpy(force=True).copy()
    run("""
with flow.no_grad():
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    net[0].weight.data[0]
""", ns)
    after = ns["net"][0].weight.numpy(force=True)
    assert after[0, 0] == 42
    np.testing.assert_allclose(after[1:], before[1:] + 1)


def test_tying(ns):
    out, _ = run("""
# 我们需要给共享层一个名称，以便可以引用它的参数。
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.Linear(8, 1))
net(X)
# 检查参数是否相同
print(net[2].weight.data[0] == net[4].weight.data[0])
with flow.no_grad():
    net[2].weight.data[0, 0] = 100
# 确保它们实际上是同一个对象，而不只是有相同的值。
print(net[2].weight.data[0] == net[4].weight.data[0])
""", ns)
    assert out == "tensor([True, True, True, True, True, True, True, True])\n" * 2
    net = ns["net"]
    assert net[4].weight[0, 0].item() == 100
    net(ns["X"]).sum().backward()
    assert net.tied_parameters() == [["2.weight", "4.weight"], ["2.bias", "4.bias"]]
