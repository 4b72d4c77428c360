"""``Optimizer``: the base that owns parameter groups, per-parameter state and state dicts.

Each optimizer subclass validates its hyperparameters in ``__init__`` and writes its rule
once, in ``_update(param, grad, state, group)``, on raw arrays and in place. The base walks
the groups, skips parameters without a gradient, and calls that one function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Callable

from .._device import array_module, xp
from .._tensor import Tensor, bump_version
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a default that every parameter group must give (``lr`` of older optimizers)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__module__ + "." + type(obj).__qualname__


def _is_mapping(value: Any) -> bool:
    """A mapping of names to tensors: a dict, or a ``ParameterDict`` (``collect_params()``)."""
    return isinstance(value, Mapping) or (
        callable(getattr(value, "items", None)) and callable(getattr(value, "keys", None))
        and not isinstance(value, Tensor))


def _is_group(item: Any) -> bool:
    """Whether ``item`` is a parameter-group dict (``{'params': ..., 'lr': ...}``).

    Its ``'params'`` may be a single Tensor, as torch accepts
    (``{'params': net[0].weight, 'weight_decay': wd}``).
    """
    return isinstance(item, dict) and "params" in item


def _as_groups(params: Any) -> list[dict[str, Any]]:
    """The user's ``params`` argument as a list of group dicts."""
    if isinstance(params, Tensor):
        raise TypeError("params argument given to the optimizer should be an iterable of "
                        f"Tensors or dicts, but got {_typename(params)}")
    if _is_mapping(params) and not _is_group(params):
        params = [{"params": params}]
    groups = list(params)
    if not groups:
        raise ValueError("optimizer got an empty parameter list")
    if not _is_group(groups[0]):
        return [{"params": groups}]
    return groups


def _split_names(params: Any) -> tuple[list[Any], list[str] | None]:
    """The tensors of a group's ``params`` and their names (None when unnamed)."""
    if isinstance(params, Tensor):
        return [params], None
    if isinstance(params, (set, frozenset)):
        raise TypeError("optimizer parameters need to be organized in ordered collections, "
                        "but the ordering of tensors in sets will change between runs. Please "
                        "use a list instead.")
    if _is_mapping(params):
        items = list(params.items())
        return [item[1] for item in items], [str(item[0]) for item in items]
    items = list(params)
    named = [item for item in items if isinstance(item, tuple)]
    if not named:
        return items, None
    if len(named) != len(items):
        raise ValueError("all optimizer params should be with/without names. Some param names "
                         "are missing")
    return [item[1] for item in items], [str(item[0]) for item in items]


def _dedupe(tensors: list[Any], names: list[str] | None) -> tuple[list[Any], list[str] | None]:
    """Keep the first occurrence of each tensor: a tied parameter is updated once per step."""
    seen: set[int] = set()
    keep = []
    for i, t in enumerate(tensors):
        if id(t) not in seen:
            seen.add(id(t))
            keep.append(i)
    return [tensors[i] for i in keep], None if names is None else [names[i] for i in keep]


