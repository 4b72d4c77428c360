"""``state_dict`` and ``load_state_dict`` of ``Module``.

Loading happens in two phases. The first reads and checks everything (missing and
unexpected keys, shapes, dtypes, values under tied names) and reports every problem in
one ``RuntimeError`` shaped like PyTorch's; the second assigns. A failed load changes
nothing.

Decisions where PyTorch is silent or lax, kept on purpose:
- A tied parameter appears under every name in a state dict. On load, the values under
  all of its names must agree; if they differ the load fails (PyTorch lets the last win),
  since such a checkpoint cannot have come from this model's ties.
- A value of another floating dtype is cast, as PyTorch's ``copy_`` does; a value of
  another kind (integer into a float parameter, float into an integer buffer) is an error.
- Loading into an uninitialized (lazy) parameter materializes it with the value's shape.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, NamedTuple

from .. import _device
from .._device import xp
from .._tensor import Tensor, bump_version
from .parameter import is_uninitialized

__all__ = ["IncompatibleKeys", "state_dict", "load_state_dict", "in_place_targets"]

_WRAPPER_PREFIXES = ("module.", "_orig_mod.")


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys the model expected but did not get, and
    the keys it got but does not have."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")


def _entries(module: Any, prefix: str = "") -> list[tuple[str, Tensor]]:
    """Every ``(dotted_name, tensor)`` that belongs in the state dict, in PyTorch's order."""
    entries = []
    for module_prefix, owner in module.named_modules(prefix=prefix, remove_duplicate=False):
        head = module_prefix + "." if module_prefix else ""
        for name, param in owner._parameters.items():
            if param is not None:
                entries.append((head + name, param))
        for name, buffer in owner._buffers.items():
            if buffer is not None and name not in owner._non_persistent_buffers_set:
                entries.append((head + name, buffer))
    return entries


def state_dict(module: Any, destination: Any, prefix: str, keep_vars: bool) -> Any:
    """Build the ordered ``{dotted_name: tensor}`` map; see ``Module.state_dict``."""
    if destination is None:
        destination = OrderedDict()
    # The traversal names children from ``prefix`` without a trailing dot; PyTorch's
    # ``prefix`` argument already ends with one, so strip it for the walk and add it back.
    base = prefix[:-1] if prefix.endswith(".") else prefix
    for name, tensor in _entries(module, base):
        destination[name] = tensor if keep_vars else tensor.detach()
    return destination


