"""torch's questions about dtypes: ``promote_types``, ``can_cast`` and ``result_type``,
answered by the one set of rules in ``_promotion.py`` that the ops follow."""

from __future__ import annotations

from typing import Any

from . import _dtypes, _promotion
from ._device import xp

__all__ = ["promote_types", "can_cast", "result_type"]


def _dtype(value: Any, function: str, argument: str, position: int) -> _dtypes.dtype:
    """``value`` as a bricks dtype (a Python type names its dtype, as in torch)."""
    if value in (float, int, bool) or isinstance(value, _dtypes.dtype):
        return _dtypes.to_dtype(value)
    raise TypeError(f"{function}(): argument '{argument}' (position {position}) must be "
                    f"bricks.dtype, not {type(value).__name__}")


def promote_types(type1: Any, type2: Any) -> _dtypes.dtype:
    """The smallest dtype that both dtypes convert to without a change of category.

    Raises:
        TypeError: when an argument is not a dtype.

    Example:
        >>> import bricks
        >>> bricks.promote_types(bricks.int16, bricks.float16)
        bricks.float16
    """
    a = _dtype(type1, "promote_types", "type1", 1)
    b = _dtype(type2, "promote_types", "type2", 2)
    return _dtypes.from_numpy_dtype(_promotion.promote_types(a.numpy, b.numpy))


def can_cast(from_: Any, to: Any) -> bool:
    """Whether torch's casting rules allow ``from_`` into ``to`` in an in-place op: never a
    complex into a real, a float into an integer, or anything but bool into bool.

    Example:
        >>> import bricks
        >>> bricks.can_cast(bricks.float64, bricks.int32)
        False
    """
    source = _dtype(from_, "can_cast", "from_", 1).numpy
    target = _dtype(to, "can_cast", "to", 2).numpy
    if source.kind == "c" and target.kind != "c":
        return False
    if source.kind == "f" and target.kind in "iub":
        return False
    return not (source.kind != "b" and target.kind == "b")


def result_type(tensor: Any, other: Any) -> _dtypes.dtype:
    """The dtype an arithmetic op on ``tensor`` and ``other`` (tensors or Python numbers)
    gives: tensors with dimensions outrank 0-d tensors, which outrank numbers, unless the
    lower-ranked operand is of a higher category.

    Raises:
        TypeError: for an operand that is neither a tensor nor a number.

    Example:
        >>> import bricks
        >>> bricks.result_type(bricks.tensor([1, 2], dtype=bricks.int8), 300)
        bricks.int8
        >>> bricks.result_type(bricks.tensor([1, 2]), 2.5)
        bricks.float32
    """
    from ._tensor import Tensor

    operands = []
    for value in (tensor, other):
        if isinstance(value, Tensor):
            operands.append(value._value)
        elif isinstance(value, (bool, int, float, complex)):
            operands.append(value)
        else:
            raise TypeError(f"result_type(): expected a Tensor or a number for each operand, "
                            f"got {type(value).__name__}")
    return _dtypes.from_numpy_dtype(xp.dtype(_promotion.result_type_of(operands)))
