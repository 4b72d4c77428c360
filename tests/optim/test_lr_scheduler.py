"""Learning-rate schedules against torch.optim.lr_scheduler: the same lrs over many steps."""

import numpy as np
import pytest
import torch

import bricks
from bricks import optim
from bricks.optim import lr_scheduler

STEPS = 120


def _optimizers(name="SGD", groups=2, **options):
    b_params = [bricks.tensor([1.0], requires_grad=True) for _ in range(groups)]
    t_params = [torch.tensor([1.0], requires_grad=True) for _ in range(groups)]
    b_groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(b_params)]
    t_groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(t_params)]
    return (getattr(optim, name)(b_groups, **options),
            getattr(torch.optim, name)(t_groups, **options))


def _lrs(opt, scheduler, steps=STEPS):
    values = [scheduler.get_last_lr()]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        values.append(scheduler.get_last_lr())
    return values


SCHEDULES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[10, 30, 30, 80], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.97)),
    ("CosineAnnealingLR", dict(T_max=25, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=40)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.95 ** epoch + 0.01 * epoch)),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.9 if epoch % 2 else 0.5)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS)),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], total_steps=STEPS + 5, anneal_strategy="linear",
                        three_phase=True, pct_start=0.25)),
]


@pytest.mark.parametrize("name, options", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_lr_sequence_matches_torch(name, options):
    b_opt, t_opt = _optimizers(momentum=0.9)
    b_lrs = _lrs(b_opt, getattr(lr_scheduler, name)(b_opt, **options))
    t_lrs = _lrs(t_opt, getattr(torch.optim.lr_scheduler, name)(t_opt, **options))
    np.testing.assert_allclose(b_lrs, t_lrs, rtol=1e-12, atol=0)
    assert b_opt.param_groups[0]["momentum"] == t_opt.param_groups[0]["momentum"]


@pytest.mark.parametrize("optimizer, options, key", [
    ("Adam", {}, "betas"), ("SGD", {"momentum": 0.9}, "momentum")])
def test_one_cycle_cycles_momentum_or_beta1_like_torch(optimizer, options, key):
    b_opt, t_opt = _optimizers(optimizer, **options)
    b_sched = lr_scheduler.OneCycleLR(b_opt, max_lr=0.1, total_steps=50)
    t_sched = torch.optim.lr_scheduler.OneCycleLR(t_opt, max_lr=0.1, total_steps=50)
    for _ in range(49):
        assert tuple(np.ravel(b_opt.param_groups[1][key])) == pytest.approx(
            tuple(np.ravel(t_opt.param_groups[1][key])), rel=1e-12)
        b_opt.step()
        t_opt.step()
        b_sched.step()
        t_sched.step()
    with pytest.raises(ValueError, match="Tried to step 51 times"):
        b_sched.step()
        b_sched.step()


@pytest.mark.parametrize("name, options", SCHEDULES[:5], ids=[s[0] for s in SCHEDULES[:5]])
def test_scheduler_resumes_from_state_dict_through_a_file(name, options, tmp_path):
    b_opt, _ = _optimizers(momentum=0.9)
    straight = _lrs(b_opt, getattr(lr_scheduler, name)(b_opt, **options), 60)
    opt, _ = _optimizers(momentum=0.9)
    scheduler = getattr(lr_scheduler, name)(opt, **options)
    first = _lrs(opt, scheduler, 30)
    path = tmp_path / "sched.safetensors"
    bricks.save({"optim": opt.state_dict(), "sched": scheduler.state_dict()}, path)
    loaded = bricks.load(path)
    opt, _ = _optimizers(momentum=0.9)
    opt.load_state_dict(loaded["optim"])
    scheduler = getattr(lr_scheduler, name)(opt, **options)
    scheduler.load_state_dict(loaded["sched"])
    rest = _lrs(opt, scheduler, 30)[1:]
    np.testing.assert_allclose(first + rest, straight, rtol=1e-12)


def test_lambda_lr_state_keeps_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self):
            self.scale = 2.0

        def __call__(self, epoch):
            return self.scale * epoch

    opt, _ = _optimizers(groups=2)
    warmup = Warmup()
    scheduler = lr_scheduler.LambdaLR(opt, [warmup, lambda epoch: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"scale": 2.0}, None]
    warmup.scale = 5.0
    scheduler.load_state_dict(state)
    assert warmup.scale == 2.0 and "lr_lambdas" in state
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [warmup])


def test_bad_scheduler_arguments_raise_like_torch():
    opt, _ = _optimizers()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), 3)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(_optimizers()[0], 3, last_epoch=5)
    with pytest.raises(ValueError, match="total_steps OR"):
        lr_scheduler.OneCycleLR(opt, 0.1)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, pct_start=2.0)
    with pytest.raises(ValueError, match="must support momentum"):
        lr_scheduler.OneCycleLR(optim.Adagrad([bricks.tensor([1.0], requires_grad=True)]),
                                0.1, total_steps=10)


def test_step_with_epoch_uses_closed_form_like_torch():
    b_opt, t_opt = _optimizers()
    b_sched = lr_scheduler.CosineAnnealingLR(b_opt, T_max=10)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingLR(t_opt, T_max=10)
    b_sched.step(7)
    with pytest.warns(UserWarning):
        t_sched.step(7)
    assert b_sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-12)
