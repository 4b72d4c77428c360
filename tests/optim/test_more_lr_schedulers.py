"""ConstantLR, LinearLR, PolynomialLR, CyclicLR, CosineAnnealingWarmRestarts, SequentialLR,
ChainedScheduler and ReduceLROnPlateau against torch.optim.lr_scheduler: the same lrs (and
momenta) step by step, and a resume from a state dict."""

import copy

import numpy as np
import pytest
import torch
from test_lr_scheduler import _lrs, _optimizers

import bricks
from bricks.optim import lr_scheduler

STEPS = 60


def _make(lib, opt, name, options):
    """A schedule; a composite one is built from members given as (name, options) pairs."""
    module = lr_scheduler if lib is bricks else torch.optim.lr_scheduler
    if name == "SequentialLR":
        members = [_make(lib, opt, n, o) for n, o in options["schedulers"]]
        return module.SequentialLR(opt, members, milestones=options["milestones"])
    if name == "ChainedScheduler":
        return module.ChainedScheduler([_make(lib, opt, n, o) for n, o in options])
    return getattr(module, name)(opt, **options)


SCHEDULES = [
    ("ConstantLR", dict(factor=0.25, total_iters=7)),
    ("ConstantLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=1.0, total_iters=12)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.05, total_iters=30)),
    ("PolynomialLR", dict(total_iters=40, power=2.0)),
    ("PolynomialLR", dict(total_iters=20)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=4, step_size_down=7,
                      mode="triangular2", base_momentum=0.7, max_momentum=0.95)),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=6, mode="exp_range",
                      gamma=0.97)),
    ("CosineAnnealingWarmRestarts", dict(T_0=10)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=0.01)),
    ("SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.1, total_iters=5)),
                                      ("CosineAnnealingLR", dict(T_max=20))],
                          milestones=[5])),
    ("SequentialLR", dict(schedulers=[("ConstantLR", dict(factor=0.5, total_iters=3)),
                                      ("ExponentialLR", dict(gamma=0.9)),
                                      ("StepLR", dict(step_size=4, gamma=0.5))],
                          milestones=[4, 15])),
    ("ChainedScheduler", [("ConstantLR", dict(factor=0.1, total_iters=2)),
                          ("ExponentialLR", dict(gamma=0.9))]),
    ("ChainedScheduler", [("LinearLR", dict(start_factor=0.2, total_iters=6)),
                          ("StepLR", dict(step_size=5, gamma=0.5)),
                          ("PolynomialLR", dict(total_iters=50, power=0.5))]),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SCHEDULES)]


@pytest.mark.parametrize("name, options", SCHEDULES, ids=IDS)
def test_lr_sequence_matches_torch(name, options):
    b_opt, t_opt = _optimizers(momentum=0.9)
    b_lrs = _lrs(b_opt, _make(bricks, b_opt, name, options), STEPS)
    t_lrs = _lrs(t_opt, _make(torch, t_opt, name, options), STEPS)
    np.testing.assert_allclose(b_lrs, t_lrs, rtol=1e-12, atol=1e-15)
    for b_group, t_group in zip(b_opt.param_groups, t_opt.param_groups):
        assert b_group["momentum"] == pytest.approx(t_group["momentum"], rel=1e-12)
        assert b_group["lr"] == pytest.approx(t_group["lr"], rel=1e-12)


@pytest.mark.parametrize("name, options", SCHEDULES, ids=IDS)
def test_resumes_from_state_dict(name, options):
    b_opt, _ = _optimizers(momentum=0.9)
    straight = _lrs(b_opt, _make(bricks, b_opt, name, options), 40)
    opt, _ = _optimizers(momentum=0.9)
    scheduler = _make(bricks, opt, name, options)
    first = _lrs(opt, scheduler, 17)
    saved_opt, saved = copy.deepcopy(opt.state_dict()), copy.deepcopy(scheduler.state_dict())
    torch_keys = set(_make(torch, _optimizers(momentum=0.9)[1], name, options).state_dict())
    assert torch_keys - {"_get_lr_called_within_step"} <= set(saved)
    opt, _ = _optimizers(momentum=0.9)  # the checkpoint recipe's order: build, then load
    scheduler = _make(bricks, opt, name, options)
    opt.load_state_dict(saved_opt)
    scheduler.load_state_dict(saved)
    rest = _lrs(opt, scheduler, 23)[1:]
    np.testing.assert_allclose(first + rest, straight, rtol=1e-12)


