"""Helpers shared by the layers: argument tuples (``_pair``) and error prefixes."""

from __future__ import annotations

import collections.abc
from typing import Any, Callable

__all__: list[str] = []


def _ntuple(n: int, name: str) -> Callable[[Any], tuple]:
    def parse(x: Any) -> tuple:
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return (x,) * n

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def _layer_text(module: Any) -> str:
    """The layer as the user wrote it, such as ``Conv2d(1, 6, kernel_size=(5, 5), ...)``."""
    return f"{type(module).__name__}({module.extra_repr()})"


def _shape_text(shape: Any) -> str:
    """A shape written as a Python tuple: ``(2, 5)``."""
    return str(tuple(shape))
