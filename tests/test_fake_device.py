"""Layers, losses, optimizers, training steps and checkpoints on the fake device.

The fake device (fake_device.py) refuses host arrays as CuPy does: what runs here without a
host array sneaking in runs on a GPU too. Each check compares with the same work on the CPU.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import pytest
from fake_device import fake_device, is_fake

import bricks
from bricks import nn
from bricks.autograd.function import Function
from bricks.nn import functional as F

FAKE = "fake:0"  # a string: the device type exists only inside the fixture


@pytest.fixture(scope="module")
def fake():
    with fake_device() as backend:
        yield backend


def _host(t: bricks.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def _both(make: Callable[[], nn.Module], inputs: list[np.ndarray], device: str = FAKE,
          on_device: Callable[[Any], bool] = is_fake) -> None:
    """``make()``'s forward and backward on the CPU and on ``device``: the same numbers."""
    bricks.manual_seed(0)
    cpu = make()
    moved = copy.deepcopy(cpu).to(device)
    assert all(on_device(p) for p in moved.parameters())
    assert all(on_device(b) for b in moved.buffers())
    results = []
    for model, where in ((cpu, "cpu"), (moved, device)):
        xs = [bricks.tensor(a, device=where, requires_grad=a.dtype.kind == "f")
              for a in inputs]
        out = model(*xs)
        out = out[0] if isinstance(out, tuple) else out
        total = (out * out).sum()
        total.backward()
        results.append((out, [x.grad for x in xs], [p.grad for p in model.parameters()],
                        list(model.buffers())))
    (out_c, gx_c, gp_c, buf_c), (out_f, gx_f, gp_f, buf_f) = results
    assert on_device(out_f)
    np.testing.assert_allclose(_host(out_f), _host(out_c), rtol=1e-6, atol=1e-6)
    for ours, cpu_grad in zip(gx_f + gp_f, gx_c + gp_c):
        assert (ours is None) == (cpu_grad is None)
        if ours is not None:
            assert on_device(ours)
            np.testing.assert_allclose(_host(ours), _host(cpu_grad), rtol=1e-5, atol=1e-6)
    for ours, cpu_buffer in zip(buf_f, buf_c):
        assert on_device(ours)
        np.testing.assert_allclose(_host(ours), _host(cpu_buffer), rtol=1e-6, atol=1e-6)


_RNG = np.random.default_rng(0)
_IMAGES = _RNG.standard_normal((2, 3, 8, 8)).astype(np.float32)
_SEQ = _RNG.standard_normal((5, 2, 4)).astype(np.float32)
_ROWS = _RNG.standard_normal((4, 6)).astype(np.float32)

LAYERS: list[tuple[str, Callable[[], nn.Module], list[np.ndarray]]] = [
    ("linear", lambda: nn.Linear(6, 3), [_ROWS]),
    ("bilinear", lambda: nn.Bilinear(6, 6, 2), [_ROWS, _ROWS]),
    ("mlp", lambda: nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Dropout(0.0), nn.Linear(8, 2),
                                  nn.Softmax(dim=1)), [_ROWS]),
    ("conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1), [_IMAGES]),
    ("conv2d_stride_groups", lambda: nn.Conv2d(3, 6, 3, stride=2, groups=3), [_IMAGES]),
    ("conv2d_reflect", lambda: nn.Conv2d(3, 2, 3, padding=1, padding_mode="reflect"),
     [_IMAGES]),
    ("conv1d", lambda: nn.Conv1d(4, 3, 3), [_SEQ.transpose(1, 2, 0).copy()]),
    ("maxpool", lambda: nn.Sequential(nn.Conv2d(3, 2, 1), nn.MaxPool2d(2)), [_IMAGES]),
    ("avgpool", lambda: nn.Sequential(nn.Conv2d(3, 2, 1), nn.AvgPool2d(2)), [_IMAGES]),
    ("adaptive_avgpool", lambda: nn.Sequential(nn.Conv2d(3, 2, 1), nn.AdaptiveAvgPool2d(1)),
     [_IMAGES]),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3), [_IMAGES]),
    ("batchnorm1d_eval", lambda: nn.BatchNorm1d(6).eval(), [_ROWS]),
    ("layernorm", lambda: nn.LayerNorm(6), [_ROWS]),
    ("embedding", lambda: nn.Embedding(10, 3, padding_idx=0), [np.array([[1, 0, 3]])]),
    ("rnn", lambda: nn.RNN(4, 5), [_SEQ]),
    ("gru", lambda: nn.GRU(4, 5, bidirectional=True), [_SEQ]),
    ("lstm", lambda: nn.LSTM(4, 5, num_layers=2), [_SEQ]),
    ("activations", lambda: nn.Sequential(nn.GELU(), nn.Tanh(), nn.LeakyReLU(), nn.ELU(),
                                          nn.SiLU(), nn.Sigmoid(), nn.PReLU()), [_ROWS]),
    ("flatten", lambda: nn.Sequential(nn.Flatten(), nn.Linear(192, 2)), [_IMAGES]),
]


@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[row[0] for row in LAYERS])
def test_layer_on_the_fake_device_matches_the_cpu(name: str, make, inputs, fake) -> None:
    _both(make, inputs)


