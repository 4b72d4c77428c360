"""Round trips of every supported structure and dtype through bricks.save / bricks.load."""

from __future__ import annotations

import collections
import io
import math
import os
import pathlib
import stat

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bricks
from bricks.serialization import CheckpointError, load, save

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _array(dtype: str, shape: tuple = (3, 4), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    return np.asarray((rng.standard_normal(shape) * 50).astype(dtype))


def _same(a: bricks.Tensor, b: bricks.Tensor) -> None:
    assert isinstance(b, bricks.Tensor)
    assert a.dtype.name == b.dtype.name
    assert a.numpy().shape == b.numpy().shape
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3, 4), (1, 0, 3)])
def test_tensor_round_trip_keeps_dtype_shape_values(tmp_path, dtype, shape):
    t = bricks.from_numpy(_array(dtype, shape))
    save(t, tmp_path / "x-file")
    _same(t, load(tmp_path / "x-file"))


def test_list_and_dict_of_tensors_round_trip(tmp_path):
    x, y = bricks.arange(4), bricks.zeros(4)
    save([x, y], str(tmp_path / "x-files"))
    x2, y2 = load(str(tmp_path / "x-files"))
    _same(x, x2)
    _same(y, y2)
    save({"x": x, "y": y}, tmp_path / "mydict")
    loaded = load(tmp_path / "mydict")
    assert type(loaded) is dict and list(loaded) == ["x", "y"]
    _same(y, loaded["y"])


def test_plain_values_nested_structures_and_int_keys_round_trip(tmp_path):
    t = bricks.tensor([1.0, 2.0])
    obj = {"state": {0: {"step": 3, "exp_avg": t}, 1: {"step": 3}},
           "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0, 1],
                             "amsgrad": False, "name": None, "tag": "ünïcode"}],
           "specials": [float("nan"), float("inf"), -float("inf"), -0.0, 1e-310, 2**70],
           "empty": [[], (), {}], "nested": ((1, (2, [3, {"k": (t,)}])),)}
    save(obj, tmp_path / "optim.state")
    loaded = load(tmp_path / "optim.state")
    assert list(loaded["state"]) == [0, 1] and loaded["state"][1] == {"step": 3}
    assert loaded["param_groups"] == obj["param_groups"]
    assert type(loaded["param_groups"][0]["betas"]) is tuple
    nan, inf, ninf, nzero, tiny, big = loaded["specials"]
    assert math.isnan(nan) and inf == math.inf and ninf == -math.inf
    assert math.copysign(1, nzero) == -1 and tiny == 1e-310 and big == 2**70 and type(big) is int
    assert loaded["empty"] == [[], (), {}]
    assert loaded["nested"][0][1][1][1]["k"][0] is loaded["state"][0]["exp_avg"]


def test_bool_and_int_values_keep_their_types(tmp_path):
    save([True, 1, 1.0, "1", None], tmp_path / "v")
    loaded = load(tmp_path / "v")
    assert [type(v) for v in loaded] == [bool, int, float, str, type(None)]


def test_state_dict_loads_as_ordered_dict_with_its_names(tmp_path):
    sd = collections.OrderedDict([("0.weight", bricks.randn(8, 4)), ("0.bias", bricks.zeros(8)),
                                  ("2.weight", bricks.randn(1, 8)), ("2.bias", bricks.zeros(1))])
    save(sd, tmp_path / "mlp.params")
    loaded = load(tmp_path / "mlp.params")
    assert type(loaded) is collections.OrderedDict and list(loaded) == list(sd)
    for name in sd:
        _same(sd[name], loaded[name])


def test_tied_tensor_is_written_once_and_comes_back_as_one_object(tmp_path):
    shared = bricks.randn(4, 4)
    sd = collections.OrderedDict([("a.weight", shared), ("b.weight", shared),
                                  ("c.weight", bricks.from_numpy(shared.numpy()))])
    save(sd, tmp_path / "tied")
    loaded = load(tmp_path / "tied")
    assert loaded["a.weight"] is loaded["b.weight"] is loaded["c.weight"]
    assert os.path.getsize(tmp_path / "tied") < 2 * 64 + 400


