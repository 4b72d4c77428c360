"""How bricks writes a shape in messages and summaries: one formatter, three conventions."""

from __future__ import annotations

from typing import Any

__all__ = ["shape_text"]


def shape_text(shape: Any, style: str = "tuple") -> str:
    """A shape as text: ``(2, 5)`` (Python's tuple, for layer errors), ``2x5`` (PyTorch's
    matrix-product errors) or ``[2, 5]`` (the model summary's columns, as torchinfo prints).

    Example:
        >>> shape_text((2, 5)), shape_text((2, 5), "x"), shape_text((2, 5), "list")
        ('(2, 5)', '2x5', '[2, 5]')
    """
    dims = [int(n) for n in shape]
    if style == "x":
        return "x".join(map(str, dims))
    if style == "list":
        return "[" + ", ".join(map(str, dims)) + "]"
    return str(tuple(dims))
