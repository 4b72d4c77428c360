"""Shared memory for tensors: arrays over segments that other processes map too.

A segment is an anonymous shared file (``memfd_create``, or an unlinked temporary file where
that is missing) mapped with ``mmap``. Arrays made by ``empty`` sit on such a mapping: a
child made by ``fork`` inherits it, and pickling a tensor for another process (with
multiprocessing's ``ForkingPickler``: process arguments under ``spawn``/``forkserver``, queues,
pipes) sends the file descriptor itself, as torch's ``file_descriptor`` strategy does. The
receiver maps the same pages, so writes on either side are seen by the other. Nothing is named
in the file system, so nothing leaks: the memory goes when the last mapping and descriptor do.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import weakref
from typing import Any

from ._device import xp

__all__ = ["empty", "segment_of", "reduce_array", "rebuild_array"]

# id(mapping) -> (weak reference to it, its file descriptor, its size, its first address)
_SEGMENTS: dict[int, tuple[weakref.ref, int, int, int]] = {}


def _new_file(size: int) -> int:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("bricks-shared", 0)
    else:  # no memfd (macOS): a temporary file, unlinked at once
        fd, path = tempfile.mkstemp(prefix="bricks-shared-")
        os.unlink(path)
    os.ftruncate(fd, size)
    return fd


def _map(fd: int, size: int) -> mmap.mmap:
    """Map ``fd`` and remember it; the descriptor is closed when the mapping goes."""
    mapping = mmap.mmap(fd, size)
    address = xp.ndarray((size,), xp.uint8, buffer=mapping).__array_interface__["data"][0]
    key = id(mapping)
    _SEGMENTS[key] = (weakref.ref(mapping), fd, size, address)
    weakref.finalize(mapping, _forget, key, fd)
    return mapping


def _forget(key: int, fd: int) -> None:
    _SEGMENTS.pop(key, None)
    os.close(fd)


def empty(shape: tuple, dtype: Any) -> Any:
    """A C-contiguous array of ``shape`` and ``dtype`` in a new shared segment."""
    size = int(xp.prod(shape, dtype=xp.int64)) * xp.dtype(dtype).itemsize
    mapping = _map(_new_file(max(size, 1)), max(size, 1))  # mmap refuses 0 bytes
    return xp.ndarray(shape, dtype, buffer=mapping)


def segment_of(array: Any) -> tuple[int, int, int] | None:
    """``(fd, size, first address)`` of the segment ``array`` lies in, or None."""
    base = array
    while isinstance(base, xp.ndarray):
        base = base.base
    if not isinstance(base, mmap.mmap):
        return None
    entry = _SEGMENTS.get(id(base))
    if entry is None or entry[0]() is not base:
        return None
    return entry[1], entry[2], entry[3]


def reduce_array(array: Any) -> tuple | None:
    """What ``rebuild_array`` needs to map ``array`` in another process (None: not shared).

    The descriptor travels as multiprocessing's ``DupFd``: passed to a child being started,
    or handed over through multiprocessing's resource sharer to a running process.
    """
    segment = segment_of(array)
    if segment is None:
        return None
    from multiprocessing import reduction

    fd, size, address = segment
    offset = array.__array_interface__["data"][0] - address
    return (reduction.DupFd(fd), size, offset, array.dtype.str, array.shape, array.strides)


def rebuild_array(dup_fd: Any, size: int, offset: int, dtype: str, shape: tuple,
                  strides: tuple) -> Any:
    """The array ``reduce_array`` described, on this process's mapping of the segment."""
    mapping = _map(dup_fd.detach(), size)
    return xp.ndarray(shape, xp.dtype(dtype), buffer=mapping, offset=offset, strides=strides)
