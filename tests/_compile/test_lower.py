"""Lowered primitives (_compile/_lower.py): a replay that runs Linear, ReLU and MSELoss as bare
NumPy calls equals eager bit for bit, on ordinary and edge inputs."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np
import pytest

import bricks
from bricks import nn
from bricks.autograd.function import Function
from bricks.nn import functional as F

STEPS = 5


def _methods_called(run: Any) -> list[str]:
    """The primitives' forward/backward methods that the replay calls (not lowered)."""
    namespace = run.replays[0].__globals__
    return [f"{type(v.__self__).__name__}.{v.__name__}" for v in namespace.values()
            if inspect.ismethod(v) and isinstance(v.__self__, Function)]


def _train(build: Callable[[], nn.Module], x: np.ndarray, y: np.ndarray, compiled: bool,
           reduction: str, target_grad: bool) -> tuple[list, list, list, Any]:
    bricks.manual_seed(0)
    model = build()
    xt = bricks.from_numpy(x.copy())
    yt = bricks.from_numpy(y.copy()).requires_grad_(target_grad)

    def step() -> Any:
        loss = F.mse_loss(model(xt), yt, reduction=reduction)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with bricks.no_grad():
            for p in model.parameters():
                p -= 0.01 * p.grad
        return loss

    run = bricks.compile(step) if compiled else step
    losses = [run().detach().numpy().copy() for _ in range(STEPS)]
    state = [v.detach().numpy().copy() for v in model.state_dict().values()]
    target = [] if yt.grad is None else [yt.grad.numpy().copy()]
    return losses, state, target, run


def _mlp(bias: bool = True, width: int = 8, zero: bool = False) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        model = nn.Sequential(nn.Linear(4, width, bias=bias), nn.ReLU(),
                              nn.Linear(width, 1, bias=bias))
        if zero:  # every ReLU input is 0: the gradient's tie case on every element
            for p in model.parameters():
                nn.init.zeros_(p)
        return model
    return build


def _inputs(batch: int, edge: str = "") -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, 4)).astype(np.float32)
    y = rng.standard_normal((batch, 1)).astype(np.float32)
    if edge == "nan":
        x[0, 0] = np.nan
    elif edge == "inf":
        x[0, 1], x[1, 2] = np.inf, -np.inf
    elif edge == "zero":
        x[:] = 0
    return x, y


@pytest.mark.parametrize("build, batch, edge, reduction, target_grad", [
    (_mlp(), 2, "", "mean", False),
    (_mlp(), 3, "", "sum", True),
    (_mlp(bias=False), 2, "", "mean", False),
    (_mlp(width=2048), 4, "", "mean", False),  # 8192 ReLU outputs: the branch-free mask
    (_mlp(zero=True), 2, "", "mean", False),
    (_mlp(), 2, "zero", "mean", True),
    (_mlp(), 2, "nan", "mean", False),
    (_mlp(), 2, "inf", "sum", False),
], ids=["mean", "sum_target_grad", "no_bias", "wide_relu", "zero_weights", "zero_input",
        "nan_input", "inf_input"])
def test_a_lowered_replay_equals_eager_bit_for_bit(build: Any, batch: int, edge: str,
                                                   reduction: str, target_grad: bool) -> None:
    x, y = _inputs(batch, edge)
    with np.errstate(all="ignore"):
        want = _train(build, x, y, False, reduction, target_grad)
        got = _train(build, x, y, True, reduction, target_grad)
    run = got[3]
    assert run.eager_reason is None and len(run.replays) == 1
    assert _methods_called(run) == []
    for got_part, want_part in zip(got[:3], want[:3]):
        assert len(got_part) == len(want_part)
        for a, b in zip(got_part, want_part):
            np.testing.assert_array_equal(a, b)


def test_a_batched_input_of_three_dimensions_is_not_lowered_and_still_equals_eager() -> None:
    bricks.manual_seed(0)
    model = nn.Linear(4, 2)
    x = bricks.randn(2, 3, 4)

    def step() -> Any:
        loss = model(x).sum()
        model.zero_grad()
        loss.backward()
        return loss

    run = bricks.compile(step)
    for _ in range(3):
        run()
    # Linear on a 3-d input runs its own methods; the sum's backward is not lowered either
    assert {"Linear.forward", "Linear.backward"} <= set(_methods_called(run))
    np.testing.assert_array_equal(run().detach().numpy(), step().detach().numpy())


def test_a_large_relu_after_a_convolution_writes_its_gradient_into_buffers_as_eager() -> None:
    # 8 x 8 x 10 x 10 ReLU outputs in the convolution's layout (not C order): the branch-free
    # mask's buffers keep that layout
    def build() -> nn.Module:
        return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(800, 1))

    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 1, 12, 12)).astype(np.float32)
    x[0, 0, :4] = 0
    y = rng.standard_normal((8, 1)).astype(np.float32)
    want = _train(build, x, y, False, "mean", False)
    got = _train(build, x, y, True, "mean", False)
    source = got[3].sources[0]
    assert source.count(".view(") + source.count("bitwise_and") >= 1
    assert "Relu.backward" not in _methods_called(got[3])
    for got_part, want_part in zip(got[:3], want[:3]):
        for a, b in zip(got_part, want_part):
            np.testing.assert_array_equal(a, b)
