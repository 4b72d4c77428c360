"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``.

The mode is per thread, as in PyTorch: a thread inside ``no_grad`` leaves another thread's
training recorded, each thread starts with recording on, and a block restores its own thread's
previous mode however blocks in different threads overlap.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]

F = TypeVar("F", bound=Callable[..., Any])

class _GradState(threading.local):
    """The grad mode of the calling thread: ``enabled`` is read on every op.

    An attribute of a ``threading.local`` costs about 45 ns to read (a list cell 11 ns); that
    is the price of a per-thread mode. ``saved`` holds the modes that open blocks restore.
    ``GRAD_ENABLED[0]`` still reads and writes ``enabled`` (the form of earlier code), 20 ns
    slower than the attribute.
    """

    enabled = True  # each thread starts with recording on
    inference = False

    def __init__(self) -> None:
        self.saved: list[tuple[bool, bool]] = []

    def __getitem__(self, index: int) -> bool:
        return self.enabled

    def __setitem__(self, index: int, value: bool) -> None:
        self.enabled = value


GRAD_ENABLED = _GradState()


def is_grad_enabled() -> bool:
    """Whether ops record the graph for backward now, in this thread."""
    return GRAD_ENABLED.enabled


def is_inference_mode_enabled() -> bool:
    """Whether this thread is inside ``inference_mode``."""
    return GRAD_ENABLED.inference


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator."""

    mode = True
    inference = False

    def __enter__(self) -> None:
        # The previous mode goes on this thread's stack, not on the instance: one instance may
        # be entered by several threads at once (a module-level decorator, a shared object).
        state = GRAD_ENABLED
        state.saved.append((state.enabled, state.inference))
        state.enabled = self.mode
        state.inference = self.inference or state.inference and self.mode is False

    def __exit__(self, *exc: object) -> None:
        state = GRAD_ENABLED
        state.enabled, state.inference = state.saved.pop()

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
        self.previous = GRAD_ENABLED.enabled
        self.mode = bool(mode)
        GRAD_ENABLED.enabled = self.mode  # effective at once, as a plain function call

    def __enter__(self) -> None:
        GRAD_ENABLED.saved.append((self.previous, GRAD_ENABLED.inference))

    def __call__(self, func: F) -> F:
        GRAD_ENABLED.enabled = self.previous
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps keeps the signature


class inference_mode(_GradMode):
    """Like ``no_grad`` (context manager and decorator): no graph is recorded, in this thread.

    Args:
        mode: ``False`` turns inference off and recording on inside an enclosing block, as
            PyTorch's ``inference_mode(False)``.

    Inside, ops behave as under ``no_grad``, and the tensors made are inference tensors
    (``Tensor.is_inference()``); bricks does not forbid using them in autograd later.
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode
        self.inference = bool(mode)
        self.active = bool(mode)

    def __enter__(self) -> None:
        # ``inference_mode(False)`` is torch's way out of an enclosing block: recording on,
        # inference off, until it closes.
        super().__enter__()
        if self.active:
            _count_inference_block(1)

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.active:
            _count_inference_block(-1)

    def __call__(self, func: F) -> F:
        active = self.active

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(active):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps keeps the signature


_BLOCKS_LOCK = threading.Lock()


def _count_inference_block(step: int) -> None:
    # Tensor creation checks the mode only while some thread has a block open (_tensor.py).
    from .._tensor import INFERENCE_BLOCKS

    with _BLOCKS_LOCK:
        INFERENCE_BLOCKS[0] += step
