"""Files written by PyTorch, MXNet and MindSpore load to the arrays they saved, names included.

The files in ``data/`` were written once by the real frameworks (torch 2.13.0, mxnet 1.9.1,
mindspore 2.10.0) with ``data/make_files.py``; their values come from that script's
``reference_arrays``/``dtype_arrays``, which need only NumPy, so no test here needs MXNet or
MindSpore installed. The tar-format PyTorch file is built by hand to the layout (no
installable PyTorch writes it) and checked against torch's own reader.
"""

from __future__ import annotations

import collections
import importlib.util
import os
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import bricks

DATA = Path(__file__).resolve().parent / "data"
_spec = importlib.util.spec_from_file_location("make_files", DATA / "make_files.py")
assert _spec is not None and _spec.loader is not None
make_files = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_files)

MLP = make_files.reference_arrays(make_files.MLP_SHAPES, 1)
CNN = make_files.reference_arrays(make_files.CNN_SHAPES, 2)
DTYPES = make_files.dtype_arrays()


def _load(name: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # bfloat16 widening is tested apart
        return bricks.load(DATA / name)


def _assert_state(loaded, expected: dict[str, np.ndarray]) -> None:
    assert isinstance(loaded, dict)
    assert list(loaded) == list(expected)
    for name, array in expected.items():
        value = loaded[name].numpy()
        assert value.dtype == array.dtype, (name, value.dtype, array.dtype)
        assert value.shape == array.shape, name
        np.testing.assert_array_equal(value, array, err_msg=name)


def _renamed(expected: dict[str, np.ndarray], names: list[str]) -> dict[str, np.ndarray]:
    return collections.OrderedDict(zip(names, expected.values()))


# --------------------------------------------------------------------------- PyTorch
@pytest.mark.parametrize("suffix", ["", "_legacy"])
def test_torch_state_dicts_load_with_names_and_values(suffix):
    _assert_state(_load(f"torch_mlp{suffix}.pt"), MLP)
    _assert_state(_load(f"torch_cnn{suffix}.pt"), CNN)
    _assert_state(_load(f"torch_dtypes{suffix}.pt"), DTYPES)


def test_torch_tar_format_loads_like_torch_reads_it():
    loaded = _load("torch_mlp_tar.pt")
    reference = torch.load(DATA / "torch_mlp_tar.pt", weights_only=False)
    assert list(loaded) == list(reference) == [*MLP, "steps", "view"]
    for name, tensor in reference.items():
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy(), err_msg=name)
    np.testing.assert_array_equal(loaded["view"].numpy(), MLP["0.weight"].reshape(-1)[3:6])


def _same(loaded, reference) -> None:
    """``loaded`` (bricks) mirrors ``reference`` (torch.load) value for value."""
    if isinstance(reference, torch.Tensor):
        assert isinstance(loaded, bricks.Tensor)
        expected = reference.detach().float() if reference.dtype == torch.bfloat16 else reference
        np.testing.assert_array_equal(loaded.numpy(), expected.detach().numpy())
    elif isinstance(reference, dict):
        assert type(loaded) is type(reference) and list(loaded) == list(reference)
        for key in reference:
            _same(loaded[key], reference[key])
    elif isinstance(reference, (list, tuple)):
        assert type(loaded) is type(reference) and len(loaded) == len(reference)
        for a, b in zip(loaded, reference):
            _same(a, b)
    else:
        assert loaded == reference and type(loaded) is type(reference)


@pytest.mark.parametrize("name", ["torch_views.pt", "torch_views_legacy.pt"])
def test_torch_views_ties_parameters_and_plain_values_match_torch_load(name):
    with pytest.warns(UserWarning, match="bfloat16"):
        loaded = bricks.load(DATA / name)
    _same(loaded, torch.load(DATA / name, weights_only=True))
    assert loaded["tied"] is loaded["base"]  # one object in the file, one Tensor here
    assert np.shares_memory(loaded["row"].numpy(), loaded["base"].numpy())
    assert loaded["bf16"].dtype == bricks.float32


# --------------------------------------------------------------------------- MXNet
def test_gluon_save_parameters_loads_with_gluon_names():
    _assert_state(_load("mxnet_mlp.params"), _renamed(MLP, ["0.weight", "0.bias",
                                                             "1.weight", "1.bias"]))


def test_mxnet_nd_save_of_a_dict_keeps_every_dtype():
    expected = {k: v for k, v in DTYPES.items() if k not in ("scalar", "int16")}
    _assert_state(_load("mxnet_dtypes.params"), expected)


def test_mxnet_nd_save_of_a_list_loads_as_a_list():
    loaded = _load("mxnet_list.nd")
    assert isinstance(loaded, list) and len(loaded) == len(CNN)
    for tensor, array in zip(loaded, CNN.values()):
        np.testing.assert_array_equal(tensor.numpy(), array)


def test_mxnet_numpy_shape_files_keep_zero_dim_arrays():
    _assert_state(_load("mxnet_np.params"), collections.OrderedDict(
        scalar=DTYPES["scalar"], matrix=DTYPES["float64"]))


