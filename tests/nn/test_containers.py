"""Containers against torch: indexing, mutation, naming and printing."""

from collections import OrderedDict

import pytest
import torch

import bricks
from bricks import nn
from _tiny_layers import BRICKS, TORCH, Linear, ReLU


def three(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 1))


def names(module):
    return [n for n, _ in module.named_parameters()]


def test_sequential_indexing_matches_torch():
    ours, theirs = three(BRICKS), three(TORCH)
    for index in (0, 2, -1, -3):
        assert repr(ours[index]) == repr(theirs[index])
    for part in (slice(1, None), slice(None, None, 2), slice(0, 0)):
        assert isinstance(ours[part], nn.Sequential)
        assert repr(ours[part]) == repr(theirs[part])
        assert names(ours[part]) == names(theirs[part])
    assert len(ours) == 3 and list(ours) == [ours[0], ours[1], ours[2]]
    for lib_net in (ours, theirs):
        with pytest.raises(IndexError):
            lib_net[3]


def test_sequential_mutations_match_torch():
    ours, theirs = three(BRICKS), three(TORCH)
    for net, lib in ((ours, BRICKS), (theirs, TORCH)):
        net.append(lib.nn.ReLU())
        net.insert(1, lib.nn.Linear(8, 8))
        net.extend([lib.nn.Linear(8, 2)])
        net[0] = lib.nn.Linear(4, 3)
        del net[2]
        net.add_module("block 0", lib.nn.ReLU())
    assert repr(ours) == repr(theirs)
    assert names(ours) == names(theirs)


def test_sequential_from_ordered_dict_and_custom_names():
    ours = nn.Sequential(OrderedDict([("fc", Linear(2, 3)), ("act", ReLU())]))
    theirs = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(2, 3)),
                                              ("act", torch.nn.ReLU())]))
    assert repr(ours) == repr(theirs)
    assert ours.fc is ours[0]
    assert ours(bricks.ones(5, 2)).shape == bricks.Size([5, 3])


def test_empty_sequential_prints_and_passes_input_through():
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential()) == "Sequential()"
    x = bricks.ones(2)
    assert nn.Sequential()(x) is x


def test_module_list_matches_torch_including_compressed_repr():
    def build(lib):
        layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        layers.append(lib.nn.ReLU())
        layers.extend([lib.nn.Linear(2, 1)])
        layers.insert(0, lib.nn.ReLU())
        return layers

    ours, theirs = build(BRICKS), build(TORCH)
    assert repr(ours) == repr(theirs)
    assert names(ours) == names(theirs)
    assert repr(ours[1:3]) == repr(theirs[1:3])
    del ours[0]
    del theirs[0]
    assert names(ours) == names(theirs) and len(ours) == len(theirs) == 5
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_dict_matches_torch():
    def build(lib):
        return lib.nn.ModuleDict({"fc": lib.nn.Linear(2, 2), "act": lib.nn.ReLU()})

    ours, theirs = build(BRICKS), build(TORCH)
    assert repr(ours) == repr(theirs)
    assert list(ours) == list(theirs) == ["fc", "act"]
    assert list(ours.keys()) == ["fc", "act"] and "fc" in ours
    ours.pop("act")
    assert len(ours) == 1 and names(ours) == ["fc.weight", "fc.bias"]


def test_parameter_list_and_dict_print_as_torch():
    values = [[1.0, 2.0], [[1.0], [2.0]]]
    ours = nn.ParameterList([nn.Parameter(bricks.tensor(v)) for v in values])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(v)) for v in values])
    assert repr(ours).replace("bricks.", "torch.") == repr(theirs)
    assert names(ours) == names(theirs) == ["0", "1"]
    ours_d = nn.ParameterDict({"a": nn.Parameter(bricks.ones(2, 3))})
    theirs_d = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(2, 3))})
    assert repr(ours_d).replace("bricks.", "torch.") == repr(theirs_d)


def test_parameter_dict_behaves_as_torch():
    d = nn.ParameterDict({"w": nn.Parameter(bricks.ones(2))})
    d["b"] = bricks.zeros(1)  # a plain tensor becomes a Parameter, as in torch
    assert isinstance(d["b"], nn.Parameter)
    assert list(d) == ["w", "b"] and [k for k, _ in d.items()] == ["w", "b"]
    assert list(d.values()) == list(d.parameters())
    assert d.get("zz") is None and len(d) == 2
    d.pop("w")
    assert list(d.keys()) == ["b"] and names(d) == ["b"]
    with pytest.raises(RuntimeError, match="should not be called"):
        d()


def test_parameter_list_indexing_and_plain_tensors():
    pl = nn.ParameterList([bricks.ones(1)])
    pl.append(nn.Parameter(bricks.zeros(2)))
    assert isinstance(pl[0], nn.Parameter) and pl[-1].shape == bricks.Size([2])
    assert len(pl[0:1]) == 1
    with pytest.raises(IndexError):
        pl[5]
