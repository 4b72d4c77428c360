"""MindSpore checkpoints (``.ckpt``): protobuf messages read by a small wire-format reader.

MindSpore's ``checkpoint.proto`` (proto2):

    message TensorProto { repeated int64 dims = 1; required string tensor_type = 2;
                          required bytes tensor_content = 3; }
    message Checkpoint { message Value { required string tag = 1;
                                         oneof value { TensorProto tensor = 2;
                                                       MapTensorProto maptensor = 3; } }
                         repeated Value value = 1; }

``save_checkpoint`` writes one or more serialized ``Checkpoint`` messages back to back
(protobuf merges them), and splits a large tensor into consecutive values with the same
tag, whose contents are concatenated on load. Unknown fields are skipped, as protobuf
does; every length is checked against the bytes left before anything is sliced.
"""

from __future__ import annotations

import collections
import math
import warnings
from typing import Any

import numpy as np

from ._format import CheckpointError

__all__ = ["read_mindspore", "looks_like_mindspore"]

MAX_NDIM = 32
MAX_VALUES = 1_000_000
_TYPES = {"Float16": "<f2", "Float32": "<f4", "Float64": "<f8", "Int8": "i1", "Int16": "<i2",
          "Int32": "<i4", "Int64": "<i8", "UInt8": "u1", "Bool": "?", "BFloat16": "bfloat16"}
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


class _Wire:
    """Fields of one protobuf message in ``data[begin:end]``, bounded by that range."""

    def __init__(self, data: memoryview, begin: int, end: int, source: str) -> None:
        self.data = data
        self.position = begin
        self.end = end
        self.source = source

    def fail(self, rule: str) -> CheckpointError:
        return CheckpointError(f"{self.source}: not a valid MindSpore checkpoint: {rule} "
                               f"(at byte {self.position})")

    def varint(self) -> int:
        value = 0
        for shift in range(0, 70, 7):
            if self.position >= self.end:
                raise self.fail("a varint runs past the end of its message")
            byte = self.data[self.position]
            self.position += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
        raise self.fail("a varint is longer than 10 bytes")

    def fields(self) -> Any:
        """Yield ``(field number, wire type, value)``; LEN values as (begin, end)."""
        while self.position < self.end:
            key = self.varint()
            number, kind = key >> 3, key & 7
            if kind == _VARINT:
                yield number, kind, self.varint()
            elif kind in (_FIXED64, _FIXED32):
                size = 8 if kind == _FIXED64 else 4
                self.skip(size)
                yield number, kind, None
            elif kind == _LENGTH:
                length = self.varint()
                begin = self.position
                self.skip(length)
                yield number, kind, (begin, begin + length)
            else:
                raise self.fail(f"wire type {kind} of field {number} is not used by "
                                f"checkpoints")

    def skip(self, count: int) -> None:
        if self.position + count > self.end:
            raise self.fail(f"a field claims {count} bytes but its message has "
                            f"{self.end - self.position} left")
        self.position += count

    def text(self, span: tuple[int, int], what: str) -> str:
        try:
            return self.data[span[0]:span[1]].tobytes().decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"{what} is not UTF-8") from None


def _tensor(wire: _Wire, span: tuple[int, int]) -> tuple[list[int], str, tuple[int, int]]:
    inner = _Wire(wire.data, span[0], span[1], wire.source)
    dims: list[int] = []
    kind, content = None, None
    for number, wire_type, value in inner.fields():
        if number == 1 and wire_type == _VARINT:
            dims.append(value)
        elif number == 1 and wire_type == _LENGTH:  # packed repeated int64
            packed = _Wire(wire.data, value[0], value[1], wire.source)
            while packed.position < packed.end:
                dims.append(packed.varint())
        elif number == 2 and wire_type == _LENGTH:
            kind = inner.text(value, "tensor_type")
        elif number == 3 and wire_type == _LENGTH:
            content = value
        if len(dims) > MAX_NDIM:
            raise inner.fail(f"a tensor has more than {MAX_NDIM} dims")
    if kind is None or content is None:
        raise inner.fail("a tensor lacks its tensor_type or tensor_content")
    if math.prod(d or 1 for d in dims) >= 2**56:
        raise inner.fail(f"a tensor has negative or absurd dims {dims}")
    return dims, kind, content


