"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])

# One mutable cell read on every op: a list lookup is the cheapest global flag there is.
GRAD_ENABLED = [True]


def is_grad_enabled() -> bool:
    """Whether ops record the graph for backward now."""
    return GRAD_ENABLED[0]


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator."""

    mode = True

    def __enter__(self) -> None:
        self.previous = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self.mode

    def __exit__(self, *exc: object) -> None:
        GRAD_ENABLED[0] = self.previous

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps keeps the signature


class no_grad(_GradMode):
    """Context manager and decorator under which no graph is recorded.

    Example:
        >>> import bricks
        >>> x = bricks.ones(2, requires_grad=True)
        >>> with bricks.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager and decorator that turns recording back on inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn recording on or off: as a function, a context manager or a decorator.

    Args:
        mode: whether to record the graph.
    """

    def __init__(self, mode: bool) -> None:
        self.previous = GRAD_ENABLED[0]
        self.mode = bool(mode)
        GRAD_ENABLED[0] = self.mode

    def __enter__(self) -> None:
        pass

    def __call__(self, func: F) -> F:
        GRAD_ENABLED[0] = self.previous
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps keeps the signature