class Optimizer:
    """Base class of all optimizers: parameter groups, per-parameter state, state dicts.

    Args:
        params: an iterable of Tensors, of ``(name, tensor)`` pairs (``named_parameters()``),
            a mapping of names to tensors (``collect_params()``), or of dicts that each give
            ``'params'`` and per-group options.
        defaults: the default value of each option, used where a group does not give it.

    Attributes:
        param_groups: a list of dicts with ``'params'`` (and ``'param_names'`` when named).
        state: per-parameter state, keyed by the parameter tensor.
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self._scratch_views: dict[tuple, tuple[Any, Any]] = {}
        self._scratch_flat: dict[Any, tuple[Any, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        for group in _as_groups(params):
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (fine-tuning unfrozen layers).

        Raises:
            TypeError: for something that is not a dict of tensors.
            ValueError: for a non-leaf tensor, a missing required option, a parameter that is
                already in another group, or a mix of named and unnamed groups.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        tensors, names = _dedupe(*_split_names(param_group["params"]))
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(t))
            if t.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = {"params": tensors}
        if names is not None:
            group["param_names"] = names
        for key, value in param_group.items():
            if key not in ("params", "param_names"):
                group[key] = value
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        for other in self.param_groups:
            if ("param_names" in group) != ("param_names" in other):
                text = "with names" if "param_names" in group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {text} to the optimizer")
        if any(id(p) in existing for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")

    # ----- stepping -----
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None, or to zeros in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.grad_fn = None
                    p.grad._value.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once.

        Args:
            closure: re-evaluates the model and returns the loss (needed by LBFGS-style
                optimizers; optional here). It runs with gradients enabled.

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state = self.state
        update = self._update
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                update(p._value, grad._value, state[p], group)
                bump_version(p)
        return loss

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Update the array ``param`` in place from ``grad``: each optimizer's one rule."""
        raise NotImplementedError

    def _scratch(self, like: Any) -> tuple[Any, Any]:
        """Two work arrays shaped like ``like``, reused by every update (not state).

        Updates write their temporaries here with ``out=``: a fresh temporary the size of a
        large parameter is faulted in again on every step, which made ``p -= lr * g`` on a
        64 MB parameter 2.7-3.7x torch's update (PERFORMANCE.md). The arrays are views of two
        flat buffers per dtype, as large as the largest parameter.
        """
        where = (type(like), getattr(like.device, "id", None))  # each device its own buffers
        key = (like.shape, like.dtype, where)
        pair = self._scratch_views.get(key)
        if pair is None:
            flat = self._scratch_flat.get((like.dtype, where))
            if flat is None or flat[0].size < like.size:
                module = array_module(like)
                flat = self._scratch_flat[(like.dtype, where)] = (
                    module.empty(like.size, like.dtype), module.empty(like.size, like.dtype))
                self._scratch_views.clear()  # views of the smaller buffers would be kept alive
            size, shape = like.size, like.shape
            pair = (flat[0][:size].reshape(shape), flat[1][:size].reshape(shape))
            self._scratch_views[key] = pair
        return pair

    @staticmethod
    def _step_count(state: dict[str, Any]) -> float:
        """Advance the ``'step'`` entry (a 0-d float32 tensor, as torch keeps it) and read it."""
        step = state.get("step")
        if step is None:
            step = state["step"] = Tensor._wrap(xp.zeros((), xp.float32))
        step._value += 1
        return float(step._value)

    # ----- state dicts -----
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, with parameters as indices.

        Returns:
            ``{'state': {0: {...}, ...}, 'param_groups': [{..., 'params': [0, 1]}]}``; a
            named group also holds ``'param_names'``, so that a load is matched by name.
            Like torch, the state's tensors are the optimizer's own (not copies).
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k not in ("params", "param_names")}
            if "param_names" in group:
                packed = {"param_names": list(group["param_names"]), **packed}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index and s}
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from ``state_dict()``: check everything, then assign.

        Named groups are matched by name (so parameters listed in another order still get
        their own state); unnamed ones by position, as torch does.

        Raises:
            KeyError: if ``'state'`` or ``'param_groups'`` is missing.
            ValueError: if the groups, their sizes or their parameter names differ, or a
                state tensor's shape does not fit its parameter; every problem is listed
                and the optimizer is left as it was.
        """
        new_groups, new_state = plan_load(self.param_groups, state_dict)
        self.param_groups[:] = new_groups
        self.state = defaultdict(dict, new_state)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


# ----- loading, in two phases: plan (check everything), then assign -----
def plan_load(groups: list[dict[str, Any]], state_dict: Any) -> tuple[list, dict]:
    """The new param groups and state for ``load_state_dict``, or one error listing problems."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}")
    missing = [key for key in ("state", "param_groups") if key not in state_dict]
    if missing:
        raise KeyError(f"optimizer state_dict is missing {missing}: expected the dict that "
                       "Optimizer.state_dict() returns")
    saved_groups = list(state_dict["param_groups"])
    if len(groups) != len(saved_groups):
        raise ValueError("loaded state dict has a different number of parameter groups")
    if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
        raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                         "size of optimizer's group")
    id_map, problems = _match_params(groups, saved_groups)
    state, state_problems = _plan_state(id_map, state_dict["state"])
    problems += state_problems
    if problems:
        raise ValueError("Optimizer.load_state_dict: " + "; ".join(problems)
                         + ". Nothing was loaded.")
    new_groups = []
    for group, saved in zip(groups, saved_groups):
        new = {k: v for k, v in saved.items() if k not in ("params", "param_names")}
        new = {"params": group["params"], **new}
        if "param_names" in group:
            new["param_names"] = group["param_names"]
        new_groups.append(new)
    return new_groups, state


def _match_params(groups: list, saved_groups: list) -> tuple[dict[int, Tensor], list[str]]:
    """Map each saved index to its parameter: by name where both sides name them."""
    id_map: dict[int, Tensor] = {}
    problems: list[str] = []
    for i, (group, saved) in enumerate(zip(groups, saved_groups)):
        ids = [int(k) for k in saved["params"]]
        names, saved_names = group.get("param_names"), saved.get("param_names")
        if names is None or saved_names is None:
            id_map.update(zip(ids, group["params"]))
            continue
        by_name = dict(zip(names, group["params"]))
        absent = [n for n in names if n not in saved_names]
        unexpected = [n for n in saved_names if n not in by_name]
        if absent or unexpected:
            problems.append(f"parameter group {i}: the saved state has no entry for "
                            f"{absent} and has entries for unknown parameters {unexpected}")
            continue
        id_map.update((k, by_name[n]) for k, n in zip(ids, saved_names))
    return id_map, problems


def _plan_state(id_map: dict[int, Tensor], saved_state: Any) -> tuple[dict, list[str]]:
    """Copies of the saved per-parameter state, cast to each parameter's dtype."""
    state: dict[Tensor, dict[str, Any]] = {}
    problems: list[str] = []
    for key, entry in dict(saved_state).items():
        param = id_map.get(int(key))
        if param is None:
            continue
        state[param] = {}
        for name, value in dict(entry).items():
            array = value._value if isinstance(value, Tensor) else value
            if not isinstance(array, xp.ndarray):
                state[param][name] = value
                continue
            if name != "step" and array.ndim and array.shape != param._value.shape:
                problems.append(f"state {name!r} of parameter {key} has shape "
                                f"{list(array.shape)}, but the parameter has shape "
                                f"{list(param._value.shape)}")
                continue
            dtype = param._value.dtype if name != "step" and param._value.dtype.kind == "f" \
                else array.dtype
            state[param][name] = Tensor._wrap(array.astype(dtype, copy=True))
    return state, problems
