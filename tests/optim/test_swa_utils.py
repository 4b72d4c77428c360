"""optim.swa_utils compared with torch over a short training run: averaged parameters and
buffers, n_averaged, SWALR's learning rates, update_bn's statistics, errors."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import bricks

LIBS = (bricks, torch)


def _swa(T):
    return importlib.import_module(T.__name__ + ".optim.swa_utils")


def _model(T):
    nn = T.nn
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)).double()
    rs = np.random.RandomState(0)
    with T.no_grad():
        for p in m.parameters():
            p.copy_(T.tensor(rs.randn(*p.shape)))
    return m


def _averaging_kwargs(S, kind):
    return {"swa": {}, "ema_multi": {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)},
            "ema_buffers": {"avg_fn": S.get_ema_avg_fn(0.8), "use_buffers": True},
            "swa_buffers": {"use_buffers": True},
            "swa_multi": {"multi_avg_fn": S.get_swa_multi_avg_fn()}}[kind]


def _run(T, kind, strategy):
    S = _swa(T)
    X = T.tensor(np.random.RandomState(1).randn(16, 3))
    Y = T.tensor(np.random.RandomState(2).randn(16, 1))
    m = _model(T)
    avg = S.AveragedModel(m, **_averaging_kwargs(S, kind))
    opt = T.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
    sched = S.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy=strategy)
    lrs = []
    for _ in range(6):
        for i in (0, 8):
            opt.zero_grad()
            ((m(X[i:i + 8]) - Y[i:i + 8]) ** 2).mean().backward()
            opt.step()
        avg.update_parameters(m)
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    S.update_bn([(X[:8], Y[:8]), (X[8:], Y[8:])], avg)
    state = {k: v.detach().numpy() for k, v in avg.state_dict().items()}
    return state, lrs, avg(X).detach().numpy(), repr(avg)


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_buffers", "swa_buffers", "swa_multi"])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_training_run_equals_torch(kind, strategy):
    (got, got_lrs, got_out, got_repr), (want, want_lrs, want_out, want_repr) = (
        _run(T, kind, strategy) for T in LIBS)
    assert list(got) == list(want) and got_repr == want_repr
    assert int(got["n_averaged"]) == 6
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_lrs, want_lrs, rtol=1e-12)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10)


def test_swa_multi_avg_fn_refuses_integer_buffers_as_torch():
    for T in LIBS:
        S = _swa(T)
        m = _model(T)
        avg = S.AveragedModel(m, multi_avg_fn=S.get_swa_multi_avg_fn(), use_buffers=True)
        avg.update_parameters(m)
        with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
            avg.update_parameters(m)


def test_swalr_errors_and_zero_annealing():
    results = []
    for T in LIBS:
        S = _swa(T)
        opt = T.optim.SGD(_model(T).parameters(), lr=0.5)
        seen = []
        for bad in ({"anneal_strategy": "foo"}, {"anneal_epochs": -1}, {"anneal_epochs": 1.5}):
            with pytest.raises(ValueError) as error:
                S.SWALR(opt, swa_lr=0.1, **bad)
            seen.append(str(error.value))
        with pytest.raises(ValueError) as error:
            S.get_ema_avg_fn(2)
        seen.append(str(error.value))
        sched = S.SWALR(opt, swa_lr=[0.1], anneal_epochs=0)
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
        results.append(seen)
    assert results[0] == results[1]


def test_update_bn_without_batch_norm_does_nothing():
    for T in LIBS:
        m = T.nn.Linear(2, 1)
        _swa(T).update_bn([T.ones(1, 2)], m)
        assert m.training
