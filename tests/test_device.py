"""The device model, as torch's: bricks.device, Tensor.device, device= everywhere, to/cuda/cpu."""

from __future__ import annotations

import pickle

import pytest
import torch

import bricks
from bricks import nn

CUDA = bricks.cuda.is_available()
no_cuda = pytest.mark.skipif(CUDA, reason="checks the errors of a machine without CUDA")


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda", 0), ("cuda:1",), ("cpu", 0)])
def test_device_objects_match_torch(args: tuple) -> None:
    ours, theirs = bricks.device(*args), torch.device(*args)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)


@no_cuda
def test_an_accelerator_index_without_one_is_torchs_error() -> None:
    with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
        bricks.device(0)


def test_devices_compare_and_hash_by_type_and_index() -> None:
    assert bricks.device("cuda:0") == bricks.device("cuda", 0) != bricks.device("cuda")
    assert bricks.device("cpu") != "cpu"  # as torch: a device is not equal to its string
    assert len({bricks.device("cpu"), bricks.device("cpu"), bricks.device("cuda", 1)}) == 2
    assert bricks.device(bricks.device("cuda:1")) == bricks.device("cuda:1")
    assert pickle.loads(pickle.dumps(bricks.device("cuda:1"))) == bricks.device("cuda:1")
    with pytest.raises(AttributeError):
        bricks.device("cpu").type = "cuda"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["banana", "cuda:x", "cuda:-1", "cuda:01", "gpu"])
def test_bad_device_strings_raise_torch_errors(text: str) -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.device(text)
    with pytest.raises(RuntimeError) as ours:
        bricks.device(text)
    if "Expected one of" in str(theirs.value):
        assert str(ours.value) == ("Expected one of cpu, cuda device type at start of device "
                                   f"string: {text}")
    else:
        assert str(ours.value) == str(theirs.value)


def test_tensor_device_is_a_device() -> None:
    x = bricks.zeros(2)
    assert x.device == bricks.device("cpu") and isinstance(x.device, bricks.device)
    assert not x.is_cuda and x.is_cpu and x.get_device() == -1


