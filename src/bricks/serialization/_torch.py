"""PyTorch checkpoints (``.pt``/``.pth``/``.bin``) read without unpickling them.

Three layouts, all holding one pickle whose tensors point at raw storages:

- zip (PyTorch >= 1.6): ``<prefix>/data.pkl`` and ``<prefix>/data/<key>``, one entry per
  storage, stored uncompressed;
- legacy (``_use_new_zipfile_serialization=False``): pickles of the magic number, the
  protocol version and ``sys_info``, the object's pickle, the sorted storage keys, then
  each storage as an int64 element count and its bytes;
- tar (PyTorch < 0.4): members ``storages``, ``tensors`` and ``pickle``.

The pickles go through ``_pickle.unpickle`` with the globals below and nothing else:
tensor rebuilders, storage types, dtypes, ``OrderedDict`` and ``torch.Size``. Tensors are
first recorded as (storage, offset, size, stride) and checked against their storage;
arrays are only made once the whole file has been read and checked.
"""

from __future__ import annotations

import collections
import math
import struct
import tarfile
import warnings
import zipfile
from typing import IO, Any

import numpy as np

from ._format import CheckpointError
from ._pickle import Builder, unpickle

__all__ = ["read_torch_zip", "read_torch_legacy", "read_torch_tar", "LEGACY_MAGIC"]

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
MAX_PICKLE_BYTES = 256 * 1024 * 1024
MAX_NDIM = 32
BF16 = "bfloat16"

# storage type -> element dtype; bfloat16 is read as uint16 and widened to float32, as
# bricks' safetensors reader does (NumPy has no bfloat16).
_STORAGES = {
    "DoubleStorage": "<f8", "FloatStorage": "<f4", "HalfStorage": "<f2",
    "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1",
    "ByteStorage": "u1", "BoolStorage": "?", "BFloat16Storage": BF16,
}
_DTYPES = {
    "float64": "<f8", "double": "<f8", "float32": "<f4", "float": "<f4", "float16": "<f2",
    "half": "<f2", "int64": "<i8", "long": "<i8", "int32": "<i4", "int": "<i4",
    "int16": "<i2", "short": "<i2", "int8": "i1", "uint8": "u1", "bool": "?",
    "bfloat16": BF16,
}
_TENSOR_TYPES = {name.replace("Storage", "Tensor") for name in _STORAGES}


class _Storage:
    """One storage: its element type, length, and (once read) its flat array."""

    __slots__ = ("key", "code", "numel", "array", "root", "offset")

    def __init__(self, key: str, code: str, numel: int, root: _Storage | None = None,
                 offset: int = 0) -> None:
        self.key = key
        self.code = code
        self.numel = numel
        self.array: np.ndarray | None = None
        self.root = root
        self.offset = offset

    @property
    def itemsize(self) -> int:
        return 2 if self.code == BF16 else np.dtype(self.code).itemsize

    def flat(self) -> np.ndarray:
        if self.root is not None:
            return self.root.flat()[self.offset:self.offset + self.numel]
        assert self.array is not None, "storages are read before tensors are made"
        return self.array


class _Pending:
    """A tensor as (storage, offset, size, stride), checked, made into an array later."""

    __slots__ = ("storage", "offset", "size", "stride")

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage = storage
        self.offset = offset
        self.size = size
        self.stride = stride


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if type(value) not in (tuple, list) or len(value) > MAX_NDIM:
        raise ValueError(f"{what} must be a tuple of at most {MAX_NDIM} ints")
    if not all(type(v) is int and 0 <= v < 2**62 for v in value):
        raise ValueError(f"{what} must hold non-negative ints")
    return tuple(value)


def _pending(storage: Any, offset: Any, size: Any, stride: Any) -> _Pending:
    if not isinstance(storage, _Storage):
        raise ValueError("the first argument must be a storage from the file")
    if type(offset) is not int or offset < 0:
        raise ValueError("storage_offset must be a non-negative int")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise ValueError(f"size {size} and stride {stride} differ in length")
    if math.prod(n or 1 for n in size) >= 2**56:
        raise ValueError(f"size {size} is absurd")
    if math.prod(size) and offset + sum((n - 1) * s for n, s in zip(size, stride)) \
            >= storage.numel:
        raise ValueError(f"a tensor of size {size}, stride {stride} at offset {offset} "
                         f"reaches beyond its storage of {storage.numel} elements")
    return _Pending(storage, offset, size, stride)


