import numpy as np
import mindspore as ms
from mindspore import nn, ops, Tensor, Parameter

ms.set_context(mode=ms.PYNATIVE_MODE)
rng = np.random.default_rng(0)
X = rng.standard_normal((32, 1, 4, 4)).astype(np.float32)
Y = rng.integers(0, 3, 32).astype(np.int32)

class Network(nn.Cell):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.dense_relu_sequential = nn.SequentialCell(
            nn.Dense(16, 8), nn.ReLU(), nn.Dense(8, 3))
    def construct(self, x):
        x = self.flatten(x)
        logits = self.dense_relu_sequential(x)
        return logits

model = Network()
print(model)
w = np.random.default_rng(1)
for p in model.trainable_params():
    p.set_data(Tensor(w.standard_normal(p.shape).astype(np.float32) * 0.3))
    print(p.name, p.shape, p.dtype)

loss_fn = nn.CrossEntropyLoss()
optimizer = nn.SGD(model.trainable_params(), learning_rate=0.1, momentum=0.9)

def forward_fn(data, label):
    logits = model(data)
    loss = loss_fn(logits, label)
    return loss, logits

grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)

def train_step(data, label):
    (loss, _), grads = grad_fn(data, label)
    optimizer(grads)
    return loss

model.set_train()
for step in range(5):
    loss = train_step(Tensor(X), Tensor(Y))
    print(f"loss: {loss.asnumpy():>7f}  [{step:>3d}]")
print(type(loss), loss.dtype, loss.shape)
model.set_train(False)
pred = model(Tensor(X)).argmax(1)
print(pred[:8], (pred == Tensor(Y)).asnumpy().mean())
print(ops.ReduceMean()(Tensor(X), (2, 3)).shape)
x = ops.ones(5, ms.float32)
y = ops.zeros(3, ms.float32)
w = Parameter(Tensor(np.arange(15, dtype=np.float32).reshape(5, 3) / 10), name='w')
b = Parameter(Tensor(np.arange(3, dtype=np.float32) / 10), name='b')
def function(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss
grad_fn2 = ms.grad(function, (2, 3))
grads = grad_fn2(x, y, w, b)
print(grads)
def function_with_logits(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss, z
grad_fn3 = ms.grad(function_with_logits, (2, 3), has_aux=True)
grads, (z,) = grad_fn3(x, y, w, b)
print(grads[1], z)
def function_stop_gradient(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss, ops.stop_gradient(z)
grads = ms.grad(function_stop_gradient, (2, 3))(x, y, w, b)
print(grads[1])
