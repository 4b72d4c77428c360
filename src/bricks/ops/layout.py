"""How a tensor lies in memory, in PyTorch's units: ``stride`` and ``storage_offset``."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor, _check_dim

__all__: list[str] = []  # methods only (Tensor.stride, Tensor.storage_offset): see _METHODS


def stride(self: Tensor, dim: int | None = None) -> Any:
    """The step in elements between neighbours along each dimension (or along ``dim``)."""
    x = self._value
    steps = tuple(s // x.itemsize for s in x.strides)
    return steps if dim is None else steps[_check_dim(dim, x.ndim)]


def storage_offset(self: Tensor) -> int:
    """How many elements into its memory block this tensor's first element lies."""
    x = self._value
    base = x
    while getattr(base, "base", None) is not None and hasattr(base.base, "__array_interface__"):
        base = base.base
    if base is x:
        return 0
    start = x.__array_interface__["data"][0]
    origin = base.__array_interface__["data"][0]
    return (start - origin) // x.itemsize