def _rebuild_tensor(args: tuple) -> _Pending:
    if len(args) != 4:
        raise ValueError(f"expected (storage, offset, size, stride), got {len(args)} values")
    return _pending(*args)


def _rebuild_tensor_v2(args: tuple) -> _Pending:
    if not 4 <= len(args) <= 7:
        raise ValueError(f"expected 4 to 7 arguments, got {len(args)}")
    return _pending(*args[:4])


def _rebuild_tensor_v3(args: tuple) -> _Pending:
    if len(args) not in (7, 8) or not isinstance(args[6], Builder):
        raise ValueError("expected (storage, offset, size, stride, requires_grad, hooks, "
                         "dtype[, metadata])")
    pending = _pending(*args[:4])
    if args[6].value != pending.storage.code:
        raise ValueError(f"dtype {args[6].name} differs from the storage's")
    return pending


def _rebuild_parameter(args: tuple) -> _Pending:
    if len(args) not in (3, 4) or not isinstance(args[0], _Pending):
        raise ValueError("expected (tensor, requires_grad, hooks[, state])")
    return args[0]


def _rebuild_from_type(args: tuple) -> Any:
    if len(args) != 4:
        raise ValueError("expected (function, type, args, state)")
    function, new_type, inner, state = args
    if (not isinstance(function, Builder) or function.build is None
            or not isinstance(new_type, Builder) or new_type.value != "tensor-type"
            or type(inner) is not tuple or not (state is None or type(state) is dict)):
        raise ValueError("expected a tensor rebuilder, torch.Tensor or Parameter, a tuple "
                         "of arguments and a dict of state")
    return function.build(inner)


def _ordered_dict(args: tuple) -> collections.OrderedDict:
    if args == ():
        return collections.OrderedDict()
    if len(args) == 1 and type(args[0]) is list and all(
            type(pair) in (list, tuple) and len(pair) == 2 and type(pair[0]) in (str, int)
            for pair in args[0]):
        return collections.OrderedDict((k, v) for k, v in args[0])
    raise ValueError("expected no arguments or one list of (str or int key, value) pairs")


def _size(args: tuple) -> tuple:
    if len(args) != 1:
        raise ValueError("expected one tuple")
    return _ints(args[0], "torch.Size")


_BUILDERS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type,
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch", "Size"): _size,
}


def find_global(module: str, name: str) -> Builder | None:
    """The allow-list: bricks' builder or marker for a global, or None to refuse it."""
    full = f"{module}.{name}"
    build = _BUILDERS.get((module, name))
    if build is not None:
        return Builder(full, build)
    if module == "torch" and name in _STORAGES:
        return Builder(full, value=_STORAGES[name])
    if module == "torch" and name in _DTYPES:
        return Builder(full, value=_DTYPES[name])
    if (module, name) in (("torch", "Tensor"), ("torch._tensor", "Tensor"),
                          ("torch.nn.parameter", "Parameter")):
        return Builder(full, value="tensor-type")
    if module == "torch" and name in _TENSOR_TYPES:
        return Builder(full, value="tensor-type")
    return None


def _no_globals(module: str, name: str) -> None:
    return None


def _text(value: Any) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)


def _storage_code(value: Any) -> str:
    if not isinstance(value, Builder) or value.value not in _STORAGES.values():
        raise ValueError(f"expected a storage type such as torch.FloatStorage, got "
                         f"{value.name if isinstance(value, Builder) else type(value).__name__}")
    return value.value


