"""TensorBoard's protocol buffers, encoded by hand: ``Event``, ``Summary`` and what they hold.

Only the messages ``SummaryWriter`` writes, with the field numbers of TensorFlow's
``event.proto``, ``summary.proto``, ``tensor.proto`` and the hparams plugin's
``plugin_data.proto``/``api.proto``. Fields are written in field-number order and proto3
defaults (0, empty) are left out, except inside a ``oneof``, whose set member is always
written: the bytes are those that protobuf's own serializer gives for the same message
(``tests/utils/test_tensorboard.py`` compares them with torch's).
"""

from __future__ import annotations

import struct
from typing import Iterable

__all__ = ["event", "summary_value", "histogram", "text_tensor", "plugin_metadata",
           "hparams_content"]

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(n: int) -> bytes:
    """``n`` as a base-128 varint (a negative int64 takes ten bytes, as protobuf's)."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def int_field(number: int, value: int, always: bool = False) -> bytes:
    """A varint field (int32, int64, enum, bool); nothing for 0 unless ``always``."""
    if not value and not always:
        return b""
    return _key(number, _VARINT) + _varint(int(value))


def double_field(number: int, value: float, always: bool = False) -> bytes:
    if value == 0 and not always and struct.pack("<d", value) == bytes(8):
        return b""  # -0.0 is written: proto3 omits only the bit pattern of +0.0
    return _key(number, _FIXED64) + struct.pack("<d", value)


def float_field(number: int, value: float, always: bool = False) -> bytes:
    if value == 0 and not always and struct.pack("<f", value) == bytes(4):
        return b""
    return _key(number, _FIXED32) + struct.pack("<f", value)


def bytes_field(number: int, value: bytes | str, always: bool = False) -> bytes:
    """A length-delimited field: a string (UTF-8), bytes or an encoded message."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not value and not always:
        return b""
    return _key(number, _BYTES) + _varint(len(value)) + value


def packed_doubles(number: int, values: Iterable[float]) -> bytes:
    data = b"".join(struct.pack("<d", float(v)) for v in values)
    return bytes_field(number, data)


# ----- event.proto: Event {wall_time=1, step=2, oneof what {file_version=3, summary=5}} -----

def event(wall_time: float, step: int = 0, *, file_version: str | None = None,
          summary: bytes | None = None) -> bytes:
    """An ``Event`` holding either the file version line or an encoded ``Summary``."""
    out = double_field(1, wall_time) + int_field(2, step)
    if file_version is not None:
        out += bytes_field(3, file_version, always=True)
    if summary is not None:
        out += bytes_field(5, summary, always=True)
    return out


# ----- summary.proto -----

def summary_value(tag: str, *, simple_value: float | None = None, histo: bytes | None = None,
                  tensor: bytes | None = None, metadata: bytes | None = None) -> bytes:
    """A ``Summary`` with one ``Value`` (tag=1, oneof {simple_value=2, histo=5, tensor=8},
    metadata=9): ``Summary.value`` is field 1."""
    value = bytes_field(1, tag)
    if simple_value is not None:
        value += float_field(2, simple_value, always=True)
    if histo is not None:
        value += bytes_field(5, histo, always=True)
    if tensor is not None:
        value += bytes_field(8, tensor, always=True)
    if metadata is not None:
        value += bytes_field(9, metadata, always=True)
    return bytes_field(1, value, always=True)


def plugin_metadata(plugin_name: str, content: bytes = b"") -> bytes:
    """``SummaryMetadata {plugin_data=1: PluginData {plugin_name=1, content=2}}``."""
    plugin_data = bytes_field(1, plugin_name) + bytes_field(2, content)
    return bytes_field(1, plugin_data, always=True)


def histogram(minimum: float, maximum: float, num: float, total: float, sum_squares: float,
              bucket_limit: Iterable[float], bucket: Iterable[float]) -> bytes:
    """``HistogramProto``: min=1, max=2, num=3, sum=4, sum_squares=5 (doubles) and the packed
    doubles bucket_limit=6 (each bucket's right edge) and bucket=7 (its count)."""
    return (double_field(1, minimum) + double_field(2, maximum) + double_field(3, num)
            + double_field(4, total) + double_field(5, sum_squares)
            + packed_doubles(6, bucket_limit) + packed_doubles(7, bucket))


_DT_STRING = 7


def text_tensor(text: str) -> bytes:
    """``TensorProto {dtype=1: DT_STRING, tensor_shape=2: [1], string_val=8: [text]}``."""
    shape = bytes_field(2, int_field(1, 1), always=True)  # TensorShapeProto.dim {size=1}
    return (int_field(1, _DT_STRING) + bytes_field(2, shape, always=True)
            + bytes_field(8, text, always=True))


# ----- the hparams plugin (plugin_data.proto, api.proto, google.protobuf.Value) -----

_DATA_TYPE = {str: 1, float: 3}  # api.proto's DataType (2, bool, is never written: see below)
_STATUS_SUCCESS = 1


def _struct_value(value: float | str | bool) -> bytes:
    """``google.protobuf.Value``: oneof kind {number_value=2, string_value=3}; a bool is a
    number, as torch writes it (see ``hparams_content``)."""
    if isinstance(value, str):
        return bytes_field(3, value, always=True)
    return double_field(2, float(value), always=True)


def _hparam_info(name: str, kind: type, domain: list | None) -> bytes:
    """``HParamInfo {name=1, type=4, domain_discrete=5: ListValue {values=1}}``."""
    out = bytes_field(1, name) + int_field(4, _DATA_TYPE[kind])
    if domain is not None:
        values = b"".join(bytes_field(1, _struct_value(v), always=True) for v in domain)
        out += bytes_field(5, values, always=True)
    return out


def hparams_content(hparams: dict, metrics: Iterable[str],
                    domains: dict) -> tuple[bytes, bytes, bytes]:
    """The three ``HParamsPluginData`` contents: experiment (2), session start (3) and
    session end (4), each in the ``data`` oneof, with version 0 (left out).

    ``hparams`` holds numbers (bool included: torch tests ``int`` before ``bool``, so a bool
    is logged as the number 0 or 1 of type float64, kept here) and strings.
    """
    infos = b""
    start = b""
    for name, value in hparams.items():
        kind = str if isinstance(value, str) else float
        infos += bytes_field(4, _hparam_info(name, kind, domains.get(name)), always=True)
        entry = bytes_field(1, name) + bytes_field(2, _struct_value(value), always=True)
        start += bytes_field(1, entry, always=True)  # map<string, Value> hparams = 1
    for tag in metrics:
        metric_name = bytes_field(2, tag)  # MetricName {group=1, tag=2}
        infos += bytes_field(5, bytes_field(1, metric_name, always=True), always=True)
    experiment = bytes_field(2, infos, always=True)
    session_start = bytes_field(3, start, always=True)
    session_end = bytes_field(4, int_field(1, _STATUS_SUCCESS), always=True)
    return experiment, session_start, session_end
