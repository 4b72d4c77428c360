"""Seed walk-through 2: built-in initialization, per layer and for the whole model.

Run: python examples/seed_init.py
"""

import bricks as torch
from bricks import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
net(X)


def init_normal(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)


net.apply(init_normal)
print(net[0].weight.data[0], net[0].bias.data[0])


def init_constant(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


net.apply(init_constant)
print(net[0].weight.data[0], net[0].bias.data[0])


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

# The same with initializer objects, selected by name pattern (Gluon's way).
net.initialize(nn.init.Normal(0.01), select=r".*weight", force_reinit=True)
net.initialize(nn.init.Constant(0.0), select=r".*bias", force_reinit=True)
print("std of 0.weight after Normal(0.01):", float(net[0].weight.data.std()))
print("0.bias after Constant(0):", net[0].bias.data)
