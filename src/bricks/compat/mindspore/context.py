"""MindSpore's execution modes: ``set_context(mode=GRAPH_MODE)`` and ``jit``, on bricks.compile.

In GRAPH_MODE a Cell's calls are compiled (captured once, replayed after; see
``bricks.compile``); PYNATIVE_MODE (the default here) runs them imperatively. ``jit`` compiles
one function or Cell whatever the mode.
"""

from __future__ import annotations

from typing import Any, Callable

from .._facade import compile_facade

__all__ = ["GRAPH_MODE", "PYNATIVE_MODE", "set_context", "get_context", "jit"]

GRAPH_MODE = 0
PYNATIVE_MODE = 1
_CONTEXT: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "CPU"}


def set_context(**kwargs: Any) -> None:
    """Set context options; ``mode`` is GRAPH_MODE or PYNATIVE_MODE, others are kept as given.

    Raises:
        ValueError: for a mode that is neither.
    """
    mode = kwargs.get("mode", _CONTEXT["mode"])
    if mode not in (GRAPH_MODE, PYNATIVE_MODE):
        raise ValueError(f"For 'set_context', the argument 'mode' should be GRAPH_MODE (0) or "
                         f"PYNATIVE_MODE (1), but got {mode!r}")
    _CONTEXT.update(kwargs)


def get_context(attr_key: str) -> Any:
    """The value of a context option set before (or its default)."""
    if attr_key not in _CONTEXT:
        raise ValueError(f"For 'get_context', the argument 'attr_key' {attr_key!r} is not set")
    return _CONTEXT[attr_key]


def _graph_mode() -> bool:
    return _CONTEXT["mode"] == GRAPH_MODE


def jit(function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Compile ``function`` (a function of Tensors, or a Cell) with ``bricks.compile``."""
    if function is None:
        return lambda f: jit(f, **kwargs)
    from .tensor import Tensor

    return compile_facade(function, Tensor)
