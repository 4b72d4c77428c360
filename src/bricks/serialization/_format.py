"""The safetensors format on raw NumPy arrays: a strict reader and a writer.

A safetensors file is an 8-byte little-endian header length ``n``, ``n`` bytes of
UTF-8 JSON (``{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {str: str}}``)
and a data area that the tensors' byte ranges tile exactly. The reader checks all of
that before it allocates anything sized by the file, and is stricter than the
safetensors library: duplicate names, unknown fields, NaN in JSON, deep nesting and
absurd entry counts are all rejected.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import warnings
from typing import IO, Any, Callable, Iterable

import numpy as np

__all__ = ["CheckpointError", "dtype_code", "encode_header", "read_tensors", "parse_header"]

MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 100_000
MAX_JSON_ITEMS = 1_000_000
MAX_NDIM = 32
HEADER_DEPTH = 3  # {name: {"shape": [...]}}: a flat object of objects
_ALIGN = 8

# safetensors' dtype codes and the NumPy dtypes bricks keeps them in (BF16 is widened).
_DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"), "I64": np.dtype("<i8"), "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"), "I8": np.dtype("i1"), "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _DTYPES.items() if k != "BF16"}

# Magic numbers of formats bricks refuses to read, and how to convert each.
_CONVERT = ("load it where it was made and write it with safetensors "
            "(e.g. in PyTorch: safetensors.torch.save_file(state_dict, 'model.safetensors'))")
_FOREIGN = [
    (b"\x80", "a Python pickle", _CONVERT),
    (b"PK\x03\x04", "a zip archive (a PyTorch .pt/.pth file or a NumPy .npz file)", _CONVERT),
    (b"\x93NUMPY", "a NumPy .npy file",
     "load it with numpy.load and save it with safetensors.numpy.save_file({'x': array}, ...)"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (Keras/h5py)", _CONVERT),
]


class CheckpointError(ValueError):
    """A checkpoint file is malformed, hostile or not a safetensors file."""


def _fail(source: str, rule: str) -> CheckpointError:
    return CheckpointError(f"{source}: not a valid bricks/safetensors checkpoint: {rule}")


def dtype_code(array: np.ndarray) -> str:
    """The safetensors dtype code of ``array`` (``"F32"`` ...); TypeError if unsupported."""
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"bricks.save: cannot store dtype {array.dtype} in a checkpoint; "
                        f"expected one of float64, float32, float16, int64, int32, int16, "
                        f"int8, uint8, bool")
    return code


# --------------------------------------------------------------------------- writing
def encode_header(arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> bytes:
    """The length prefix and padded JSON header for ``arrays`` written in order."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, array in arrays.items():
        end = offset + array.nbytes
        header[name] = {"dtype": dtype_code(array), "shape": list(array.shape),
                        "data_offsets": [offset, end]}
        offset = end
    text = json.dumps(header, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    raw = text.encode("utf-8")
    raw += b" " * (-(len(raw) + 8) % _ALIGN)
    return struct.pack("<Q", len(raw)) + raw


def data_buffers(arrays: dict[str, np.ndarray]) -> Iterable[memoryview]:
    """The arrays' bytes, little-endian and C-contiguous, without copying when possible."""
    for array in arrays.values():
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        array = np.ascontiguousarray(array)
        if array.nbytes:
            yield memoryview(array.reshape(-1).view(np.uint8))


# --------------------------------------------------------------------------- parsing
_DEPTH_STEP = np.zeros(256, dtype=np.int8)
_DEPTH_STEP[[ord("["), ord("{")]] = 1
_DEPTH_STEP[[ord("]"), ord("}")]] = -1


def _outside_strings(text: str | bytes) -> np.ndarray:
    """The bytes of JSON ``text`` with every byte inside a string literal set to 0.

    Escapes are neutralised first (escaped backslashes, then escaped quotes), so the
    quotes left delimit strings and their running count's parity marks the inside.
    Vectorised and in place, so a 16 MiB header costs milliseconds and ~2x its size.
    """
    raw = text.encode("utf-8") if isinstance(text, str) else text
    raw = raw.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    codes = np.frombuffer(raw, dtype=np.uint8)
    outside = np.cumsum(codes == ord('"'), dtype=np.uint8)  # parity survives wrap-around
    np.bitwise_and(outside, 1, out=outside)
    np.subtract(1, outside, out=outside)
    return np.multiply(codes, outside, out=outside)


def _check_depth(text: str | bytes, max_depth: int, source: str, what: str) -> None:
    """Refuse JSON nested deeper than ``max_depth`` before ``json`` recurses into it."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    if text.count(b"[") + text.count(b"{") <= max_depth:
        return
    steps = _DEPTH_STEP[_outside_strings(text)]
    steps = steps[steps != 0]
    if steps.size and int(np.cumsum(steps, dtype=np.int32).max()) > max_depth:
        raise _fail(source, f"{what} is JSON nested deeper than {max_depth} levels")


def _no_duplicates(source: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _fail(source, f"duplicate key {key!r} in JSON")
            result[key] = value
        return result
    return hook


def strict_json(text: str, source: str, what: str, max_depth: int,
                raw: bytes | None = None) -> Any:
    """Parse ``text`` refusing NaN/Infinity, duplicate keys and nesting over ``max_depth``.

    ``raw``, when given, is ``text`` encoded, and spares the checks an encoding.
    """
    _check_depth(text if raw is None else raw, max_depth, source, what)

    def no_constant(name: str) -> Any:
        raise _fail(source, f"{what} holds the non-standard JSON constant {name}")

    try:
        return json.loads(text, parse_constant=no_constant,
                          object_pairs_hook=_no_duplicates(source))
    except CheckpointError:
        raise
    except (ValueError, RecursionError) as exc:
        raise _fail(source, f"{what} is not valid JSON ({exc})") from None


def _is_int(value: Any) -> bool:
    return type(value) is int


def _check_entry(name: str, entry: Any, source: str) -> tuple[str, tuple[int, ...], int, int]:
    """Check one tensor entry; return its dtype code, shape and byte range."""
    where = f"tensor {name!r}"
    if not isinstance(entry, dict):
        raise _fail(source, f"{where}: expected an object, got {type(entry).__name__}")
    if set(entry) != {"dtype", "shape", "data_offsets"}:
        raise _fail(source, f"{where}: expected exactly the fields dtype, shape, "
                            f"data_offsets, got {sorted(entry)}")
    code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(code, str) or code not in _DTYPES:
        raise _fail(source, f"{where}: unknown or unsupported dtype {code!r}; "
                            f"expected one of {', '.join(_DTYPES)}")
    if (not isinstance(shape, list) or len(shape) > MAX_NDIM
            or not all(_is_int(d) and 0 <= d < 2**62 for d in shape)):
        raise _fail(source, f"{where}: expected a shape of at most {MAX_NDIM} "
                            f"non-negative ints, got {shape!r}"[:300])
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_is_int(o) and 0 <= o < 2**62 for o in offsets)):
        raise _fail(source, f"{where}: expected data_offsets [begin, end] of non-negative "
                            f"ints, got {offsets!r}"[:300])
    # A zero-size tensor may still have dimensions whose product no array can have.
    if math.prod(max(d, 1) for d in shape) * _DTYPES[code].itemsize >= 2**62:
        raise _fail(source, f"{where}: shape {shape} spans 2**62 bytes or more (a zero "
                            f"dimension counted as 1): no array has such dimensions"[:300])
    nbytes = math.prod(shape) * _DTYPES[code].itemsize
    if offsets[1] - offsets[0] != nbytes:
        raise _fail(source, f"{where}: shape {shape} of {code} needs {nbytes} bytes, but "
                            f"data_offsets {offsets} span {offsets[1] - offsets[0]}")
    return code, tuple(shape), offsets[0], offsets[1]


def _check_metadata(value: Any, source: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(source, "__metadata__ must be an object mapping strings to strings")
    return value


def _check_tiling(entries: dict[str, tuple], data_size: int, source: str) -> None:
    """The byte ranges must be sorted, non-overlapping and cover the data with no gap."""
    position = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if begin != position:
            kind = "overlaps the previous tensor" if begin < position else "leaves a gap"
            raise _fail(source, f"tensor {name!r} starts at byte {begin} of the data area, "
                                f"expected {position}: it {kind}")
        position = end
    if position != data_size:
        raise _fail(source, f"the tensors cover {position} bytes but the data area holds "
                            f"{data_size}")


def _check_counts(text: bytes, source: str) -> None:
    """Bound the objects and items before parsing, so a huge header fails fast."""
    objects, items = text.count(b"{"), text.count(b",")
    if objects <= MAX_ENTRIES + 2 and items <= MAX_JSON_ITEMS:
        return
    skeleton = _outside_strings(text)  # exact counts, outside strings
    objects = int(np.count_nonzero(skeleton == ord("{")))
    items = int(np.count_nonzero(skeleton == ord(",")))
    if objects > MAX_ENTRIES + 2:
        raise _fail(source, f"header holds {objects} objects, more than the {MAX_ENTRIES} "
                            f"tensors allowed")
    if items > MAX_JSON_ITEMS:
        raise _fail(source, f"header holds {items} JSON items, more than the "
                            f"{MAX_JSON_ITEMS} allowed")


def parse_header(raw: bytes, data_size: int, source: str) -> tuple[dict[str, tuple],
                                                                   dict[str, str]]:
    """Validate a header; return ``{name: (code, shape, begin, end)}`` and the metadata."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(source, f"header is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    _check_counts(raw, source)
    header = strict_json(text, source, "header", HEADER_DEPTH, raw)
    if not isinstance(header, dict):
        raise _fail(source, f"header must be a JSON object, got {type(header).__name__}")
    if len(header) > MAX_ENTRIES + 1:
        raise _fail(source, f"header lists {len(header)} entries, more than the "
                            f"{MAX_ENTRIES} allowed")
    metadata = _check_metadata(header.pop("__metadata__", {}), source)
    entries = {name: _check_entry(name, entry, source) for name, entry in header.items()}
    _check_tiling(entries, data_size, source)
    return entries, metadata


# --------------------------------------------------------------------------- reading
def sniff(head: bytes, source: str) -> None:
    """Name a foreign format from its first bytes and say how to convert it."""
    for magic, what, how in _FOREIGN:
        if head.startswith(magic):
            raise CheckpointError(f"{source} is {what}, not a safetensors checkpoint. "
                                  f"bricks never unpickles or runs file contents; to convert "
                                  f"it, {how}.")


def read_prefix(f: IO[bytes], file_size: int, source: str) -> tuple[int, bytes]:
    """Read and bound the header length, then read the header bytes.

    Foreign formats are named only when the file is not plausible safetensors, since a
    valid length prefix may start with any byte (0x80, pickle's magic, included).
    """
    head = f.read(8)
    if len(head) < 8:
        sniff(head, source)
        raise _fail(source, f"file has {file_size} bytes, too short for the 8-byte header "
                            f"length")
    (length,) = struct.unpack("<Q", head)
    if length > MAX_HEADER_BYTES or 8 + length > file_size:
        sniff(head, source)
        raise _fail(source, f"header length {length} is beyond the file ({file_size} bytes) "
                            f"or the {MAX_HEADER_BYTES}-byte limit")
    raw = f.read(length)
    if len(raw) != length:
        raise _fail(source, f"file ends inside the {length}-byte header")
    if not raw.startswith(b"{"):
        sniff(head, source)
        raise _fail(source, f"header must start with '{{', got {raw[:16]!r}")
    return length, raw


def _bool_ok(array: np.ndarray, name: str, source: str) -> None:
    if array.size and array.view(np.uint8).max() > 1:
        raise _fail(source, f"tensor {name!r} of dtype BOOL holds bytes other than 0 and 1")


def arrays_from_buffer(entries: dict[str, tuple], buffer: Any, source: str
                       ) -> dict[str, np.ndarray]:
    """Slice the validated data area into arrays, in header order (views where aligned)."""
    arrays = {}
    widened = []
    for name, (code, shape, begin, end) in entries.items():
        dtype = _DTYPES[code]
        array = np.frombuffer(buffer, dtype=dtype, count=(end - begin) // dtype.itemsize,
                              offset=begin).reshape(shape)
        if not array.flags.aligned:
            array = array.copy()
        if code == "BOOL":
            _bool_ok(array, name, source)
        elif code == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
            widened.append(name)
        arrays[name] = array
    if widened:
        warnings.warn(f"{source}: bfloat16 tensors {widened[:5]}{'...' if len(widened) > 5 else ''}"
                      f" were loaded as float32 (NumPy has no bfloat16)", stacklevel=4)
    return arrays


def read_tensors(f: IO[bytes], source: str, file_size: int, fileno: int | None = None,
                 mmap: bool = False) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read a whole safetensors stream positioned at its start; validate before allocating.

    Args:
        f: a binary file object at the start of the checkpoint.
        source: the file's name, for error messages.
        file_size: the number of bytes from the start to the end of the file.
        fileno: the OS file descriptor when ``f`` is a real file (enables ``mmap``).
        mmap: map the data area copy-on-write instead of reading it.

    Returns:
        The arrays by name, in header order, and the ``__metadata__`` map.

    Raises:
        CheckpointError: if anything in the file breaks the format.
    """
    length, raw = read_prefix(f, file_size, source)
    data_size = file_size - 8 - length
    entries, metadata = parse_header(raw, data_size, source)
    if mmap and fileno is not None and data_size:
        buffer = _map(fileno, 8 + length, data_size)
    else:
        buffer = np.empty(data_size, dtype=np.uint8)
        # typing.IO declares no readinto, though binary files (and BytesIO) all have it
        if data_size and f.readinto(memoryview(buffer)) != data_size:  # type: ignore[attr-defined]
            raise _fail(source, "file ended while reading the data area")
    return arrays_from_buffer(entries, buffer, source), metadata


def _map(fileno: int, start: int, size: int) -> np.ndarray:
    """The file's bytes ``[start, start + size)`` mapped copy-on-write, holding no descriptor.

    ``mmap.mmap`` keeps a duplicate of the descriptor open as long as the map lives (before
    Python 3.13's ``trackfd=False``), so loading hundreds of files would exhaust a low
    open-file limit. On POSIX the map is made with the C library instead and released when
    the last array over it goes; the caller closes its descriptor right after.
    """
    import mmap as _mmap

    page = _mmap.ALLOCATIONGRANULARITY
    base = start - start % page
    length = size + start - base
    if sys.version_info >= (3, 13):
        mapped: Any = _mmap.mmap(fileno, length, access=_mmap.ACCESS_COPY, offset=base,
                                 trackfd=False)
    else:
        mapped = _posix_map(fileno, length, base)
        if mapped is None:  # pragma: no cover - Windows: the map keeps a handle
            mapped = _mmap.mmap(fileno, length, access=_mmap.ACCESS_COPY, offset=base)
    return np.frombuffer(mapped, dtype=np.uint8, offset=start - base)


def _posix_map(fileno: int, length: int, offset: int) -> Any:
    """A ctypes byte array over a private mapping, unmapped when it is collected."""
    import ctypes
    import mmap as _mmap
    import weakref

    if os.name != "posix":
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    address = libc.mmap(None, length, _mmap.PROT_READ | _mmap.PROT_WRITE, _mmap.MAP_PRIVATE,
                        fileno, offset)
    if address in (None, ctypes.c_void_p(-1).value):
        error = ctypes.get_errno()
        raise OSError(error, f"mmap failed: {os.strerror(error)}")
    mapped = (ctypes.c_uint8 * length).from_address(address)
    weakref.finalize(mapped, libc.munmap, address, length)
    return mapped


def file_size_of(f: IO[bytes]) -> int:
    """Bytes from ``f``'s current position to its end (``f`` must be seekable)."""
    try:
        return os.fstat(f.fileno()).st_size - f.tell()
    except (AttributeError, OSError, ValueError):
        here = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(here)
        return end - here
