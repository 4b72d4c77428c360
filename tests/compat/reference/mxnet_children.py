import numpy as onp
from mxnet import init, np, npx
from mxnet.gluon import nn
npx.set_np()


class MySequential(nn.Block):
    def add(self, block):
        self._children[block.name] = block

    def forward(self, X):
        for block in self._children.values():
            X = block(X)
        return X


net = MySequential()
net.add(nn.Dense(4, activation='relu'))
net.add(nn.Dense(2))
net.initialize(init.Constant(0.1))
X = np.array(onp.arange(6, dtype=onp.float32).reshape(2, 3))
print(net(X))
print(list(net._children.keys()))
print(sorted(net.collect_params().keys()))
