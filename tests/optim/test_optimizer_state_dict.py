"""Optimizer state dicts: resume exactly, match by name, report mismatches, change nothing."""

import numpy as np
import pytest

import bricks
from bricks import optim

from test_optimizers import CASES, _data, _model


def _params(weights):
    return {k: bricks.tensor(v, requires_grad=True) for k, v in weights.items()}


def _forward(params, x):
    hidden = bricks.relu(x @ params["0.weight"].T + params["0.bias"])
    return hidden @ params["2.weight"].T + params["2.bias"]


def _train(opt, params, x, y, steps):
    sign = -1.0 if opt.defaults.get("maximize") else 1.0  # maximize the negated loss
    for _ in range(steps):
        opt.zero_grad()
        (sign * ((_forward(params, x) - y) ** 2).mean()).backward()
        opt.step()


def _roundtrip(obj, tmp_path):
    path = tmp_path / "checkpoint.safetensors"
    bricks.save(obj, path)
    return bricks.load(path)


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_resumed_run_continues_exactly_like_an_uninterrupted_one(name, options, tmp_path):
    weights, x, y = _data()
    x, y = bricks.tensor(x), bricks.tensor(y)
    make = getattr(optim, name)
    straight = _params(weights)
    opt = make(list(straight.items()), **options)
    _train(opt, straight, x, y, 20)

    first = _params(weights)
    opt = make(list(first.items()), **options)
    _train(opt, first, x, y, 10)
    checkpoint = _roundtrip({"model": {k: v.detach() for k, v in first.items()},
                             "optim": opt.state_dict()}, tmp_path)
    resumed = {k: bricks.tensor(v.numpy(), requires_grad=True)
               for k, v in checkpoint["model"].items()}
    opt = make(list(resumed.items()), **options)
    opt.load_state_dict(checkpoint["optim"])
    _train(opt, resumed, x, y, 10)
    for key in weights:
        assert np.isfinite(straight[key].detach().numpy()).all()
        np.testing.assert_array_equal(resumed[key].detach().numpy(),
                                      straight[key].detach().numpy())


def test_named_state_is_matched_by_name_when_the_order_differs():
    weights, x, y = _data()
    x, y = bricks.tensor(x), bricks.tensor(y)
    params = _params(weights)
    opt = optim.Adam(list(params.items()), lr=0.01)
    _train(opt, params, x, y, 3)
    saved = opt.state_dict()
    reordered = optim.Adam(list(reversed(params.items())), lr=0.01)
    reordered.load_state_dict(saved)
    for p in params.values():
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(reordered.state[p][key].numpy(), value.numpy())


def test_name_mismatch_is_reported_and_changes_nothing():
    weights, x, y = _data()
    params = _params(weights)
    opt = optim.SGD(list(params.items()), lr=0.1, momentum=0.9)
    _train(opt, params, bricks.tensor(x), bricks.tensor(y), 2)
    saved = opt.state_dict()
    renamed = {("layer." + k): v for k, v in params.items()}
    other = optim.SGD(list(renamed.items()), lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=r"layer\.0\.weight.*unknown parameters \['0\.weight'"):
        other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == 0.5 and not other.state


def test_shape_mismatch_is_reported_and_changes_nothing():
    a = bricks.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([a])
    (a * a).sum().backward()
    opt.step()
    saved = opt.state_dict()
    b = bricks.tensor([1.0, 2.0, 3.0], requires_grad=True)
    fresh = optim.Adam([b], lr=0.5)
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \[2\]"):
        fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.5 and not fresh.state


def test_group_count_and_size_mismatches_raise_value_error():
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([1.0], requires_grad=True)
    saved = optim.SGD([a, b]).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a]).load_state_dict(saved)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(saved)
    with pytest.raises(KeyError, match="param_groups"):
        optim.SGD([a]).load_state_dict({"state": {}})


def test_load_copies_state_and_casts_to_parameter_dtype():
    a = bricks.tensor([1.0, 2.0], requires_grad=True, dtype=bricks.float64)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    (a * a).sum().backward()
    opt.step()
    saved = opt.state_dict()
    b = bricks.tensor([1.0, 2.0], requires_grad=True)
    fresh = optim.SGD([b], lr=0.1, momentum=0.9)
    fresh.load_state_dict(saved)
    buffer = fresh.state[b]["momentum_buffer"]
    assert buffer.dtype == bricks.float32
    assert buffer._value is not saved["state"][0]["momentum_buffer"]._value


def test_state_dict_with_groups_and_hyperparameters_roundtrips_through_a_file(tmp_path):
    a = bricks.tensor([1.0], requires_grad=True)
    b = bricks.tensor([2.0], requires_grad=True)
    opt = optim.AdamW([{"params": {"a": a}, "lr": 0.1}, {"params": {"b": b}}],
                      betas=(0.8, 0.9))
    (a * b).sum().backward()
    opt.step()
    loaded = _roundtrip(opt.state_dict(), tmp_path)
    fresh = optim.AdamW([{"params": {"a": a}}, {"params": {"b": b}}])
    fresh.load_state_dict(loaded)
    assert fresh.param_groups[0]["lr"] == 0.1 and tuple(fresh.param_groups[1]["betas"]) == (
        0.8, 0.9)
    assert fresh.param_groups[0]["param_names"] == ["a"]
    assert float(fresh.state[b]["step"]) == 1.0


def test_module_checkpoint_resumes_by_name_through_one_file(tmp_path):
    weights, x, y = _data()
    x, y = bricks.tensor(x), bricks.tensor(y)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    straight = _model(bricks, weights)
    train(straight, optim.AdamW(straight.named_parameters(), lr=0.01), 12)
    model = _model(bricks, weights)
    opt = optim.AdamW(model.named_parameters(), lr=0.01)
    train(model, opt, 6)
    loaded = _roundtrip({"model": model.state_dict(), "optim": opt.state_dict()}, tmp_path)
    resumed = _model(bricks, {k: v.numpy() for k, v in loaded["model"].items()})
    opt = optim.AdamW(resumed.collect_params(), lr=0.01)
    opt.load_state_dict(loaded["optim"])
    train(resumed, opt, 6)
    for (name, a), (_, b) in zip(resumed.named_parameters(), straight.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)