def load_state_dict(module: Any, state: Any, strict: bool, assign: bool) -> IncompatibleKeys:
    """Check ``state`` against ``module`` completely, then copy; see ``Module.load_state_dict``."""
    if not isinstance(state, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state)}.")
    state, hook_errors, hook_missing, hook_unexpected = _run_load_overrides(module, state, strict)
    targets = dict(_entries(module))
    missing = [key for key in targets if key not in state]
    missing += [key for key in hook_missing if key not in missing]
    unexpected = [key for key in state if key not in targets]
    unexpected += [key for key in hook_unexpected if key not in unexpected]
    errors, arrays = _check_values(targets, state)
    errors = hook_errors + errors
    key_errors = []
    if strict:
        if missing:
            key_errors.append("Missing key(s) in state_dict: "
                              + ", ".join(f'"{key}"' for key in missing) + ". ")
        if unexpected:
            key_errors.append("Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{key}"' for key in unexpected) + ". ")
        hint = _prefix_hint(missing, unexpected)
        if hint:
            key_errors.append(hint)
    errors = key_errors + errors
    if errors:
        raise RuntimeError(f"Error(s) in loading state_dict for {module._get_name()}:\n\t"
                           + "\n\t".join(errors))
    _assign(targets, arrays, assign)
    return IncompatibleKeys(missing, unexpected)


def in_place_targets(module: Any) -> dict[str, Tensor] | None:
    """The tensors a load writes, by state-dict name, if a loader may write them directly.

    ``bricks.load_into`` reads a checkpoint straight into these. None when loading must go
    through ``load_state_dict``: the module's class overrides it, or a submodule overrides
    ``_load_from_state_dict`` (to rename keys, for instance).
    """
    from .module import Module

    if getattr(type(module), "load_state_dict", None) is not Module.load_state_dict:
        return None
    base = _base_load_from_state_dict()
    if any(getattr(type(owner), "_load_from_state_dict", base) is not base
           for owner in module.modules()):
        return None
    return dict(_entries(module))


def _run_load_overrides(module: Any, state: Mapping, strict: bool) -> tuple:
    """Give every module that overrides ``_load_from_state_dict`` its say, as PyTorch does.

    They run on a copy of ``state`` (the caller's dict is never changed), parents before
    children, and may rename keys; what they report joins the load's own checks.
    """
    base = _base_load_from_state_dict()
    owners = [(prefix, owner) for prefix, owner in module.named_modules(remove_duplicate=False)
              if getattr(type(owner), "_load_from_state_dict", base) is not base]
    if not owners:
        return state, [], [], []
    metadata = getattr(state, "_metadata", None)
    state = OrderedDict(state)
    if metadata is not None:
        state._metadata = metadata  # type: ignore[attr-defined]  # PyTorch's per-module versions
    errors: list[str] = []
    missing: list[str] = []
    unexpected: list[str] = []
    for prefix, owner in owners:
        local = metadata.get(prefix, {}) if isinstance(metadata, Mapping) else {}
        head = prefix + "." if prefix else ""
        owner._load_from_state_dict(state, head, local, strict, missing, unexpected, errors)
    return state, errors, missing, unexpected


def _base_load_from_state_dict() -> Any:
    from .module import Module

    return Module._load_from_state_dict


def _as_array(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value._value
    if isinstance(value, xp.ndarray):
        return value
    return None


def _check_values(targets: dict, state: Mapping) -> tuple[list[str], dict]:
    """Check every present key's value; return the errors and the arrays to copy."""
    errors: list[str] = []
    arrays: dict[str, Any] = {}
    first_name: dict[int, str] = {}
    for key, target in targets.items():
        if key not in state:
            continue
        if is_uninitialized(state[key]):
            # An uninitialized entry (a lazy model's state dict) loads only into another
            # uninitialized tensor, which then stays uninitialized, as in PyTorch.
            if not is_uninitialized(target):
                errors.append(f'While copying the parameter named "{key}": the checkpoint\'s '
                              "value is uninitialized (saved before the first forward pass).")
            continue
        array = _as_array(state[key])
        problem = _value_problem(key, target, array, state[key])
        if problem is None and id(target) in first_name:
            problem = _tie_problem(key, first_name[id(target)], array, arrays)
        if problem is not None:
            errors.append(problem)
            continue
        first_name.setdefault(id(target), key)
        arrays[key] = array
    return errors, arrays


def _value_problem(key: str, target: Tensor, array: Any, value: Any) -> str | None:
    if array is None:
        return (f'While copying the parameter named "{key}", expected a Tensor from the '
                f"checkpoint, got {type(value).__name__}.")
    if is_uninitialized(target):
        return None
    shape = target._value.shape
    if array.shape != shape:
        return (f"size mismatch for {key}: copying a param with shape "
                f"{_size(array.shape)} from checkpoint, the shape in current model is "
                f"{_size(shape)}.")
    kinds = ("f" if array.dtype.kind == "f" else "i", "f" if target._value.dtype.kind == "f"
             else "i")
    if kinds[0] != kinds[1]:
        return (f"dtype mismatch for {key}: copying a param of dtype {array.dtype} from "
                f"checkpoint, the dtype in current model is {target._value.dtype}.")
    return None


def _tie_problem(key: str, first: str, array: Any, arrays: dict) -> str | None:
    other = arrays.get(first)
    if other is None or other is array:
        return None
    if other.shape == array.shape and bool(xp.array_equal(other, array)):
        return None
    return (f'tied parameter mismatch for {key}: it shares one parameter with "{first}", '
            "but the checkpoint holds different values under the two names.")


def _size(shape: tuple) -> str:
    return f"bricks.Size({list(shape)})"


def _prefix_hint(missing: list[str], unexpected: list[str]) -> str | None:
    """A one-line fix when the keys differ only by a wrapper prefix such as ``module.``."""
    if not missing or not unexpected:
        return None
    for wrapper in _WRAPPER_PREFIXES:
        if all(key.startswith(wrapper) for key in unexpected) and \
                set(missing) <= {key[len(wrapper):] for key in unexpected}:
            return (f'The checkpoint\'s keys start with "{wrapper}" (saved from a wrapped '
                    "model); strip it: {k.removeprefix('" + wrapper + "'): v for k, v in "
                    "state_dict.items()}.")
        if all(key.startswith(wrapper) for key in missing) and \
                set(unexpected) <= {key[len(wrapper):] for key in missing}:
            return (f'The model\'s keys start with "{wrapper}" but the checkpoint\'s do not; '
                    f"load into the wrapped model's inner module instead.")
    return None



def _assign(targets: dict, arrays: dict, assign: bool) -> None:
    """Phase two: write each checked array into its tensor (once per tied tensor)."""
    done: set[int] = set()
    for key, array in arrays.items():
        target = targets[key]
        if id(target) in done:
            continue
        done.add(id(target))
        if is_uninitialized(target):
            target.materialize(array.shape)
            target._bricks_pending_init = None  # the loaded values replace any recorded init
        if assign:
            target._value = array
        else:
            if type(array) is not type(target._value):  # values from another device
                array = _device.to_device(array, _device.device_of(target._value))
            xp.copyto(target._value, array, casting="unsafe")
        bump_version(target)
