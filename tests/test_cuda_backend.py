"""Layers, training steps and checkpoints on a CUDA GPU through CuPy, against the CPU and torch.

Marked ``cuda`` and skipped where ``bricks.cuda.is_available()`` is False; the same bodies
run on the fake device in test_fake_device.py on every machine.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_fake_device import LAYERS, OPTIMIZERS, LeNet, _both, _train

import bricks
from bricks import nn

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")]


def test_cuda_basics() -> None:
    assert bricks.cuda.device_count() >= 1 and bricks.cuda.current_device() == 0
    x = bricks.arange(4.0, device="cuda")
    assert x.is_cuda and x.device == bricks.device("cuda", 0) and x.sum().item() == 6.0
    assert repr(x) == "tensor([0., 1., 2., 3.], device='cuda:0')"
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        x + bricks.ones(4)
    assert bricks.cuda.memory_allocated() > 0
    bricks.cuda.synchronize()
    bricks.cuda.empty_cache()
    assert isinstance(bricks.cuda.get_device_name(), str)


@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[row[0] for row in LAYERS])
def test_layer_on_cuda_matches_the_cpu(name, make, inputs) -> None:
    _both(make, inputs, "cuda:0", lambda t: t.is_cuda)


@pytest.mark.parametrize("name,make_opt", OPTIMIZERS, ids=[row[0] for row in OPTIMIZERS])
def test_lenet_training_on_cuda_matches_the_cpu(name, make_opt) -> None:
    bricks.manual_seed(0)
    cpu = LeNet()
    gpu = copy.deepcopy(cpu).to("cuda")
    assert _train(gpu, make_opt, "cuda") == pytest.approx(_train(cpu, make_opt, "cpu"), rel=1e-4)
    for p, q in zip(gpu.parameters(), cpu.parameters()):
        assert p.is_cuda
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)


def test_mlp_step_matches_torch_on_cuda() -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("this torch build has no CUDA")
    bricks.manual_seed(0)
    ours = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).to("cuda")
    theirs = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                 torch.nn.Linear(256, 10)).to("cuda")
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.detach().cpu().numpy()))
    x = np.random.default_rng(0).standard_normal((64, 784)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 10, 64)
    for model, fw in ((ours, bricks), (theirs, torch)):
        opt = fw.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            loss = fw.nn.functional.cross_entropy(model(fw.tensor(x, device="cuda")),
                                                  fw.tensor(y, device="cuda"))
            loss.backward()
            opt.step()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().cpu().numpy(),
                                   rtol=1e-4, atol=1e-5)


def test_checkpoint_round_trip_through_the_host(tmp_path) -> None:
    model = nn.Linear(3, 2).to("cuda")
    bricks.save(model.state_dict(), tmp_path / "m")
    loaded = bricks.load(tmp_path / "m", map_location="cuda")
    assert all(t.is_cuda for t in loaded.values())
    fresh = nn.Linear(3, 2).cuda()
    fresh.load_state_dict(bricks.load(tmp_path / "m"))
    assert bricks.equal(fresh.weight.cpu(), model.weight.cpu())
