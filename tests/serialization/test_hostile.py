"""Malformed and hostile files are rejected cleanly, fast and with bounded memory."""

from __future__ import annotations

import contextlib
import io
import json
import pickle
import random
import signal
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import bricks
from bricks.serialization import CheckpointError, load, save

ENTRY = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


def _file(header: object, data: bytes = b"\0" * 8, raw: bytes | None = None) -> bytes:
    """A safetensors file with ``header`` (a JSON-able object or raw header bytes)."""
    text = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def _entries(**fields) -> bytes:
    return _file({"x": {**ENTRY, **fields}})


def _structure(value: object, data: bytes = b"\0" * 8) -> bytes:
    return _file({"__metadata__": {"bricks.structure": json.dumps(value)}, "x": ENTRY}, data)


def _deep(depth: int) -> bytes:
    return b'{"x":' + b"[" * depth + b"]" * depth + b"}"


def _many_empty(count: int) -> bytes:
    parts = [f'"t{i}":{{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}' for i in range(count)]
    return _file(None, b"", raw=("{" + ",".join(parts) + "}").encode())


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.npy", _npy())
    return buffer.getvalue()


def _npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    return buffer.getvalue()


HAND_WRITTEN = {
    "empty file": (b"", "too short"),
    "seven bytes": (b"\x01" * 7, "too short"),
    "header length over 16 MiB": (struct.pack("<Q", 17 << 20) + b"{}", "limit"),
    "header length beyond file": (struct.pack("<Q", 100) + b"{}", "beyond the file"),
    "header length 2**64-1": (b"\xff" * 8 + b"{}", "beyond the file"),
    "header not UTF-8": (_file(None, b"", raw=b'{"\xff\xfe":1}'), "UTF-8"),
    "header not JSON": (_file(None, b"", raw=b"{not json}"), "not valid JSON"),
    "header truncated JSON": (_file(None, b"", raw=b'{"x":{"dtype":'), "not valid JSON"),
    "header is a list": (_file(None, b"", raw=b"[1, 2]"), "must start"),
    "header is a string": (_file("abc", b""), "must start"),
    "NaN in header": (_file(None, b"", raw=b'{"x":{"dtype":"F32","shape":[NaN],'
                                             b'"data_offsets":[0,0]}}'), "NaN"),
    "Infinity in header": (_file(None, b"", raw=b'{"__metadata__":{"a":Infinity}}'),
                           "Infinity"),
    "duplicate tensor names": (_file(None, b"\0" * 16, raw=(
        b'{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        b'"x":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')), "duplicate key"),
    "duplicate field in entry": (_file(None, raw=(
        b'{"x":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}')),
        "duplicate key"),
    "duplicate __metadata__": (_file(None, raw=(
        b'{"__metadata__":{},"__metadata__":{},'
        b'"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}')), "duplicate key"),
    "deep nesting 100000": (_file(None, b"", raw=_deep(100_000)), "nested deeper"),
    "deep nesting 70": (_file(None, b"", raw=_deep(70)), "nested deeper"),
    "entry is a string": (_file({"x": "F32"}), "expected an object"),
    "entry is a list": (_file({"x": [1, 2]}), "expected an object"),
    "unknown field": (_entries(extra=1), "exactly the fields"),
    "missing field": (_file({"x": {"dtype": "F32", "shape": [2]}}), "exactly the fields"),
    "unknown dtype": (_entries(dtype="F8_E4M3"), "dtype"),
    "dtype U16": (_entries(dtype="U16"), "dtype"),
    "dtype lower case": (_entries(dtype="f32"), "dtype"),
    "dtype not a string": (_entries(dtype=5), "dtype"),
    "negative shape": (_entries(shape=[-2]), "non-negative"),
    "float shape": (_entries(shape=[2.0]), "non-negative"),
    "bool shape": (_entries(shape=[True, True]), "non-negative"),
    "string shape": (_entries(shape="2"), "non-negative"),
    "shape too many dims": (_entries(shape=[1] * 40), "at most"),
    "absurd shape": (_entries(shape=[2**40, 2**40]), "bytes"),
    "huge int literal": (_file(None, raw=b'{"x":{"dtype":"F32","shape":[' + b"9" * 5000
                               + b'],"data_offsets":[0,8]}}'), "not valid JSON"),
    "offsets one number": (_entries(data_offsets=[8]), "data_offsets"),
    "offsets three numbers": (_entries(data_offsets=[0, 4, 8]), "data_offsets"),
    "offsets negative": (_entries(data_offsets=[-8, 0]), "data_offsets"),
    "offsets float": (_entries(data_offsets=[0.0, 8.0]), "data_offsets"),
    "offsets reversed": (_entries(data_offsets=[8, 0]), "span"),
    "offsets not a list": (_entries(data_offsets={"a": 0}), "data_offsets"),
    "size mismatch": (_entries(shape=[3]), "span"),
    "offsets beyond data": (_entries(data_offsets=[8, 16]), "starts at byte 8"),
    "data shorter than tensor": (_file({"x": ENTRY}, b"\0" * 4), "cover 8 bytes"),
    "trailing data": (_file({"x": ENTRY}, b"\0" * 12), "cover 8 bytes"),
    "gap between tensors": (_file({"x": ENTRY, "y": {**ENTRY, "data_offsets": [12, 20]}},
                                  b"\0" * 20), "gap"),
    "overlapping tensors": (_file({"x": ENTRY, "y": {**ENTRY, "data_offsets": [4, 12]}},
                                  b"\0" * 12), "overlaps"),
    "same range twice": (_file({"x": ENTRY, "y": ENTRY}), "overlaps"),
    "too many empty tensors": (_many_empty(150_000), "more than"),
    "metadata not object": (_file({"__metadata__": [1], "x": ENTRY}), "__metadata__"),
    "metadata int value": (_file({"__metadata__": {"a": 1}, "x": ENTRY}), "__metadata__"),
    "metadata nested": (_file({"__metadata__": {"a": {"b": "c"}}, "x": ENTRY}), "__metadata__"),
    "bool bytes not 0/1": (_file({"x": {"dtype": "BOOL", "shape": [2],
                                        "data_offsets": [0, 2]}}, b"\x01\x07"), "BOOL"),
    "structure not JSON": (_file({"__metadata__": {"bricks.structure": "{"}, "x": ENTRY}),
                           "not valid JSON"),
    "structure NaN": (_file({"__metadata__": {"bricks.structure": "[NaN]"}, "x": ENTRY}),
                      "NaN"),
    "structure duplicate keys": (_file({"__metadata__": {
        "bricks.structure": '{"tensor":"x","tensor":"x"}'}, "x": ENTRY}), "duplicate"),
    "structure missing tensor": (_structure({"tensor": "y"}), "lacks"),
    "structure tensor not str": (_structure({"tensor": 3}), "lacks"),
    "structure unknown node": (_structure({"pickle": "x"}), "one of the keys"),
    "structure two keys": (_structure({"list": [], "tuple": []}), "one of the keys"),
    "structure bare list": (_structure([1, 2]), "one of the keys"),
    "structure float not str": (_structure({"float": 1.5}), "float"),
    "structure bad float": (_structure({"float": "1.5.5"}), "float"),
    "structure long float": (_structure({"float": "1" * 100}), "float"),
    "structure list not array": (_structure({"list": {"a": 1}}), "JSON array"),
    "structure dict bad pair": (_structure({"dict": [["a"]]}), "pair"),
    "structure dict float key": (_structure({"dict": [[1.5, 1]]}), "pair"),
    "structure dict bool key": (_structure({"dict": [[True, 1]]}), "pair"),
    "structure dict duplicate key": (_structure({"dict": [["a", 1], ["a", 2]]}), "duplicate"),
    "structure dict int/str key clash": (_structure({"odict": [[1, 1], [1, None]]}), "duplicate"),
    "structure dict not array": (_structure({"dict": {"a": 1}}), "pairs"),
    "structure deeply nested": (_structure(json.loads("[" * 400 + "]" * 400)), "nested deeper"),
    "pickle": (pickle.dumps({"a": 1}, protocol=2), "pickle"),
    "pickle protocol 5": (pickle.dumps([1, 2, 3], protocol=5), "pickle"),
    "zip (npz, not torch)": (_zip(), "NumPy .npz"),
    "npy": (_npy(), "NumPy .npy"),
    "hdf5": (b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "HDF5"),
}


@contextlib.contextmanager
def _hang_guard(seconds: float = 30.0):
    """Fail, rather than hang, if a load loops: the work itself is bounded by the memory peak
    asserted next to it, never by wall-clock time (which a loaded machine stretches)."""
    def expire(signum, frame):
        raise TimeoutError(f"load did not finish within {seconds} s: a loop on hostile input?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _load_bytes(tmp_path, data: bytes, name: str = "hostile.safetensors"):
    path = tmp_path / name
    path.write_bytes(data)
    return load(path), path


@pytest.mark.parametrize("case", list(HAND_WRITTEN), ids=list(HAND_WRITTEN))
def test_hand_written_malformed_file_is_rejected_naming_file_and_rule(tmp_path, case):
    data, rule = HAND_WRITTEN[case]
    path = tmp_path / "bad.ckpt"
    path.write_bytes(data)
    tracemalloc.start()
    with _hang_guard(), pytest.raises(CheckpointError) as info:
        load(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * len(data) + (4 << 20), peak  # nothing sized by what the header claims
    message = str(info.value)
    assert str(path) in message and rule in message, message


def test_foreign_pickles_are_refused_without_running_anything(tmp_path):
    import torch

    proof = tmp_path / "PWNED"

    class Boom:
        def __reduce__(self):
            return (exec, (f"import pathlib; pathlib.Path({str(proof)!r}).write_text('x')",))

    torch.save({"w": torch.zeros(2), "boom": Boom()}, str(tmp_path / "model.pt"))
    (tmp_path / "legacy.pkl").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(CheckpointError,
                       match=r"global (__builtin__|builtins)\.exec is not allowed"):
        load(tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="never runs"):
        load(tmp_path / "legacy.pkl")
    assert not proof.exists()


def test_file_object_errors_name_the_stream():
    with pytest.raises(CheckpointError, match="<file object>"):
        load(io.BytesIO(b"\x00" * 3))


def _valid_file() -> bytes:
    buffer = io.BytesIO()
    shared = bricks.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3))
    save({"a": shared, "b": [shared, 1.5, float("nan"), None, "s"],
          "c": bricks.from_numpy(np.array([True, False])),
          "d": {3: bricks.from_numpy(np.arange(4, dtype=np.int16))}}, buffer)
    return buffer.getvalue()


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One random corruption, biased towards the header where the rules live."""
    data = bytearray(data)
    header_end = 8 + struct.unpack("<Q", data[:8])[0]
    kind = rng.randrange(6)
    where = rng.randrange(header_end) if rng.random() < 0.8 else rng.randrange(len(data))
    if kind == 0:
        data[where] ^= 1 << rng.randrange(8)
    elif kind == 1:
        data[where] = rng.randrange(256)
    elif kind == 2:
        del data[where:where + rng.randrange(1, 9)]
    elif kind == 3:
        data[where:where] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
    elif kind == 4:
        data = data[:where]
    else:
        data[where] = ord(rng.choice('{}[]",:0123456789-eE.tfn \\'))
    return bytes(data)


def test_random_mutations_are_rejected_cleanly_or_loaded_whole(tmp_path):
    valid = _valid_file()
    rng = random.Random(20261123)
    outcomes = {"rejected": 0, "loaded": 0}
    for index in range(400):
        data = _mutate(valid, rng)
        path = tmp_path / f"mutant-{index}"
        path.write_bytes(data)
        tracemalloc.start()
        try:
            with _hang_guard():
                loaded = load(path)
        except CheckpointError as exc:
            assert str(path) in str(exc)
            outcomes["rejected"] += 1
        else:
            assert isinstance(loaded, (dict, list, tuple, bricks.Tensor))
            outcomes["loaded"] += 1
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 4 << 20, (index, peak)
    assert outcomes["rejected"] > 300, outcomes


def test_stricter_than_safetensors_on_its_known_gaps(tmp_path):
    from safetensors.numpy import load as st_load

    for case in ("duplicate tensor names", "unknown field"):
        data, _ = HAND_WRITTEN[case]
        try:
            st_load(data)  # the library may accept it; bricks must not
        except Exception:
            pass
        with pytest.raises(CheckpointError):
            _load_bytes(tmp_path, data)
