"""Seed walk-through 1: reaching parameters by index, attribute, name and nested path.

The PyTorch code of the "parameter management" seed, run unchanged on bricks.
Run: python examples/seed_access.py
"""

import bricks as torch
from bricks import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
print(net(X))

# One layer's parameters, then the parameter objects themselves.
print(net[2].state_dict())
print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)
print("grad before backward is None:", net[2].weight.grad is None)

# All parameters at once, with their dotted names.
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
print(net.state_dict()["2.bias"].data)


def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())


def block2():
    net = nn.Sequential()
    for i in range(4):
        net.add_module(f"block {i}", block1())  # nested here
    return net


rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
print(rgnet(X))
print(rgnet)
print(rgnet[0][1][0].bias.data)
print("by dotted name:", rgnet.get_parameter("0.block 1.0.bias").shape)
print("selected by pattern:", list(rgnet.collect_params(r".*block 3.*weight").keys()))
