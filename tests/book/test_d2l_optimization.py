"""The optimization chapters: gradient descent, SGD, momentum, Adagrad, RMSProp, Adam and
Adadelta written from scratch for ``d2l.train_ch11``, and torch.optim's through
``d2l.train_concise_ch11``, on data made in NumPy."""

import numpy as np
import pytest


def _data(lib, d2l, n=600):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    y = (X @ np.array([0.3, -0.2, 0.1, 0.4, -0.5]) + 0.5 * rng.normal(size=n))
    return d2l.load_array((lib.tensor(X), lib.tensor(y.astype(np.float32))), 10,
                          is_train=False)


def _trainers(lib, d2l):
    """The chapters' update rules (my own code, after the chapters' formulas)."""
    def zeros_states(count):
        """Per parameter (w, then b): its ``count`` state tensors."""
        return lambda dim: [tuple(d2l.zeros((dim, 1)) for _ in range(count)),
                            tuple(d2l.zeros(1) for _ in range(count))]

    def sgd(params, states, hyper):
        for p in params:
            p.data.sub_(hyper["lr"] * p.grad)
            p.grad.data.zero_()

    def momentum(params, states, hyper):
        for p, (v,) in zip(params, states):
            with lib.no_grad():
                v[:] = hyper["momentum"] * v + p.grad
                p[:] -= hyper["lr"] * v
            p.grad.data.zero_()

    def adagrad(params, states, hyper):
        for p, (s,) in zip(params, states):
            with lib.no_grad():
                s[:] += lib.square(p.grad)
                p[:] -= hyper["lr"] * p.grad / lib.sqrt(s + 1e-6)
            p.grad.data.zero_()

    def rmsprop(params, states, hyper):
        gamma = hyper["gamma"]
        for p, (s,) in zip(params, states):
            with lib.no_grad():
                s[:] = gamma * s + (1 - gamma) * lib.square(p.grad)
                p[:] -= hyper["lr"] * p.grad / lib.sqrt(s + 1e-6)
            p.grad.data.zero_()

    def adadelta(params, states, hyper):
        rho = hyper["rho"]
        for p, (s, delta) in zip(params, states):
            with lib.no_grad():
                s[:] = rho * s + (1 - rho) * lib.square(p.grad)
                g = (lib.sqrt(delta + 1e-5) / lib.sqrt(s + 1e-5)) * p.grad
                p[:] -= g
                delta[:] = rho * delta + (1 - rho) * g * g
            p.grad.data.zero_()

    def adam(params, states, hyper):
        beta1, beta2 = 0.9, 0.999
        for p, (v, s) in zip(params, states):
            with lib.no_grad():
                v[:] = beta1 * v + (1 - beta1) * p.grad
                s[:] = beta2 * s + (1 - beta2) * lib.square(p.grad)
                v_hat = v / (1 - beta1 ** hyper["t"])
                s_hat = s / (1 - beta2 ** hyper["t"])
                p[:] -= hyper["lr"] * v_hat / (lib.sqrt(s_hat) + 1e-6)
            p.grad.data.zero_()
        hyper["t"] += 1

    return {"sgd": (sgd, zeros_states(0), {"lr": 0.05}),
            "momentum": (momentum, zeros_states(1), {"lr": 0.02, "momentum": 0.5}),
            "adagrad": (adagrad, zeros_states(1), {"lr": 0.1}),
            "rmsprop": (rmsprop, zeros_states(1), {"lr": 0.01, "gamma": 0.9}),
            "adadelta": (adadelta, zeros_states(2), {"rho": 0.9}),
            "adam": (adam, zeros_states(2), {"lr": 0.01, "t": 1})}


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_from_scratch_optimizers_train_like_torch(d2l_pair, name):
    finals = []
    for lib, d2l in d2l_pair:
        lib.manual_seed(0)
        fn, make_states, hyper = _trainers(lib, d2l)[name]
        states = make_states(5)
        _, losses = d2l.train_ch11(fn, states, dict(hyper), _data(lib, d2l), 5, num_epochs=2)
        finals.append(losses[-1])
    # the weights start from each framework's own random draw: close, not equal
    assert finals[0] == pytest.approx(finals[1], rel=0.1)
    assert finals[0] < 0.25


@pytest.mark.parametrize("name, hyper", [
    ("SGD", {"lr": 0.05}), ("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adagrad", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}), ("Adam", {"lr": 0.01}), ("Adadelta", {"rho": 0.9}),
])
def test_torch_optim_through_train_concise_ch11(d2l_pair, name, hyper, capsys):
    printed = []
    for lib, d2l in d2l_pair:
        lib.manual_seed(0)
        d2l.train_concise_ch11(getattr(lib.optim, name), hyper, _data(lib, d2l), num_epochs=2)
        printed.append(float(capsys.readouterr().out.split("loss: ")[1].split(",")[0]))
    # the weights start from each framework's own random draw: close, not equal
    assert printed[0] == pytest.approx(printed[1], abs=0.03)
    assert printed[0] < 0.25


def test_gradient_descent_on_a_tensor_objective(d2l_pair):
    traces = []
    for lib, _ in d2l_pair:
        x = lib.tensor([-5.0, -2.0], requires_grad=True)
        trace = []
        for _ in range(20):
            f = 0.1 * x[0] ** 2 + 2 * x[1] ** 2
            f.backward()
            with lib.no_grad():
                x -= 0.4 * x.grad
                x.grad.zero_()
            trace.append(x.tolist())
        traces.append(trace)
    np.testing.assert_allclose(traces[0], traces[1], rtol=1e-6)
