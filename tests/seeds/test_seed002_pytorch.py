"""Seed 002 (a notebook of d2l 5.2 in PyTorch), cell by cell, against real torch."""

import numpy as np
import pytest

import bricks
from _seedrun import namespace, normalize, run, sync, to_bricks, torch_namespace

CELL_2 = """
import torch
from torch import nn
net = nn.Sequential(
    nn.Linear(4, 8),
    nn.ReLU(),
    nn.Linear(8, 1)
)
x = torch.randn((2, 4))
net
"""

NESTED_PRINTED = "\n".join(
    ["Sequential(", "  (0): Sequential("]
    + [line for i in range(4) for line in (
        f"    (block {i}): Sequential(",
        "      (0): Linear(in_features=4, out_features=8, bias=True)",
        "      (1): ReLU()",
        "      (2): Linear(in_features=8, out_features=4, bias=True)",
        "      (3): ReLU()",
        "    )")]
    + ["  )", "  (1): Linear(in_features=4, out_features=1, bias=True)", ")"])

SHARED_PRINTED = """Sequential(
  (0): Linear(in_features=4, out_features=8, bias=True)
  (1): ReLU()
  (2): Linear(in_features=8, out_features=8, bias=True)
  (3): ReLU()
  (4): Linear(in_features=8, out_features=8, bias=True)
  (5): ReLU()
  (6): Linear(in_features=8, out_features=1, bias=True)
)"""


@pytest.fixture
def both():
    ours, theirs = namespace(), torch_namespace()
    run(CELL_2, theirs)
    _, value = run(CELL_2, ours)
    assert repr(value) == repr(theirs["net"])
    sync(ours["net"], theirs["net"])
    ours["x"] = to_bricks(theirs["x"])
    return ours, theirs


def same(code, ours, theirs):
    out, value = run(code, ours)
    tout, tvalue = run(code, theirs)
    assert normalize(out) == tout
    assert normalize(repr(value)) == repr(tvalue)
    return out, value


def test_target_parameters_cell_matches_torch(both):
    _, value = same("net[2].state_dict(), type(net[2].bias), net[2].bias.data, "
                    "net[2].weight.shape", *both)
    assert value[1] is bricks.nn.Parameter and value[3] == bricks.Size([1, 8])


def test_grad_is_none_and_all_parameters_at_once(both):
    assert run("net[2].weight.grad is None", both[0])[1] is True
    same("""
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
""", *both)
    same("net.state_dict()['2.bias'].data", *both)


def test_nested_blocks_cells(both):
    code = """
def block1():
    return nn.Sequential(
        nn.Linear(4, 8),
        nn.ReLU(),
        nn.Linear(8, 4),
        nn.ReLU()
    )
def block2():
    net = nn.Sequential()
    for i in range(4):
        net.add_module(f'block {i}', block1())
    return net
rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
rgnet(x)
"""
    ours, theirs = both
    run(code, theirs)
    _, value = run(code, ours)
    assert value.shape == bricks.Size([2, 1])
    assert repr(run("rgnet", ours)[1]) == NESTED_PRINTED
    sync(ours["rgnet"], theirs["rgnet"])
    same("rgnet(x)", ours, theirs)
    same("rgnet[0][1][0].bias.data", ours, theirs)


def test_initialization_cells(both):
    ours = both[0]
    _, (row, bias) = run("""
def init_normal(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0, 0.01)
        nn.init.zeros_(m.bias)
net.apply(init_normal)
net[0].weight.data[0], net[0].bias.data[0]
""", ours)
    assert repr(bias) == "tensor(0.)" and float(row.abs().max()) < 0.06
    _, value = same("""
def init_constant(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)
net.apply(init_constant)
net[0].weight.data[0], net[0].bias.data[0]
""", *both)
    assert repr(value) == "(tensor([1., 1., 1., 1.]), tensor(0.))"
    _, (row, w42) = run("""
def init_xavier(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
def init_42(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 42)
net[0].apply(init_xavier)
net[2].apply(init_42)
net[0].weight.data[0], net[2].weight.data
""", ours)
    assert repr(w42) == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"
    assert row.shape == bricks.Size([4]) and not (row == 1).all()


def test_custom_init_cell(both):
    out, value = run("""
def my_init(m):
    if isinstance(m, nn.Linear):
        print("Init", *[(name, param.shape) for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5
net.apply(my_init)
net[0].weight[:2]
""", both[0])
    assert out == "Init weight bricks.Size([8, 4])\nInit weight bricks.Size([1, 8])\n"
    w = np.abs(value.detach().numpy())
    assert np.all((w == 0) | ((w >= 5) & (w <= 10)))
    assert "grad_fn=<SliceBackward0>" in repr(value)


def test_tying_cell_prints_equalities_and_structure(both):
    out, value = run("""
shared = nn.Linear(8, 8)
net = nn.Sequential(
    nn.Linear(4, 8),
    nn.ReLU(),
    shared,
    nn.ReLU(),
    shared,
    nn.ReLU(),
    nn.Linear(8, 1)
)
net(x)
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
print(net[2].weight.data[0] == net[4].weight.data[0])
net
""", both[0])
    assert out == "tensor([True, True, True, True, True, True, True, True])\n" * 2
    assert repr(value) == SHARED_PRINTED
