"""state_dict and load_state_dict: keys and order as torch; failed loads change nothing."""

from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import bricks
from bricks import nn
from _tiny_layers import BRICKS, TORCH, LazyLinear, Linear, copy_from_torch
from test_module import MLP, nested


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def assert_unchanged(model, before):
    after = snapshot(model)
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])


def with_buffers(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 3), MLP.make(lib))
    net[0].register_buffer("running", lib.tensor([0.0, 1.0, 2.0]))
    net[0].register_buffer("scratch", lib.tensor([5.0]), persistent=False)
    return net


@pytest.mark.parametrize("build", [nested, MLP.make, with_buffers])
def test_state_dict_keys_and_order_match_torch(build):
    ours, theirs = build(BRICKS), build(TORCH)
    assert isinstance(ours.state_dict(), OrderedDict)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours.state_dict(prefix="model.")) == list(theirs.state_dict(prefix="model."))


def test_state_dict_values_are_detached_and_share_memory():
    net = nn.Sequential(Linear(2, 2))
    state = net.state_dict()
    assert type(state["0.weight"]) is bricks.Tensor and not state["0.weight"].requires_grad
    state["0.weight"][0, 0] = 7.0
    assert net[0].weight[0, 0].item() == 7.0
    assert net.state_dict(keep_vars=True)["0.weight"] is net[0].weight


def test_state_dict_into_a_destination():
    dest = OrderedDict(extra=bricks.ones(1))
    out = nn.Sequential(Linear(1, 1)).state_dict(destination=dest)
    assert out is dest and list(dest) == ["extra", "0.weight", "0.bias"]


def test_load_round_trip_gives_the_same_outputs():
    ours, theirs = nested(BRICKS), nested(TORCH)
    copy_from_torch(ours, theirs)
    clone = nested(BRICKS)
    result = clone.load_state_dict(ours.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(theirs.load_state_dict(theirs.state_dict()))
    x = bricks.rand(3, 4)
    assert (clone(x) == ours(x)).all()


def test_load_copies_values_rather_than_sharing_them():
    src, dst = Linear(2, 2), Linear(2, 2)
    dst.load_state_dict(src.state_dict())
    src.weight.data[0, 0] = 99.0
    assert dst.weight[0, 0].item() != 99.0


def test_load_reports_every_problem_in_torch_form_and_changes_nothing():
    model = nn.Sequential(Linear(4, 8), Linear(8, 1))
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 1))
    bad = {"0.weight": bricks.zeros(8, 5), "1.weight": bricks.zeros(1, 8), "extra": bricks.ones(1)}
    tbad = {"0.weight": torch.zeros(8, 5), "1.weight": torch.zeros(1, 8), "extra": torch.ones(1)}
    before = snapshot(model)
    with pytest.raises(RuntimeError) as ours:
        model.load_state_dict(bad)
    with pytest.raises(RuntimeError) as theirs:
        tmodel.load_state_dict(tbad)
    assert str(ours.value).replace("bricks.", "torch.") == str(theirs.value)
    assert_unchanged(model, before)


def test_size_mismatch_fails_even_when_not_strict_as_torch():
    model = Linear(4, 8)
    before = snapshot(model)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        model.load_state_dict({"weight": bricks.zeros(8, 3), "bias": bricks.zeros(8)},
                              strict=False)
    with pytest.raises(RuntimeError, match="size mismatch"):
        torch.nn.Linear(4, 8).load_state_dict({"weight": torch.zeros(8, 3)}, strict=False)
    assert_unchanged(model, before)


