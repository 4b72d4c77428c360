"""Linear regression from scratch and concise, and the MLP chapters (weight decay, dropout,
initialization), with d2l's classes; data made in NumPy and fed to both frameworks."""

import numpy as np
import pytest
from _sync import close, copy_weights


def _data(d2l, lib, n=1000, seed=0):
    """d2l's synthetic regression data, its X and y replaced by the same NumPy draws."""
    rng = np.random.default_rng(seed)
    w, b = np.array([2.0, -3.4], dtype=np.float32), 4.2
    X = rng.normal(size=(2 * n, 2)).astype(np.float32)
    y = (X @ w + b + 0.01 * rng.normal(size=2 * n)).astype(np.float32).reshape(-1, 1)
    data = d2l.SyntheticRegressionData(w=lib.tensor(w), b=b, num_train=n, num_val=n,
                                       batch_size=32)
    data.X, data.y = lib.tensor(X), lib.tensor(y)
    return data


def test_synthetic_data_and_its_loader(d2l_pair):
    for lib, d2l in d2l_pair:
        data = d2l.SyntheticRegressionData(w=lib.tensor([2, -3.4]), b=4.2)
        X, y = next(iter(data.train_dataloader()))
        assert X.shape == (32, 2) and y.shape == (32, 1)
        assert len(data.train_dataloader()) == 32


@pytest.mark.parametrize("model_name", ["LinearRegressionScratch", "LinearRegression"])
def test_linear_regression_recovers_the_weights(d2l_pair, model_name):
    estimates = []
    for lib, d2l in d2l_pair:
        lib.manual_seed(0)
        data = _data(d2l, lib)
        if model_name == "LinearRegressionScratch":
            model = d2l.LinearRegressionScratch(2, lr=0.03)
        else:
            model = d2l.LinearRegression(lr=0.03)
        model.board.display = False
        d2l.Trainer(max_epochs=3).fit(model, data)
        w, b = (model.w, model.b) if hasattr(model, "w") else model.get_w_b()
        estimates.append((w.detach().numpy().ravel(), float(b.detach().reshape(-1)[0])))
    for w, b in estimates:  # three epochs, as the book: close, not converged
        np.testing.assert_allclose(w, [2.0, -3.4], atol=0.3)
        assert b == pytest.approx(4.2, abs=0.3)


def test_scratch_pieces_of_the_first_edition_match_torch(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        features, labels = _data(d2l, lib).X[:10], _data(d2l, lib).y[:10]
        w = lib.tensor([[0.5], [0.1]], requires_grad=True)
        b = lib.zeros(1, requires_grad=True)
        loss = d2l.squared_loss(d2l.linreg(features, w, b), labels)
        loss.sum().backward()
        with lib.no_grad():
            d2l.sgd([w, b], lr=0.1, batch_size=10)
        batches = list(d2l.load_array((features, labels), batch_size=4, is_train=False))
        results.append((loss, w, b, batches[-1][0]))
    for ours, theirs in zip(*results):
        close(ours, theirs)


def _mlp(lib, dropout):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(8, 16), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(16, 3))


def test_mlp_with_weight_decay_trains_like_torch(d2l_pair):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2, 4)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    models, losses = [], []
    for lib, d2l in d2l_pair:
        net = _mlp(lib, 0.0)
        models.append(net)
        if lib is d2l_pair[1][0]:
            copy_weights(models[0], net)
    for (lib, d2l), net in zip(d2l_pair, models):
        opt = lib.optim.SGD([{"params": net[1].weight, "weight_decay": 0.01},
                             {"params": net[1].bias}, {"params": net[4].parameters()}], lr=0.1)
        loss_fn = lib.nn.CrossEntropyLoss()
        history = []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn(net(lib.tensor(X)), lib.tensor(y))
            loss.backward()
            opt.step()
            history.append(loss.item())
        losses.append(history)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
    close(models[0][4].weight, models[1][4].weight, rtol=1e-4, atol=1e-5)


def test_dropout_from_scratch_and_in_train_and_eval_modes(d2l_pair):
    for lib, _ in d2l_pair:
        def dropout_layer(X, dropout):
            assert 0 <= dropout <= 1
            if dropout == 1:
                return lib.zeros_like(X)
            mask = (lib.rand(X.shape) > dropout).float()
            return mask * X / (1.0 - dropout)

        X = lib.arange(16, dtype=lib.float32).reshape((2, 8))
        assert lib.equal(dropout_layer(X, 0), X)
        assert dropout_layer(X, 1).sum().item() == 0
        kept = dropout_layer(X, 0.5)
        assert set(np.unique((kept / X.clamp(min=1)).numpy()[:, 1:])) <= {0.0, 2.0}
        net = _mlp(lib, 0.5)
        net.eval()
        assert lib.equal(net(lib.ones(2, 2, 4)), net(lib.ones(2, 2, 4)))
        net.train()
        assert net.training and net[3].training


def test_initialization_chapter(d2l_pair):
    for lib, _ in d2l_pair:
        nn = lib.nn
        net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
        net(lib.rand(2, 4))

        def init_normal(module):
            if type(module) is nn.Linear:
                nn.init.normal_(module.weight, mean=0, std=0.01)
                nn.init.zeros_(module.bias)

        def init_constant(module):
            if type(module) is nn.Linear:
                nn.init.constant_(module.weight, 1)
                nn.init.zeros_(module.bias)

        net.apply(init_normal)
        assert abs(net[0].weight.std().item() - 0.01) < 0.005
        net.apply(init_constant)
        assert net[0].weight.data[0].tolist() == [1.0] * 4
        nn.init.xavier_uniform_(net[0].weight)
        bound = (6 / (4 + 8)) ** 0.5
        assert net[0].weight.abs().max().item() <= bound
        net[0].weight.data[:] += 1
        net[0].weight.data[0, 0] = 42
        assert net[0].weight.data[0, 0].item() == 42
        assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias",
                                                                "2.weight", "2.bias"]
