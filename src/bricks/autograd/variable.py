"""``Variable``: PyTorch's legacy name, kept for its ``_execution_engine.queue_callback``."""

from __future__ import annotations

from typing import Any

from .engine import queue_callback

__all__ = ["Variable"]


class _ExecutionEngine:
    """The backward engine as PyTorch exposes it: ``queue_callback(fn)`` during backward."""

    @staticmethod
    def queue_callback(callback: Any) -> None:
        queue_callback(callback)


class Variable:
    """PyTorch's deprecated wrapper: ``Variable(t)`` returns the tensor ``t`` itself.

    Kept for ``Variable._execution_engine.queue_callback(fn)``, which runs ``fn`` at the
    end of the backward pass now running (``bricks.autograd.queue_callback`` is the same).
    """

    _execution_engine = _ExecutionEngine()

    def __new__(cls, data: Any, requires_grad: bool = False) -> Any:
        if requires_grad:
            data.requires_grad_(True)
        return data
