"""bricks.amp (autocast, GradScaler) and the deprecated bricks.cuda.amp names, against torch's
CPU build: float16 regions on the CPU, what happens without a GPU, and loss scaling in a
training loop with inf/NaN steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

no_gpu = pytest.mark.skipif(bricks.cuda.is_available(), reason="checks the answers without a GPU")


def _pair(*shape, seed=0, requires_grad=False):
    value = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return (bricks.tensor(value, requires_grad=requires_grad),
            torch.tensor(value, requires_grad=requires_grad))


def _close(mine, theirs, **tolerance):
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(mine.detach().float().numpy(),
                               theirs.detach().float().numpy(), **tolerance)


# ----- autocast -----
@pytest.mark.parametrize("op", ["linear", "matmul", "mm", "bmm", "conv1d", "conv2d"])
def test_float16_region_casts_products_as_torch(op):
    shapes = {"linear": ((4, 3), (2, 3)), "matmul": ((2, 4, 3), (3, 5)), "mm": ((4, 3), (3, 2)),
              "bmm": ((2, 4, 3), (2, 3, 2)), "conv1d": ((2, 3, 6), (4, 3, 2)),
              "conv2d": ((1, 2, 5, 5), (3, 2, 3, 3))}[op]
    (a, ta), (b, tb) = _pair(*shapes[0]), _pair(*shapes[1], seed=1, requires_grad=True)
    space = {"linear": "nn.functional", "conv1d": "nn.functional", "conv2d": "nn.functional"}
    path = space.get(op, "") and space[op] + "."
    mine_op = eval(f"bricks.{path}{op}")
    theirs_op = eval(f"torch.{path}{op}")
    with bricks.autocast("cpu", dtype=bricks.float16):
        y = mine_op(a, b)
    with torch.autocast("cpu", dtype=torch.float16):
        ty = theirs_op(ta, tb)
    _close(y, ty, rtol=1e-2, atol=1e-2)
    y.float().sum().backward()
    ty.float().sum().backward()
    _close(b.grad, tb.grad, rtol=1e-2, atol=1e-2)  # float32, through the cast


def test_losses_run_in_float32_and_gradients_reach_float32_weights():
    (x, tx), _ = _pair(8, 4), None
    model, reference = nn.Linear(4, 3), torch.nn.Linear(4, 3)
    reference.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    target = [1, 0, 2, 1, 0, 0, 2, 1]
    with bricks.autocast("cpu", dtype=bricks.float16):
        out = model(x)
        losses = [nn.functional.cross_entropy(out, bricks.tensor(target)),
                  nn.functional.mse_loss(out, bricks.zeros(8, 3))]
    with torch.autocast("cpu", dtype=torch.float16):
        tout = reference(tx)
        tlosses = [torch.nn.functional.cross_entropy(tout, torch.tensor(target)),
                   torch.nn.functional.mse_loss(tout, torch.zeros(8, 3))]
    for loss, tloss in zip(losses, tlosses):
        _close(loss, tloss, rtol=1e-2)
    sum(losses).backward()
    sum(tlosses).backward()
    for p, tp in zip(model.parameters(), reference.parameters()):
        _close(p.grad, tp.grad, rtol=2e-2, atol=2e-3)


def test_float64_stays_and_nested_disabled_region_and_decorator():
    x = bricks.ones(2, 2, dtype=bricks.float64)
    with bricks.autocast("cpu", dtype=bricks.float16):
        assert (x @ x).dtype == bricks.float64
        with bricks.autocast("cpu", enabled=False):
            assert (x.float() @ x.float()).dtype == bricks.float32
            assert not bricks.is_autocast_enabled("cpu")
        assert bricks.is_autocast_enabled("cpu") and not bricks.is_autocast_enabled()
        assert bricks.get_autocast_dtype("cpu") == bricks.float16
    assert not bricks.is_autocast_enabled("cpu")

    @bricks.autocast("cpu", dtype=bricks.float16)
    def product(a):
        return a @ a

    assert product(x.float()).dtype == bricks.float16 and (x.float() @ x.float()).dtype \
        == bricks.float32


def test_autocast_state_answers_as_torch():
    for name in ("cpu", "cuda"):
        assert bricks.amp.is_autocast_available(name) == torch.amp.is_autocast_available(name)
        assert bricks.is_autocast_enabled(name) == torch.is_autocast_enabled(name)
    assert bricks.get_autocast_dtype("cuda") == bricks.float16
    assert bricks.autocast is bricks.amp.autocast
    assert bricks.autocast("cpu", dtype=bricks.float16).fast_dtype == bricks.float16


@no_gpu
def test_cuda_region_without_a_gpu_warns_and_is_disabled_as_torch():
    for module in (bricks, torch):
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported"):
            region = module.autocast("cuda")
        with region:
            assert not module.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            bricks.cuda.amp.autocast()


def test_unsupported_dtypes_warn_and_disable_as_torch():
    """bricks.bfloat16 is float32 (no bfloat16 arithmetic): a bfloat16 CPU region is refused the
    way torch refuses a CPU dtype it cannot run."""
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported"):
        torch.autocast("cpu", dtype=torch.int32)
    for dtype in (bricks.int32, bricks.bfloat16, None):
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                             "supported") as caught:
            region = bricks.autocast("cpu", dtype=dtype)
        with region:
            assert not bricks.is_autocast_enabled("cpu")
            assert (bricks.ones(2, 2) @ bricks.ones(2, 2)).dtype == bricks.float32
    assert "bricks.float16" in str(caught[0].message)


def test_bad_device_types_are_refused_as_torch():
    for module in (bricks, torch):
        with pytest.raises(RuntimeError, match="foo"):
            module.autocast("foo")
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            module.autocast(3)


# ----- GradScaler -----
def _train(lib, scaler, steps, poisoned, seed=0):
    """A small regression trained with a GradScaler; step ``i in poisoned`` gets an inf input."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((2, 3)).astype(np.float32)
    model = lib.nn.Linear(3, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(w0))
        model.bias.zero_()
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scales, results = [], []
    for step in range(steps):
        x = rng.standard_normal((4, 3)).astype(np.float32)
        if step in poisoned:
            x[0, 0] = np.inf
        opt.zero_grad()
        loss = ((model(lib.tensor(x)) - 1.0) ** 2).mean()
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        lib.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        results.append(scaler.step(opt))
        scaler.update()
        scales.append(scaler.get_scale())
    return model.weight.detach().numpy(), scales, results, scaler.state_dict()