FACTORIES = [
    lambda **kw: bricks.zeros(2, 3, **kw), lambda **kw: bricks.ones(2, **kw),
    lambda **kw: bricks.empty(2, **kw), lambda **kw: bricks.full((2,), 1.5, **kw),
    lambda **kw: bricks.arange(4, **kw), lambda **kw: bricks.linspace(0, 1, 5, **kw),
    lambda **kw: bricks.eye(3, **kw), lambda **kw: bricks.rand(2, **kw),
    lambda **kw: bricks.randn(2, **kw), lambda **kw: bricks.randint(0, 5, (3,), **kw),
    lambda **kw: bricks.randperm(4, **kw), lambda **kw: bricks.normal(0.0, 1.0, (2,), **kw),
    lambda **kw: bricks.tensor([1.0, 2.0], **kw), lambda **kw: bricks.as_tensor([1, 2], **kw),
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_factories_honour_device(factory) -> None:
    for device in ("cpu", bricks.device("cpu"), None):
        assert factory(device=device).device == bricks.device("cpu")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        factory(device="banana")
    if not CUDA:
        with pytest.raises(RuntimeError, match="CUDA"):
            factory(device="cuda")


@no_cuda
def test_cuda_without_a_gpu_is_torchs_error_at_the_point_of_use() -> None:
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled|No CUDA"):
        bricks.zeros(2, device="cuda")  # the exception type torch's CPU build raises
    with pytest.raises(RuntimeError, match="CuPy"):
        bricks.ones(2).cuda()
    with pytest.raises(RuntimeError, match="CuPy"):
        nn.Linear(2, 2, device="cuda")


def test_like_and_new_functions_follow_their_input_and_take_device_and_dtype() -> None:
    x = bricks.ones(2, 3, dtype=bricks.float64)
    for made in (bricks.zeros_like(x), bricks.ones_like(x), bricks.empty_like(x),
                 bricks.full_like(x, 2.0), bricks.rand_like(x), bricks.randn_like(x),
                 x.new_zeros(4), x.new_ones(4), x.new_empty(4), x.new_full((4,), 2.0),
                 x.new_tensor([1.0, 2.0])):
        assert made.device == x.device and made.dtype is bricks.float64
    made = x.new_zeros((2, 2), device=x.device, dtype=bricks.int32)
    assert made.shape == (2, 2) and made.dtype is bricks.int32
    assert x.new_full((2,), 7, device="cpu").tolist() == [7.0, 7.0]
    assert bricks.zeros_like(x, device="cpu", dtype=bricks.float32).dtype is bricks.float32
    with pytest.raises(RuntimeError, match="Expected one of"):
        x.new_zeros(2, device="banana")


def test_tensor_to_takes_devices_dtypes_tensors_and_flags_as_torch() -> None:
    x = bricks.ones(2, requires_grad=True)
    assert x.to("cpu") is x and x.to(bricks.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu", non_blocking=True) is x
    assert x.to(x) is x
    y = x.to("cpu", bricks.float64)
    assert y.dtype is bricks.float64 and y.grad_fn.name() == "ToCopyBackward0"
    assert x.to(dtype=bricks.float64, device="cpu").dtype is bricks.float64
    assert x.to(bricks.zeros(1, dtype=bricks.float16)).dtype is bricks.float16
    copied = x.to("cpu", copy=True)
    assert copied is not x and copied.tolist() == x.tolist()
    assert x.to("cpu", bricks.float32, False, True) is not x  # positional non_blocking, copy
    with pytest.raises(RuntimeError, match="Expected one of"):
        x.to("banana")
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to("cpu", colour="red")


def test_module_to_moves_in_place_and_keeps_ties_and_optimizer_state() -> None:
    shared = nn.Linear(3, 3)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    opt = bricks.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(bricks.ones(2, 3)).sum().backward()
    opt.step()
    weight = shared.weight
    assert net.to("cpu") is net and net.cpu() is net and net.to(bricks.device("cpu")) is net
    assert net[2].weight is weight and opt.param_groups[0]["params"][0] is weight
    assert net.to("cpu", bricks.float64) is net and weight.dtype is bricks.float64
    with pytest.raises(TypeError, match="floating point"):
        net.to(bricks.int64)
    if not CUDA:
        before = weight.detach().clone()
        with pytest.raises(RuntimeError, match="CUDA"):
            net.cuda()
        assert weight.dtype is bricks.float64 and bricks.equal(weight.detach(), before)


@pytest.mark.parametrize("make", [
    lambda d: nn.Linear(3, 2, device=d), lambda d: nn.Bilinear(2, 3, 4, device=d),
    lambda d: nn.Conv1d(2, 3, 3, device=d), lambda d: nn.Conv2d(2, 3, 3, device=d),
    lambda d: nn.BatchNorm1d(3, device=d), lambda d: nn.LayerNorm(3, device=d),
    lambda d: nn.Embedding(5, 3, device=d), lambda d: nn.PReLU(device=d),
    lambda d: nn.LSTM(3, 4, device=d), lambda d: nn.GRU(3, 4, device=d),
    lambda d: nn.RNN(3, 4, device=d),
])
def test_layer_constructors_take_device(make) -> None:
    layer = make(bricks.device("cpu"))
    assert all(p.device == bricks.device("cpu") for p in layer.parameters())
    with pytest.raises(RuntimeError, match="Expected one of"):
        make("banana")


def test_default_device_is_cpu_and_settable_per_thread() -> None:
    assert bricks.get_default_device() == bricks.device("cpu")
    bricks.set_default_device("cpu")
    try:
        assert bricks.zeros(1).device == bricks.device("cpu")
        assert bricks.get_default_device() == bricks.device("cpu")
    finally:
        bricks.set_default_device(None)
    with pytest.raises(RuntimeError, match="Expected one of"):
        bricks.set_default_device("banana")
    assert bricks.get_default_device() == bricks.device("cpu")


def test_the_common_device_idioms_of_torch_programs_run() -> None:
    device = bricks.device("cuda" if bricks.cuda.is_available() else "cpu")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).to(device)
    x, y = bricks.randn(5, 4).to(device), bricks.randint(0, 2, (5,)).to(device)
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    assert loss.device == device and model[0].weight.grad.device == device
    hidden = x.new_zeros(x.shape[0], 8, device=x.device)
    assert hidden.device == device
    assert next(model.parameters()).device == device