# --------------------------------------------------------------------------- MindSpore
def test_mindspore_checkpoint_of_a_cell_loads_with_its_parameter_names():
    _assert_state(_load("mindspore_mlp.ckpt"), _renamed(MLP, ["fc1.weight", "fc1.bias",
                                                               "fc2.weight", "fc2.bias"]))


def test_mindspore_checkpoint_keeps_every_dtype():
    # MindSpore's save_checkpoint leaves out empty tensors; everything else is there.
    expected = {k: v for k, v in DTYPES.items() if k != "empty"}
    _assert_state(_load("mindspore_dtypes.ckpt"), expected)


def test_bfloat16_is_widened_to_float32_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="bfloat16"):
        loaded = bricks.load(DATA / "mindspore_bf16.ckpt")  # written by MindSpore 2.10.0
    assert loaded["bf16"].dtype == bricks.float32
    np.testing.assert_array_equal(loaded["bf16"].numpy(), [1.5, -2.25, 3.0])
    # MXNet's pip builds cannot make bfloat16 arrays: this one is written to its layout.
    values = (np.array([1.5, -2.25, 3.0], np.float32).view(np.uint32) >> 16).astype("<u2")
    path = tmp_path / "bf16.params"
    path.write_bytes(struct.pack("<QQQIiiqiii", 0x112, 0, 1, 0xF993FAC9, 0, 1, 3, 1, 0, 12)
                     + values.tobytes() + struct.pack("<QQ", 1, 1) + b"w")
    with pytest.warns(UserWarning, match="bfloat16"):
        loaded = bricks.load(path)
    np.testing.assert_array_equal(loaded["w"].numpy(), [1.5, -2.25, 3.0])


def test_mindspore_slices_of_one_tensor_are_joined(tmp_path):
    from bricks.serialization._mindspore import read_mindspore

    def value(tag: bytes, content: bytes) -> bytes:
        tensor = b"\x08\x02\x08\x02\x12\x07Float32\x1a" + bytes([len(content)]) + content
        body = b"\x0a" + bytes([len(tag)]) + tag + b"\x12" + bytes([len(tensor)]) + tensor
        return b"\x0a" + bytes([len(body)]) + body

    data = np.arange(4, dtype=np.float32).tobytes()
    buffer = np.frombuffer(value(b"w", data[:8]) + value(b"w", data[8:]), dtype=np.uint8)
    loaded = read_mindspore(buffer, "slices")
    np.testing.assert_array_equal(loaded["w"].numpy(), np.arange(4.0).reshape(2, 2))


# --------------------------------------------------------------------------- convert
def _bricks_cnn():
    from bricks import nn

    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16, 2))


def _torch_cnn():
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(16, 2))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in CNN.items()})
    return net


@pytest.mark.parametrize("name", ["torch_cnn.pt", "torch_cnn_legacy.pt"])
def test_convert_command_then_load_state_dict_reproduces_the_torch_model(tmp_path, name):
    target = tmp_path / "model.safetensors"
    src = Path(bricks.__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "bricks.convert", str(DATA / name),
                           str(target)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)})
    assert done.returncode == 0, done.stderr
    model = _bricks_cnn()
    model.load_state_dict(bricks.load(target))
    x = np.random.default_rng(3).standard_normal((5, 2, 6, 6)).astype(np.float32)
    with torch.no_grad():
        expected = _torch_cnn()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(bricks.from_numpy(x)).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mxnet_dtypes.params", "mindspore_mlp.ckpt",
                                  "torch_mlp_tar.pt", "torch_dtypes.pt"])
def test_convert_function_writes_safetensors_that_safetensors_reads(tmp_path, name):
    from safetensors.numpy import load_file

    target = tmp_path / "out.safetensors"
    bricks.convert(DATA / name, target)
    expected = _load(name)
    loaded = load_file(str(target))
    assert set(loaded) == set(expected)
    for key, tensor in expected.items():
        np.testing.assert_array_equal(loaded[key], tensor.numpy(), err_msg=key)


def test_convert_command_reports_a_refused_file_and_exits_1(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x02cos\nsystem\nq\x00.")
    done = subprocess.run([sys.executable, "-m", "bricks.convert", str(bad),
                           str(tmp_path / "out")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(bricks.__file__)
                                                               .resolve().parent.parent)})
    assert done.returncode == 1 and "CheckpointError" not in done.stderr
    assert "not a PyTorch checkpoint" in done.stderr or "not allowed" in done.stderr
    assert not (tmp_path / "out").exists()


def test_importing_the_command_module_keeps_bricks_convert_the_function():
    import importlib

    module = importlib.import_module("bricks.convert")
    assert callable(bricks.convert) and module.convert is bricks.convert


def test_file_objects_are_read_like_paths():
    with open(DATA / "torch_mlp.pt", "rb") as stream:
        _assert_state(bricks.load(stream), MLP)
    with open(DATA / "mxnet_mlp.params", "rb") as stream:
        assert list(bricks.load(stream)) == ["0.weight", "0.bias", "1.weight", "1.bias"]


