"""Forward hooks of ``Module``: registration, removable handles, and the hooked call path.

``Module.__call__`` comes here only when some hook is registered, so modules without
hooks pay nothing for this machinery.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Callable

__all__ = ["RemovableHandle", "add", "call_with_hooks"]

_next_id = itertools.count()


class RemovableHandle:
    """The handle a ``register_*_hook`` call returns; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: OrderedDict, hook_id: int) -> None:
        self.hooks_dict_ref = hooks
        self.id = hook_id

    def remove(self) -> None:
        """Unregister the hook (doing it twice is harmless)."""
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add(hooks: OrderedDict, hook: Callable, prepend: bool, with_kwargs: bool) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` (first if ``prepend``) and return its handle."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    hook_id = next(_next_id)
    hooks[hook_id] = (hook, with_kwargs)
    if prepend:
        hooks.move_to_end(hook_id, last=False)
    return RemovableHandle(hooks, hook_id)


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """Run forward pre-hooks, ``forward`` and forward hooks, as ``torch.nn.Module`` does."""
    for hook, with_kwargs in list(module._forward_pre_hooks.values()):
        if with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs in list(module._forward_hooks.values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    return output
