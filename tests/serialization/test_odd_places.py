"""Saves into odd places (links, FIFOs, devices, sockets, folders, long names, kept modes) and
loads of odd files (mmap under a low open-file limit, huge zero-size shapes, huge structures).
Files are inspected with ``os.lstat``."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import bricks
from bricks.serialization import CheckpointError, load, save


def _temps(directory) -> list:
    return [name for name in os.listdir(directory) if ".bricks-tmp-" in name]


def _state() -> dict:
    return {"w": bricks.arange(6.0).reshape(2, 3)}


def test_save_to_a_symlink_writes_through_it_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.ckpt"
    save({"w": bricks.zeros(2)}, target)
    link = tmp_path / "latest.ckpt"
    os.symlink("real.ckpt", link)
    save(_state(), link)
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert os.readlink(link) == "real.ckpt"
    assert stat.S_ISREG(os.lstat(target).st_mode)
    assert load(target)["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert not _temps(tmp_path)


def test_save_to_a_dangling_symlink_creates_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    link = tmp_path / "latest.ckpt"
    os.symlink(os.path.join("runs", "new.ckpt"), link)
    save(_state(), link)
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert stat.S_ISREG(os.lstat(tmp_path / "runs" / "new.ckpt").st_mode)
    assert load(link)["w"].shape == (2, 3)


def _fifo(path):
    os.mkfifo(path)
    return stat.S_ISFIFO


def _socket(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    _socket.keep = server  # closed at the end of the test by the garbage collector
    return stat.S_ISSOCK


def _device(path):
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    return stat.S_ISCHR


@pytest.mark.parametrize("make", [_fifo, _socket, _device], ids=["fifo", "socket", "device"])
def test_save_onto_a_special_file_is_refused_and_leaves_it(tmp_path, make):
    path = tmp_path / "special"
    is_kind = make(path)
    with pytest.raises(OSError, match="not a regular file"):
        save(_state(), path)
    assert is_kind(os.lstat(path).st_mode)
    assert not _temps(tmp_path)


def test_save_through_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "null"
    os.symlink(os.devnull, link)
    before = os.lstat(os.devnull)
    with pytest.raises(OSError, match="device node"):
        save(_state(), link)
    after = os.lstat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_save_onto_a_directory_is_refused_and_leaves_it(tmp_path):
    folder = tmp_path / "model.ckpt"
    folder.mkdir()
    (folder / "inside").write_bytes(b"kept")
    with pytest.raises(IsADirectoryError, match="directory"):
        save(_state(), folder)
    assert (folder / "inside").read_bytes() == b"kept"
    assert not _temps(tmp_path)


def test_a_legal_255_byte_name_saves_with_a_shortened_temporary_name(tmp_path):
    name = "é" * 60 + "m" * (255 - 120 - 5) + ".ckpt"
    assert len(os.fsencode(name)) == 255
    save(_state(), tmp_path / name)
    assert load(tmp_path / name)["w"].shape == (2, 3)
    assert os.listdir(tmp_path) == [name]


def test_resaving_keeps_the_permission_bits_and_a_new_file_follows_the_umask(tmp_path):
    kept = tmp_path / "private.ckpt"
    save(_state(), kept)
    os.chmod(kept, 0o600)
    save({"w": bricks.ones(3)}, kept)
    assert stat.S_IMODE(os.lstat(kept).st_mode) == 0o600
    previous = os.umask(0o027)
    try:
        save(_state(), tmp_path / "new.ckpt")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.lstat(tmp_path / "new.ckpt").st_mode) == 0o640


def test_orphan_cleaning_removes_only_regular_files_of_dead_savers(tmp_path):
    dead = _dead_pid()
    orphan = tmp_path / f".a.ckpt.bricks-tmp-{dead}-00112233aabb"
    orphan.write_bytes(b"partial")
    folder = tmp_path / f".b.ckpt.bricks-tmp-{dead}-00112233aabb"
    folder.mkdir()
    link = tmp_path / f".c.ckpt.bricks-tmp-{dead}-00112233aabb"
    os.symlink(orphan.name, link)
    lookalike = tmp_path / f"notes.bricks-tmp-{dead}-00112233aabb"  # no leading dot
    lookalike.write_bytes(b"user data")
    save(_state(), tmp_path / "other.ckpt")
    assert not orphan.exists()
    assert folder.is_dir() and os.path.islink(link) and lookalike.exists()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("key", ["__metadata__"])
def test_reserved_tensor_name_is_rejected_before_anything_is_written(tmp_path, key):
    path = tmp_path / "m.ckpt"
    save(_state(), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="reserves"):
        save({key: bricks.ones(2)}, path)
    assert path.read_bytes() == before
    assert not _temps(tmp_path)
    save({"meta": {key: 1}, "x": bricks.ones(1)}, path)  # a plain value under it is fine
    assert load(path)["meta"] == {key: 1}


def test_mmap_loads_hold_no_descriptor_under_a_low_open_file_limit(tmp_path):
    for i in range(200):
        save({"w": bricks.full((64,), float(i))}, tmp_path / f"{i}.ckpt")
    script = textwrap.dedent(f"""
        import os, resource, sys
        import bricks
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        loaded = [bricks.load(os.path.join({str(tmp_path)!r}, f"{{i}}.ckpt"), mmap=True)
                  for i in range(200)]
        assert [float(x["w"][0]) for x in loaded] == [float(i) for i in range(200)]
        loaded[3]["w"][0] = 99.0  # copy-on-write: the file keeps its value
        assert float(bricks.load(os.path.join({str(tmp_path)!r}, "3.ckpt"))["w"][0]) == 3.0
        print(len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) < 30


def _raw_file(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def test_zero_size_tensor_with_enormous_dimensions_is_rejected_naming_file_and_entry(tmp_path):
    path = tmp_path / "huge.ckpt"
    path.write_bytes(_raw_file({"big": {"dtype": "F32", "shape": [0, 2**61, 2**61],
                                        "data_offsets": [0, 0]}}))
    with pytest.raises(CheckpointError, match="big") as error:
        load(path)
    assert str(path) in str(error.value)


def test_structure_with_millions_of_entries_is_rejected_before_parsing(tmp_path):
    path = tmp_path / "wide.ckpt"
    structure = '{"list":[' + "0," * 3_000_000 + "0]}"
    path.write_bytes(_raw_file({"__metadata__": {"bricks.structure": structure}}))
    with pytest.raises(CheckpointError, match="entries") as error:
        load(path)
    assert str(path) in str(error.value)


def test_a_large_structure_still_loads(tmp_path):
    path = tmp_path / "many.ckpt"
    save({"values": list(range(100_000))}, path)
    assert len(load(path)["values"]) == 100_000


def test_loaded_mmap_arrays_survive_their_file_being_closed(tmp_path):
    path = tmp_path / "m.ckpt"
    save({"w": bricks.arange(1000.0)}, path)
    w = load(path, mmap=True)["w"]
    np.testing.assert_array_equal(w.numpy(), np.arange(1000.0))