def test_scheduler_state_goes_through_a_file(tmp_path):
    opt, _ = _optimizers(momentum=0.9)
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    _lrs(opt, scheduler, 5)
    bricks.save({"sched": scheduler.state_dict()}, tmp_path / "s.safetensors")
    fresh = lr_scheduler.CosineAnnealingWarmRestarts(_optimizers()[0], T_0=3, T_mult=2)
    fresh.load_state_dict(bricks.load(tmp_path / "s.safetensors")["sched"])
    assert (fresh.T_i, fresh.T_cur, fresh.last_epoch) == (6, 2, 5)


METRICS = [5.0, 4.0, 4.1, 4.0, 3.99, 4.2, 4.3, 4.1, 3.0, 3.0, 3.0, 3.0, 3.0, 2.999, 3.5, 3.5,
           3.5, 3.5, 3.5, 3.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("options", [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2, min_lr=0.02),
    dict(mode="max", patience=0, threshold=0.1, threshold_mode="abs", min_lr=[0.01, 0.05]),
    dict(patience=1, threshold=0.01, threshold_mode="abs", factor=0.3, eps=0.01),
], ids=["default", "cooldown-min_lr", "max-abs", "eps"])
def test_reduce_on_plateau_matches_torch(options):
    b_opt, t_opt = _optimizers()
    b_sched = lr_scheduler.ReduceLROnPlateau(b_opt, **options)
    t_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **options)
    for i, metric in enumerate(METRICS):
        b_sched.step(bricks.tensor(metric, dtype=bricks.float64) if i % 2 else metric)
        t_sched.step(metric)
        assert b_sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-12)
        assert (b_sched.num_bad_epochs, b_sched.cooldown_counter, b_sched.best) == (
            t_sched.num_bad_epochs, t_sched.cooldown_counter, t_sched.best)
    state = b_sched.state_dict()
    assert set(t_sched.state_dict()) - {"_get_lr_called_within_step"} <= set(state)
    fresh = lr_scheduler.ReduceLROnPlateau(_optimizers()[0])
    fresh.load_state_dict(state)
    assert (fresh.best, fresh.mode, fresh.patience) == (b_sched.best, b_sched.mode,
                                                        b_sched.patience)


def test_cyclic_lr_cycles_adam_beta1_like_torch():
    b_opt, t_opt = _optimizers("Adam")
    options = dict(base_lr=0.001, max_lr=0.01, step_size_up=3, base_momentum=0.85)
    b_sched = lr_scheduler.CyclicLR(b_opt, **options)
    t_sched = torch.optim.lr_scheduler.CyclicLR(t_opt, **options)
    for _ in range(10):
        assert b_opt.param_groups[0]["betas"] == pytest.approx(t_opt.param_groups[0]["betas"])
        b_opt.step()
        t_opt.step()
        b_sched.step()
        t_sched.step()


def test_cosine_warm_restarts_takes_fractional_epochs_like_torch():
    b_opt, t_opt = _optimizers()
    b_sched = lr_scheduler.CosineAnnealingWarmRestarts(b_opt, T_0=5, T_mult=2)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(t_opt, T_0=5, T_mult=2)
    for epoch in np.arange(0, 30, 0.7):
        b_sched.step(float(epoch))
        t_sched.step(float(epoch))
        assert b_sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-12)


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="square"), ValueError,
     "mode is invalid"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "positive integer T_0"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "T_mult >= 1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError,
     "expected 2 min_lrs, got 1"),
    (lambda o: lr_scheduler.SequentialLR(o, [], milestones=[]), ValueError,
     "at least one scheduler"),
    (lambda o: lr_scheduler.ChainedScheduler([]), ValueError, "at least one scheduler"),
])
def test_bad_arguments_raise_like_torch(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizers()[0])


def test_composites_refuse_plateau_other_optimizers_and_bad_milestones():
    opt, other = _optimizers()[0], _optimizers()[0]
    plateau = lr_scheduler.ReduceLROnPlateau(opt)
    exponential = lr_scheduler.ExponentialLR(opt, 0.9)
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.SequentialLR(opt, [exponential, plateau], milestones=[3])
    with pytest.raises(ValueError, match="same optimizer"):
        lr_scheduler.ChainedScheduler([exponential, lr_scheduler.ExponentialLR(other, 0.5)])
    with pytest.raises(ValueError, match="number of milestones to be equal to 2"):
        lr_scheduler.SequentialLR(opt, [exponential, exponential], milestones=[3, 4])