_TARGETS = np.array([1, 0, 2, 1])
LOSSES: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("cross_entropy", lambda x, d: F.cross_entropy(x, bricks.tensor(_TARGETS, device=d))),
    ("cross_entropy_weight_smoothing", lambda x, d: F.cross_entropy(
        x, bricks.tensor(_TARGETS, device=d), weight=bricks.ones(6, device=d),
        label_smoothing=0.1)),
    ("nll_loss", lambda x, d: F.nll_loss(F.log_softmax(x, 1), bricks.tensor(_TARGETS,
                                                                             device=d))),
    ("mse_loss", lambda x, d: F.mse_loss(x, bricks.zeros(4, 6, device=d))),
    ("l1_loss", lambda x, d: F.l1_loss(x, bricks.ones(4, 6, device=d))),
    ("smooth_l1", lambda x, d: F.smooth_l1_loss(x, bricks.ones(4, 6, device=d))),
    ("bce_with_logits", lambda x, d: F.binary_cross_entropy_with_logits(
        x, bricks.full((4, 6), 0.3, device=d))),
    ("bce", lambda x, d: F.binary_cross_entropy(bricks.sigmoid(x),
                                                bricks.full((4, 6), 0.3, device=d))),
    ("one_hot", lambda x, d: (x * F.one_hot(bricks.tensor(_TARGETS, device=d), 6)).sum()),
]


@pytest.mark.parametrize("name,loss", LOSSES, ids=[row[0] for row in LOSSES])
def test_loss_on_the_fake_device_matches_the_cpu(name: str, loss, fake) -> None:
    values = []
    for device in ("cpu", FAKE):
        x = bricks.tensor(_ROWS, device=device, requires_grad=True)
        out = loss(x, device)
        out.backward()
        assert x.grad.device == x.device == out.device
        values.append((_host(out), _host(x.grad)))
    np.testing.assert_allclose(values[1][0], values[0][0], rtol=1e-6)
    np.testing.assert_allclose(values[1][1], values[0][1], rtol=1e-6, atol=1e-7)


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: bricks.Tensor) -> bricks.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(bricks.flatten(x, 1))))))


OPTIMIZERS = [
    ("sgd_momentum", lambda p: bricks.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4)),
    ("adam", lambda p: bricks.optim.Adam(p, lr=1e-3)),
    ("adamw_amsgrad", lambda p: bricks.optim.AdamW(p, lr=1e-3, amsgrad=True)),
    ("rmsprop", lambda p: bricks.optim.RMSprop(p, lr=1e-3, momentum=0.5)),
    ("adagrad", lambda p: bricks.optim.Adagrad(p, lr=1e-2)),
]


def _train(model: nn.Module, make_opt, device: Any, steps: int = 3) -> list[float]:
    opt = make_opt(model.parameters())
    scheduler = bricks.optim.lr_scheduler.StepLR(opt, step_size=2)
    rng = np.random.default_rng(1)
    losses = []
    for _ in range(steps):
        x = bricks.tensor(rng.standard_normal((4, 1, 28, 28)).astype(np.float32)).to(device)
        y = bricks.tensor(rng.integers(0, 10, 4)).to(device)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("name,make_opt", OPTIMIZERS, ids=[row[0] for row in OPTIMIZERS])
def test_lenet_training_steps_on_the_fake_device_match_the_cpu(name: str, make_opt, fake
                                                                ) -> None:
    bricks.manual_seed(0)
    cpu = LeNet()
    moved = copy.deepcopy(cpu).to(FAKE)
    assert _train(moved, make_opt, FAKE) == pytest.approx(_train(cpu, make_opt, "cpu"),
                                                          rel=1e-5)
    for p, q in zip(moved.parameters(), cpu.parameters()):
        assert is_fake(p)
        np.testing.assert_allclose(_host(p), _host(q), rtol=1e-5, atol=1e-6)


def test_layers_built_on_the_fake_device_draw_the_same_initial_weights_as_on_the_cpu(fake
                                                                                      ) -> None:
    bricks.manual_seed(3)
    cpu = LeNet()
    bricks.manual_seed(3)
    bricks.set_default_device(FAKE)
    try:
        on_device = LeNet()
    finally:
        bricks.set_default_device(None)
    for p, q in zip(on_device.parameters(), cpu.parameters()):
        assert is_fake(p)
        np.testing.assert_array_equal(_host(p), _host(q))
    layer = nn.Linear(3, 2, device="fake")
    assert is_fake(layer.weight) and is_fake(layer.bias)


