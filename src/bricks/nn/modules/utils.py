"""Helpers shared by the layers: argument tuples (``_pair``) and error prefixes."""

from __future__ import annotations

import collections.abc
import math
from typing import Any, Callable

from ..._creation import empty
from ..._shapes import shape_text
from .. import init
from ..parameter import Parameter

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


def _changed_settings(layer: Any, defaults: dict[str, Any]) -> str:
    """``", name=value"`` for each setting in ``defaults`` whose value on ``layer`` is not
    its default there, in that order: PyTorch's reprs show only the settings that were
    changed. None and bool defaults are compared by identity, as PyTorch's checks do
    (``is not None``, ``is not False``), numbers by value."""
    text = ""
    for name, default in defaults.items():
        value = getattr(layer, name)
        if default is None or isinstance(default, bool):
            changed = value is not default
        else:
            changed = value != default
        if changed:
            text += f", {name}={value}"
    return text


def _shape_text(shape: Any) -> str:
    """A shape written as a Python tuple: ``(2, 5)``."""
    return shape_text(shape)


def _add_weight_and_bias(layer: Any, weight_shape: Any, bias_shape: Any, bias: bool,
                         device: Any, dtype: Any) -> None:
    """Register ``layer.weight`` of ``weight_shape`` and ``layer.bias`` of ``bias_shape``, or a
    ``None`` bias when ``bias`` is false; the values are left for ``reset_parameters`` to set.
    """
    layer.weight = Parameter(empty(weight_shape, device=device, dtype=dtype))
    if bias:
        layer.bias = Parameter(empty(bias_shape, device=device, dtype=dtype))
    else:
        layer.register_parameter("bias", None)


def _add_affine(layer: Any, shape: Any, affine: bool, bias: bool, device: Any,
                dtype: Any) -> None:
    """Register a normalization layer's elementwise ``weight`` and ``bias`` of ``shape``, or
    ``None`` for what it does not learn: both without ``affine``, the bias without ``bias``.
    """
    if affine:
        _add_weight_and_bias(layer, shape, shape, bias, device, dtype)
    else:
        layer.register_parameter("weight", None)
        layer.register_parameter("bias", None)


def _reset_affine(weight: Any, bias: Any) -> None:
    """Set a normalization layer's weight to 1 and bias to 0 (those it has): the identity."""
    if weight is not None:
        init.ones_(weight)
    if bias is not None:
        init.zeros_(bias)


def _reset_weight_and_bias(weight: Any, bias: Any) -> None:
    """PyTorch's default for Linear and the convolutions, written once.

    The weight gets ``kaiming_uniform_(a=sqrt(5))``, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in));
    the bias the same bound, from the weight's fan-in (all zeros when the fan-in is 0).
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = _fan_in_bound(fan_in)
        init.uniform_(bias, -bound, bound)


def _fan_in_bound(fan_in: int) -> float:
    """``1 / sqrt(fan_in)``, the bound of PyTorch's default uniform draws (0 for no inputs)."""
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _check_sizes(layer: str, **sizes: Any) -> None:
    """Raise as PyTorch does for a size that is not an int (TypeError) or is negative
    (RuntimeError), naming the layer and the argument; a tuple is checked element by element.
    """
    for name, value in sizes.items():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, bool) or not isinstance(item, int):
                raise TypeError(f"{layer}(): argument '{name}' must be an int or a tuple of "
                                f"ints, got {type(item).__name__} ({value!r})"
                                if isinstance(value, (tuple, list)) else
                                f"{layer}(): argument '{name}' must be an int, got "
                                f"{type(item).__name__} ({value!r})")
            if item < 0:
                raise RuntimeError(f"{layer}(): {name} must be non-negative, got {value!r}")


def _check_positive(layer: str, **values: Any) -> None:
    """Raise RuntimeError (PyTorch's type in forward) for a value, or element, below 1."""
    for name, value in values.items():
        items = value if isinstance(value, (tuple, list)) else (value,)
        if any(item <= 0 for item in items):
            raise RuntimeError(f"{layer}(): {name} should be greater than zero, got "
                               f"{name}={value!r}")