def test_not_strict_returns_missing_and_unexpected_and_loads_the_rest():
    model = Linear(2, 3)
    result = model.load_state_dict({"weight": bricks.ones(3, 2), "other": bricks.ones(1)},
                                   strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    missing, unexpected = result
    assert missing == ["bias"]
    assert model.weight.tolist() == [[1.0, 1.0]] * 3


def test_load_result_prints_as_torch():
    model = Linear(2, 3)
    matched = model.load_state_dict(model.state_dict())
    assert str(matched) == repr(matched) == "<All keys matched successfully>"
    result = model.load_state_dict({"other": bricks.ones(1)}, strict=False)
    expected = ("_IncompatibleKeys(missing_keys=['weight', 'bias'], "
                "unexpected_keys=['other'])")
    assert str(result) == repr(result) == expected
    torch_result = torch.nn.Linear(2, 3).load_state_dict({"other": torch.ones(1)}, strict=False)
    assert str(torch_result) == expected


@pytest.mark.parametrize("wrapper", ["module.", "_orig_mod."])
def test_wrapper_prefix_gets_a_hint_line(wrapper):
    model = nn.Sequential(Linear(2, 2))
    state = {wrapper + k: v for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match=f'start with "{wrapper}".*strip it'):
        model.load_state_dict(state)


def test_dtype_kind_mismatch_is_an_error_but_float_precision_is_cast():
    model = Linear(2, 1)
    with pytest.raises(RuntimeError, match="dtype mismatch for weight"):
        model.load_state_dict({"weight": bricks.tensor([[1, 2]]), "bias": bricks.zeros(1)})
    model.load_state_dict({"weight": bricks.tensor([[1.5, 2.5]], dtype=bricks.float64),
                           "bias": bricks.zeros(1)})
    assert model.weight.dtype is bricks.float32 and model.weight.tolist() == [[1.5, 2.5]]


def test_non_tensor_values_and_non_mappings_are_refused():
    model = Linear(1, 1)
    with pytest.raises(RuntimeError, match='"weight", expected a Tensor'):
        model.load_state_dict({"weight": [[1.0]], "bias": bricks.zeros(1)})
    with pytest.raises(TypeError, match="dict-like"):
        model.load_state_dict([("weight", bricks.ones(1, 1))])


def test_assign_true_shares_the_checkpoint_arrays_and_keeps_parameter_objects():
    model = Linear(2, 2)
    weight = model.weight
    state = {"weight": bricks.ones(2, 2), "bias": bricks.zeros(2)}
    model.load_state_dict(state, assign=True)
    assert model.weight is weight and isinstance(weight, nn.Parameter)
    state["weight"][0, 0] = 3.0
    assert weight[0, 0].item() == 3.0


def test_loading_into_a_lazy_model_materializes_with_the_checkpoint_shapes():
    source = nn.Sequential(Linear(5, 3))
    lazy = nn.Sequential(LazyLinear(3))
    lazy.load_state_dict(source.state_dict())
    assert type(lazy[0].weight) is nn.Parameter and lazy[0].weight.shape == bricks.Size([3, 5])
    np.testing.assert_array_equal(lazy[0].weight.numpy(force=True),
                                  source[0].weight.numpy(force=True))


def test_buffers_load_and_non_persistent_ones_are_left_out():
    source, target = with_buffers(BRICKS), with_buffers(BRICKS)
    source[0].running.data[:] = 9.0
    target.load_state_dict(source.state_dict())
    assert target[0].running.tolist() == [9.0, 9.0, 9.0]
    assert "0.scratch" not in target.state_dict()


def test_tied_parameters_load_once_and_disagreeing_values_fail():
    shared = Linear(2, 2)
    model = nn.Sequential(shared, shared)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    agree = {k: bricks.full_like(v, 2.0) for k, v in state.items()}
    model.load_state_dict(agree)
    assert shared.weight.tolist() == [[2.0, 2.0]] * 2
    before = snapshot(model)
    disagree = dict(agree, **{"1.weight": bricks.full((2, 2), 5.0)})
    with pytest.raises(RuntimeError, match='tied parameter mismatch for 1.weight.*"0.weight"'):
        model.load_state_dict(disagree)
    assert_unchanged(model, before)


_KEYS = ["0.weight", "0.bias", "1.weight", "1.bias", "extra"]


@settings(max_examples=40, deadline=None)
@given(keys=st.lists(st.sampled_from(_KEYS), unique=True),
       bad_shape=st.sampled_from([None, "0.weight", "1.bias"]), strict=st.booleans())
def test_failed_loads_change_nothing(keys, bad_shape, strict):
    model = nn.Sequential(Linear(3, 2), Linear(2, 1))
    shapes = {"0.weight": (2, 3), "0.bias": (2,), "1.weight": (1, 2), "1.bias": (1,),
              "extra": (1,)}
    state = {k: bricks.full(shapes[k] if k != bad_shape else (7,), 4.0) for k in keys}
    if bad_shape is not None and bad_shape not in state:
        state[bad_shape] = bricks.full((7,), 4.0)
    before = snapshot(model)
    should_fail = bad_shape is not None or (strict and set(keys) != set(_KEYS[:4]))
    if should_fail:
        with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for "
                                               "Sequential"):
            model.load_state_dict(state, strict=strict)
        assert_unchanged(model, before)
    else:
        model.load_state_dict(state, strict=strict)
        for key in keys:
            if key != "extra":
                assert (model.get_parameter(key) == 4.0).all()


def test_lazy_into_lazy_stays_lazy_and_lazy_into_a_built_model_is_an_error():
    lazy_state = nn.Sequential(LazyLinear(2)).state_dict()
    other = nn.Sequential(LazyLinear(2))
    assert other.load_state_dict(lazy_state) == ([], [])
    assert isinstance(other[0].weight, nn.UninitializedParameter)
    built = nn.Sequential(Linear(3, 2))
    before = snapshot(built)
    with pytest.raises(RuntimeError, match='"0.weight": the checkpoint\'s value is uninit'):
        built.load_state_dict(lazy_state)
    assert_unchanged(built, before)
