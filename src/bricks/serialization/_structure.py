"""Flatten nested containers of tensors to named arrays plus a JSON structure, and back.

The structure is JSON kept in the safetensors metadata under ``bricks.structure``. Each
node is a JSON scalar (``null``, ``true``/``false``, an int, a string) or an object with
one key: ``{"tensor": key}``, ``{"float": "nan"}``, ``{"list": [...]}``,
``{"tuple": [...]}``, ``{"dict": [[k, v], ...]}`` or ``{"odict": [[k, v], ...]}``, where
dict keys are strings or ints. Tensor keys are the dotted paths of the tensors, so a
state dict's tensors keep their names (``0.weight``). A tensor met again (the same object
or the same memory) is written once; every later name is recorded as
``removed_name -> kept_name`` in the metadata, as ``safetensors.torch.save_model`` does.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from ._format import CheckpointError, _outside_strings, dtype_code, strict_json

__all__ = ["STRUCTURE_KEY", "Flattener", "rebuild", "flat_names", "plain_names"]

STRUCTURE_KEY = "bricks.structure"
FORMAT_KEY = "format"
MAX_SAVE_DEPTH = 100
STRUCTURE_DEPTH = 3 * MAX_SAVE_DEPTH + 10  # a dict level is {"dict": [[k, v]]}
# Entries (JSON values) a structure may hold: the header's own item limit. The structure is
# a string inside the header, so the header's count does not see them.
MAX_STRUCTURE_ITEMS = 1_000_000
RESERVED_NAMES = ("__metadata__",)  # the safetensors header's own key
_NODE_KINDS = ("tensor", "float", "list", "tuple", "dict", "odict")


def _tensor_class() -> type:
    from .._tensor import Tensor  # imported late: serialization sits above the core

    return Tensor


class Flattener:
    """Collects the arrays of a nested object and describes its structure as JSON data."""

    def __init__(self) -> None:
        self.tensor_type = _tensor_class()
        self.arrays: dict[str, np.ndarray] = {}
        self.removed: dict[str, str] = {}
        self._by_identity: dict[int, tuple[Any, str]] = {}
        self._by_memory: dict[tuple, str] = {}

    def metadata(self, structure: Any) -> dict[str, str]:
        """The ``__metadata__`` map: the tie records, the format tag and the structure."""
        import json

        metadata = {name: kept for name, kept in self.removed.items()
                    if name not in (STRUCTURE_KEY, FORMAT_KEY)}
        metadata[FORMAT_KEY] = "pt"
        metadata[STRUCTURE_KEY] = json.dumps(structure, separators=(",", ":"),
                                             allow_nan=False)
        return metadata

    def node(self, value: Any, path: tuple, depth: int = 0) -> Any:
        """The JSON node describing ``value`` found at ``path``."""
        if depth > MAX_SAVE_DEPTH:
            raise ValueError(f"bricks.save: object nested deeper than {MAX_SAVE_DEPTH} levels "
                             f"at {_dotted(path)!r} (a container that contains itself?)")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return {"float": repr(float(value))}
        if isinstance(value, self.tensor_type):
            return {"tensor": self._tensor(value, path)}
        if isinstance(value, (list, tuple)):
            kind = "tuple" if isinstance(value, tuple) else "list"
            return {kind: [self.node(v, path + (i,), depth + 1) for i, v in enumerate(value)]}
        if isinstance(value, dict):
            return self._mapping(value, path, depth)
        raise TypeError(f"bricks.save: cannot store {type(value).__name__} at "
                        f"{_dotted(path)!r}; expected a Tensor, list, tuple, dict, int, float, "
                        f"bool, str or None (bricks never pickles)")

    def _mapping(self, value: dict, path: tuple, depth: int) -> Any:
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"bricks.save: dict keys must be str or int, got "
                                f"{type(key).__name__} {key!r} at {_dotted(path)!r}")
            items.append([key if isinstance(key, str) else int(key),
                          self.node(item, path + (key,), depth + 1)])
        kind = "odict" if isinstance(value, collections.OrderedDict) else "dict"
        return {kind: items}

    def _tensor(self, tensor: Any, path: tuple) -> str:
        name = _dotted(path) if path else "tensor"
        seen = self._by_identity.get(id(tensor))
        # Read only if unseen; a device tensor is copied to the host (the file holds host bytes).
        array: Any = tensor.detach().cpu().numpy() if seen is None else None
        kept = seen[1] if seen is not None else self._by_memory.get(_memory_key(array))
        if kept is not None:
            if name not in self.arrays and name not in self.removed:
                self.removed[name] = kept
            return kept
        dtype_code(array)
        if name in RESERVED_NAMES:
            raise ValueError(f"bricks.save: a tensor cannot be stored under the name {name!r}, "
                             f"which the safetensors format reserves for its metadata; rename "
                             f"that key (nothing was written)")
        while name in self.arrays or name in self.removed:
            name += "#"
        self.arrays[name] = array
        self._by_identity[id(tensor)] = (tensor, name)
        self._by_memory[_memory_key(array)] = name
        return name


def _memory_key(array: np.ndarray) -> tuple:
    pointer = array.__array_interface__["data"][0]
    return (pointer, array.shape, array.strides, array.dtype.str)


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


# --------------------------------------------------------------------------- loading
class _Builder:
    """Turns a validated structure back into objects, one Tensor per stored array."""

    def __init__(self, arrays: dict[str, np.ndarray], source: str) -> None:
        self.arrays = arrays
        self.source = source
        self.tensors: dict[str, Any] = {}

    def fail(self, rule: str) -> CheckpointError:
        return CheckpointError(f"{self.source}: malformed {STRUCTURE_KEY} metadata: {rule}")

    def tensor(self, key: Any) -> Any:
        if not isinstance(key, str) or key not in self.arrays:
            raise self.fail(f"it names tensor {str(key)[:100]!r}, which the file lacks")
        if key not in self.tensors:
            from .._creation import from_numpy

            self.tensors[key] = from_numpy(self.arrays[key])
        return self.tensors[key]

    def build(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, str)):
            return node
        if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in _NODE_KINDS:
            raise self.fail(f"expected a scalar or an object with one of the keys "
                            f"{', '.join(_NODE_KINDS)}, got {str(node)[:100]}")
        kind, body = next(iter(node.items()))
        return getattr(self, "_" + kind)(body)

    def _tensor(self, body: Any) -> Any:
        return self.tensor(body)

    def _float(self, body: Any) -> float:
        if not isinstance(body, str) or len(body) > 40:
            raise self.fail(f"expected a float written as a short string, got {body!r:.60}")
        try:
            return float(body)
        except ValueError:
            raise self.fail(f"expected a float written as a string, got {body!r}") from None

    def _list(self, body: Any) -> list:
        if not isinstance(body, list):
            raise self.fail(f"expected a JSON array for a list, got {type(body).__name__}")
        return [self.build(item) for item in body]

    def _tuple(self, body: Any) -> tuple:
        return tuple(self._list(body))

    def _dict(self, body: Any, kind: type = dict) -> dict:
        result = kind()
        for key, value in self._list_of_pairs(body):
            if key in result:
                raise self.fail(f"duplicate dict key {str(key)[:100]!r}")
            result[key] = self.build(value)
        return result

    def _odict(self, body: Any) -> dict:
        return self._dict(body, collections.OrderedDict)

    def _list_of_pairs(self, body: Any) -> list:
        if not isinstance(body, list):
            raise self.fail("expected a JSON array of [key, value] pairs for a dict")
        for pair in body:
            if (not isinstance(pair, list) or len(pair) != 2 or isinstance(pair[0], bool)
                    or not isinstance(pair[0], (str, int))):
                raise self.fail(f"expected a [key, value] pair with a str or int key, "
                                f"got {str(pair)[:100]}")
        return body


def rebuild(arrays: dict[str, np.ndarray], metadata: dict[str, str], source: str) -> Any:
    """The object a file holds: its bricks structure, or a state dict for other writers."""
    builder = _Builder(arrays, source)
    text = metadata.get(STRUCTURE_KEY)
    if text is None:
        return _plain_state_dict(builder, metadata)
    _check_items(text, builder)
    structure = strict_json(text, source, STRUCTURE_KEY, STRUCTURE_DEPTH)
    try:
        return builder.build(structure)
    except RecursionError:
        raise builder.fail("nested too deeply") from None


def _check_items(text: str, builder: _Builder) -> None:
    """Bound the structure's entries before parsing it (a cheap over-count first)."""
    if text.count(",") + text.count("[") + text.count("{") <= MAX_STRUCTURE_ITEMS:
        return
    skeleton = _outside_strings(text)
    items = int(np.count_nonzero((skeleton == ord(",")) | (skeleton == ord("["))
                                 | (skeleton == ord("{"))))
    if items > MAX_STRUCTURE_ITEMS:
        raise builder.fail(f"it holds {items} entries, more than the {MAX_STRUCTURE_ITEMS} "
                           f"allowed")


