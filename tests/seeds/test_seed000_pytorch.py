"""Seed 000 (d2l 5.2, parameter management), its PyTorch code, block by block.

Each block runs unchanged with ``torch`` bound to bricks. Where values are random, the
bricks model is given the torch model's weights so the printed text can be compared with
what real PyTorch prints for the same code; where the seed shows fixed output (the nested
structure, constants), that output is checked literally.
"""

import numpy as np
import pytest

import bricks
from _seedrun import namespace, normalize, run, sync, to_bricks, torch_namespace

SETUP = """
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
net(X)
"""

RGNET = """
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
"""

RGNET_PRINTED = """Sequential(
  (0): Sequential(
    (block 0): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 1): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 2): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 3): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
  )
  (1): Linear(in_features=4, out_features=1, bias=True)
)
"""


@pytest.fixture
def both():
    """The seed's first block run in both libraries, bricks given torch's weights and X."""
    ours, theirs = namespace(), torch_namespace()
    run(SETUP, theirs)
    _, value = run(SETUP, ours)
    assert value.shape == bricks.Size([2, 1])
    sync(ours["net"], theirs["net"])
    ours["X"] = to_bricks(theirs["X"])
    return ours, theirs


def same_output(code, ours, theirs):
    out, value = run(code, ours)
    tout, tvalue = run(code, theirs)
    assert normalize(out) == tout
    assert normalize(repr(value)) == repr(tvalue)
    return out, value


def test_first_block_output_prints_as_torch(both):
    same_output("net(X)", *both)


def test_parameter_access_prints_as_torch(both):
    out, _ = same_output("print(net[2].state_dict())", *both)
    assert out.startswith("OrderedDict([('weight', tensor([[")
    out, _ = same_output("""
print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)
""", *both)
    assert out.splitlines()[0] == "<class 'bricks.nn.parameter.Parameter'>"
    assert out.splitlines()[1] == "Parameter containing:"


def test_gradient_is_none_before_backward(both):
    _, value = run("net[2].weight.grad == None", both[0])
    assert value is True


def test_all_parameters_at_once_print_as_torch(both):
    out, _ = same_output("""
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
""", *both)
    assert out == ("('weight', bricks.Size([8, 4])) ('bias', bricks.Size([8]))\n"
                   "('0.weight', bricks.Size([8, 4])) ('0.bias', bricks.Size([8])) "
                   "('2.weight', bricks.Size([1, 8])) ('2.bias', bricks.Size([1]))\n")
    same_output("net.state_dict()['2.bias'].data", *both)


def test_nested_blocks_print_as_the_seed_shows(both):
    ours, theirs = both
    _, value = run(RGNET, ours)
    run(RGNET, theirs)
    assert value.shape == bricks.Size([2, 1])
    out, _ = run("print(rgnet)", ours)
    assert out == RGNET_PRINTED
    sync(ours["rgnet"], theirs["rgnet"])
    same_output("rgnet(X)", ours, theirs)
    same_output("rgnet[0][1][0].bias.data", ours, theirs)


def test_builtin_normal_init(both):
    _, (weight_row, bias) = run("""
def init_normal(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)
net.apply(init_normal)
net[0].weight.data[0], net[0].bias.data[0]
""", both[0])
    assert repr(bias) == "tensor(0.)" and weight_row.shape == bricks.Size([4])
    weights = np.concatenate([both[0]["net"][0].weight.numpy(force=True).ravel(),
                              both[0]["net"][2].weight.numpy(force=True).ravel()])
    assert 0.003 < weights.std() < 0.02 and abs(weights.mean()) < 0.01


def test_constant_init_prints_as_the_seed_shows(both):
    out, value = same_output("""
def init_constant(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)
net.apply(init_constant)
net[0].weight.data[0], net[0].bias.data[0]
""", *both)
    assert repr(value) == "(tensor([1., 1., 1., 1.]), tensor(0.))"


def test_xavier_and_42_on_different_blocks(both):
    out, _ = run("""
def init_xavier(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
def init_42(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 42)

net[0].apply(init_xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
""", both[0])
    lines = out.splitlines()
    assert lines[1] == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"
    bound = (6 / (4 + 8)) ** 0.5
    assert np.abs(both[0]["net"][0].weight.numpy(force=True)).max() <= bound


def test_custom_init_prints_names_and_gives_the_described_values(both):
    out, value = run("""
def my_init(m):
    if type(m) == nn.Linear:
        print("Init", *[(name, param.shape)
                        for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5

net.apply(my_init)
net[0].weight[:2]
""", both[0])
    assert out == "Init weight bricks.Size([8, 4])\nInit weight bricks.Size([1, 8])\n"
    assert repr(value).endswith("grad_fn=<SliceBackward0>)") and value.shape == (2, 4)
    for layer in (0, 2):
        w = np.abs(both[0]["net"][layer].weight.numpy(force=True))
        assert np.all((w == 0) | ((w >= 5) & (w <= 10)))


def test_setting_parameters_directly(both):
    _, value = run("""
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
net[0].weight.data[0]
""", both[0])
    assert value[0].item() == 42
    theirs = both[1]
    expected = theirs["net"][0].weight.detach().numpy()[0, 1:] + 1
    np.testing.assert_allclose(value.numpy()[1:], expected, rtol=1e-6)


TYING = """
# 我们需要给共享层一个名称,以便可以引用它的参数
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.Linear(8, 1))
net(X)
# 检查参数是否相同
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# 确保它们实际上是同一个对象,而不只是有相同的值
print(net[2].weight.data[0] == net[4].weight.data[0])
"""


def test_tied_parameters_stay_equal_after_a_change(both):
    out, _ = run(TYING, both[0])
    assert out == "tensor([True, True, True, True, True, True, True, True])\n" * 2
    assert both[0]["net"][4].weight[0, 0].item() == 100


def test_tied_gradients_add_up_as_in_torch(both):
    ours, theirs = both
    run(TYING, ours)
    run(TYING, theirs)
    sync(ours["net"], theirs["net"])
    run("net(X).sum().backward()", ours)
    run("net(X).sum().backward()", theirs)
    np.testing.assert_allclose(ours["net"][2].weight.grad.numpy(),
                               theirs["net"][2].weight.grad.numpy(), rtol=1e-5, atol=1e-6)
