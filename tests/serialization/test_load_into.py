"""``bricks.load_into``: a checkpoint read straight into a module's tensors.

It must give exactly what ``module.load_state_dict(bricks.load(f))`` gives (values, errors,
returned keys) and match torch's ``load_state_dict``; read in place (nothing allocated the
size of the tensors, the parameter objects and arrays kept); and leave the module unchanged
when the file is malformed, hostile or does not fit.
"""

from __future__ import annotations

import io
import random
import tracemalloc

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file
from safetensors.torch import save_model

import bricks
import bricks.serialization
from bricks.serialization import CheckpointError, load, load_into, save

from test_hostile import HAND_WRITTEN, _mutate


class _Tied:
    """An embedding and an output layer sharing one weight, in either framework."""

    @staticmethod
    def build(lib):
        nn = lib.nn

        class Tied(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(5, 3)
                self.norm = nn.BatchNorm1d(3)
                self.out = nn.Linear(3, 5, bias=False)
                self.out.weight = self.embed.weight

        return Tied()


def _mlp(lib=bricks, width=4):
    nn = lib.nn
    return nn.Sequential(nn.Linear(3, width), nn.BatchNorm1d(width), nn.ReLU(),
                         nn.Linear(width, 2))


def _snapshot(module) -> dict[str, np.ndarray]:
    return {name: value.numpy().copy() for name, value in module.state_dict().items()}


def _assert_state(module, expected: dict[str, np.ndarray]) -> None:
    state = module.state_dict()
    assert list(state) == list(expected)
    for name, value in expected.items():
        assert state[name].numpy().dtype == value.dtype, name
        np.testing.assert_array_equal(state[name].numpy(), value, err_msg=name)


def _torch_state(tmodel) -> dict[str, np.ndarray]:
    return {name: value.detach().numpy().copy() for name, value in tmodel.state_dict().items()}


@pytest.fixture
def no_general_road(monkeypatch):
    """Make the general road (load + load_state_dict) fail: the load must read in place."""
    def refuse(*args, **kwargs):
        raise AssertionError("load_into took the general road (load + load_state_dict)")

    monkeypatch.setattr(bricks.serialization, "load", refuse)


def _trained_torch_tied():
    torch.manual_seed(0)
    tmodel = _Tied.build(torch)
    with torch.no_grad():
        tmodel.norm.running_mean.uniform_()
        tmodel.norm.num_batches_tracked += 7
    return tmodel


def test_restores_a_safetensors_file_of_a_torch_model_in_place_with_ties(tmp_path,
                                                                         no_general_road):
    tmodel = _trained_torch_tied()
    save_model(tmodel, str(tmp_path / "model.safetensors"))  # drops out.weight as a tie
    model = _Tied.build(bricks)
    params = {name: (p, p._value) for name, p in model.named_parameters()}
    assert load_into(model, tmp_path / "model.safetensors").missing_keys == []
    _assert_state(model, _torch_state(tmodel))
    assert model.out.weight is model.embed.weight
    for name, p in model.named_parameters():
        assert params[name][0] is p and params[name][1] is p._value, name  # written in place


def test_matches_load_then_load_state_dict_for_a_bricks_checkpoint(tmp_path, no_general_road):
    source = _mlp()
    source[1].running_var.fill_(3.0)
    save(source.state_dict(), tmp_path / "mlp")
    model = _mlp()
    result = load_into(model, str(tmp_path / "mlp"))
    assert repr(result) == "<All keys matched successfully>"
    _assert_state(model, _snapshot(source))


def test_reads_from_a_file_object_at_its_position(no_general_road):
    source = _mlp()
    buffer = io.BytesIO()
    buffer.write(b"junk before the checkpoint")
    start = buffer.tell()
    save(source.state_dict(), buffer)
    buffer.seek(start)
    model = _mlp()
    load_into(model, buffer)
    _assert_state(model, _snapshot(source))


def test_allocates_nothing_the_size_of_the_model(tmp_path, no_general_road):
    source = _mlp(width=512)  # 3 x 512 x 512 weights: ~1 MB of float32
    save(source.state_dict(), tmp_path / "wide")
    model = _mlp(width=512)
    tracemalloc.start()
    load_into(model, tmp_path / "wide")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 1024, peak
    _assert_state(model, _snapshot(source))


def _plain_mlp(lib=bricks):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


def test_not_strict_returns_the_keys_load_state_dict_returns(tmp_path, no_general_road):
    save({"0.weight": bricks.ones(4, 3), "extra": bricks.ones(1)}, tmp_path / "part")
    model, reference = _plain_mlp(), _plain_mlp()
    reference.load_state_dict(_snapshot_as_state(model))
    keys = load_into(model, tmp_path / "part", strict=False)
    tkeys = _plain_mlp(torch).load_state_dict(
        {"0.weight": torch.ones(4, 3), "extra": torch.ones(1)}, strict=False)
    assert keys.missing_keys == tkeys.missing_keys
    assert keys.unexpected_keys == tkeys.unexpected_keys
    expected = _snapshot(reference)
    expected["0.weight"] = np.ones((4, 3), np.float32)
    _assert_state(model, expected)


def _snapshot_as_state(module) -> dict[str, bricks.Tensor]:
    return {name: bricks.from_numpy(value) for name, value in _snapshot(module).items()}


def test_version_counter_counts_the_write(tmp_path, no_general_road):
    model = _mlp()
    save(model.state_dict(), tmp_path / "m")
    y = (model[0].weight * model[0].weight).sum()
    load_into(model, tmp_path / "m")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


# ----- the general road: same result and errors as load + load_state_dict, and as torch
def _general(tmp_path, path, build, strict=True):
    """(outcome, state) of load_into and of load + load_state_dict on fresh models."""
    outcomes = []
    for restore in (lambda m: load_into(m, path, strict=strict),
                    lambda m: m.load_state_dict(load(path), strict=strict)):
        bricks.manual_seed(0)  # the same fresh model for both
        model = build()
        before = _snapshot(model)
        try:
            outcome = repr(restore(model))
        except (RuntimeError, CheckpointError) as error:
            outcome = f"{type(error).__name__}: {error}"
            _assert_state(model, before)  # a failed load changes nothing
        outcomes.append((outcome, _snapshot(model)))
    (ours, our_state), (theirs, their_state) = outcomes
    assert ours == theirs
    assert our_state.keys() == their_state.keys()
    for name in our_state:
        np.testing.assert_array_equal(our_state[name], their_state[name])
    return ours, our_state


def test_a_torch_pt_file_restores_as_torch_restores_it(tmp_path):
    tmodel = _trained_torch_tied()
    torch.save(tmodel.state_dict(), tmp_path / "model.pt")
    outcome, state = _general(tmp_path, tmp_path / "model.pt", lambda: _Tied.build(bricks))
    assert outcome == "<All keys matched successfully>"
    expected = _torch_state(tmodel)
    for name in expected:
        np.testing.assert_array_equal(state[name], expected[name])


def test_float64_values_are_cast_into_float32_parameters_as_torch(tmp_path):
    tmodel = _mlp(torch)
    state = {k: v.double() if v.is_floating_point() else v for k, v in tmodel.state_dict().items()}
    save_file({k: v.numpy() for k, v in state.items()}, str(tmp_path / "f64.safetensors"))
    _, ours = _general(tmp_path, tmp_path / "f64.safetensors", _mlp)
    reference = _mlp(torch)
    reference.load_state_dict(state)
    expected = _torch_state(reference)
    for name in expected:
        np.testing.assert_array_equal(ours[name], expected[name])


def test_mismatches_fail_like_load_state_dict_and_change_nothing(tmp_path):
    wrong_shape = _snapshot(_mlp())
    wrong_shape["3.weight"] = np.zeros((3, 4), np.float32)
    save_file(wrong_shape, str(tmp_path / "shape.safetensors"))
    outcome, _ = _general(tmp_path, tmp_path / "shape.safetensors", _mlp)
    assert "size mismatch for 3.weight" in outcome
    tmodel = _mlp(torch)
    with pytest.raises(RuntimeError, match="size mismatch for 3.weight"):
        tmodel.load_state_dict({k: torch.from_numpy(v) for k, v in wrong_shape.items()})
    missing = _snapshot(_mlp())
    del missing["0.bias"]
    save_file(missing, str(tmp_path / "missing.safetensors"))
    assert 'Missing key(s) in state_dict: "0.bias"' in _general(
        tmp_path, tmp_path / "missing.safetensors", _mlp)[0]
    ints = {k: v.astype(np.int64) for k, v in _snapshot(_mlp()).items()}
    save_file(ints, str(tmp_path / "ints.safetensors"))
    assert "dtype mismatch" in _general(tmp_path, tmp_path / "ints.safetensors", _mlp)[0]


def test_ties_stored_twice_must_agree(tmp_path):
    state = _snapshot(_Tied.build(bricks))
    save_file(state, str(tmp_path / "agree.safetensors"))
    assert _general(tmp_path, tmp_path / "agree.safetensors",
                    lambda: _Tied.build(bricks))[0] == "<All keys matched successfully>"
    state["out.weight"] = state["out.weight"] + 1
    save_file(state, str(tmp_path / "differ.safetensors"))
    assert "tied parameter mismatch" in _general(tmp_path, tmp_path / "differ.safetensors",
                                                 lambda: _Tied.build(bricks))[0]


def test_bool_buffers_lazy_modules_and_nested_files_take_the_general_road(tmp_path):
    class WithMask(bricks.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mask", bricks.tensor([True, False, True]))

    save({"mask": bricks.tensor([False, False, True])}, tmp_path / "mask")
    assert _general(tmp_path, tmp_path / "mask", WithMask)[1]["mask"].tolist() == \
        [False, False, True]
    save(bricks.nn.Linear(3, 2).state_dict(), tmp_path / "linear")
    model = bricks.nn.LazyLinear(2)
    load_into(model, tmp_path / "linear")
    _assert_state(model, {k: v.numpy() for k, v in load(tmp_path / "linear").items()})
    save({"model": _mlp().state_dict(), "step": 3}, tmp_path / "nested")
    assert "Missing key(s)" in _general(tmp_path, tmp_path / "nested", _mlp)[0]


def test_a_module_that_renames_keys_on_load_is_honoured(tmp_path):
    class Renaming(bricks.nn.Module):
        def __init__(self):
            super().__init__()
            self.new = bricks.nn.Linear(2, 2)

        def _load_from_state_dict(self, state_dict, prefix, *args):
            for suffix in ("weight", "bias"):
                if prefix + "old." + suffix in state_dict:
                    state_dict[prefix + "new." + suffix] = state_dict.pop(
                        prefix + "old." + suffix)
            super()._load_from_state_dict(state_dict, prefix, *args)

    old = bricks.nn.Linear(2, 2)
    save({"old.weight": old.weight, "old.bias": old.bias}, tmp_path / "old")
    _, state = _general(tmp_path, tmp_path / "old", Renaming)
    np.testing.assert_array_equal(state["new.weight"], old.weight.detach().numpy())


# ----- hostile and broken files
class _X(bricks.nn.Module):
    """A module whose one parameter has the name, dtype and shape the hostile files use."""

    def __init__(self):
        super().__init__()
        self.x = bricks.nn.Parameter(bricks.tensor([5.0, 6.0]))


@pytest.mark.parametrize("case", list(HAND_WRITTEN), ids=list(HAND_WRITTEN))
def test_hostile_files_are_rejected_as_load_rejects_them(tmp_path, case):
    data, rule = HAND_WRITTEN[case]
    path = tmp_path / "bad.ckpt"
    path.write_bytes(data)
    model = _X()
    with pytest.raises(CheckpointError) as ours:
        load_into(model, path)
    with pytest.raises(CheckpointError) as theirs:
        load(path)
    assert str(ours.value) == str(theirs.value) and rule in str(ours.value)
    assert model.x.tolist() == [5.0, 6.0]


def test_random_mutations_of_a_state_dict_file_load_or_fail_as_load_does(tmp_path):
    buffer = io.BytesIO()
    save(_Tied.build(bricks).state_dict(), buffer)
    valid = buffer.getvalue()
    rng = random.Random(20261202)
    for index in range(300):
        path = tmp_path / f"mutant-{index}"
        path.write_bytes(_mutate(valid, rng))
        _general(tmp_path, path, lambda: _Tied.build(bricks))


def test_a_file_cut_short_while_reading_says_the_module_is_partly_restored(tmp_path):
    class Shrinking(io.BytesIO):
        """A stream whose data ends early once reading has begun (truncated underneath)."""

        def readinto(self, buffer):
            return 0 if self.tell() > 200 else super().readinto(buffer)

    save(_mlp().state_dict(), tmp_path / "m")
    with pytest.raises(CheckpointError, match="partly restored"):
        load_into(_mlp(), Shrinking((tmp_path / "m").read_bytes()))


# ----- the mmap road: load(mmap=True) gives views of the file, copied once by the load
def test_mmap_load_gives_views_that_load_state_dict_copies_once(tmp_path):
    source = _mlp()
    save(source.state_dict(), tmp_path / "m")
    state = load(tmp_path / "m", mmap=True)
    assert all(not value.numpy().flags.owndata for value in state.values())
    model = _mlp()
    arrays = [p._value for p in model.parameters()]
    model.load_state_dict(state)
    assert all(a is p._value for a, p in zip(arrays, model.parameters()))
    _assert_state(model, _snapshot(source))
    assigned = _mlp()
    assigned.load_state_dict(load(tmp_path / "m", mmap=True), assign=True)
    assert not assigned[0].weight._value.flags.owndata  # the parameter is the mapped memory
    _assert_state(assigned, _snapshot(source))