def _plain_state_dict(builder: _Builder, metadata: dict[str, str]) -> Any:
    """Name -> Tensor for files of other writers, restoring ``save_model``'s dropped ties."""
    return collections.OrderedDict((name, builder.tensor(key))
                                   for name, key in plain_names(builder.arrays, metadata).items())


def plain_names(stored: Any, metadata: dict[str, str]) -> dict[str, str]:
    """State-dict name -> stored tensor name for a file without a bricks structure.

    Every stored tensor keeps its name; a name ``safetensors.torch.save_model`` dropped as a
    tie (``removed -> kept`` in the metadata) names the tensor it was tied to.
    """
    names = {name: name for name in stored}
    for removed, kept in metadata.items():
        if kept in stored and removed not in names:
            names[removed] = kept
    return names


def flat_names(stored: Any, metadata: dict[str, str], source: str) -> dict[str, str] | None:
    """State-dict name -> stored tensor name when the file holds a flat state dict, else None.

    A flat state dict is what ``save(model.state_dict())`` writes (a dict or OrderedDict of
    str -> tensor) or any file without a bricks structure. None means the file holds
    something else (nested containers, plain values, int keys), or a structure ``rebuild``
    would refuse; ``load`` then says what.
    """
    text = metadata.get(STRUCTURE_KEY)
    if text is None:
        return plain_names(stored, metadata)
    try:
        _check_items(text, _Builder({}, source))
        structure = strict_json(text, source, STRUCTURE_KEY, STRUCTURE_DEPTH)
    except CheckpointError:
        return None
    if not isinstance(structure, dict) or len(structure) != 1:
        return None
    pairs = structure.get("odict", structure.get("dict"))
    if not isinstance(pairs, list):
        return None
    names: dict[str, str] = {}
    for pair in pairs:
        key = _stored_key(pair, stored)
        if key is None or pair[0] in names:
            return None
        names[pair[0]] = key
    return names


def _stored_key(pair: Any, stored: Any) -> str | None:
    """The stored tensor a ``[name, {"tensor": key}]`` pair names (str name), else None."""
    if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
        return None
    node = pair[1]
    if not isinstance(node, dict) or len(node) != 1:
        return None
    key = node.get("tensor")
    return key if isinstance(key, str) and key in stored else None

