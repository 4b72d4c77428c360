"""Gluon-style parameter management: ``Module.initialize`` and ``Module.collect_params``.

``initialize`` marks each parameter it sets (``_bricks_initialized`` on the Parameter), so
a second call leaves those alone with one warning unless ``force_reinit=True``, as Gluon
does. A layer's construction-time default init does not count. On an uninitialized
(lazy) parameter the initializer is recorded (``_bricks_pending_init``) and applied by the
lazy forward pre-hook once the layer has materialized its parameters (see ``_lazy.py``).
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

from ..autograd import no_grad
from .parameter import is_uninitialized

__all__ = ["initialize", "collect_params", "apply_pending"]



def _bound(init: Any, name: str) -> Callable[[Any], Any]:
    """``init`` as a one-argument callable; initializer objects also get the dotted name."""
    from . import init as init_module

    base = getattr(init_module, "Initializer", None)
    if base is not None and isinstance(init, base):
        return lambda tensor: init(tensor, name=name)
    if not callable(init):
        raise TypeError(f"initialize(init=...) expects an initializer such as "
                        f"bricks.nn.init.Normal(0.01) or a callable, got {type(init).__name__}")
    return init


def initialize(module: Any, init: Any, select: str | None, force_reinit: bool) -> None:
    """See ``Module.initialize``."""
    pattern = re.compile(select) if select is not None else None
    chosen = [(name, param) for name, param in module.named_parameters()
              if pattern is None or pattern.search(name)]
    skipped = [name for name, param in chosen
               if param._bricks_initialized and not force_reinit]
    chosen = [(name, param) for name, param in chosen if name not in skipped]
    if init is None:
        _reset_layers(module, {id(param) for _, param in chosen})
    else:
        for name, param in chosen:
            _apply_one(param, _bound(init, name))
    for _, param in chosen:
        param._bricks_initialized = True
    if skipped:
        warnings.warn(f"Parameter(s) {skipped} are already initialized, ignoring. Set "
                      "force_reinit=True to re-initialize.", UserWarning, stacklevel=3)


def _apply_one(param: Any, init: Callable[[Any], Any]) -> None:
    if is_uninitialized(param):
        param._bricks_pending_init = init
        return
    with no_grad():
        init(param)


def _reset_layers(module: Any, wanted: set[int]) -> None:
    """``init=None``: re-run ``reset_parameters()`` of each layer owning a chosen parameter."""
    for owner in module.modules():
        own = [p for p in owner._parameters.values() if p is not None and id(p) in wanted]
        if own and hasattr(owner, "reset_parameters"):
            if any(is_uninitialized(p) for p in own):
                continue  # a lazy layer runs its default init when it materializes
            with no_grad():
                owner.reset_parameters()


def apply_pending(module: Any) -> None:
    """Run the initializers recorded on ``module``'s own parameters before they had a shape."""
    for param in module._parameters.values():
        if param is None:
            continue
        pending = param._bricks_pending_init
        if pending is not None:
            del param._bricks_pending_init  # back to the declared default
            with no_grad():
                pending(param)


def collect_params(module: Any, select: str | None) -> Any:
    """See ``Module.collect_params``."""
    from .containers import ParameterDict

    pattern = re.compile(select) if select is not None else None
    return ParameterDict._view((name, param) for name, param in module.named_parameters()
                               if pattern is None or pattern.search(name))
