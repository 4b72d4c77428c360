"""Seed walk-through 7: saving and loading tensors, lists, dicts and model parameters.

Files are safetensors (never pickle). Run: python examples/seed_files.py [directory]
"""

import os
import sys
import tempfile

import bricks as torch
import bricks.nn.functional as F
from bricks import nn

directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="bricks-seed-")
os.makedirs(directory, exist_ok=True)
os.chdir(directory)

x = torch.arange(4)
torch.save(x, "x-file")
x2 = torch.load("x-file")
print(x2)

y = torch.zeros(4)
torch.save([x, y], "x-files")
x2, y2 = torch.load("x-files")
print((x2, y2))

mydict = {"x": x, "y": y}
torch.save(mydict, "mydict")
print(torch.load("mydict"))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


torch.manual_seed(0)
net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)
torch.save(net.state_dict(), "mlp.params")
clone = MLP()
clone.load_state_dict(torch.load("mlp.params"))
print(clone.eval())
print(clone(X) == Y)
print("identical:", bool((clone(X) == Y).all()), "files in", directory)
