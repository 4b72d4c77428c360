"""Recognise other frameworks' checkpoints by their content and read them safely.

Each reader parses its format directly and bounded (nothing from the file is imported,
called or executed): PyTorch zip, legacy and tar files (``_torch``), MXNet NDArray lists
(``_mxnet``) and MindSpore checkpoints (``_mindspore``). A file that is plausible
safetensors is left to bricks' own reader, whatever its first bytes.
"""

from __future__ import annotations

import struct
from typing import IO, Any

import numpy as np

from ._format import MAX_HEADER_BYTES, CheckpointError
from ._mindspore import looks_like_mindspore, read_mindspore
from ._mxnet import LIST_MAGIC, read_mxnet

__all__ = ["NOT_FOREIGN", "read_foreign", "format_of"]

NOT_FOREIGN = object()
_HEAD = 512


def _plausible_safetensors(head: bytes, file_size: int) -> bool:
    if len(head) < 9:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return length <= MAX_HEADER_BYTES and 8 + length <= file_size and head[8:9] == b"{"


def format_of(head: bytes, file_size: int) -> str | None:
    """The foreign format ``head`` (a file's first bytes) starts, or None.

    Returns:
        ``"torch-zip"``, ``"torch-legacy"`` (any pickle), ``"torch-tar"``, ``"mxnet"``,
        ``"mindspore"``, or None for safetensors and anything unrecognised.
    """
    if _plausible_safetensors(head, file_size):
        return None
    if head.startswith(b"PK\x03\x04"):
        return "torch-zip"
    if len(head) >= 2 and head[0] == 0x80 and head[1] <= 5:
        return "torch-legacy"
    if head[257:262] == b"ustar":
        return "torch-tar"
    if len(head) >= 16 and struct.unpack("<Q", head[:8])[0] == LIST_MAGIC:
        return "mxnet"
    if looks_like_mindspore(head):
        return "mindspore"
    return None


def _read_all(f: IO[bytes], file_size: int, source: str) -> np.ndarray:
    buffer = np.empty(file_size, dtype=np.uint8)
    # typing.IO declares no readinto, though binary files (and BytesIO) all have it
    if f.readinto(memoryview(buffer)) != file_size:  # type: ignore[attr-defined]
        raise CheckpointError(f"{source}: the file ended while it was being read")
    return buffer


def read_foreign(f: IO[bytes], source: str, file_size: int) -> Any:
    """Read ``f`` (at its start) if it is another framework's file, else ``NOT_FOREIGN``.

    ``f`` is left where it was when the file is not foreign.
    """
    start = f.tell()
    head = f.read(_HEAD)
    f.seek(start)
    kind = format_of(head, file_size)
    if kind is None:
        return NOT_FOREIGN
    # PyTorch's reader (zipfile, tarfile, the pickle interpreter) loads on first use only.
    from ._torch import read_torch_legacy, read_torch_tar, read_torch_zip

    if kind == "torch-zip":
        return read_torch_zip(f, source, file_size)
    if kind == "torch-tar":
        return read_torch_tar(f, source, file_size)
    buffer = _read_all(f, file_size, source)
    if kind == "torch-legacy":
        return read_torch_legacy(buffer, source)
    if kind == "mxnet":
        return read_mxnet(buffer, source)
    return read_mindspore(buffer, source)
