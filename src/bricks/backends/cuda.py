"""``bricks.backends.cuda``: whether bricks has CUDA, and the float32 matmul precision switches.

``matmul.allow_tf32`` and ``bricks.set_float32_matmul_precision`` are two views of one setting,
as in torch: precision ``'highest'`` means TF32 is not allowed, ``'high'`` and ``'medium'``
allow it. bricks records the setting and always multiplies float32 in full float32 precision
(NumPy on the CPU, CuPy with its default, TF32 off, on a GPU), which every setting permits.

Example:
    >>> import bricks
    >>> bricks.backends.cuda.matmul.allow_tf32
    False
    >>> bricks.set_float32_matmul_precision("high")
    >>> bricks.backends.cuda.matmul.allow_tf32
    True
    >>> bricks.set_float32_matmul_precision("highest")
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

__all__ = ["is_built", "matmul", "set_float32_matmul_precision", "get_float32_matmul_precision"]

_PRECISIONS = ("highest", "high", "medium")
_state = {"precision": "highest"}


def is_built() -> bool:
    """Whether bricks can drive CUDA: CuPy, its CUDA backend, is installed (not imported here)."""
    return importlib.util.find_spec("cupy") is not None


def set_float32_matmul_precision(precision: str) -> None:
    """Set the internal precision of float32 matrix products: ``'highest'``, ``'high'`` or
    ``'medium'``; bricks keeps full float32 precision for all three, which each permits.

    Raises:
        RuntimeError: ``precision`` is not a str, as torch.

    An unknown string warns and changes nothing, as torch.
    """
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["precision"] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision last set (``'highest'`` by default)."""
    return _state["precision"]


def _check_bool(value: Any, setter: str) -> None:
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")


class _Matmul:
    """``bricks.backends.cuda.matmul``: cuBLAS's switches, kept as set (torch's defaults)."""

    __slots__ = ("_fp16_reduction", "_bf16_reduction")

    def __init__(self) -> None:
        self._fp16_reduction = True
        self._bf16_reduction = True

    @property
    def allow_tf32(self) -> bool:
        """Whether float32 products may use TF32: the precision is not ``'highest'``."""
        return _state["precision"] != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _check_bool(value, "set_allow_tf32_cublas")
        if value != self.allow_tf32:
            _state["precision"] = "high" if value else "highest"

    @property
    def allow_fp16_reduced_precision_reduction(self) -> bool:
        """Whether float16 products may reduce in lower precision (torch's default True)."""
        return self._fp16_reduction

    @allow_fp16_reduced_precision_reduction.setter
    def allow_fp16_reduced_precision_reduction(self, value: bool) -> None:
        _check_bool(value, "set_allow_fp16_reduced_precision_reduction")
        self._fp16_reduction = value

    @property
    def allow_bf16_reduced_precision_reduction(self) -> bool:
        """Whether bfloat16 products may reduce in lower precision (torch's default True)."""
        return self._bf16_reduction

    @allow_bf16_reduced_precision_reduction.setter
    def allow_bf16_reduced_precision_reduction(self, value: bool) -> None:
        _check_bool(value, "set_allow_bf16_reduced_precision_reduction")
        self._bf16_reduction = value

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in type(self).__slots__ and not isinstance(
                getattr(type(self), name, None), property):
            raise AttributeError(f"Unknown attribute {name}")
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"Unknown attribute {name}")


matmul = _Matmul()