def test_grad_scaler_training_matches_torch_with_skipped_steps():
    settings = dict(init_scale=2.0**10, growth_factor=4.0, backoff_factor=0.25,
                    growth_interval=3)
    mine = _train(bricks, bricks.amp.GradScaler("cpu", **settings), 12, {2, 7})
    theirs = _train(torch, torch.amp.GradScaler("cpu", **settings), 12, {2, 7})
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-5, atol=1e-6)
    assert mine[1] == theirs[1] and mine[2] == theirs[2] and mine[3] == theirs[3]
    assert mine[1][:6] == [1024.0, 1024.0, 256.0, 256.0, 256.0, 1024.0]  # backed off, grown


def test_grad_scaler_scales_outputs_and_restores_state():
    scaler, reference = bricks.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    assert scaler.get_scale() == reference.get_scale() == 65536.0
    assert scaler.state_dict() == reference.state_dict()
    (x, tx) = _pair(3)
    mine, theirs = scaler.scale([x, (x,)]), reference.scale([tx, (tx,)])
    _close(mine[0], theirs[0])
    assert isinstance(mine[1], tuple)
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale(3.0)
    state = dict(scaler.state_dict(), scale=8.0, _growth_tracker=2)
    scaler.load_state_dict(state)
    reference.load_state_dict(state)
    assert scaler.state_dict() == reference.state_dict()
    scaler.update(4.0)
    reference.update(4.0)
    assert scaler.get_scale() == reference.get_scale() == 4.0


