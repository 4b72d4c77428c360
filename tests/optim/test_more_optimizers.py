"""NAdam, RAdam, Adamax, Adadelta and LBFGS against torch.optim on the same model and data;
parameter groups whose ``params`` is a single Tensor."""

import numpy as np
import pytest
import torch
from test_optimizers import _data, _loss, _model, _run

import bricks
from bricks import optim

CASES = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
]


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_matches_torch_over_25_steps(name, options):
    weights, x, y = _data()
    sign = -1.0 if options.get("maximize") else 1.0
    b_losses, b_weights, b_opt = _run(bricks, lambda p: getattr(optim, name)(p, **options),
                                      weights, x, y, sign=sign, named=True)
    t_losses, t_weights, t_opt = _run(torch, lambda p: getattr(torch.optim, name)(p, **options),
                                      weights, x, y, sign=sign, named=True)
    np.testing.assert_allclose(b_losses, t_losses, rtol=1e-4, atol=1e-6)
    for key in weights:
        np.testing.assert_allclose(b_weights[key], t_weights[key], rtol=1e-4, atol=1e-5)
    b_state, t_state = b_opt.state_dict(), t_opt.state_dict()
    assert b_state["param_groups"] == t_state["param_groups"]
    for index, entry in t_state["state"].items():
        assert list(b_state["state"][index]) == list(entry)
        for key, value in entry.items():
            np.testing.assert_allclose(b_state["state"][index][key].numpy(), value.numpy(),
                                       rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_resumes_from_state_dict_through_a_file(name, tmp_path):
    weights, x, y = _data(2)
    straight, _, _ = _run(bricks, lambda p: getattr(optim, name)(p, lr=0.01), weights, x, y, 10)
    first, halfway, opt = _run(bricks, lambda p: getattr(optim, name)(p, lr=0.01), weights, x,
                               y, 5)
    bricks.save(opt.state_dict(), tmp_path / "opt.safetensors")
    model = _model(bricks, halfway)
    opt = getattr(optim, name)(model.parameters(), lr=0.01)
    opt.load_state_dict(bricks.load(tmp_path / "opt.safetensors"))
    rest = []
    for _ in range(5):
        opt.zero_grad()
        loss = _loss(model, bricks.tensor(x), bricks.tensor(y))
        loss.backward()
        opt.step()
        rest.append(loss.item())
    np.testing.assert_allclose(first + rest, straight, rtol=1e-6)


def _lbfgs_run(lib, weights, x, y, steps, dtype, **options):
    model = _model(lib, weights).to(getattr(lib, dtype))
    x = lib.tensor(x, dtype=getattr(lib, dtype))
    y = lib.tensor(y, dtype=getattr(lib, dtype))
    opt = (optim if lib is bricks else torch.optim).LBFGS(model.parameters(), **options)
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = _loss(model, x, y)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    params = {k: v.detach().numpy() for k, v in model.named_parameters()}
    return losses, params, calls[0], opt.state[next(iter(model.parameters()))]


@pytest.mark.parametrize("options", [
    dict(lr=0.5, max_iter=5),
    dict(lr=1, max_iter=6, history_size=3),
    dict(line_search_fn="strong_wolfe", max_iter=8),
    dict(line_search_fn="strong_wolfe", max_iter=10, history_size=4, tolerance_change=1e-6),
], ids=["plain", "short-history", "wolfe", "wolfe-short-history"])
def test_lbfgs_matches_torch_step_by_step(options):
    weights, x, y = _data(3)
    b = _lbfgs_run(bricks, weights, x, y, 4, "float64", **options)
    t = _lbfgs_run(torch, weights, x, y, 4, "float64", **options)
    np.testing.assert_allclose(b[0], t[0], rtol=1e-9, atol=1e-12)
    for key in weights:
        np.testing.assert_allclose(b[1][key], t[1][key], rtol=1e-8, atol=1e-10)
    assert b[2] == t[2]  # the same number of closure evaluations
    assert (b[3]["func_evals"], b[3]["n_iter"]) == (t[3]["func_evals"], t[3]["n_iter"])


def test_lbfgs_float32_follows_torch_and_converges():
    weights, x, y = _data(4)
    options = dict(line_search_fn="strong_wolfe", max_iter=10)
    b = _lbfgs_run(bricks, weights, x, y, 3, "float32", **options)
    t = _lbfgs_run(torch, weights, x, y, 3, "float32", **options)
    np.testing.assert_allclose(b[0], t[0], rtol=1e-3)
    assert b[0][-1] < 0.5 * b[0][0]


def test_lbfgs_refuses_groups_and_unknown_line_search():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = optim.LBFGS([a], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_lbfgs_stops_at_once_when_the_gradient_is_zero():
    w = bricks.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.LBFGS([w])

    def closure():
        opt.zero_grad()
        loss = (w * 0).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 0.0
    assert w.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name, options, message", [
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("RAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("Adamax", dict(eps=-1), "Invalid epsilon value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("LBFGS", dict(lr=-1), "Invalid learning rate: -1"),
])
def test_bad_hyperparameters_raise_torch_value_errors(name, options, message):
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)([bricks.tensor([1.0], requires_grad=True)], **options)
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **options)


def test_group_whose_params_is_one_tensor_matches_torch():
    weights, x, y = _data(5)

    def groups(lib, model):
        return [{"params": model[0].weight, "weight_decay": 0.5},
                {"params": model[0].bias}, {"params": [model[2].weight, model[2].bias]}]

    results = []
    for lib, module in ((bricks, optim), (torch, torch.optim)):
        model = _model(lib, weights)
        opt = module.SGD(groups(lib, model), lr=0.1)
        assert [len(g["params"]) for g in opt.param_groups] == [1, 1, 2]
        for _ in range(5):
            opt.zero_grad()
            _loss(model, lib.tensor(x), lib.tensor(y)).backward()
            opt.step()
        results.append([p.detach().numpy().copy() for p in model.parameters()])
        assert opt.state_dict()["param_groups"][0]["params"] == [0]
    for b, t in zip(*results):
        np.testing.assert_allclose(b, t, rtol=1e-5, atol=1e-6)
    w = bricks.tensor([1.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    opt.add_param_group({"params": bricks.tensor([2.0], requires_grad=True), "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and len(opt.param_groups[1]["params"]) == 1
