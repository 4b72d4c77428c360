"""The state of autocast regions, and the casts the ops that take part in them make.

``bricks.amp.autocast`` (above the ops) opens a region; the ops below read it here. Two kinds
of op take part, as in torch: matrix products and convolutions (``lower_precision``) run in
the region's dtype, and losses (``full_precision``) run in float32. Outside any region the
only cost is one check of a thread-local dict.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ._dtypes import dtype, float16, float32
from ._tensor import Tensor

__all__ = ["REGIONS", "lower_precision", "full_precision"]

F = TypeVar("F", bound=Callable[..., Any])


class _Regions(threading.local):
    """Per thread: the dtype of each device type (``'cpu'``, ``'cuda'``) inside an enabled
    autocast region; a device type outside one is absent."""

    def __init__(self) -> None:
        self.dtypes: dict[str, dtype] = {}


REGIONS = _Regions()


def _cast_if(value: Any, source: tuple[dtype, ...], target_of: Callable[[str], Any]) -> Any:
    """``value`` cast to its device's target dtype, if it is a tensor of a ``source`` dtype."""
    if not isinstance(value, Tensor) or value.dtype not in source:
        return value
    target = target_of(value.device.type)
    if target is None or value.dtype is target:
        return value
    return value.to(target)


def _casting(source: tuple[dtype, ...], target_of: Callable[[dict, str], Any]) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            dtypes = REGIONS.dtypes
            if dtypes:
                def target(kind: str) -> Any:
                    return target_of(dtypes, kind)

                args = tuple(_cast_if(a, source, target) for a in args)
                kwargs = {k: _cast_if(v, source, target) for k, v in kwargs.items()}
            return function(*args, **kwargs)
        return run  # type: ignore[return-value]  # same signature, by functools.wraps
    return decorate


# float64 stays float64 in a region, as torch's: only float32 and float16 take part.
_to_region_dtype = _casting((float32, float16), lambda dtypes, kind: dtypes.get(kind))
_to_float32 = _casting((float16,), lambda dtypes, kind: float32 if kind in dtypes else None)


def lower_precision(function: F) -> F:
    """Make ``function`` (a product or convolution) run on its float inputs cast to the
    region's dtype, inside an autocast region."""
    return _to_region_dtype(function)


def full_precision(function: F) -> F:
    """Make ``function`` (a loss) run on its float16 inputs cast to float32, inside an
    autocast region, where low precision would lose its accuracy."""
    return _to_float32(function)
