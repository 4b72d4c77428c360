import numpy as onp
from mxnet import autograd, gluon, init, np, npx
from mxnet.gluon import nn, rnn
npx.set_np()
x = np.arange(12)
print(repr(x), x.shape, x.size)
X = x.reshape(3, 4)
print(np.linalg.norm(X), np.abs(np.array([-1.0, 2.0])), X.sum(axis=0), X.mean(axis=1))
print(np.exp(np.array([0.0, 1.0])), np.concatenate([X, X], axis=0).shape, np.stack([x, x]).shape)
print(X.cumsum(axis=0)[-1], X.repeat(2, axis=0).shape)
x = np.arange(4.0)
x.attach_grad()
with autograd.record():
    y = 2 * np.dot(x, x)
y.backward()
print(x.grad)
print(npx.sequence_mask(np.ones((2, 3)), np.array([1, 2]), True, value=-1, axis=1))
print(npx.softmax(np.array([[1.0, 2.0, 3.0]])))
print(npx.pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0])))
print(npx.one_hot(np.array([0, 2]), 3))
print(npx.batch_dot(np.ones((2, 1, 3)), np.ones((2, 3, 4))).shape)
net = nn.Sequential()
net.add(nn.Conv2D(6, kernel_size=5, padding=2, activation='sigmoid'), nn.AvgPool2D(pool_size=2, strides=2),
        nn.MaxPool2D(pool_size=2), nn.Dense(10))
print(net)
net.initialize(init.Constant(0.01))
Y = net(np.ones((1, 1, 28, 28)))
for layer in net:
    pass
print(Y.shape, [blk.name for blk in net])
gnet = nn.Sequential()
gnet.add(nn.Dense(1))
gnet.initialize(init.Normal(sigma=0.01))
rng = onp.random.default_rng(0)
features = np.array(rng.standard_normal((20, 2)).astype(onp.float32))
labels = np.dot(features, np.array([2.0, -3.4])) + 4.2
gnet[0].weight.set_data(np.array([[0.1, 0.2]]))
loss = gluon.loss.L2Loss()
trainer = gluon.Trainer(gnet.collect_params(), 'sgd', {'learning_rate': 0.03})
for epoch in range(3):
    with autograd.record():
        l = loss(gnet(features), labels.reshape(-1, 1))
    l.backward()
    trainer.step(20)
    print(f'epoch {epoch + 1}, loss {float(loss(gnet(features), labels.reshape(-1, 1)).mean()):f}')
layer = rnn.RNN(8)
layer.initialize()
state = layer.begin_state(batch_size=2)
out, st = layer(np.ones((5, 2, 3)), state)
print(out.shape, st[0].shape)
print(npx.num_gpus(), npx.cpu(), npx.gpu(1))