# --------------------------------------------------------------------------- arrays
class _Arrays:
    """Makes the arrays of checked tensors, bounding what non-contiguous copies cost."""

    def __init__(self, source: str, budget: int) -> None:
        self.source = source
        self.budget = budget
        self.widened: set[str] = set()
        self.ready: set[int] = set()

    def storage(self, storage: _Storage) -> np.ndarray:
        root = storage.root or storage
        if id(root) not in self.ready:
            self.ready.add(id(root))
            array = root.array
            assert array is not None
            if root.code == BF16:
                array = (array.astype(np.uint32) << 16).view(np.float32)
                self.widened.add(root.key)
            elif root.code == "?" and array.size and array.view(np.uint8).max() > 1:
                raise CheckpointError(f"{self.source}: bool storage {root.key!r} holds bytes "
                                      f"other than 0 and 1")
            elif not array.dtype.isnative:
                array = array.astype(array.dtype.newbyteorder("="))
            root.array = array
        return storage.flat()

    def tensor(self, pending: _Pending) -> np.ndarray:
        flat = self.storage(pending.storage)
        if not math.prod(pending.size):
            return np.zeros(pending.size, dtype=flat.dtype)
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[pending.offset:], shape=pending.size,
            strides=tuple(s * item for s in pending.stride))
        if view.flags.c_contiguous:
            return view
        self.budget -= view.nbytes
        if self.budget < 0:
            raise CheckpointError(f"{self.source}: non-contiguous tensors would need more "
                                  f"memory to copy than the file justifies")
        return view.copy()


def materialize(value: Any, arrays: _Arrays, memo: dict[int, Any]) -> Any:
    """The checked structure with every pending tensor made a bricks Tensor (ties kept)."""
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, _Pending):
        from .._creation import from_numpy

        result: Any = from_numpy(arrays.tensor(value))
    elif isinstance(value, dict):
        result = type(value)((k, materialize(v, arrays, memo)) for k, v in value.items())
    elif type(value) is list:
        result = [materialize(v, arrays, memo) for v in value]
    elif type(value) is tuple:
        result = tuple(materialize(v, arrays, memo) for v in value)
    elif isinstance(value, (_Storage, Builder)):
        raise CheckpointError(f"{arrays.source}: the checkpoint holds a bare "
                              f"{'storage' if isinstance(value, _Storage) else value.name}, "
                              f"not a tensor; bricks reads tensors and plain values only")
    else:
        return value
    memo[key] = result
    return result


def _finish(value: Any, source: str, file_size: int) -> Any:
    arrays = _Arrays(source, budget=max(2 * file_size, 16 << 20))
    result = materialize(value, arrays, {})
    if arrays.widened:
        warnings.warn(f"{source}: bfloat16 storages were loaded as float32 (NumPy has no "
                      f"bfloat16)", stacklevel=5)
    return result  # materialize recursed once per level: unpickle bounded them by MAX_DEPTH


def _fail(source: str, rule: str) -> CheckpointError:
    return CheckpointError(f"{source}: not a valid PyTorch checkpoint: {rule}")


class _Bounded:
    """A file whose ``read(n)`` never asks for more than what is left of it.

    zipfile and tarfile read sizes that the archive claims; a buffered file allocates the
    size asked for before it reads, so a header claiming gigabytes would allocate them.
    """

    def __init__(self, f: IO[bytes], size: int) -> None:
        self.f = f
        self.start = f.tell()
        self.end = self.start + size

    def read(self, count: int | None = -1) -> bytes:
        left = max(self.end - self.f.tell(), 0)
        return self.f.read(left if count is None or count < 0 else min(count, left))

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            return self.f.seek(self.start + offset) - self.start
        if whence == 2:
            return self.f.seek(self.end + offset) - self.start
        return self.f.seek(offset, whence) - self.start

    def tell(self) -> int:
        return self.f.tell() - self.start

    def seekable(self) -> bool:
        return True


