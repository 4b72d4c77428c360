"""Batches between processes: arrays travel in one shared-memory block, the rest as bytes.

A worker replaces every Tensor and numeric ndarray of a batch by a small ``_Leaf``, writes
the arrays into one ``multiprocessing.shared_memory`` block (when they are large enough for
that to pay) and sends the structure, a few hundred bytes, through the result queue. The
main process copies the arrays out of the block, unlinks it and rebuilds the batch. So a
batch costs two copies of its data instead of pickling, a pipe write and a pipe read.
"""

from __future__ import annotations

import collections.abc
import pickle  # the structure only (never a file): multiprocessing's own transport
from multiprocessing import resource_tracker, shared_memory
from typing import Any

from ..._device import xp
from ..._tensor import Tensor

__all__ = ["pack", "unpack", "discard"]

# Below this many bytes of array data, a shared-memory block (three system calls and a
# mapping) costs more than sending the bytes through the pipe.
_SHARED_MIN_BYTES = 1 << 16
_ALIGN = 64


class _Leaf:
    """Stands for the ``index``-th array of a batch (a Tensor when ``tensor``)."""

    __slots__ = ("index", "tensor")

    def __init__(self, index: int, tensor: bool) -> None:
        self.index = index
        self.tensor = tensor

    def __reduce__(self) -> Any:
        return _Leaf, (self.index, self.tensor)


def _strip(obj: Any, arrays: list[Any]) -> Any:
    """The batch with each array replaced by a ``_Leaf`` (appended to ``arrays``)."""
    if isinstance(obj, Tensor):
        arrays.append(xp.ascontiguousarray(obj._value))
        return _Leaf(len(arrays) - 1, True)
    if isinstance(obj, xp.ndarray) and obj.dtype.kind in "biufc":
        arrays.append(xp.ascontiguousarray(obj))
        return _Leaf(len(arrays) - 1, False)
    return _map(obj, lambda item: _strip(item, arrays))


def _map(obj: Any, fn: Any) -> Any:
    """``obj`` with ``fn`` applied to the items of its lists, tuples and mappings."""
    if isinstance(obj, collections.abc.Mapping):
        items = {key: fn(value) for key, value in obj.items()}
        try:
            return type(obj)(items)  # type: ignore[call-arg]  # a mapping built from a dict
        except TypeError:
            return items
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(fn(item) for item in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(fn(item) for item in obj)
    return obj


def pack(batch: Any) -> bytes:
    """The batch as bytes for the result queue (its arrays in shared memory if large)."""
    arrays: list[Any] = []
    structure = _strip(batch, arrays)
    offsets, total = [], 0
    for array in arrays:
        offsets.append(total)
        total += -(-array.nbytes // _ALIGN) * _ALIGN
    if total < _SHARED_MIN_BYTES:
        return pickle.dumps((structure, None, arrays), protocol=pickle.HIGHEST_PROTOCOL)
    block = shared_memory.SharedMemory(create=True, size=total)
    # The main process unlinks the block: this worker's tracker must not unlink it again.
    # (_name is the name as registered, with its slash; typeshed does not declare it.)
    resource_tracker.unregister(block._name, "shared_memory")  # type: ignore[attr-defined]
    metas = []
    for array, offset in zip(arrays, offsets):
        view = xp.ndarray(array.shape, array.dtype, buffer=block.buf, offset=offset)
        view[...] = array
        metas.append((offset, array.dtype.str, array.shape))
        del view
    name = block.name
    block.close()
    return pickle.dumps((structure, (name, metas), None), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(payload: bytes) -> Any:
    """The batch that ``pack`` sent (the shared block, if any, is unlinked)."""
    structure, shared, arrays = pickle.loads(payload)
    if shared is not None:
        arrays = _read_block(*shared)
    return _fill(structure, arrays)


def _read_block(name: str, metas: list[Any]) -> list[Any]:
    block = shared_memory.SharedMemory(name=name)
    try:
        arrays = []
        for offset, dtype, shape in metas:
            view = xp.ndarray(shape, xp.dtype(dtype), buffer=block.buf, offset=offset)
            arrays.append(view.copy())
            del view
        return arrays
    finally:
        block.close()
        block.unlink()


def _fill(obj: Any, arrays: list[Any]) -> Any:
    if isinstance(obj, _Leaf):
        array = arrays[obj.index]
        return Tensor._wrap(array) if obj.tensor else array
    return _map(obj, lambda item: _fill(item, arrays))


def discard(payload: Any) -> None:
    """Free the shared block of a result that will not be used."""
    if not isinstance(payload, bytes):
        return
    try:
        _, shared, _ = pickle.loads(payload)
        if shared is not None:
            block = shared_memory.SharedMemory(name=shared[0])
            block.close()
            block.unlink()
    except Exception:  # noqa: BLE001  # best effort while shutting down
        pass