def _values(data: memoryview, source: str) -> list[tuple[str, list[int], str, tuple]]:
    """Every (tag, dims, type, content span) in file order."""
    top = _Wire(data, 0, len(data), source)
    values: list[tuple[str, list[int], str, tuple]] = []
    for number, wire_type, span in top.fields():
        if number != 1 or wire_type != _LENGTH:
            continue
        if len(values) >= MAX_VALUES:
            raise top.fail(f"more than {MAX_VALUES} values")
        wire = _Wire(data, span[0], span[1], source)
        tag, tensor = None, None
        for field, kind, value in wire.fields():
            if field == 1 and kind == _LENGTH:
                tag = wire.text(value, "a tag")
            elif field == 2 and kind == _LENGTH:
                tensor = _tensor(wire, value)
            elif field == 3:
                raise wire.fail(f"value {tag!r} is a MapTensor; bricks reads dense tensors")
        if tag is None or tensor is None:
            raise wire.fail("a value lacks its tag or tensor")
        values.append((tag, *tensor))
    return values


def _array(chunks: list[np.ndarray], dims: list[int], kind: str, tag: str,
           source: str) -> Any:
    raw = np.concatenate(chunks) if len(chunks) > 1 else chunks[0].copy()
    if kind == "str":
        return raw.tobytes().decode("utf-8", "replace")
    code = _TYPES.get(kind)
    if code is None:
        raise CheckpointError(f"{source}: tensor {tag!r} has type {kind!r:.40}; bricks reads "
                              f"{', '.join(_TYPES)}")
    itemsize = 2 if code == "bfloat16" else np.dtype(code).itemsize
    shape = tuple(dims)
    if raw.size != math.prod(shape) * itemsize:
        raise CheckpointError(f"{source}: tensor {tag!r} of dims {dims} and type {kind} "
                              f"needs {math.prod(shape) * itemsize} bytes, holds {raw.size}")
    if code == "bfloat16":
        warnings.warn(f"{source}: bfloat16 tensor {tag!r} was loaded as float32 (NumPy has "
                      f"no bfloat16)", stacklevel=5)
        return (raw.view("<u2").astype(np.uint32) << 16).view(np.float32).reshape(shape)
    if code == "?" and raw.size and raw.max() > 1:
        raise CheckpointError(f"{source}: bool tensor {tag!r} holds bytes other than 0 and 1")
    return raw.view(code).reshape(shape)


def looks_like_mindspore(head: bytes) -> bool:
    """Whether ``head`` starts like a Checkpoint: field 1 (LEN) holding field 1 (LEN)."""
    if len(head) < 4 or head[0] != 0x0A:
        return False
    position = 1
    while position < min(len(head), 11) and head[position] & 0x80:
        position += 1
    return position + 1 < len(head) and head[position + 1] == 0x0A


def read_mindspore(buffer: np.ndarray, source: str) -> collections.OrderedDict:
    """The tensors of a MindSpore checkpoint: an OrderedDict of tag -> Tensor (or str)."""
    from .._creation import from_numpy

    values = _values(memoryview(buffer), source)
    result: collections.OrderedDict = collections.OrderedDict()
    index = 0
    while index < len(values):
        tag, dims, kind, _ = values[index]
        chunks = []
        while index < len(values) and values[index][0] == tag:
            if (values[index][1], values[index][2]) != (dims, kind):
                raise CheckpointError(f"{source}: the slices of tensor {tag!r} disagree on "
                                      f"dims or type")
            begin, end = values[index][3]
            chunks.append(buffer[begin:end])
            index += 1
        if tag in result:
            raise CheckpointError(f"{source}: tensor {tag!r} appears twice")
        array = _array(chunks, dims, kind, tag, source)
        result[tag] = array if isinstance(array, str) else from_numpy(array)
    return result
