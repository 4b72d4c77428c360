"""``load_into``: restore a module from a checkpoint by reading straight into its tensors.

``model.load_state_dict(bricks.load(path))`` reads every tensor into fresh memory and then
copies it into the parameter: two copies, and a page fault for every fresh page.
``load_into`` validates the whole file and matches it against the module first (keys,
shapes, dtypes, ties), and only then reads each tensor's bytes from the file into the
existing array of the parameter or buffer it restores: one copy, nothing allocated.

Whatever cannot be read in place takes the general road, ``load(f, mmap=True)`` then
``load_state_dict``, with the same result and the same errors: another framework's file,
a file that is not a flat state dict, a key, shape or dtype that does not match (a cast),
BOOL or bfloat16 data (checked or widened on reading), ties stored twice (their values
must be compared), lazy or device tensors, and modules that override loading.
"""

from __future__ import annotations

import os
from typing import IO, Any

import numpy as np

from ._format import _DTYPES, CheckpointError, file_size_of, parse_header, read_prefix
from ._foreign import format_of
from ._structure import flat_names

__all__ = ["load_into"]

_HEAD = 512  # as many first bytes as format_of looks at
_IN_PLACE_CODES = frozenset(_DTYPES) - {"BOOL", "BF16"}  # stored bytes == the array's bytes


def load_into(module: Any, f: str | os.PathLike | IO[bytes], strict: bool = True) -> Any:
    """Restore ``module``'s parameters and buffers from a checkpoint, reading in place.

    The same as ``module.load_state_dict(bricks.load(f), strict=strict)``, faster: where
    a stored tensor has its target's shape and dtype, its bytes are read from the file
    directly into the target's memory. Everything is validated before anything is
    written, so a bad or mismatched file leaves the module unchanged; only an I/O error
    in the middle of reading (the file truncated underneath) can leave it part-restored,
    and the error says so.

    Args:
        module: the ``nn.Module`` to restore.
        f: a file name or a readable, seekable binary file (bricks', safetensors' or
            another framework's checkpoint holding a state dict).
        strict: as ``load_state_dict``'s: the keys must match exactly.

    Returns:
        ``(missing_keys, unexpected_keys)``, as ``load_state_dict`` returns them.

    Raises:
        RuntimeError: as ``load_state_dict`` (missing or unexpected keys, shapes, dtypes).
        CheckpointError: as ``load`` for a malformed or hostile file.

    Example:
        >>> import bricks, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
        >>> bricks.save(bricks.nn.Linear(2, 1).state_dict(), path)
        >>> bricks.load_into(bricks.nn.Linear(2, 1), path)
        <All keys matched successfully>
    """
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as stream:
            keys = _restore_in_place(module, stream, os.fspath(f), strict)
    else:
        start = f.tell()
        keys = _restore_in_place(module, f, str(getattr(f, "name", "<file object>")), strict)
        if keys is None:
            f.seek(start)
    if keys is not None:
        return keys
    from . import load

    return module.load_state_dict(load(f, mmap=True), strict=strict)


def _restore_in_place(module: Any, f: IO[bytes], source: str, strict: bool) -> Any:
    """Read ``f`` into ``module``'s tensors and return the keys, or None: take the general road."""
    from ..nn._state_dict import IncompatibleKeys, in_place_targets

    targets = in_place_targets(module)
    if targets is None:
        return None
    start, size = f.tell(), file_size_of(f)
    head = f.read(_HEAD)
    f.seek(start)
    if format_of(head, size) is not None:
        return None
    length, raw = read_prefix(f, size, source)
    entries, metadata = parse_header(raw, size - 8 - length, source)
    names = flat_names(entries, metadata, source)
    if names is None:
        return None
    missing = [name for name in targets if name not in names]
    unexpected = [name for name in names if name not in targets]
    if strict and (missing or unexpected):
        return None
    plan = _plan(targets, names, entries)
    if plan is None:
        return None
    _read(f, start + 8 + length, plan, source)
    return IncompatibleKeys(missing, unexpected)


def _plan(targets: dict, names: dict[str, str], entries: dict[str, tuple]) -> list | None:
    """``(begin, end, key, tensor)`` to read for each stored tensor, in file order, or None.

    None when one present name cannot be read in place; and when the names of one tied
    tensor point to different stored tensors, or one stored tensor feeds different
    tensors, since ``load_state_dict`` then compares or copies values.
    """
    tensor_of: dict[str, Any] = {}
    key_of: dict[int, str] = {}
    for name, key in names.items():
        target = targets.get(name)
        if target is None:
            continue
        code, shape, _, _ = entries[key]
        if not _readable_into(target, code, shape):
            return None
        if key_of.setdefault(id(target), key) != key or \
                tensor_of.setdefault(key, target) is not target:
            return None
    return sorted((entries[key][2], entries[key][3], key, target)
                  for key, target in tensor_of.items())


def _readable_into(target: Any, code: str, shape: tuple) -> bool:
    """Whether the stored bytes can go into ``target``'s array as they are."""
    from ..nn.parameter import is_uninitialized

    if is_uninitialized(target):
        return False
    array = target._value
    return (type(array) is np.ndarray and code in _IN_PLACE_CODES
            and array.dtype == _DTYPES[code] and array.shape == shape
            and array.flags.c_contiguous and array.flags.writeable)


def _read(f: IO[bytes], data_start: int, plan: list, source: str) -> None:
    """Read each planned byte range into its tensor's memory, and count the change."""
    from .._tensor import bump_version

    for begin, end, key, target in plan:
        if end > begin:
            f.seek(data_start + begin)
            _read_exactly(f, target._value.reshape(-1).view(np.uint8), source, key)
        bump_version(target)


def _read_exactly(f: IO[bytes], buffer: np.ndarray, source: str, key: str) -> None:
    view = memoryview(buffer)
    done = 0
    while done < len(view):
        # typing.IO declares no readinto, though binary files (and BytesIO) all have it
        count = f.readinto(view[done:])  # type: ignore[attr-defined]
        if not count:
            raise CheckpointError(f"{source}: the file ended while tensor {key!r} was being "
                                  f"read into the module (was it changed or truncated while "
                                  f"loading?); the module is partly restored")
        done += count
