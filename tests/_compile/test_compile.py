"""bricks.compile: compiled training steps give eager's numbers, guards recapture, fallbacks
warn."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks
from bricks import nn
from tests.fake_device import fake_device, is_fake
from bricks.nn import functional as F

STEPS = 30


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def _cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(4 * 3 * 3, 1))


class _Tied(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.shared = nn.Linear(4, 4)
        self.head = nn.Linear(4, 1)

    def forward(self, x: Any) -> Any:
        return self.head(F.relu(self.shared(F.relu(self.shared(x)))))


class _Recurrent(nn.Module):
    def __init__(self, cell: type) -> None:
        super().__init__()
        self.rnn = cell(4, 6, batch_first=True)
        self.head = nn.Linear(6, 1)

    def forward(self, x: Any) -> Any:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def _batches(shape: tuple, n: int = STEPS, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [(bricks.from_numpy(rng.standard_normal(shape).astype(np.float32)),
             bricks.from_numpy(rng.standard_normal((shape[0], 1)).astype(np.float32)))
            for _ in range(n)]


def _train(build: Callable[[], nn.Module], batches: list, compiled: bool,
           optimizer: Callable = lambda p: bricks.optim.SGD(p, lr=0.05, momentum=0.9),
           between: Callable[[int, Any, Any], None] | None = None) -> tuple[list, list, Any]:
    bricks.manual_seed(0)
    model = build()
    opt = optimizer(model.parameters())

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    run = bricks.compile(step) if compiled else step
    losses = []
    for i, (x, y) in enumerate(batches):
        if between is not None:
            between(i, model, opt)
        losses.append(run(x, y).detach().numpy().item())
    state = [v.detach().numpy().copy() for v in model.state_dict().values()]
    return losses, state, run


def _assert_same(build: Callable[[], nn.Module], batches: list, **kwargs: Any) -> Any:
    eager_losses, eager_state, _ = _train(build, batches, False, **kwargs)
    losses, state, run = _train(build, batches, True, **kwargs)
    np.testing.assert_allclose(losses, eager_losses, rtol=1e-6, atol=1e-7)
    for got, want in zip(state, eager_state):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    return run


@pytest.mark.parametrize("build, shape", [
    (_mlp, (2, 4)), (_cnn, (8, 1, 6, 6)), (_Tied, (3, 4)),
    (lambda: _Recurrent(nn.RNN), (3, 5, 4)), (lambda: _Recurrent(nn.LSTM), (3, 5, 4))],
    ids=["mlp", "cnn_batchnorm_dropout", "tied", "rnn", "lstm"])
def test_thirty_compiled_steps_equal_eager_and_replay(build: Any, shape: tuple) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = _assert_same(build, _batches(shape))
    assert run.eager_reason is None and len(run.replays) == 1


def test_adam_and_a_scheduler_changing_lr_take_effect_in_the_replay() -> None:
    schedulers = {}

    def between(i: int, model: Any, opt: Any) -> None:
        if id(opt) not in schedulers:
            schedulers[id(opt)] = bricks.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        elif i:
            schedulers[id(opt)].step()

    run = _assert_same(_mlp, _batches((2, 4)), between=between,
                       optimizer=lambda p: bricks.optim.Adam(p, lr=0.05))
    assert run.eager_reason is None and len(run.replays) == 1


def test_a_batch_size_change_recaptures_and_stays_equal() -> None:
    batches = _batches((2, 4), 10) + _batches((5, 4), 10, seed=1) + _batches((2, 4), 10, seed=2)
    run = _assert_same(_mlp, batches)
    assert len(run.replays) == 2


def test_switching_train_and_eval_recaptures_and_stays_equal() -> None:
    def between(i: int, model: Any, opt: Any) -> None:
        model.train(i % 10 < 5)

    run = _assert_same(_cnn, _batches((8, 1, 6, 6)), between=between,
                       optimizer=lambda p: bricks.optim.SGD(p, lr=0.01))
    assert run.eager_reason is None and len(run.replays) == 2


def test_a_branch_on_a_tensor_value_falls_back_with_one_warning() -> None:
    def build() -> nn.Module:
        class Branchy(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.a, self.b = nn.Linear(4, 1), nn.Linear(4, 1)

            def forward(self, x: Any) -> Any:
                return self.a(x) if x.sum().item() > 0 else self.b(x)

        return Branchy()

    batches = _batches((2, 4))
    with pytest.warns(UserWarning, match=r"runs eagerly from now on: .*Tensor\.item") as caught:
        run = _assert_same(build, batches)
    assert len([w for w in caught if "bricks.compile" in str(w.message)]) == 1
    assert run.eager_reason is not None and not run.replays


def test_fullgraph_raises_where_the_function_cannot_be_captured() -> None:
    x = bricks.ones(3)

    @bricks.compile(fullgraph=True)
    def f(x: Any) -> Any:
        return x * 2 if bool(x.sum() > 0) else x

    f(x)  # the warm-up call runs eagerly
    with pytest.raises(bricks._compile.Uncapturable, match="__bool__"):
        f(x)


def test_random_numbers_drawn_outside_a_primitive_fall_back() -> None:
    @bricks.compile
    def f(x: Any) -> Any:
        return x + bricks.randn(3)

    x = bricks.ones(3)
    f(x)
    with pytest.warns(UserWarning, match="random numbers"):
        f(x)
    bricks.manual_seed(3)
    got = f(x)
    bricks.manual_seed(3)
    np.testing.assert_array_equal(got.numpy(), (x + bricks.randn(3)).numpy())


def test_replacing_a_parameter_array_recaptures() -> None:
    model = _mlp()

    @bricks.compile
    def f(x: Any) -> Any:
        with bricks.no_grad():
            return model(x)

    x = bricks.ones(2, 4)
    for _ in range(3):
        f(x)
    model[0].weight.data = bricks.zeros(8, 4)
    np.testing.assert_array_equal(f(x).numpy(), model(x).detach().numpy())
    assert len(f.replays) == 2


def test_a_compiled_module_saves_and_loads_with_torchs_keys(tmp_path: Any) -> None:
    model = bricks.compile(_mlp())
    reference = torch.compile(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                                  torch.nn.Linear(8, 1)))
    assert list(model.state_dict()) == list(reference.state_dict())
    bricks.save(model.state_dict(), tmp_path / "m.safetensors")
    other = bricks.compile(_mlp())
    other.load_state_dict(bricks.load(tmp_path / "m.safetensors"))
    for a, b in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    plain = _mlp()  # as torch: a plain model reads the keys without the wrapper's prefix
    with pytest.raises(RuntimeError, match="_orig_mod"):
        plain.load_state_dict(bricks.load(tmp_path / "m.safetensors"))
    plain.load_state_dict({k.removeprefix("_orig_mod."): v
                           for k, v in bricks.load(tmp_path / "m.safetensors").items()})
    np.testing.assert_array_equal(plain[0].weight.detach().numpy(),
                                  model._orig_mod[0].weight.detach().numpy())


def test_a_compiled_module_infers_like_eager_and_sees_in_place_updates() -> None:
    model = _mlp().eval()
    compiled = bricks.compile(model)
    x = bricks.from_numpy(np.arange(8, dtype=np.float32).reshape(2, 4))
    with bricks.no_grad():
        for _ in range(3):
            np.testing.assert_array_equal(compiled(x).numpy(), model(x).numpy())
        model[0].bias.add_(1.0)
        np.testing.assert_array_equal(compiled(x).numpy(), model(x).numpy())
    assert len(compiled._compiled_call.replays) == 1


def test_a_hand_written_sgd_step_with_in_place_operators_equals_eager() -> None:
    def train(compiled: bool) -> list:
        bricks.manual_seed(0)
        model = _mlp()
        params = list(model.parameters())

        def step(x: Any, y: Any) -> Any:
            loss = F.mse_loss(model(x), y)
            for p in params:
                p.grad = None
            loss.backward()
            with bricks.no_grad():
                for p in params:
                    p -= 0.05 * p.grad
            return loss

        run = bricks.compile(step) if compiled else step
        for x, y in _batches((2, 4), 10):
            run(x, y)
        if compiled:
            assert run.replays and run.eager_reason is None
        return [p.detach().numpy().copy() for p in params] + [p.grad.numpy() for p in params]

    for got, want in zip(train(True), train(False)):
        np.testing.assert_array_equal(got, want)


def test_results_kept_across_replays_keep_their_values() -> None:
    # Intermediates live in buffers planned once; a result is new on every call, as eager's.
    def losses(compiled: bool) -> list:
        bricks.manual_seed(0)
        model = _mlp()
        opt = bricks.optim.SGD(model.parameters(), lr=0.05)

        def step(x: Any, y: Any) -> Any:
            opt.zero_grad()
            out = model(x)
            loss = F.mse_loss(out, y)
            loss.backward()
            opt.step()
            return loss, out.detach()

        run = bricks.compile(step) if compiled else step
        kept = [run(x, y) for x, y in _batches((2, 4), 6)]
        assert not compiled or (run.replays and run.eager_reason is None)
        return [(loss.item(), out.detach().numpy().copy()) for loss, out in kept]

    for (got, got_out), (want, want_out) in zip(losses(True), losses(False)):
        assert got == want
        np.testing.assert_array_equal(got_out, want_out)


def test_the_replay_updates_parameters_and_optimizer_state_in_place() -> None:
    seen: list = []  # per step from the second on: the parameters' and momenta's arrays

    def between(i: int, model: Any, opt: Any) -> None:
        if i == 0:  # a new run (eager first, then compiled)
            seen.clear()
        else:
            params = list(model.parameters())
            seen.append([p._value for p in params]
                        + [opt.state[p]["momentum_buffer"]._value for p in params])

    run = _assert_same(_mlp, _batches((2, 4), 6), between=between)
    assert run.replays and run.eager_reason is None
    first, last = seen[0], seen[-1]
    assert all(a is b for a, b in zip(first, last))


@pytest.mark.parametrize("build, shape", [(_mlp, (2, 4)), (_Tied, (3, 4))], ids=["mlp", "tied"])
def test_hand_written_sgd_with_a_learning_rate_per_parameter_equals_eager(
        build: Any, shape: tuple) -> None:
    # lr * p.grad for all parameters is one multiply when lr is one number (_fuse.py); with
    # several, each is its own. The tied layer's gradients are summed in place first.
    def train(compiled: bool, rates: tuple) -> list:
        bricks.manual_seed(0)
        model = build()
        params = list(model.parameters())

        def step(x: Any, y: Any) -> Any:
            loss = F.mse_loss(model(x), y)
            for p in params:
                p.grad = None
            loss.backward()
            with bricks.no_grad():
                for p, lr in zip(params, rates):
                    p -= lr * p.grad
            return loss

        run = bricks.compile(step) if compiled else step
        losses = [run(x, y).item() for x, y in _batches(shape, 8)]
        assert not compiled or (run.replays and run.eager_reason is None)
        return losses + [p.detach().numpy().copy() for p in params]

    for rates in ((0.05, 0.05, 0.05, 0.05), (0.05, 0.1, 0.05, 0.2), (0.05, 0.05, 0.05, 2)):
        for got, want in zip(train(True, rates), train(False, rates)):
            np.testing.assert_array_equal(got, want)


def test_an_in_place_change_compile_cannot_see_falls_back() -> None:
    w = bricks.ones(3)

    @bricks.compile
    def f(x: Any) -> Any:
        w[0] = x.sum()  # index assignment: not captured
        return w * 2

    x = bricks.ones(3)
    f(x)
    with pytest.warns(UserWarning, match="in place"):
        f(x)
    np.testing.assert_array_equal(f(x * 2).numpy(), [12.0, 2.0, 2.0])


def test_a_compiled_module_trains_with_backward_outside_like_eager() -> None:
    def train(compiled: bool) -> tuple[list, list]:
        bricks.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1))
        model = bricks.compile(net) if compiled else net
        opt = bricks.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        losses = []
        for x, y in _batches((2, 4), 10):
            x.requires_grad_()  # the input's gradient comes back too
            opt.zero_grad()
            # called twice per step: each replay keeps its own saved values for backward
            loss = F.mse_loss(model(x), y) + (model(x * 2) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            losses.append(x.grad.numpy().copy())
        if compiled:
            assert model._compiled_call.replays and model._compiled_call.eager_reason is None
        return losses, [p.detach().numpy().copy() for p in net.parameters()]

    (got_losses, got), (want_losses, want) = train(True), train(False)
    for a, b in zip(got_losses + got, want_losses + want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_result_computed_outside_the_primitives_falls_back() -> None:
    @bricks.compile
    def f(x: Any) -> Any:
        return (x * 2).argmax()

    f(bricks.tensor([1.0, 3.0, 2.0]))
    with pytest.warns(UserWarning, match="outside bricks' primitives"):
        f(bricks.tensor([1.0, 3.0, 2.0]))
    assert f(bricks.tensor([5.0, 3.0, 2.0])).item() == 0


def test_an_in_place_change_through_a_view_runs_eagerly_with_torchs_gradients():
    # Every call, the capturing one included, gives torch's gradients (CopySlices), and the
    # function then runs eagerly: a replay could not repeat the graph's rewiring.
    def step(lib, x, w):
        y = x * w
        y[0].add_(1)
        y[1:].mul_(3)
        loss = (y * y).sum()
        loss.backward()
        return loss

    data = np.arange(1.0, 4.0)
    tw = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    step(torch, torch.tensor(data), tw)
    w = bricks.tensor([0.5, -1.0, 2.0], dtype=bricks.float64, requires_grad=True)
    compiled = bricks.compile(lambda x: step(bricks, x, w))
    with pytest.warns(UserWarning, match="runs eagerly"):
        for _ in range(4):
            w.grad = None
            compiled(bricks.tensor(data))
            np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


def test_a_tensor_on_another_device_misses_the_guards_and_is_captured_for_it() -> None:
    def f(x: Any) -> Any:
        return (x * 2).relu().sum()

    compiled = bricks.compile(f)
    host = bricks.tensor([1.0, -2.0, 3.0])
    for _ in range(3):
        compiled(host)
    assert len(compiled.replays) == 1
    with fake_device():
        device = host.to("fake")
        got = compiled(device)
        assert is_fake(got) and len(compiled.replays) == 2
        np.testing.assert_array_equal(compiled(device).cpu().numpy(), f(host).numpy())
    np.testing.assert_array_equal(compiled(host).numpy(), f(host).numpy())


def test_module_compile_compiles_the_forward_in_place_and_guards_its_training_flag() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x: Any) -> Any:
            y = self.fc(x)
            return y * 2 if self.training else y  # a branch on the module's own flag

    bricks.manual_seed(0)
    net = Net()
    keys = list(net.state_dict())
    net.compile()
    assert list(net.state_dict()) == keys
    assert isinstance(net.forward, bricks._compile.CompiledFunction)
    x = bricks.randn(3, 4)
    with bricks.no_grad():
        for _ in range(3):
            train_out = net(x)
        net.eval()
        eval_out = net(x)
    np.testing.assert_array_equal(train_out.numpy(), 2 * eval_out.numpy())
    assert len(net.forward.replays) == 2 and net.forward.eager_reason is None


def test_compiler_is_compiling_reset_and_disable() -> None:
    seen = []

    @bricks.compiler.disable
    def logged(x: Any) -> Any:
        seen.append(bricks.compiler.is_compiling())
        return x

    def f(x: Any) -> Any:
        seen.append(bricks.compiler.is_compiling())
        return x * 2

    compiled = bricks.compile(f)
    x = bricks.ones(2)
    for _ in range(3):
        compiled(x)
    assert seen == [False, True] and len(compiled.replays) == 1  # the third call replayed
    bricks.compiler.reset()
    assert compiled.replays == [] and not compiled.warmed_up

    g = bricks.compile(lambda x: logged(x) * 2)
    with pytest.warns(UserWarning, match="marked torch.compiler.disable"):
        for _ in range(3):
            np.testing.assert_array_equal(g(x).numpy(), [2.0, 2.0])
    assert g.eager_reason is not None and g.replays == []
    with pytest.raises(bricks._compile.Uncapturable, match="compiler.disable"):
        h = bricks.compile(lambda x: logged(x), fullgraph=True)
        for _ in range(2):
            h(x)
