"""Checkpoints in a distributed run: one writer, every rank a reader.

DDP's replicas are identical, so one file holds the whole state. The pattern (PyTorch's):
rank 0 writes (``bricks.save``, atomic), the others wait at a barrier so that nobody reads a
file still being written; then every rank loads it and applies it (model and optimizer
state alike), so every rank resumes from the same numbers.

Without a file system shared by the machines, ``load`` with ``src=0`` reads the file on rank
0 and sends its bytes (the safetensors file itself, never a pickle) to the others.
"""

from __future__ import annotations

import io
import os
from typing import Any

from .. import serialization
from .._device import xp
from ._group import _comm

__all__ = ["load", "save_on_rank0"]


def save_on_rank0(obj: Any, f: str | os.PathLike) -> None:
    """Write ``obj`` with ``bricks.save`` on rank 0; every rank returns once it is written.

    Example:
        >>> dist.save_on_rank0({"model": ddp.state_dict(),  # doctest: +SKIP
        ...                     "optimizer": optimizer.state_dict()}, "ckpt.safetensors")
    """
    comm = _comm()
    failed = None
    if comm.Get_rank() == 0:
        try:
            serialization.save(obj, f)
        except Exception as error:  # noqa: BLE001 - every rank must learn it, or they would wait
            failed = f"{type(error).__name__}: {error}"
    failed = comm.bcast(failed, root=0)
    if failed is not None:
        raise RuntimeError(f"rank 0 could not write the checkpoint {os.fspath(f)!r}: {failed}")


def load(f: str | os.PathLike, map_location: Any = None, src: int | None = None) -> Any:
    """Load a checkpoint on every rank: from the path itself, or from rank ``src``'s copy.

    Args:
        f: the file written by ``save_on_rank0`` (or ``bricks.save``).
        map_location: as for ``bricks.load``.
        src: None when every rank can read ``f`` (a shared file system); else the rank
            that reads it and sends its bytes to the others.

    Returns:
        What ``bricks.load`` returns, on every rank.
    """
    if src is None:
        return serialization.load(f, map_location=map_location)
    comm = _comm()
    data = None
    size = xp.zeros(1, xp.int64)
    if comm.Get_rank() == src:
        with open(f, "rb") as handle:
            data = xp.frombuffer(handle.read(), xp.uint8).copy()
        size[0] = data.size
    comm.Bcast(size, root=src)
    if data is None:
        data = xp.empty(int(size[0]), xp.uint8)
    comm.Bcast(data, root=src)
    return serialization.load(io.BytesIO(data.tobytes()), map_location=map_location)
