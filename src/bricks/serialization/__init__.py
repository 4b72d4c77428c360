"""Safe checkpoints: ``save`` and ``load`` in the safetensors format, never pickle.

One file holds the tensors under flat names (a state dict keeps its own names, so other
tools see ``0.weight``) and, in its ``__metadata__``, the structure and plain values as
JSON. Writes are atomic and durable; every header is validated before anything is
allocated or trusted.

``load_into`` restores a module by reading a checkpoint straight into its parameters.
``load`` also reads other frameworks' checkpoints, recognised by content, without running
anything from them: PyTorch files (``_torch``, through the restricted pickle interpreter
``_pickle``), MXNet NDArray lists (``_mxnet``) and MindSpore checkpoints (``_mindspore``);
``convert`` writes any of them as safetensors.
"""

from __future__ import annotations

import os
from typing import IO, Any

from .. import _device
from ._atomic import atomic_write
from ._foreign import NOT_FOREIGN, read_foreign
from ._format import CheckpointError, data_buffers, encode_header, file_size_of, read_tensors
from ._restore import load_into
from ._structure import Flattener, rebuild

__all__ = ["CheckpointError", "save", "load", "load_into", "convert"]

FileLike = str | os.PathLike | IO[bytes]


def _encode(obj: Any) -> list[Any]:
    """The file's bytes as a list of chunks (header, then each tensor's memory)."""
    flattener = Flattener()
    structure = flattener.node(obj, ())
    header = encode_header(flattener.arrays, flattener.metadata(structure))
    return [header, *data_buffers(flattener.arrays)]


def save(obj: Any, f: FileLike, _durable: bool = True) -> None:
    """Save a tensor or a nested list/tuple/dict of tensors and plain values to a file.

    The file is safetensors; ``f`` is a path (written atomically: a crash leaves the old
    file or the new one) or a binary file object (written as is).

    Args:
        obj: a Tensor, or lists, tuples and dicts (str or int keys) of Tensors, ints,
            floats, bools, strs and None, such as ``model.state_dict()``.
        f: a file name (any extension, str or os.PathLike) or a writable binary file.

    Raises:
        TypeError: for a value bricks cannot store (it never pickles).
        OSError: when writing fails; a path target is then left unchanged.

    Example:
        >>> import bricks, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "x-file")
        >>> bricks.save({"w": bricks.tensor([1.0, 2.0])}, path)
        >>> bricks.load(path)["w"]
        tensor([1., 2.])
    """
    chunks = _encode(obj)
    if isinstance(f, (str, os.PathLike)):
        atomic_write(os.fspath(f), chunks, durable=_durable)
        return
    for chunk in chunks:
        f.write(chunk)


def _target_device(map_location: Any) -> _device.device | None:
    """Where ``map_location`` puts the loaded tensors (None: the host, where files load).

    A file holds host copies, so a dict maps the ``'cpu'`` entry (``{'cpu': 'cuda:0'}``);
    a callable (torch's ``lambda storage, loc: storage``) keeps tensors on the host.
    """
    if map_location is None or callable(map_location):
        return None
    if isinstance(map_location, dict):
        for key, value in map_location.items():
            _device.device(key)  # torch's error for a malformed key
            _device.canonical(value)
        map_location = map_location.get("cpu", map_location.get(_device.CPU))
        if map_location is None:
            return None
    return _device.resolve_explicit(map_location)


def _place(obj: Any, device: _device.device) -> Any:
    """Move every tensor inside the loaded ``obj`` to ``device``, in place (ties kept)."""
    from .._tensor import Tensor

    if isinstance(obj, Tensor):
        obj._value = _device.to_device(obj._value, device)
    elif isinstance(obj, dict):
        for value in obj.values():
            _place(value, device)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _place(value, device)
    return obj


def load(f: FileLike, map_location: Any = None, weights_only: bool = True,
         mmap: bool = False) -> Any:
    """Load an object saved by ``save``, a safetensors file, or another framework's file.

    A file written by another tool (e.g. ``safetensors.torch.save_file``) loads as an
    ``OrderedDict`` of name -> Tensor; names dropped by ``safetensors.torch.save_model``
    come back as the same Tensor object as the name they were tied to. The format is
    recognised by content: PyTorch ``.pt``/``.pth``/``.bin`` files (zip, legacy and tar
    layouts) load as the object they hold; MXNet ``.params``/``nd.save`` files and
    MindSpore ``.ckpt`` files as an ``OrderedDict`` of name -> Tensor. Nothing in any file
    is ever executed: pickles are read opcode by opcode, only tensors, storages,
    ``OrderedDict`` and plain values are built, and anything else is refused.

    Args:
        f: a file name or a readable, seekable binary file.
        map_location: where the tensors go: None or ``'cpu'`` (the host), a device or its
            string (``'cuda:0'``), a dict mapping ``'cpu'`` to one, or a callable (host).
        weights_only: accepted for PyTorch compatibility; bricks files hold only data.
        mmap: map the file copy-on-write instead of reading it (paths only).

    Returns:
        The saved object: Tensors with their dtypes (bfloat16 widened to float32, with a
        warning), lists, tuples, dicts, OrderedDicts and plain values.

    Raises:
        CheckpointError: the file is malformed, hostile or of no known format, or a pickle
            names a global or opcode outside the allow-list (a ValueError).
        RuntimeError: for an unknown device, or CUDA where there is none (before reading).
    """
    device = _target_device(map_location)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            foreign = read_foreign(stream, path, size)
            if foreign is NOT_FOREIGN:
                arrays, metadata = read_tensors(stream, path, size, stream.fileno(), mmap)
                foreign = rebuild(arrays, metadata, path)
        result = foreign
    else:
        source = str(getattr(f, "name", "<file object>"))
        size = file_size_of(f)
        result = read_foreign(f, source, size)
        if result is NOT_FOREIGN:
            arrays, metadata = read_tensors(f, source, size)
            result = rebuild(arrays, metadata, source)
    return result if device is None else _place(result, device)


def convert(src: FileLike, dst: FileLike) -> None:
    """Convert any checkpoint ``load`` reads into bricks' safetensors file ``dst``.

    Args:
        src: a PyTorch, MXNet, MindSpore or safetensors file (path or binary file).
        dst: where to write the safetensors file (written atomically when a path).

    Raises:
        CheckpointError: ``src`` is malformed, hostile or of no known format.
        TypeError: ``src`` holds a value safetensors cannot store (e.g. bytes).

    Example:
        >>> import bricks, tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> bricks.save({"w": bricks.tensor([1.0])}, os.path.join(folder, "a"))
        >>> bricks.convert(os.path.join(folder, "a"), os.path.join(folder, "b"))
        >>> bricks.load(os.path.join(folder, "b"))["w"]
        tensor([1.])
    """
    save(load(src), dst)
