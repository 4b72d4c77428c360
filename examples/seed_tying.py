"""Seed walk-through 4: tying parameters by using one layer twice; gradients add up.

Run: python examples/seed_tying.py
"""

import bricks as torch
from bricks import nn
from bricks.inspect import summary

torch.manual_seed(0)
X = torch.rand(size=(2, 4))
shared = nn.Linear(8, 8)  # the shared layer needs a name to be referred to
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.Linear(8, 1))
net(X)
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# They are one object, not merely equal values.
print(net[2].weight.data[0] == net[4].weight.data[0])
print("same object:", net[2].weight is net[4].weight)

print("parameters() yields the tied weight once:", len(list(net.parameters())), "tensors")
print("state_dict() keeps every name:", list(net.state_dict()))
print("tied groups:", net.tied_parameters())

# The gradient of a tied parameter is the sum over its uses.
net(X).sum().backward()
print("grad of the shared weight:", net[2].weight.grad.shape,
      "is net[4].weight.grad:", net[2].weight.grad is net[4].weight.grad)
summary(net, input_data=X)
