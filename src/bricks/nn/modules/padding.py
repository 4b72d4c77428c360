"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad in 1-D
2-D and 3-D, each a call of ``F.pad``."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
           "CircularPad1d", "CircularPad2d", "ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d",
           "CircularPad3d"]


def _amounts(padding: Any, dims: int) -> tuple:
    """(left, right, top, bottom, ...) from one int for every side, or the tuple itself."""
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    amounts = tuple(padding)
    if len(amounts) != 2 * dims:
        raise ValueError(f"expected padding to be an int or a tuple of {2 * dims} ints, got "
                         f"{padding!r}")
    return amounts


class _PadNd(Module):
    """A padding layer: the amounts (from the last dimension backwards) and F.pad's mode."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _amounts(padding, self._dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``: ``padding`` is an int or (left, right).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ConstantPad1d(1, 9.0)(bricks.zeros(1, 2)).tolist()
        [[9.0, 0.0, 0.0, 9.0]]
    """


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``: (left, right, top, bottom) or an int."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with ``value``: six amounts or an int."""

    _dims = 3


class _ZeroPadNd(_ConstantPadNd):
    """Constant padding with 0: it takes only the amounts, and prints only them."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    """Pad the last dimension with zeros: ``padding`` is an int or (left, right)."""


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    """Pad the last two dimensions with zeros: (left, right, top, bottom) or an int.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ZeroPad2d((1, 1, 2, 0))(bricks.ones(1, 2, 2)).shape
        bricks.Size([1, 4, 4])
    """


class ReflectionPad1d(_PadNd):
    """Pad the last dimension with its mirror image (the edge not repeated)."""

    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dimensions with their mirror image (the edge not repeated)."""

    _dims = 2
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dimension by repeating its edge values."""

    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dimensions by repeating their edge values."""

    _dims = 2
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dimension by wrapping around."""

    _mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last two dimensions by wrapping around."""

    _dims = 2
    _mode = "circular"


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    """Pad the last three dimensions with zeros: six amounts (last dimension first) or an
    int."""


class ReflectionPad3d(_PadNd):
    """Pad the last three dimensions with their mirror image (the edge not repeated)."""

    _dims = 3
    _mode = "reflect"


class ReplicationPad3d(_PadNd):
    """Pad the last three dimensions by repeating their edge values."""

    _dims = 3
    _mode = "replicate"


class CircularPad3d(_PadNd):
    """Pad the last three dimensions by wrapping around."""

    _dims = 3
    _mode = "circular"
