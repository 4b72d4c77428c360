"""The nn tutorials, written anew: "What is torch.nn really?" refactored step by step on
data made in NumPy (from scratch, nn.functional, nn.Module, nn.Linear, optim, Dataset,
DataLoader, validation, nn.Sequential with a Lambda layer), and "Build the neural network"
(Flatten, Sequential, Softmax, named parameters); bricks against torch on the same
weights."""

import math

import numpy as np
import pytest
import torch

import bricks


def _mnist_like(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return x, y


def _weights():
    rng = np.random.default_rng(1)
    return (rng.normal(size=(784, 10)) / math.sqrt(784)).astype(np.float32)


def _from_scratch(torch):
    x_train, y_train = (torch.tensor(a) for a in _mnist_like())
    weights = torch.tensor(_weights())
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        return (torch.argmax(out, dim=1) == yb).float().mean()

    bs, lr = 64, 0.5
    losses = []
    for i in range((len(x_train) - 1) // bs + 1):
        xb, yb = x_train[i * bs: i * bs + bs], y_train[i * bs: i * bs + bs]
        loss = nll(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
        losses.append(loss.item())
    return losses, accuracy(model(x_train), y_train).item(), weights


def test_neural_net_from_scratch_matches_torch():
    ours, theirs = _from_scratch(bricks), _from_scratch(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert ours[1] == pytest.approx(theirs[1])
    np.testing.assert_allclose(ours[2].detach().numpy(), theirs[2].detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def _refactored(torch):
    """The tutorial's end state: Dataset, DataLoader, nn.Module, optim, fit with validation."""
    nn, F, optim = torch.nn, torch.nn.functional, torch.optim
    from_data = torch.utils.data
    x, y = (torch.tensor(a) for a in _mnist_like())
    train_ds = from_data.TensorDataset(x[:192], y[:192])
    valid_ds = from_data.TensorDataset(x[192:], y[192:])
    train_dl = from_data.DataLoader(train_ds, batch_size=32)
    valid_dl = from_data.DataLoader(valid_ds, batch_size=64)

    class MnistLogistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    model = MnistLogistic()
    with torch.no_grad():
        model.lin.weight.copy_(torch.tensor(_weights().T.copy()))
        model.lin.bias.zero_()
    cnn = nn.Sequential(Lambda(lambda x: x.view(-1, 1, 28, 28)),
                        nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), Lambda(lambda x: x.view(x.size(0), -1)))
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    history = []
    for _ in range(2):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, F.cross_entropy, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, F.cross_entropy, xb, yb)
                                 for xb, yb in valid_dl])
        history.append(np.sum(np.multiply(losses, nums)) / np.sum(nums))
    return history, tuple(cnn(x[:2]).shape)


def test_refactored_training_loop_matches_torch():
    ours, theirs = _refactored(bricks), _refactored(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4)
    assert ours[1] == theirs[1] == (2, 4)


def _build_model(torch):
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                nn.Linear(32, 10))

        def forward(self, x):
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    return NeuralNetwork()


def test_build_the_neural_network_tutorial():
    models = [_build_model(lib) for lib in (bricks, torch)]
    models[0].load_state_dict({k: bricks.tensor(v.detach().numpy())
                               for k, v in models[1].state_dict().items()})
    outputs = []
    for lib, model in zip((bricks, torch), models):
        X = lib.tensor(np.random.default_rng(3).random((1, 28, 28), dtype=np.float32))
        logits = model(X)
        pred_probab = lib.nn.Softmax(dim=1)(logits)
        y_pred = pred_probab.argmax(1)
        names = [(name, tuple(param.size())) for name, param in model.named_parameters()]
        outputs.append((pred_probab.detach().numpy(), y_pred.tolist(), names, repr(model)))
    np.testing.assert_allclose(outputs[0][0], outputs[1][0], rtol=1e-5)
    assert outputs[0][1:] == outputs[1][1:]