def test_overlapping_views_are_stored_as_separate_copies(tmp_path):
    base = bricks.from_numpy(np.arange(10.0))
    save([base, bricks.from_numpy(base.numpy()[2:5])], tmp_path / "views")
    a, b = load(tmp_path / "views")
    np.testing.assert_array_equal(b.numpy(), [2.0, 3.0, 4.0])
    assert a is not b


def test_parameters_requiring_grad_are_saved(tmp_path):
    w = bricks.randn(3, requires_grad=True)
    save({"w": w}, tmp_path / "p")
    np.testing.assert_array_equal(load(tmp_path / "p")["w"].numpy(), w.detach().numpy())


def test_file_objects_and_pathlike_targets(tmp_path):
    t = bricks.randn(5)
    buffer = io.BytesIO()
    save([t], buffer)
    buffer.seek(0)
    _same(t, load(buffer)[0])
    save(t, pathlib.Path(tmp_path) / "model.pt")
    _same(t, load(pathlib.Path(tmp_path) / "model.pt"))


def test_mmap_and_map_location_cpu_give_the_same_result(tmp_path):
    t = bricks.randn(100, 10)
    save({"t": t}, tmp_path / "m")
    for kwargs in ({"mmap": True}, {"map_location": "cpu"}, {"map_location": {"cuda:0": "cpu"}},
                   {"weights_only": False}):
        loaded = load(tmp_path / "m", **kwargs)["t"]
        _same(t, loaded)
    loaded.numpy()[0, 0] = 123.0  # copy-on-write: the file is untouched
    assert load(tmp_path / "m")["t"].numpy()[0, 0] == t.numpy()[0, 0]


def test_map_location_to_an_unknown_or_absent_device_is_a_clear_error(tmp_path):
    save(bricks.zeros(1), tmp_path / "z")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        load(tmp_path / "z", map_location="banana")
    if not bricks.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            load(tmp_path / "z", map_location="cuda:0")
        with pytest.raises(RuntimeError, match="CUDA"):
            load(tmp_path / "z", map_location={"cpu": "cuda:0"})
    assert load(tmp_path / "z", map_location=bricks.device("cpu")).device.type == "cpu"
    assert load(tmp_path / "z", map_location=lambda storage, loc: storage).tolist() == [0.0]


def test_unsupported_values_are_refused_without_pickling(tmp_path):
    with pytest.raises(TypeError, match="set"):
        save({"a": {1, 2}}, tmp_path / "bad")
    with pytest.raises(TypeError, match="dict keys"):
        save({(1, 2): 3}, tmp_path / "bad")
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested deeper"):
        save(loop, tmp_path / "bad")
    assert not os.path.exists(tmp_path / "bad")


def test_file_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save(bricks.zeros(1), tmp_path / "perm")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "perm").st_mode) == 0o644


def test_save_leaves_no_temporary_files(tmp_path):
    for i in range(3):
        save({"i": i}, tmp_path / "ckpt")
    assert os.listdir(tmp_path) == ["ckpt"]


def test_bfloat16_loads_as_float32_with_a_warning(tmp_path):
    import torch
    from safetensors.torch import save_file

    values = torch.tensor([1.0, -2.5, 3.0e38, 0.0078125], dtype=torch.bfloat16)
    save_file({"w": values}, str(tmp_path / "bf16"))
    with pytest.warns(UserWarning, match="bfloat16"):
        loaded = load(tmp_path / "bf16")["w"]
    assert loaded.dtype.name == "float32"
    np.testing.assert_array_equal(loaded.numpy(), values.float().numpy())


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4),
    max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(_plain)
def test_any_plain_structure_round_trips(value):
    buffer = io.BytesIO()
    save({"v": value, "t": bricks.ones(2)}, buffer)
    buffer.seek(0)
    assert load(buffer)["v"] == value
