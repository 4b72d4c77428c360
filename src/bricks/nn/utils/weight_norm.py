"""The older, hook-based weight normalization (``nn.utils.weight_norm``, deprecated in torch
in favour of ``parametrizations.weight_norm``): parameters ``<name>_g`` and ``<name>_v``, and
a forward pre-hook that recomputes the plain attribute ``<name>`` before every call."""

from __future__ import annotations

import warnings
from typing import Any

from ..module import Module
from ..parameter import Parameter, is_uninitialized
from ._norms import norm_except_dim, weight_norm_of

__all__ = ["weight_norm", "remove_weight_norm", "WeightNorm"]


class WeightNorm:
    """The forward pre-hook: ``<name> = g * v / ||v||`` from the current parameters."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Any:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return weight_norm_of(v, g, self.dim)

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Split ``module.<name>`` into magnitude ``<name>_g`` and direction ``<name>_v``.

    Raises:
        RuntimeError: if ``name`` is already weight-normalized.
        ValueError: for a parameter whose shape is not known yet (lazy layers).
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    if _find(module, WeightNorm, name) is not None:
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    hook = WeightNorm(name, dim)
    weight = getattr(module, name)
    if is_uninitialized(weight):
        raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                         "parameters. Make sure to run the dummy forward before applying "
                         "weight normalization")
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, hook.dim).data))
    module.register_parameter(name + "_v", Parameter(weight.data))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Fold ``<name>_g`` and ``<name>_v`` back into one parameter ``<name>``.

    Raises:
        ValueError: if ``name`` is not weight-normalized.
    """
    key = _find(module, WeightNorm, name)
    if key is None:
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    weight = _pop(module, key).compute_weight(module)
    delattr(module, name)
    del module._parameters[name + "_g"]
    del module._parameters[name + "_v"]
    module.register_parameter(name, Parameter(weight.data))
    return module


def _find(module: Module, kind: Any, name: str) -> Any:
    """The key of ``module``'s forward pre-hook of class ``kind`` for ``name``, or None."""
    for key, entry in module._forward_pre_hooks.items():
        hook: Any = entry[0]
        if isinstance(hook, kind) and hook.name == name:
            return key
    return None


def _pop(module: Module, key: Any) -> Any:
    """Remove the forward pre-hook under ``key``; return it."""
    return module._forward_pre_hooks.pop(key)[0]
