"""Lazy layers: parameters whose shapes are inferred at the first forward pass.

The contract for a layer author (PyTorch's ``LazyModuleMixin``):

1. ``class LazyLinear(LazyModuleMixin, Linear)`` with ``cls_to_become = Linear``.
2. ``__init__`` creates ``UninitializedParameter()`` objects for the unknown shapes (and
   stores 0 for the unknown sizes, so it prints ``LazyLinear(in_features=0, ...)``).
3. ``initialize_parameters(self, input)`` reads the sizes from the input, calls
   ``param.materialize(shape)`` on each uninitialized parameter, and runs the layer's
   default init (``reset_parameters()``). It must also handle parameters that
   ``load_state_dict`` already materialized (no uninitialized ones left, sizes still 0):
   then it only records the sizes from the input, as PyTorch's LazyLinear does.

The mixin registers a forward pre-hook that, at the first call, runs
``initialize_parameters``, then applies every initializer that ``Module.initialize``
recorded while the shapes were unknown, removes itself, and turns the module into
``cls_to_become`` (PyTorch's behaviour: the module object keeps its identity).
"""

from __future__ import annotations

from typing import Any, Callable

from . import _initialize
from .parameter import is_uninitialized

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """Mixin for layers whose parameter shapes are known only at the first forward pass."""

    cls_to_become: type | None = None
    # The Module's, which every lazy layer also derives from:
    _parameters: dict[str, Any]
    _buffers: dict[str, Any]
    register_forward_pre_hook: Callable[..., Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(
            _infer_parameters, with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether any own parameter or buffer still has no shape."""
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_uninitialized(t) for t in tensors)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize and initialize the parameters from the first input; layers override."""
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "initialize_parameters(input)")


def _infer_parameters(module: Any, args: tuple, kwargs: dict) -> None:
    """The first-forward pre-hook: infer shapes, initialize, become ``cls_to_become``."""
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    _initialize.apply_pending(module)
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