# --------------------------------------------------------------------------- the dialects
def _mlp_reference(x: np.ndarray) -> np.ndarray:
    hidden = np.maximum(x @ MLP["0.weight"].T + MLP["0.bias"], 0)
    return hidden @ MLP["2.weight"].T + MLP["2.bias"]


def test_gluon_facade_loads_a_real_mxnet_params_file():
    from bricks.compat.mxnet import gluon, nd

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(3))
    net.load_parameters(str(DATA / "mxnet_mlp.params"))  # shapes deferred until the file
    x = np.random.default_rng(4).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(net(nd.array(x)).asnumpy(), _mlp_reference(x), rtol=1e-5,
                               atol=1e-6)


def test_mindspore_facade_loads_a_real_ckpt_file():
    import bricks.compat.mindspore as ms
    from bricks.compat.mindspore import nn

    class MLP(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Dense(4, 8)
            self.fc2 = nn.Dense(8, 3)

        def construct(self, x):
            return self.fc2(nn.ReLU()(self.fc1(x)))

    net = MLP()
    ms.load_checkpoint(str(DATA / "mindspore_mlp.ckpt"), net=net)
    x = np.random.default_rng(4).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(net(ms.Tensor(x)).asnumpy(), _mlp_reference(x), rtol=1e-5,
                               atol=1e-6)


# --------------------------------------------------------------------------- written here
def _torch_objects() -> dict[str, object]:
    """Objects PyTorch users save besides a flat state dict, written by torch in the test."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                              torch.nn.Linear(4, 2))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net(torch.randn(5, 3)).sum().backward()
    optimizer.step()
    return {"batchnorm state dict": net.state_dict(),
            "adam state dict": optimizer.state_dict(),
            "checkpoint": {"epoch": 3, "model": net.state_dict(), "loss": 0.25,
                           "optimizer": optimizer.state_dict(), "tags": ["a", "b"],
                           "flags": (True, False, None), "big": 2**70, "neg": -5}}


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("layout", ["zip", "legacy"])
def test_checkpoints_pickled_with_any_protocol_match_torch_load(tmp_path, protocol, layout):
    for name, obj in _torch_objects().items():
        path = tmp_path / f"{name}.pt"
        torch.save(obj, path, pickle_protocol=protocol,
                   _use_new_zipfile_serialization=layout == "zip")
        # torch's weights_only reader refuses protocol 4's FRAME opcode; the file is ours
        _same(bricks.load(path), torch.load(path, weights_only=False))


def test_big_endian_zip_checkpoints_are_byte_swapped(tmp_path):
    import zipfile

    source = zipfile.ZipFile(DATA / "torch_dtypes.pt")
    path = tmp_path / "big.pt"
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename:  # every storage: swap within its element size
                key = info.filename.rsplit("/", 1)[1]
                data = _swapped(data, _ITEMSIZES[key])
            target.writestr(info.filename, data)
    _assert_state(_load("torch_dtypes.pt"), DTYPES)
    _assert_state(bricks.load(path), DTYPES)


# storage key -> element size in torch_dtypes.pt (one storage per entry, in dtype order)
_ITEMSIZES = {str(i): np.dtype(v.dtype).itemsize for i, v in enumerate(DTYPES.values())}


def _swapped(data: bytes, itemsize: int) -> bytes:
    return np.frombuffer(data, dtype=f"<u{itemsize}" if itemsize > 1 else "u1").byteswap() \
        .tobytes()


def test_legacy_storage_views_load_like_torch_reads_them(tmp_path):
    """Old legacy files could point a tensor at a view of a storage: (key, offset, size)."""
    import io
    import pickle

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, tuple) and obj and obj[0] == "view":
                return ("storage", torch.FloatStorage, "0", "cpu", 6, ("1", 2, 3))
            return None

    rebuild = torch._utils._rebuild_tensor_v2
    state = {"w": _Reduce(rebuild, (("view",), 1, (2,), (1,), False, collections.OrderedDict()))}
    buffer = io.BytesIO()
    for value in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001,
                                                  "little_endian": True,
                                                  "type_sizes": {"short": 2, "int": 4,
                                                                 "long": 8}}):
        pickle.dump(value, buffer, protocol=2)
    Pickler(buffer, protocol=2).dump(state)
    pickle.dump(["0"], buffer, protocol=2)
    buffer.write(struct.pack("<q", 6) + np.arange(6, dtype=np.float32).tobytes())
    path = tmp_path / "views.pt"
    path.write_bytes(buffer.getvalue())
    expected = torch.load(path, weights_only=True)["w"].numpy()
    np.testing.assert_array_equal(expected, [3.0, 4.0])  # storage[2:5], offset 1, size 2
    np.testing.assert_array_equal(bricks.load(path)["w"].numpy(), expected)


class _Reduce:
    """Pickles as ``function(*args)``: how a test writes a REDUCE without running it."""

    def __init__(self, function, args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args
