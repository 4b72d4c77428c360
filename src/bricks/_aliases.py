"""NumPy's argument names where PyTorch accepts them: ``axis`` for ``dim`` and ``keepdims`` for
``keepdim`` (``torch.sum(x, axis=0, keepdims=True)``), on every function and Tensor method
that has those parameters."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

__all__ = ["with_numpy_aliases", "takes_dim"]


def takes_dim(fn: Any) -> bool:
    """Whether ``fn`` has a ``dim`` or ``keepdim`` parameter (and no ``axis`` of its own)."""
    if not callable(fn) or isinstance(fn, type):
        return False
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    names = set(parameters)
    return bool(names & {"dim", "keepdim"}) and not names & {"axis", "keepdims"}


def with_numpy_aliases(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` also accepting ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``.

    Example:
        >>> import bricks
        >>> bricks.sum(bricks.ones(2, 3), axis=0, keepdims=True)
        tensor([[2., 2., 2.]])
    """
    name = getattr(fn, "__name__", "function")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            for alias, real in (("axis", "dim"), ("keepdims", "keepdim")):
                if alias in kwargs:
                    if real in kwargs:
                        raise TypeError(f"{name}() got both '{real}' and its alias '{alias}'")
                    kwargs[real] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    wrapper.numpy_aliases = True  # type: ignore[attr-defined]  # read by tools/gen_tensor_methods
    return wrapper
