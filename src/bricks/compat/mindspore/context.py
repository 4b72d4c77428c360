"""``mindspore.set_context`` and friends: the execution mode and device settings.

In GRAPH_MODE a Cell's calls are compiled by ``bricks.compile`` (captured once, replayed
after, with the same numbers; what cannot be captured runs eagerly after one warning);
PYNATIVE_MODE (the default here) runs them eagerly. ``jit`` compiles one function or Cell
whatever the mode.
"""

from __future__ import annotations

from typing import Any

from .._facade import compile_facade

__all__ = ["GRAPH_MODE", "PYNATIVE_MODE", "set_context", "get_context", "set_device", "jit"]

GRAPH_MODE = 0
PYNATIVE_MODE = 1

_DEVICES = ("CPU", "GPU", "Ascend")
_context: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "CPU", "device_id": 0}


def set_context(**kwargs: Any) -> None:
    """Set ``mode`` (``GRAPH_MODE`` or ``PYNATIVE_MODE``), ``device_target`` and other keys.

    Raises:
        ValueError: for an unknown mode, or a device target other than ``'CPU'``.
    """
    mode = kwargs.get("mode", _context["mode"])
    if mode not in (GRAPH_MODE, PYNATIVE_MODE):
        raise ValueError(f"For 'set_context', the argument 'mode' should be context.GRAPH_MODE "
                         f"(0) or context.PYNATIVE_MODE (1), but got {mode}.")
    target = kwargs.get("device_target", _context["device_target"])
    if target not in _DEVICES:
        raise ValueError(f"For 'set_context', 'device_target' must be one of {_DEVICES}, but "
                         f"got {target!r}.")
    if target != "CPU":
        raise ValueError(f"bricks' MindSpore facade runs on the CPU: device_target={target!r} "
                         f"is not available")
    _context.update(kwargs)


def get_context(attr_key: str) -> Any:
    """The value of one context key (``'mode'``, ``'device_target'``, ...).

    Raises:
        ValueError: for a key that was never set and has no default.
    """
    if attr_key not in _context:
        raise ValueError(f"For 'get_context', the argument {attr_key!r} is not set")
    return _context[attr_key]


def set_device(device_target: str, device_id: int | None = None) -> None:
    """MindSpore 2.5+'s way to choose the device (the CPU here)."""
    set_context(device_target=device_target, device_id=device_id or 0)


def jit(function: Any = None, **options: Any) -> Any:
    """Compile ``function`` (a function of Tensors, or a Cell) with ``bricks.compile``."""
    if function is None:
        return lambda f: jit(f, **options)
    from .tensor import Tensor

    return compile_facade(function, Tensor)


def _graph_mode() -> bool:
    return _context["mode"] == GRAPH_MODE