def test_save_copies_to_the_host_and_load_places_tensors_where_asked(fake, tmp_path) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).to(FAKE)
    opt = bricks.optim.Adam(model.parameters())
    model(bricks.randn(5, 3, device=FAKE)).sum().backward()
    opt.step()
    path = tmp_path / "ckpt.safetensors"
    bricks.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
    on_host = bricks.load(path)
    assert all(t.device.type == "cpu" for t in on_host["model"].values())
    on_fake = bricks.load(path, map_location="fake")
    assert all(is_fake(t) for t in on_fake["model"].values())
    by_dict = bricks.load(path, map_location={"cpu": "fake"})
    assert all(is_fake(t) for t in by_dict["model"].values())
    restored = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    restored.load_state_dict(on_host["model"])
    for p, q in zip(restored.state_dict().values(), model.state_dict().values()):
        np.testing.assert_array_equal(_host(p), _host(q))
    again = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).to(FAKE)
    again.load_state_dict(on_host["model"])  # host values copied into device parameters
    assert all(is_fake(t) for t in again.state_dict().values())
    opt2 = bricks.optim.Adam(again.parameters())
    opt2.load_state_dict(on_fake["opt"])
    again(bricks.randn(5, 3, device=FAKE)).sum().backward()
    opt2.step()
    assert all(is_fake(p) for p in again.parameters())


def test_numpy_of_a_device_tensor_is_torchs_type_error(fake) -> None:
    x = bricks.ones(2, device=FAKE)
    with pytest.raises(TypeError, match=r"can't convert fake:0 device type tensor to numpy\. "
                                        r"Use Tensor.cpu\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match="Use Tensor.cpu"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0] and x.tolist() == [1.0, 1.0]
    assert x.sum().item() == 2.0 and float(x[0]) == 1.0 and bool(x[1])
    assert repr(x) == "tensor([1., 1.], device='fake:0')"


def test_ops_on_two_devices_raise_torchs_error_naming_both(fake) -> None:
    host, device = bricks.ones(3, requires_grad=True), bricks.ones(3, device=FAKE)
    message = ("Expected all tensors to be on the same device, but found at least two "
               "devices, fake:0 and cpu!")
    for op in (lambda: host + device, lambda: device * host, lambda: bricks.matmul(device, host),
               lambda: bricks.cat([device, host]), lambda: F.linear(device, host[None])):
        with pytest.raises(RuntimeError) as info:
            op()
        assert str(info.value) == message


def test_moving_between_devices_is_differentiable(fake) -> None:
    x = bricks.arange(3.0, requires_grad=True)
    y = x.to("fake")
    assert is_fake(y) and y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device.type == "cpu" and x.grad.tolist() == [0.0, 2.0, 4.0]
    assert y.to("fake") is y and y.cpu().device.type == "cpu"


def test_random_numbers_come_from_the_devices_generator_seeded_by_manual_seed(fake) -> None:
    bricks.manual_seed(5)
    first = [bricks.rand(3, device=FAKE), bricks.randn(3, device=FAKE),
             bricks.randint(0, 9, (3,), device=FAKE), bricks.randperm(4, device=FAKE),
             F.dropout(bricks.ones(50, device=FAKE), 0.5)]
    bricks.manual_seed(5)
    second = [bricks.rand(3, device=FAKE), bricks.randn(3, device=FAKE),
              bricks.randint(0, 9, (3,), device=FAKE), bricks.randperm(4, device=FAKE),
              F.dropout(bricks.ones(50, device=FAKE), 0.5)]
    for a, b in zip(first, second):
        assert is_fake(a) and a.tolist() == b.tolist()
    assert sorted(first[3].tolist()) == [0, 1, 2, 3]


class _HostZeros(Function):
    """A deliberately wrong op: its buffer is made with NumPy, not the input's module."""

    def forward(self, x):
        return np.zeros(x.shape, x.dtype) + x

    def backward(self, gy):
        return gy


def test_an_op_that_makes_host_buffers_is_caught_on_the_fake_device(fake) -> None:
    x = bricks.ones(2, 3)
    assert _HostZeros.apply(x).tolist() == [[1.0] * 3] * 2  # fine on the CPU
    with pytest.raises(TypeError, match="host numpy.ndarray"):
        _HostZeros.apply(x.to(FAKE))


def test_summary_and_parameter_monitor_work_on_a_device_model(fake) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).to(FAKE)
    text = str(bricks.summary(model, input_size=(5, 3)))
    assert "Linear" in text
    monitor = bricks.inspect.ParameterMonitor(model, every=1)
    opt = bricks.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        model(bricks.randn(5, 3, device=FAKE)).sum().backward()
        opt.step()
        monitor.step()
    rows = monitor.rows()
    assert rows and all(isinstance(row["step"], int) for row in rows)
    assert all(is_fake(p) for p in model.parameters())


def test_lazy_layers_materialize_on_the_device_they_were_moved_to(fake) -> None:
    net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2)).to(FAKE)
    net(bricks.randn(3, 5, device=FAKE)).sum().backward()
    assert all(is_fake(p) for p in net.parameters())
    built = nn.LazyConv2d(2, 3, device=FAKE)
    built(bricks.randn(1, 3, 6, 6, device=FAKE))
    assert is_fake(built.weight) and is_fake(built.bias)


def test_gradcheck_runs_on_the_fake_device(fake) -> None:
    x = bricks.randn(3, 4, dtype=bricks.float64, device=FAKE, requires_grad=True)
    w = bricks.randn(4, 2, dtype=bricks.float64, device=FAKE, requires_grad=True)
    assert bricks.autograd.gradcheck(lambda a, b: bricks.tanh(a @ b), (x, w))