def _refusals(lib):
    model = lib.nn.Linear(2, 1)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu")
    errors = []

    def attempt(call):
        try:
            call()
        except Exception as error:  # noqa: BLE001 - the type and message are compared
            errors.append((type(error).__name__, str(error)))

    attempt(lambda: scaler.unscale_(opt))
    scaler.scale(model(lib.ones(1, 2)).sum()).backward()
    attempt(lambda: scaler.update())
    scaler.unscale_(opt)
    attempt(lambda: scaler.unscale_(opt))
    attempt(lambda: scaler.step(opt, closure=lambda: 0))
    scaler.step(opt)
    attempt(lambda: scaler.step(opt))
    attempt(lambda: scaler.unscale_(opt))
    attempt(lambda: lib.amp.GradScaler("cpu", growth_factor=0.9))
    attempt(lambda: lib.amp.GradScaler("cpu", backoff_factor=1.0))
    attempt(lambda: scaler.update(lib.ones(2)))
    return errors


def test_grad_scaler_refuses_misuse_as_torch():
    assert _refusals(bricks) == _refusals(torch)


def test_disabled_grad_scaler_is_a_pass_through():
    for lib in (bricks, torch):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu", enabled=False)
        loss = model(lib.ones(1, 2)).sum()
        assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0
        loss.backward()
        before = model.weight.detach().clone()
        assert scaler.step(opt) is None
        assert not lib.equal(model.weight, before)
        scaler.update()
        assert scaler.state_dict() == {} and not scaler.is_enabled()
        scaler.load_state_dict({})


def test_enabled_scaler_refuses_an_empty_state_as_torch():
    for lib in (bricks, torch):
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            lib.amp.GradScaler("cpu").load_state_dict({})


@no_gpu
def test_cuda_grad_scalers_without_a_gpu_warn_and_disable_as_torch():
    for lib in (bricks, torch):
        with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available"):
            assert not lib.amp.GradScaler().is_enabled()
        with pytest.warns(FutureWarning, match=r"torch.cuda.amp.GradScaler\(args...\)` is "
                                               "deprecated"), pytest.warns(UserWarning):
            assert not lib.cuda.amp.GradScaler().is_enabled()


@pytest.mark.cuda
@pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")
def test_mixed_precision_training_step_on_a_gpu():
    model = nn.Linear(8, 4).cuda()
    opt = bricks.optim.SGD(model.parameters(), lr=0.1)
    scaler = bricks.amp.GradScaler("cuda", growth_interval=1)
    x, y = bricks.randn(16, 8, device="cuda"), bricks.randint(0, 4, (16,), device="cuda")
    with bricks.autocast("cuda"):
        out = model(x)
        loss = nn.functional.cross_entropy(out, y)
    assert out.dtype == bricks.float16 and loss.dtype == bricks.float32
    scaler.scale(loss).backward()
    assert model.weight.grad.dtype == bricks.float32 and model.weight.grad.is_cuda
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0**17
    with pytest.raises(RuntimeError, match="does not support bfloat16"):
        bricks.autocast("cuda", dtype=bricks.bfloat16)


def _custom_functions(lib):
    seen = []

    class Product(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            seen.append(("forward", str(a.dtype)[-7:], lib.is_autocast_enabled("cpu")))
            return a @ b

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            seen.append(("backward", lib.is_autocast_enabled("cpu")))
            return grad @ b.T, a.T @ grad

    class Double(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu")
        def forward(ctx, a):
            seen.append(("forward", lib.is_autocast_enabled("cpu")))
            return a * 2

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            seen.append(("backward", lib.is_autocast_enabled("cpu"),
                         str(lib.get_autocast_dtype("cpu"))[-7:]))
            return grad

    a = lib.ones(2, 2, requires_grad=True)
    with lib.autocast("cpu", dtype=lib.float16):
        y = Product.apply(a.half(), lib.ones(2, 2).half())
        z = Double.apply(lib.ones(2, requires_grad=True))
    y.sum().backward()
    z.sum().backward()
    return seen, str(y.dtype)[-7:], a.grad.tolist()


def test_custom_fwd_and_bwd_give_autocast_states_as_torch():
    assert _custom_functions(bricks) == _custom_functions(torch)
    for lib in (bricks, torch):
        with pytest.raises(TypeError, match="device_type"):
            lib.amp.custom_fwd(lambda ctx: 0)