# --------------------------------------------------------------------------- zip
def _zip_entries(archive: zipfile.ZipFile, file_size: int, source: str
                 ) -> tuple[str, dict[str, zipfile.ZipInfo]]:
    entries = {}
    for info in archive.infolist():
        if info.header_offset + max(info.file_size, info.compress_size) > file_size:
            raise _fail(source, f"entry {info.filename!r} claims {info.file_size} bytes, "
                                f"beyond the file's {file_size}")
        entries[info.filename] = info
    if any("/code/" in name or name.endswith("/constants.pkl") for name in entries):
        raise _fail(source, "it is a TorchScript archive (torch.jit.save), which holds code; "
                            "bricks reads torch.save files: save model.state_dict() with "
                            "torch.save and load that")
    pickles = [name for name in entries if name.endswith("/data.pkl") and name.count("/") == 1]
    if len(pickles) != 1:
        hint = (" It looks like a NumPy .npz file: read it with numpy.load(path, "
                "allow_pickle=False)" if any(n.endswith(".npy") for n in entries) else "")
        raise _fail(source, f"expected one '<name>/data.pkl' entry, found {len(pickles)}; "
                            f"a zip archive of another kind?{hint}")
    return pickles[0][:-len("data.pkl")], entries


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> np.ndarray:
    """An entry's bytes; only stored (uncompressed, unencrypted) entries are read."""
    if info.flag_bits & 0x1:
        raise _fail(source, f"entry {info.filename!r} is encrypted")
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        raise _fail(source, f"entry {info.filename!r} is compressed; PyTorch stores "
                            f"entries uncompressed")
    buffer = np.empty(info.file_size, dtype=np.uint8)
    with archive.open(info) as stream:
        data = stream.read(info.file_size)
    buffer[:] = np.frombuffer(data, dtype=np.uint8)
    return buffer


def read_torch_zip(f: IO[bytes], source: str, file_size: int) -> Any:
    """The object a zip-format PyTorch file holds, its tensors as bricks Tensors."""
    try:
        archive = zipfile.ZipFile(_Bounded(f, file_size))
        prefix, entries = _zip_entries(archive, file_size, source)
        info = entries[prefix + "data.pkl"]
        if info.file_size > MAX_PICKLE_BYTES:
            raise _fail(source, f"data.pkl has {info.file_size} bytes, over the limit")
        byteorder = b"little"
        if prefix + "byteorder" in entries and entries[prefix + "byteorder"].file_size < 16:
            byteorder = _read_entry(archive, entries[prefix + "byteorder"], source).tobytes()
        if byteorder not in (b"little", b"big"):
            raise _fail(source, f"byteorder record is {byteorder[:16]!r}")
        storages: dict[str, _Storage] = {}

        def persistent_load(pid: Any) -> _Storage:
            if type(pid) is not tuple or len(pid) != 5 or _text(pid[0]) != "storage":
                raise ValueError("expected a ('storage', type, key, location, numel) id")
            code, key, numel = _storage_code(pid[1]), _text(pid[2]), pid[4]
            if type(numel) is not int or numel < 0:
                raise ValueError("a storage's element count must be a non-negative int")
            if key in storages:
                known = storages[key]
                if (known.code, known.numel) != (code, numel):
                    raise ValueError(f"storage {key!r} is described two ways")
                return known
            storage = _Storage(key, code, numel)
            entry = entries.get(f"{prefix}data/{key}")
            if entry is None or entry.file_size != numel * storage.itemsize:
                raise ValueError(f"storage {key!r} of {numel} elements has no entry of "
                                 f"{numel * storage.itemsize} bytes")
            dtype = np.dtype("<u2" if code == BF16 else code)
            if byteorder == b"big":
                dtype = dtype.newbyteorder(">")
            storage.array = _read_entry(archive, entry, source).view(dtype)
            storages[key] = storage
            return storage

        data = _read_entry(archive, info, source).tobytes()
        value, end = unpickle(data, source, find_global, _checked(persistent_load, source))
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            KeyError, NotImplementedError, RuntimeError, struct.error) as exc:
        raise _fail(source, f"broken zip archive ({exc})") from None
    if end != len(data):
        raise _fail(source, "data.pkl holds bytes after its pickle")
    return _finish(value, source, file_size)


def _checked(function: Any, source: str) -> Any:
    """``function`` with its ValueErrors turned into CheckpointErrors naming the file."""
    def call(pid: Any) -> Any:
        try:
            return function(pid)
        except CheckpointError:
            raise
        except (ValueError, TypeError) as exc:
            raise _fail(source, f"persistent id refused: {exc}") from None
    return call


