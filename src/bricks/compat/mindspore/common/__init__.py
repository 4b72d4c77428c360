"""``mindspore.common``: dtypes, Tensor, Parameter and initializers."""

from __future__ import annotations

from .. import tensor as dtype
from ..tensor import Parameter, Tensor
from . import initializer

__all__ = ["Tensor", "Parameter", "initializer", "dtype"]
