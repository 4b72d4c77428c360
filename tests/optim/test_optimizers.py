"""Optimizers against torch.optim: 25 steps on the same model and data, every option."""

import numpy as np
import pytest
import torch

import bricks
from bricks import optim

STEPS = 25


def _data(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"0.weight": (8, 4), "0.bias": (8,), "2.weight": (1, 8), "2.bias": (1,)}
    weights = {k: rng.normal(0, 0.5, s).astype(np.float32) for k, s in shapes.items()}
    x = rng.normal(size=(16, 4)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    return weights, x, y


def _model(lib, weights):
    """The same MLP in bricks or torch, holding ``weights``."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    return model


def _loss(model, x, y):
    return ((model(x) - y) ** 2).mean()


def _run(lib, make, weights, x, y, steps=STEPS, named=False, sign=1.0):
    model = _model(lib, weights)
    x, y = lib.tensor(x), lib.tensor(y)
    opt = make(model.named_parameters() if named else model.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = sign * _loss(model, x, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {k: v.detach().numpy() for k, v in model.named_parameters()}, opt


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("RMSprop", dict(lr=0.005, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)),
]


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_matches_torch_over_25_steps(name, options):
    weights, x, y = _data()
    sign = -1.0 if options.get("maximize") else 1.0  # maximize the negated loss: it converges
    b_losses, b_weights, _ = _run(bricks, lambda p: getattr(optim, name)(p, **options),
                                  weights, x, y, sign=sign)
    t_losses, t_weights, _ = _run(torch, lambda p: getattr(torch.optim, name)(p, **options),
                                  weights, x, y, sign=sign)
    np.testing.assert_allclose(b_losses, t_losses, rtol=1e-4, atol=1e-6)
    for key in weights:
        np.testing.assert_allclose(b_weights[key], t_weights[key], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, options", CASES[::3], ids=[f"{n}-{o}" for n, o in CASES[::3]])
def test_state_dict_layout_matches_torch(name, options):
    weights, x, y = _data()
    _, _, b_opt = _run(bricks, lambda p: getattr(optim, name)(p, **options), weights, x, y, 2,
                       named=True)
    _, _, t_opt = _run(torch, lambda p: getattr(torch.optim, name)(p, **options), weights, x, y,
                       2, named=True)
    b_state, t_state = b_opt.state_dict(), t_opt.state_dict()
    assert b_state["param_groups"] == t_state["param_groups"]
    assert list(b_state["state"]) == list(t_state["state"])
    for index, entry in t_state["state"].items():
        assert list(b_state["state"][index]) == list(entry)
        for key, value in entry.items():
            np.testing.assert_allclose(b_state["state"][index][key].numpy(), value.numpy(),
                                       rtol=1e-4, atol=1e-6)


def test_sgd_plain_step_is_in_place():
    w = bricks.tensor([1.0, 2.0], requires_grad=True)
    array = w._value
    opt = optim.SGD([w], lr=0.5)
    (w * w).sum().backward()
    opt.step()
    assert w._value is array
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])


def test_parameters_without_grad_are_skipped_and_zero_grad_resets():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    opt.step()
    assert b.tolist() == [1.0] and a.tolist() != [1.0]
    assert b not in opt.state
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0]
    opt.zero_grad()
    assert a.grad is None


def test_tied_parameter_is_updated_once_per_step():
    w = bricks.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w, w], lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 1
    (w * 3).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.7], rtol=1e-6)


def test_named_parameters_and_mappings_record_names():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([2.0], requires_grad=True)
    opt = optim.SGD([("a", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    opt = optim.SGD({"x.weight": a, "x.bias": b}, lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["x.weight", "x.bias"]
    opt = optim.SGD([{"params": {"p": a}, "lr": 0.5}, {"params": {"q": b}}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1]
    assert opt.state_dict()["param_groups"][1]["param_names"] == ["q"]


def test_per_group_options_match_torch():
    weights, x, y = _data(1)

    def groups(params):
        values = list(params)
        return [{"params": values[:2], "lr": 0.02, "momentum": 0.5}, {"params": values[2:]}]

    b, bw, _ = _run(bricks, lambda p: optim.SGD(groups(p), lr=0.1), weights, x, y)
    t, tw, _ = _run(torch, lambda p: torch.optim.SGD(groups(p), lr=0.1), weights, x, y)
    np.testing.assert_allclose(b, t, rtol=1e-5)
    for key in weights:
        np.testing.assert_allclose(bw[key], tw[key], rtol=1e-5, atol=1e-6)


def test_collect_params_dict_is_one_named_group():
    weights, x, y = _data()
    model = _model(bricks, weights)
    opt = optim.Adam(model.collect_params(), lr=0.01)
    assert opt.param_groups[0]["param_names"] == list(weights)
    opt = optim.SGD([{"params": model.collect_params(".*weight"), "lr": 0.5},
                     {"params": model.collect_params(".*bias")}], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["0.weight", "2.weight"]
    _loss(model, bricks.tensor(x), bricks.tensor(y)).backward()
    before = model[2].bias.detach().numpy().copy()
    grad = model[2].bias.grad.numpy().copy()
    opt.step()
    np.testing.assert_allclose(model[2].bias.detach().numpy(), before - 0.1 * grad, rtol=1e-6)


def test_tied_layer_is_updated_once_and_matches_torch():
    weights, x, y = _data()
    results = []
    for lib in (bricks, torch):
        shared = lib.nn.Linear(4, 4)
        with lib.no_grad():
            shared.weight.copy_(lib.tensor(np.eye(4, dtype=np.float32) * 0.5))
            shared.bias.fill_(0.1)
        model = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
        opt = (optim if lib is bricks else torch.optim).Adam(model.parameters(), lr=0.01)
        for _ in range(5):
            opt.zero_grad()
            model(lib.tensor(x)).pow(2).mean().backward()
            opt.step()
        results.append(shared.weight.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


def test_lazy_layer_parameters_are_optimized_after_the_first_forward():
    model = bricks.nn.Sequential(bricks.nn.LazyLinear(3), bricks.nn.Tanh(), bricks.nn.Linear(3, 1))
    for make in (optim.Adagrad, optim.Adam, optim.SGD):
        opt = make(model.parameters(), lr=0.1)
        opt.zero_grad()
        model(bricks.ones(2, 5)).sum().backward()
        before = model[0].weight.detach().numpy().copy()
        opt.step()
        assert not np.array_equal(model[0].weight.detach().numpy(), before)


def test_step_calls_closure_with_grad_enabled():
    w = bricks.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with bricks.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 1.0
    np.testing.assert_allclose(w.detach().numpy(), [0.8], rtol=1e-6)


@pytest.mark.parametrize("name, options, message", [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("SGD", dict(nesterov=True), "Nesterov momentum requires a momentum"),
    ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("AdamW", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
])
def test_bad_hyperparameters_raise_torch_value_errors(name, options, message):
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([bricks.tensor([1.0], requires_grad=True)], **options)
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **options)


def test_bad_params_raise_like_torch():
    w = bricks.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(w)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2])
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([1.0])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {w}}])
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([("w", w), bricks.tensor([1.0], requires_grad=True)])


def test_add_param_group_rejects_a_parameter_already_optimized():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [b, a]})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [("c", bricks.tensor([1.0], requires_grad=True))]})


def test_repr_matches_torch():
    w = bricks.tensor([1.0], requires_grad=True)
    t = torch.tensor([1.0], requires_grad=True)
    assert repr(optim.Adam([w])) == repr(torch.optim.Adam([t]))
