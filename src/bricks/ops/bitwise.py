"""Bitwise and logical ops: ``&``, ``|``, ``^``, ``~`` on bool and integer tensors, and friends.

None is differentiable: results never require grad. Operands promote as in PyTorch (bool
with bool stays bool, an integer tensor keeps its dtype against a Python int), and the
bitwise ops refuse floats with PyTorch's NotImplementedError (a RuntimeError).
"""

from __future__ import annotations

from typing import Any

from .._device import as_array, xp
from .._tensor import Tensor
from .elementwise import _broadcasting, _operands

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and",
           "logical_or", "logical_xor"]

_FLOAT_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double"}


def _bitwise(name: str, ufunc: Any, input: Any, other: Any) -> Tensor:
    """``ufunc`` of two operands, at least one a Tensor, promoted as PyTorch promotes them."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}(): expected a Tensor operand, got {type(input).__name__} and "
                        f"{type(other).__name__}")
    a, b = _operands(input, other)
    values = [_integral(name, v) for v in (a, b)]
    for i, v in enumerate(values):
        dtype = getattr(values[1 - i], "dtype", None)
        if type(v) is int and dtype is not None and dtype.kind in "iu":
            # PyTorch wraps a Python int into the tensor's dtype (uint8 | 300 == uint8 | 44);
            # NumPy would raise OverflowError instead.
            # host: wrapped into a NumPy scalar, which meets arrays of any device
            values[i] = xp.asarray(v).astype(dtype)[()]
    return Tensor._wrap(as_array(_broadcasting(ufunc, *values), *values))


def _integral(name: str, v: Any) -> Any:
    """The raw value of a bool or integer operand; floats raise as in PyTorch."""
    value = v._value if isinstance(v, Tensor) else v
    dtype = getattr(value, "dtype", None)
    if isinstance(value, float) or dtype is not None and dtype.kind == "f":
        kind = _FLOAT_NAMES.get(dtype.name if dtype is not None else "float32", "Float")
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{kind}\': the bitwise '
                                  f"ops take bool and integer tensors only")
    return value


def bitwise_and(input: Any, other: Any) -> Tensor:
    """Elementwise ``input & other`` of bool or integer operands, broadcasting.

    Raises:
        NotImplementedError: for a float operand, as PyTorch.
        RuntimeError: if the shapes do not broadcast.
    """
    return _bitwise("bitwise_and", xp.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """Elementwise ``input | other`` of bool or integer operands, broadcasting.

    Raises:
        NotImplementedError: for a float operand, as PyTorch.
        RuntimeError: if the shapes do not broadcast.
    """
    return _bitwise("bitwise_or", xp.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """Elementwise ``input ^ other`` of bool or integer operands, broadcasting.

    Raises:
        NotImplementedError: for a float operand, as PyTorch.
        RuntimeError: if the shapes do not broadcast.
    """
    return _bitwise("bitwise_xor", xp.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise ``~input``: logical not of bools, two's complement not of integers.

    Raises:
        NotImplementedError: for a float tensor, as PyTorch.
    """
    value = _integral("bitwise_not", input)
    return Tensor._wrap(as_array(xp.invert(value), value))


def _invert(self: Tensor) -> Tensor:
    """``~tensor``: ``bitwise_not``, with PyTorch's TypeError for a float tensor."""
    if self._value.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {self.dtype}")
    return bitwise_not(self)


def _logical(name: str, ufunc: Any, input: Tensor, other: Tensor) -> Tensor:
    for argument, position, value in (("input", 1, input), ("other", 2, other)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")
    return Tensor._wrap(as_array(_broadcasting(ufunc, input._value, other._value), input._value))


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Where both tensors are nonzero, as a bool tensor (any dtypes, broadcasting).

    Raises:
        TypeError: if either is not a Tensor.
        RuntimeError: if the shapes do not broadcast.
    """
    return _logical("logical_and", xp.logical_and, input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Where either tensor is nonzero, as a bool tensor (any dtypes, broadcasting).

    Raises:
        TypeError: if either is not a Tensor.
        RuntimeError: if the shapes do not broadcast.
    """
    return _logical("logical_or", xp.logical_or, input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Where exactly one tensor is nonzero, as a bool tensor (any dtypes, broadcasting).

    Raises:
        TypeError: if either is not a Tensor.
        RuntimeError: if the shapes do not broadcast.
    """
    return _logical("logical_xor", xp.logical_xor, input, other)