# --------------------------------------------------------------------------- legacy
def _legacy_storage_loader(source: str) -> tuple[dict[str, _Storage], Any]:
    roots: dict[str, _Storage] = {}
    views: dict[str, _Storage] = {}

    def persistent_load(pid: Any) -> _Storage:
        if type(pid) is not tuple or len(pid) != 6 or _text(pid[0]) != "storage":
            raise ValueError("expected a ('storage', type, key, location, numel, view) id")
        code, key, numel, view = _storage_code(pid[1]), _text(pid[2]), pid[4], pid[5]
        if type(numel) is not int or not 0 <= numel < 2**62:
            raise ValueError("a storage's element count must be a non-negative int")
        root = roots.setdefault(key, _Storage(key, code, numel))
        if (root.code, root.numel) != (code, numel):
            raise ValueError(f"storage {key!r} is described two ways")
        if view is None:
            return root
        if (type(view) is not tuple or len(view) != 3 or type(view[1]) is not int
                or type(view[2]) is not int or view[1] < 0 or view[2] < 0
                or view[1] + view[2] > numel):
            raise ValueError(f"storage view {view!r:.80} does not fit its storage")
        return views.setdefault(_text(view[0]), _Storage(key, code, view[2], root, view[1]))

    return roots, persistent_load


def read_torch_legacy(buffer: np.ndarray, source: str) -> Any:
    """The object a legacy (non-zip, ``_use_new_zipfile_serialization=False``) file holds."""
    data = memoryview(buffer)
    magic, position = unpickle(data, source, _no_globals)
    if magic != LEGACY_MAGIC:
        raise CheckpointError(f"{source} is a Python pickle, not a PyTorch checkpoint; bricks "
                              f"reads pickles only inside PyTorch checkpoints and never runs "
                              f"file contents")
    protocol, position = unpickle(data, source, _no_globals, position=position)
    if protocol != LEGACY_PROTOCOL:
        raise _fail(source, f"legacy protocol version {protocol!r:.40}, expected 1001")
    sys_info, position = unpickle(data, source, _no_globals, position=position)
    if type(sys_info) is not dict or sys_info.get("little_endian") is not True:
        raise _fail(source, "sys_info must say the file is little-endian")
    roots, persistent_load = _legacy_storage_loader(source)
    value, position = unpickle(data, source, find_global, _checked(persistent_load, source),
                               position)
    keys, position = unpickle(data, source, _no_globals, position=position)
    if type(keys) is not list or sorted(map(_text, keys)) != sorted(roots):
        raise _fail(source, "the list of storage keys does not match the storages used")
    for key in map(_text, keys):
        root = roots[key]
        position = _read_counted(buffer, position, root, source)
    if position != len(buffer):
        raise _fail(source, f"{len(buffer) - position} bytes follow the last storage")
    return _finish(value, source, len(buffer))


def _read_counted(buffer: np.ndarray, position: int, storage: _Storage, source: str) -> int:
    """Read an int64 element count and the storage's bytes at ``position``."""
    if position + 8 > len(buffer):
        raise _fail(source, f"file ends before storage {storage.key!r}")
    (count,) = struct.unpack("<q", buffer[position:position + 8].tobytes())
    if count != storage.numel:
        raise _fail(source, f"storage {storage.key!r} holds {count} elements, its tensors "
                            f"say {storage.numel}")
    begin = position + 8
    end = begin + count * storage.itemsize
    if end > len(buffer):
        raise _fail(source, f"file ends inside storage {storage.key!r}")
    raw = buffer[begin:end]
    storage.array = raw.view("<u2" if storage.code == BF16 else storage.code).copy() \
        if begin % 8 else raw.view("<u2" if storage.code == BF16 else storage.code)
    return end


# --------------------------------------------------------------------------- tar
_TAR_MEMBERS = {"sys_info", "pickle", "tensors", "storages"}


def _tar_members(f: IO[bytes], source: str, file_size: int) -> dict[str, np.ndarray]:
    members: dict[str, np.ndarray] = {}
    bounded: Any = _Bounded(f, file_size)
    with tarfile.open(fileobj=bounded, mode="r:") as archive:
        for member in archive:
            if member.name not in _TAR_MEMBERS or member.name in members or not member.isfile():
                raise _fail(source, f"unexpected tar member {member.name!r:.80}")
            if member.offset_data + member.size > file_size:
                raise _fail(source, f"tar member {member.name!r} runs beyond the file")
            stream = archive.extractfile(member)
            assert stream is not None
            members[member.name] = np.frombuffer(bytearray(stream.read(member.size)),
                                                 dtype=np.uint8)
    missing = _TAR_MEMBERS - set(members)
    if missing:
        raise _fail(source, f"tar archive lacks {sorted(missing)}")
    return members


