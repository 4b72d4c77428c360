"""``torch.compiler``'s functions for ``bricks.compile``: is a capture running, forget every
capture, keep a function out of captures."""

from __future__ import annotations

import functools
from typing import Any, Callable

from ._compile._compiled import CompiledFunction
from ._compile._tracer import current

__all__ = ["is_compiling", "reset", "disable"]


def is_compiling() -> bool:
    """Whether this thread is inside a ``bricks.compile`` capture (torch: while tracing).

    Example:
        >>> import bricks
        >>> bricks.compiler.is_compiling()
        False
    """
    return current() is not None


def reset() -> None:
    """Forget the captures of every compiled function and module: each captures anew (after
    its warm-up call), and one that ran eagerly after a failed capture tries again."""
    for compiled in list(CompiledFunction.instances):
        compiled.reset()


def disable(fn: Callable[..., Any] | None = None, recursive: bool = True, *,
            reason: str | None = None) -> Any:
    """``fn`` never captured: a compiled function that calls it runs eagerly, with its warning.

    torch runs such a function outside the graph and compiles the rest (a graph break);
    bricks' replay is one straight-line step, so the caller runs eagerly as a whole
    (``fullgraph=True`` raises). ``recursive`` is accepted for torch's signature. Used as a
    decorator, with or without arguments.

    Example:
        >>> import bricks
        >>> @bricks.compiler.disable
        ... def log(x):
        ...     return x
        >>> log(1)
        1
    """
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    why = f"it calls {name}, marked torch.compiler.disable" + (f" ({reason})" if reason else "")

    @functools.wraps(fn)
    def disabled(*args: Any, **kwargs: Any) -> Any:
        tracer = current()
        if tracer is not None:
            tracer.fail(why)
        return fn(*args, **kwargs)

    return disabled
