"""Seed walk-through 5: deferred initialization; shapes inferred at the first forward pass.

Run: python examples/seed_deferred_init.py
"""

import bricks as torch
from bricks import nn


class MyInit(nn.init.Initializer):
    """Prints when it runs: with lazy layers, only once the shapes are known."""

    def init_tensor(self, name, data):
        print("Init", name, tuple(data.shape))
        nn.init.uniform_(data, -0.07, 0.07)


torch.manual_seed(0)
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
print(net)
net.initialize(init=MyInit(), select=r".*weight")
print("after initialize(): nothing printed, the input size is not known yet")
try:
    net[0].weight.data
except RuntimeError as error:
    print("reading an uninitialized weight:", error)

X = torch.rand(2, 20)
Y = net(X)  # the first forward pass infers (256, 20) and (10, 256), then initializes
print(net)
print(Y.shape)

# Avoiding deferred initialization: force a re-init, or give the input sizes.
net.initialize(init=MyInit(), select=r".*weight", force_reinit=True)
eager = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
eager.initialize(init=MyInit(), select=r".*weight", force_reinit=True)
