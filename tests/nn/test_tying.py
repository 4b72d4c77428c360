"""Tied parameters: one object, gradients summed over uses (checked against torch)."""

import numpy as np
import pytest
import torch

import bricks
from bricks import nn
from _tiny_layers import BRICKS, TORCH, Linear, ReLU, copy_from_torch


def shared_net(lib):
    shared = lib.nn.Linear(8, 8)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), shared, lib.nn.ReLU(),
                             shared, lib.nn.ReLU(), lib.nn.Linear(8, 1))


def test_shared_module_gradients_are_summed_as_in_torch():
    ours, theirs = shared_net(BRICKS), shared_net(TORCH)
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    ours(bricks.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_assigned_parameter_tie_sums_gradients_as_in_torch():
    def build(lib):
        a, b = lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)
        b.weight = a.weight
        return lib.nn.Sequential(a, b)

    ours, theirs = build(BRICKS), build(TORCH)
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    (ours(bricks.tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), theirs[0].weight.grad.numpy(),
                               rtol=1e-4, atol=1e-6)
    assert ours.tied_parameters() == [["0.weight", "1.weight"]]


def test_tied_parameter_is_listed_once_but_state_dict_keeps_every_name():
    ours, theirs = shared_net(BRICKS), shared_net(TORCH)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert len(list(ours.parameters())) == 6
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_parameters(remove_duplicate=False)]
    assert ours.tied_parameters() == [["2.weight", "4.weight"], ["2.bias", "4.bias"]]


def test_a_change_through_one_name_is_seen_through_the_other():
    net = shared_net(BRICKS)
    net(bricks.rand(2, 4))
    assert (net[2].weight.data[0] == net[4].weight.data[0]).all()
    net[2].weight.data[0, 0] = 100
    assert (net[2].weight.data[0] == net[4].weight.data[0]).all()
    assert net[4].weight[0, 0].item() == 100


def test_ties_survive_dtype_moves_and_loading():
    net = shared_net(BRICKS)
    net.double()
    assert net[2].weight is net[4].weight and net[4].weight.dtype is bricks.float64
    net.float()
    net.load_state_dict(shared_net(BRICKS).state_dict())
    assert net[2].weight is net[4].weight
    assert net.tied_parameters() == [["2.weight", "4.weight"], ["2.bias", "4.bias"]]


def test_a_shared_module_inside_nested_blocks_is_one_parameter_set():
    shared = Linear(2, 2)
    net = nn.Sequential(nn.Sequential(shared, ReLU()), nn.Sequential(shared))
    assert [n for n, _ in net.named_parameters()] == ["0.0.weight", "0.0.bias"]
    assert list(net.state_dict()) == ["0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias"]
    visits = []
    net.apply(lambda m: visits.append(m) if m is shared else None)
    assert visits == [shared]


def test_optimizer_style_update_through_one_name_moves_both():
    net = shared_net(BRICKS)
    net(bricks.rand(3, 4)).sum().backward()
    with bricks.no_grad():
        for p in net.parameters():
            p -= 0.1 * p.grad
    np.testing.assert_array_equal(net[2].weight.numpy(force=True),
                                  net[4].weight.numpy(force=True))


@pytest.mark.parametrize("seed", range(3))
def test_tying_kept_for_random_structures(seed):
    rng = np.random.default_rng(seed)
    pool = [Linear(3, 3) for _ in range(3)]
    picks = [pool[i] for i in rng.integers(0, 3, size=6)]
    net = nn.Sequential(*picks)
    ids = {id(p) for m in pool for p in m.parameters()}
    listed = list(net.parameters())
    assert len(listed) == len({id(p) for p in listed}) and {id(p) for p in listed} <= ids
    assert len(net.state_dict()) == 12
    groups = net.tied_parameters()
    assert sum(len(g) for g in groups) + (len(listed) - len(groups)) == 12
