"""MXNet's NDArray list files (Gluon ``save_parameters``, ``nd.save``, ``npx.save``).

The layout (``NDArray::Save`` in MXNet's ``src/ndarray/ndarray.cc``), little-endian:

    uint64 0x112, uint64 reserved, uint64 count, count arrays, uint64 name count, names

where each name is a uint64 length and its bytes, and each array is

    uint32 magic     0xF993FAC9 (v2), 0xF993FACA (v3, NumPy shapes) or 0xF993FAC8 (v1);
                     any other value is the ndim of a legacy shape of uint32 dims
    int32 storage    v2/v3 only; 0 is dense (sparse arrays are refused)
    shape            int32 ndim, then ndim int64 dims (v1/v2/v3)
    int32 dev_type, int32 dev_id, int32 type flag, then the raw elements

An array whose shape has no dimensions (v1/v2) or an unknown one (v3) is "none" and has
nothing after its shape. Every length is checked against what is left of the file before
anything is allocated.
"""

from __future__ import annotations

import collections
import math
import struct
import warnings
from typing import Any

import numpy as np

from ._format import CheckpointError

__all__ = ["LIST_MAGIC", "read_mxnet"]

LIST_MAGIC = 0x112
_V1, _V2, _V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
MAX_NDIM = 32
MAX_ARRAYS = 1_000_000
# mshadow's type flags; 12 (bfloat16) is widened to float32 as elsewhere in bricks.
_TYPES = {0: "<f4", 1: "<f8", 2: "<f2", 3: "u1", 4: "<i4", 5: "i1", 6: "<i8", 7: "?",
          8: "<i2", 9: "<u2", 10: "<u4", 11: "<u8", 12: "bfloat16"}
_UNSUPPORTED = {"<u2", "<u4", "<u8"}


class _Reader:
    def __init__(self, buffer: np.ndarray, source: str) -> None:
        self.buffer = buffer
        self.source = source
        self.position = 0

    def fail(self, rule: str) -> CheckpointError:
        return CheckpointError(f"{self.source}: not a valid MXNet NDArray file: {rule} "
                               f"(at byte {self.position})")

    def take(self, count: int, what: str) -> np.ndarray:
        if count < 0 or self.position + count > len(self.buffer):
            raise self.fail(f"{what} needs {count} bytes but only "
                            f"{len(self.buffer) - self.position} are left")
        chunk = self.buffer[self.position:self.position + count]
        self.position += count
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what).tobytes())

    def shape(self, what: str) -> tuple[int, ...] | None:
        (ndim,) = self.unpack("<i", what)
        if ndim == -1:
            return None
        if not 0 <= ndim <= MAX_NDIM:
            raise self.fail(f"{what} has {ndim} dimensions, expected 0 to {MAX_NDIM}")
        dims = self.unpack(f"<{ndim}q", what)
        if any(d == -1 for d in dims):
            return None
        if not all(0 <= d for d in dims) or math.prod(d or 1 for d in dims) >= 2**56:
            raise self.fail(f"{what} has negative or absurd dimensions {dims}")
        return dims

    def legacy_shape(self, ndim: int, what: str) -> tuple[int, ...]:
        if ndim > MAX_NDIM:
            raise self.fail(f"{what} starts with 0x{ndim:08x}, neither an NDArray magic "
                            f"number nor a plausible legacy ndim")
        dims = self.unpack(f"<{ndim}I", what)
        if math.prod(d or 1 for d in dims) >= 2**56:
            raise self.fail(f"{what} has absurd dimensions {dims}")
        return dims

    def array(self, index: int) -> np.ndarray | None:
        what = f"array {index}"
        (magic,) = self.unpack("<I", what)
        if magic in (_V2, _V3):
            (storage,) = self.unpack("<i", what)
            if storage != 0:
                raise self.fail(f"{what} has sparse storage type {storage}; bricks reads "
                                f"dense arrays only")
        shape = self.shape(what) if magic in (_V1, _V2, _V3) else self.legacy_shape(magic, what)
        if shape is None or (magic != _V3 and len(shape) == 0):
            return None  # a "none" array: MXNet writes nothing more for it
        self.unpack("<ii", f"{what}'s context")
        (flag,) = self.unpack("<i", what)
        code = _TYPES.get(flag)
        if code is None or code in _UNSUPPORTED:
            raise self.fail(f"{what} has type flag {flag}; expected one of float32, float64, "
                            f"float16, uint8, int32, int8, int64, bool, int16, bfloat16")
        itemsize = 2 if code == "bfloat16" else np.dtype(code).itemsize
        raw = self.take(math.prod(shape) * itemsize, f"{what}'s data of shape {shape}")
        if code == "bfloat16":
            warnings.warn(f"{self.source}: bfloat16 {what} was loaded as float32 (NumPy has "
                          f"no bfloat16)", stacklevel=6)
            return (raw.copy().view("<u2").astype(np.uint32) << 16).view(np.float32) \
                .reshape(shape)
        if code == "?" and raw.size and raw.max() > 1:
            raise self.fail(f"{what} of dtype bool holds bytes other than 0 and 1")
        return raw.copy().view(code).reshape(shape)  # a copy is aligned and owns its memory

    def count(self, what: str) -> int:
        (count,) = self.unpack("<Q", what)
        if count > min(MAX_ARRAYS, len(self.buffer) - self.position):
            raise self.fail(f"{what} is {count}, more than the file can hold")
        return count


def read_mxnet(buffer: np.ndarray, source: str) -> Any:
    """The arrays of an MXNet NDArray list file as bricks Tensors.

    Returns:
        An OrderedDict of name -> Tensor when the file names its arrays (Gluon's
        ``save_parameters``, ``nd.save`` of a dict), else a list of Tensors; a "none"
        array comes back as None.
    """
    from .._creation import from_numpy

    reader = _Reader(buffer, source)
    magic, _reserved = reader.unpack("<QQ", "the header")
    if magic != LIST_MAGIC:
        raise reader.fail(f"magic number 0x{magic:x}, expected 0x112")
    arrays = [reader.array(i) for i in range(reader.count("the array count"))]
    names = []
    for index in range(reader.count("the name count")):
        (length,) = reader.unpack("<Q", f"name {index}")
        try:
            names.append(reader.take(length, f"name {index}").tobytes().decode("utf-8"))
        except UnicodeDecodeError:
            raise reader.fail(f"name {index} is not UTF-8") from None
    if reader.position != len(buffer):
        raise reader.fail(f"{len(buffer) - reader.position} bytes follow the names")
    if names and len(names) != len(arrays):
        raise reader.fail(f"{len(names)} names for {len(arrays)} arrays")
    if len(set(names)) != len(names):
        raise reader.fail("a name appears twice")
    tensors = [None if a is None else from_numpy(a) for a in arrays]
    if not names:
        return tensors
    return collections.OrderedDict(zip(names, tensors))
