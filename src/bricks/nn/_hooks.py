"""Hooks of ``Module``: registration, removable handles, and the hooked call path.

``Module.__call__`` comes here only when some hook is registered, so modules without
hooks pay nothing for this machinery. Backward hooks route the call's tensors through
identity nodes (``_backward_hooks.py``).
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from typing import Any, Callable

from .._tensor import Tensor
from ._backward_hooks import BackwardCall

__all__ = ["RemovableHandle", "add", "add_backward_hook", "call_with_hooks"]

_next_id = itertools.count()

_MIXED = ("Cannot use both regular backward hooks and full backward hooks on a single Module. "
          "Please use only one of them.")
_OLD_STYLE = ("Using non-full backward hooks on a Module that {} is deprecated and will be "
              "removed in future versions. This hook will be missing some of the {}. Please use "
              "register_full_backward_hook to get the documented behavior.")
_MULTIPLE_NODES = ("Using a non-full backward hook when the forward contains multiple autograd "
                   "Nodes is deprecated and will be removed in future versions. This hook will be "
                   "missing some grad_input. Please use register_full_backward_hook to get the "
                   "documented behavior.")


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


def add(hooks: OrderedDict, hook: Callable, prepend: bool, entry: Any = None) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` (first if ``prepend``) and return its handle.

    ``entry`` is what the dict keeps when it is not the hook alone, e.g. ``(hook, flags...)``.
    """
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    hook_id = next(_next_id)
    hooks[hook_id] = hook if entry is None else entry
    if prepend:
        hooks.move_to_end(hook_id, last=False)
    return RemovableHandle(hooks, hook_id)


def add_backward_hook(module: Any, hook: Callable, prepend: bool, full: bool) -> RemovableHandle:
    """Register a full (``full=True``) or old-style backward hook; one module takes one kind."""
    if module._is_full_backward_hook is (not full):
        raise RuntimeError(_MIXED)
    handle = add(module._backward_hooks, hook, prepend)
    module._is_full_backward_hook = full
    return handle


class _Call:
    """What a hooked call has reached, for the ``always_call`` hooks if something raises."""

    __slots__ = ("args", "kwargs", "result", "called")

    def __init__(self, args: tuple, kwargs: dict) -> None:
        self.args = args
        self.kwargs = kwargs
        self.result: Any = None
        self.called: set[int] = set()


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """Run the hooks around ``forward`` as ``torch.nn.Module.__call__`` does.

    Forward pre-hooks, then (with backward hooks) routing the inputs, ``forward``, forward
    hooks, routing the outputs. If anything raises, the forward hooks registered with
    ``always_call=True`` that have not run yet run, and the exception propagates.
    """
    call = _Call(args, kwargs)
    try:
        return _run(module, call)
    except Exception:
        _run_always_called(module, call)
        raise


def _run(module: Any, call: _Call) -> Any:
    _run_pre_hooks(module, call)
    backward = _backward_call(module)
    if backward is not None:
        call.args = backward.setup_inputs(call.args)
    call.result = module.forward(*call.args, **call.kwargs)
    for hook_id, (hook, with_kwargs, always_call) in list(module._forward_hooks.items()):
        if always_call:
            call.called.add(hook_id)
        _run_forward_hook(module, call, hook, with_kwargs)
    if backward is not None:
        if not isinstance(call.result, (Tensor, tuple)):
            warnings.warn("For backward hooks to be called, module output should be a Tensor or "
                          f"a tuple of Tensors but received {type(call.result)}", stacklevel=4)
        if not backward.full and backward.hooks:
            _warn_old_style(module, call.args, call.result)
        call.result = backward.setup_outputs(call.result)
    return call.result


def _run_pre_hooks(module: Any, call: _Call) -> None:
    for hook, with_kwargs in list(module._forward_pre_hooks.values()):
        if with_kwargs:
            result = hook(module, call.args, call.kwargs)
            if result is None:
                continue
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError("forward pre-hook must return None or a tuple of "
                                   f"(new_args, new_kwargs), but got {result}.")
            call.args, call.kwargs = result
        else:
            result = hook(module, call.args)
            if result is not None:
                call.args = result if isinstance(result, tuple) else (result,)


def _run_forward_hook(module: Any, call: _Call, hook: Callable, with_kwargs: bool) -> None:
    if with_kwargs:
        result = hook(module, call.args, call.kwargs, call.result)
    else:
        result = hook(module, call.args, call.result)
    if result is not None:
        call.result = result


def _run_always_called(module: Any, call: _Call) -> None:
    # As PyTorch: an always_call hook that raises now is reported, not raised, so that the
    # first error is the one that propagates.
    for hook_id, (hook, with_kwargs, always_call) in list(module._forward_hooks.items()):
        if not always_call or hook_id in call.called:
            continue
        try:
            _run_forward_hook(module, call, hook, with_kwargs)
        except Exception as error:
            warnings.warn("module forward hook with ``always_call=True`` raised an exception that "
                          f"was silenced as another error was raised in forward: {error}",
                          stacklevel=4)


def _backward_call(module: Any) -> BackwardCall | None:
    hooks = list(module._backward_hooks.values())
    pre_hooks = list(module._backward_pre_hooks.values())
    if not hooks and not pre_hooks:
        return None
    return BackwardCall(module, hooks, pre_hooks, full=module._is_full_backward_hook is not False)


def _warn_old_style(module: Any, args: tuple, result: Any) -> None:
    """PyTorch's FutureWarning where an old-style hook misses gradients PyTorch would pass."""
    outputs = result if isinstance(result, tuple) else (result,)
    if not all(isinstance(o, Tensor) for o in outputs):
        message = _OLD_STYLE.format("does not return a single Tensor or a tuple of Tensors",
                                    "grad_output")
    elif not all(isinstance(a, Tensor) for a in args):
        message = _OLD_STYLE.format("does not take as input a single Tensor or a tuple of "
                                    "Tensors", "grad_input")
    elif any(param.requires_grad for param in module.parameters()):
        # PyTorch's grad_input then lists the last op's parameter gradients; bricks' does not.
        message = _MULTIPLE_NODES
    else:
        return
    warnings.warn(message, FutureWarning, stacklevel=5)