def _tar_storages(blob: np.ndarray, source: str) -> dict[int, _Storage]:
    data = memoryview(blob)
    count, position = unpickle(data, source, _no_globals)
    if type(count) is not int or not 0 <= count <= len(blob) // 8:
        raise _fail(source, "bad storage count")
    storages: dict[int, _Storage] = {}
    for _ in range(count):
        record, position = unpickle(data, source, find_global, position=position)
        if type(record) is not tuple or len(record) != 3 or type(record[0]) is not int:
            raise _fail(source, "a storage record must be (key, location, storage type)")
        key = record[0]
        try:
            code = _storage_code(record[2])
        except ValueError as exc:
            raise _fail(source, str(exc)) from None
        if position + 8 > len(blob):
            raise _fail(source, "storages end early")
        (numel,) = struct.unpack("<q", blob[position:position + 8].tobytes())
        storage = _Storage(str(key), code, max(numel, 0))
        position = _read_counted(blob, position, storage, source)
        storages[key] = storage
    views, position = unpickle(data, source, _no_globals, position=position)
    if type(views) is not list:
        raise _fail(source, "storage views must be a list")
    for view in views:
        if (type(view) is not tuple or len(view) != 4 or view[1] not in storages
                or not all(type(v) is int and v >= 0 for v in view[2:])):
            raise _fail(source, "a storage view must be (key, root key, offset, numel)")
        root = storages[view[1]]
        if view[2] + view[3] > root.numel or root.root is not None:
            raise _fail(source, "a storage view reaches beyond its storage")
        storages[view[0]] = _Storage(str(view[0]), root.code, view[3], root, view[2])
    return storages


def _tar_tensors(blob: np.ndarray, storages: dict[int, _Storage], source: str
                 ) -> dict[int, _Pending]:
    data = memoryview(blob)
    count, position = unpickle(data, source, _no_globals)
    if type(count) is not int or not 0 <= count <= len(blob) // 16:
        raise _fail(source, "bad tensor count")
    tensors: dict[int, _Pending] = {}
    for _ in range(count):
        record, position = unpickle(data, source, find_global, position=position)
        if type(record) is not tuple or len(record) != 3 or record[1] not in storages:
            raise _fail(source, "a tensor record must be (key, storage key, tensor type)")
        if position + 8 > len(blob):
            raise _fail(source, "tensors end early")
        (ndim,) = struct.unpack("<i", blob[position:position + 4].tobytes())
        end = position + 8 + 16 * ndim + 8
        if not 0 <= ndim <= MAX_NDIM or end > len(blob):
            raise _fail(source, f"a tensor has {ndim} dimensions or ends early")
        numbers = struct.unpack(f"<{2 * ndim + 1}q", blob[position + 8:end].tobytes())
        try:
            tensors[record[0]] = _pending(storages[record[1]], numbers[-1], numbers[:ndim],
                                          numbers[ndim:2 * ndim])
        except ValueError as exc:
            raise _fail(source, str(exc)) from None
        position = end
    return tensors


def read_torch_tar(f: IO[bytes], source: str, file_size: int) -> Any:
    """The object a tar-format (PyTorch < 0.4) file holds."""
    try:
        members = _tar_members(f, source, file_size)
    except CheckpointError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _fail(source, f"broken tar archive ({exc})") from None
    storages = _tar_storages(members["storages"], source)
    tensors = _tar_tensors(members["tensors"], storages, source)

    def persistent_load(pid: Any) -> _Pending:
        if type(pid) is tuple:
            raise ValueError("the file pickles a whole module with its source code; bricks "
                             "reads state dicts (save model.state_dict() instead)")
        try:
            return tensors[int(_text(pid))]
        except (ValueError, KeyError):
            raise ValueError(f"unknown tensor {_text(pid)[:40]!r}") from None

    value, _ = unpickle(memoryview(members["pickle"]), source, find_global,
                       _checked(persistent_load, source))
    return _finish(value, source, file_size)
