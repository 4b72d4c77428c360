"""Seed walk-through 3: a custom initialization rule, as a function and as a class.

w ~ U(5, 10) with probability 1/4, 0 with probability 1/2, U(-10, -5) with probability 1/4.
Run: python examples/seed_custom_init.py
"""

import bricks as torch
from bricks import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def my_init(m):
    if type(m) == nn.Linear:
        print("Init", *[(name, param.shape) for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5


net.apply(my_init)
print(net[0].weight[:2])

# Parameters can always be set directly.
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
print(net[0].weight.data[0])


class MyInit(nn.init.Initializer):
    """The same rule as an initializer object: override one method."""

    def init_tensor(self, name, data):
        print("Init", name, tuple(data.shape))
        nn.init.uniform_(data, -10, 10)
        data *= data.abs() >= 5


net.initialize(MyInit(), select=r".*weight", force_reinit=True)
weight = net[0].weight.data
print(weight[0])
kept, zeroed = int((weight.abs() >= 5).sum()), int((weight == 0).sum())
print("all |w| >= 5 or 0:", kept + zeroed == weight.numel())
