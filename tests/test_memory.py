"""Tensor.data_ptr / nbytes / itemsize / pin_memory / is_pinned and DataLoader(pin_memory=True),
against torch's CPU build (and pinned memory through CuPy where there is a GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks.utils.data import DataLoader

no_gpu = pytest.mark.skipif(bricks.cuda.is_available(), reason="checks the answers without a GPU")


def _pair(*shape, dtype="float32"):
    value = (np.arange(int(np.prod(shape))) % 5).astype(dtype).reshape(shape)
    return bricks.tensor(value), torch.tensor(value)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "uint8", "bool"])
def test_sizes_in_bytes_as_torch(dtype):
    x, tx = _pair(2, 3, dtype=dtype)
    for view in (lambda t: t, lambda t: t[:, 1], lambda t: t.t(), lambda t: t.expand(4, 2, 3),
                 lambda t: t[:0]):
        assert view(x).nbytes == view(tx).nbytes
        assert view(x).itemsize == view(tx).itemsize == x.element_size()


def test_data_ptr_measures_offsets_as_torch():
    x, tx = _pair(4, 3)
    assert x[1].data_ptr() - x.data_ptr() == tx[1].data_ptr() - tx.data_ptr() == 12
    assert x[:, 2].data_ptr() - x.data_ptr() == 8
    assert x.view(12).data_ptr() == x.data_ptr() and x.clone().data_ptr() != x.data_ptr()
    assert bricks.empty(0).data_ptr() == torch.empty(0).data_ptr() == 0


@no_gpu
def test_pinning_without_a_gpu_fails_as_torch():
    x, tx = _pair(3)
    for t in (x, tx):
        assert t.is_pinned() is False
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
            t.pin_memory()
        with pytest.warns(DeprecationWarning, match="'device' of Tensor.pin_memory"), \
                pytest.raises(RuntimeError, match="CPU device type not an accelerator"):
            t.pin_memory(device="cpu")


@no_gpu
def test_data_loader_pin_memory_without_a_gpu_warns_and_loads_as_torch():
    data = [float(i) for i in range(5)]
    for loader_type in (DataLoader, torch.utils.data.DataLoader):
        loader = loader_type(data, batch_size=2, pin_memory=True)
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                             "accelerator is found"):
            batches = list(loader)
        assert [b.tolist() for b in batches] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
        assert not batches[0].is_pinned()


@pytest.mark.cuda
@pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")
def test_pinned_copies_on_a_gpu_machine():
    x = bricks.arange(6.0, requires_grad=True)
    pinned = x.pin_memory()
    assert pinned.is_pinned() and not x.is_pinned() and pinned.device.type == "cpu"
    assert pinned.pin_memory() is pinned and bricks.equal(pinned, x)
    (pinned * 2).sum().backward()
    assert x.grad.tolist() == [2.0] * 6
    assert pinned.to("cuda", non_blocking=True).sum().item() == 15.0
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        x.cuda().pin_memory()
    batches = list(DataLoader([[1.0, 2.0]] * 4, batch_size=2, pin_memory=True))
    assert all(b.is_pinned() for b in batches)


def test_data_parallel_wraps_and_calls_its_module_as_torch_on_the_cpu():
    model, reference = bricks.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    reference.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    wrapped = bricks.nn.DataParallel(model, device_ids=None if bricks.cuda.is_available() else [0])
    theirs = torch.nn.DataParallel(reference, device_ids=[0])
    assert repr(wrapped) == repr(theirs) and wrapped.module is model
    assert list(wrapped.state_dict()) == list(theirs.state_dict()) == ["module.weight",
                                                                        "module.bias"]
    assert bricks.nn.parallel.DataParallel is bricks.nn.DataParallel
    if bricks.cuda.is_available():
        return
    assert wrapped.device_ids == theirs.device_ids == []
    x = np.ones((4, 3), dtype=np.float32)
    out, tout = wrapped(bricks.tensor(x)), theirs(input=torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), reference.weight.grad.numpy())
    bare = bricks.nn.Linear(3, 2)
    bare.load_state_dict({k.removeprefix("module."): v for k, v in wrapped.state_dict().items()})
    assert bricks.equal(bare.weight, model.weight)


@pytest.mark.cuda
@pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")
def test_data_parallel_on_a_gpu_runs_on_device_ids_0():
    model = bricks.nn.Linear(3, 2)
    wrapped = bricks.nn.DataParallel(model, device_ids=[0])
    assert model.weight.is_cuda and wrapped.device_ids == [0]
    out = wrapped(bricks.ones(4, 3))
    assert out.is_cuda and out.shape == (4, 2)
    with pytest.raises(RuntimeError, match=r"module must have its parameters and buffers on "
                                           r"device cuda:0 \(device_ids\[0\]\)"):
        bricks.nn.DataParallel(bricks.nn.Linear(3, 2), device_ids=[0, 0])(bricks.ones(1, 3))
