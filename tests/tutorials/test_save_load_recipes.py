"""The saving and loading recipes, written anew: state_dict, whole-checkpoint dicts with the
optimizer and epoch, resuming training, and warm-starting a different model with
load_state_dict(strict=False); bricks' files are safetensors (no pickle), read back by
bricks; the numbers match torch's."""

import numpy as np
import pytest
import torch

import bricks


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(6 * 6 * 6, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = self.pool(nn.functional.relu(self.conv1(x)))
            x = x.flatten(1)
            return self.fc2(nn.functional.relu(self.fc1(x)))

    return Net()


_REFERENCE = {}


def _same_weights():
    """A bricks Net and a torch Net, both with the weights of one torch Net made once."""
    if not _REFERENCE:
        torch.manual_seed(0)
        _REFERENCE.update({k: v.detach().numpy().copy()
                           for k, v in _net(torch).state_dict().items()})
    t_net, b_net = _net(torch), _net(bricks)
    t_net.load_state_dict({k: torch.tensor(v) for k, v in _REFERENCE.items()})
    b_net.load_state_dict({k: bricks.tensor(v) for k, v in _REFERENCE.items()})
    return b_net, t_net


def _train(lib, net, opt, steps, seed=0):
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        x = lib.tensor(rng.normal(size=(4, 3, 16, 16)).astype(np.float32))
        y = lib.tensor(rng.integers(0, 10, 4))
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_state_dict_lists_parameters_and_optimizer_state_like_torch():
    b_net, t_net = _same_weights()
    for lib, net in ((bricks, b_net), (torch, t_net)):
        opt = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
        _train(lib, net, opt, 1)
    assert [(k, tuple(v.size())) for k, v in b_net.state_dict().items()] == \
        [(k, tuple(v.size())) for k, v in t_net.state_dict().items()]


def test_checkpoint_resume_gives_the_uninterrupted_run(tmp_path):
    b_net, t_net = _same_weights()
    straight_net, _ = _same_weights()
    straight_opt = bricks.optim.Adam(straight_net.parameters(), lr=1e-3)
    straight = _train(bricks, straight_net, straight_opt, 3, seed=0)
    straight += _train(bricks, straight_net, straight_opt, 3, seed=1)
    t_opt = torch.optim.Adam(t_net.parameters(), lr=1e-3)
    torch_run = _train(torch, t_net, t_opt, 3, seed=0) + _train(torch, t_net, t_opt, 3, seed=1)
    np.testing.assert_allclose(straight, torch_run, rtol=1e-4)

    opt = bricks.optim.Adam(b_net.parameters(), lr=1e-3)
    first = _train(bricks, b_net, opt, 3, seed=0)
    path = tmp_path / "checkpoint.safetensors"
    bricks.save({"epoch": 3, "model_state_dict": b_net.state_dict(),
                 "optimizer_state_dict": opt.state_dict(), "loss": first[-1]}, path)
    model = _net(bricks)
    optimizer = bricks.optim.Adam(model.parameters(), lr=1e-3)
    checkpoint = bricks.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 3 and checkpoint["loss"] == pytest.approx(first[-1])
    model.train()
    rest = _train(bricks, model, optimizer, 3, seed=1)
    np.testing.assert_allclose(first + rest, straight, rtol=1e-5)


def test_inference_after_loading_a_state_dict(tmp_path):
    b_net, t_net = _same_weights()
    bricks.save(b_net.state_dict(), tmp_path / "model.safetensors")
    model = _net(bricks)
    model.load_state_dict(bricks.load(tmp_path / "model.safetensors"))
    model.eval()
    x = np.random.default_rng(5).normal(size=(2, 3, 16, 16)).astype(np.float32)
    with bricks.no_grad():
        ours = model(bricks.tensor(x))
    np.testing.assert_allclose(ours.numpy(), t_net(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def _net_b(lib):
    """Net with one more layer, and no fc2: warm-started from Net."""
    nn = lib.nn

    class NetB(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.fc1 = nn.Linear(6 * 6 * 6, 16)
            self.head = nn.Linear(16, 2)

    return NetB()


def test_warm_start_with_strict_false_reports_the_same_keys_as_torch(tmp_path):
    b_net, t_net = _same_weights()
    bricks.save(b_net.state_dict(), tmp_path / "a.safetensors")
    results = []
    for lib, state in ((bricks, bricks.load(tmp_path / "a.safetensors")),
                       (torch, t_net.state_dict())):
        net_b = _net_b(lib)
        result = net_b.load_state_dict(state, strict=False)
        results.append((sorted(result.missing_keys), sorted(result.unexpected_keys),
                        net_b.conv1.weight.detach().numpy().copy()))
        with pytest.raises(RuntimeError, match="Missing key"):
            _net_b(lib).load_state_dict(state)
    assert results[0][:2] == results[1][:2] == (["head.bias", "head.weight"],
                                                 ["fc2.bias", "fc2.weight"])
    np.testing.assert_allclose(results[0][2], results[1][2])


def test_saving_across_devices_recipe_map_location(tmp_path):
    b_net, _ = _same_weights()
    bricks.save(b_net.state_dict(), tmp_path / "m.safetensors")
    state = bricks.load(tmp_path / "m.safetensors", map_location="cpu")
    model = _net(bricks)
    model.load_state_dict(state)
    model.to(bricks.device("cpu"))
    assert str(next(model.parameters()).device) == "cpu"
