"""``mxnet.autograd``: ``record``/``pause`` scopes and ``backward`` over bricks' autograd.

MXNet records a graph only inside ``record()``, and its default ``grad_req='write'``
overwrites a gradient at each backward pass instead of adding to it. bricks adds (as
PyTorch does), so each array or parameter whose gradient is "written" is registered here
and its ``.grad`` cleared just before a backward pass.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any, Iterator

import bricks

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "backward"]

_STATE = {"recording": False, "training": False}
_WRITE_GRADS: weakref.WeakSet = weakref.WeakSet()


@contextlib.contextmanager
def _scope(recording: bool | None, training: bool | None) -> Iterator[None]:
    saved = dict(_STATE)
    if recording is not None:
        _STATE["recording"] = recording
    if training is not None:
        _STATE["training"] = training
    try:
        with bricks.set_grad_enabled(_STATE["recording"]):
            yield
    finally:
        _STATE.update(saved)


def record(train_mode: bool = True) -> Any:
    """A scope in which operations are recorded for ``backward`` (training mode by default)."""
    return _scope(True, train_mode)


def pause(train_mode: bool = False) -> Any:
    """A scope, inside ``record()``, in which nothing is recorded."""
    return _scope(False, train_mode)


def train_mode() -> Any:
    """A scope in which layers such as Dropout behave as in training."""
    return _scope(None, True)


def predict_mode() -> Any:
    """A scope in which layers such as Dropout behave as in prediction."""
    return _scope(None, False)


def is_recording() -> bool:
    """Whether operations are being recorded."""
    return _STATE["recording"]


def is_training() -> bool:
    """Whether layers run in training mode."""
    return _STATE["training"]


def write_grad(tensor: bricks.Tensor) -> None:
    """Register ``tensor`` so that each backward pass overwrites its gradient (grad_req='write')."""
    _WRITE_GRADS.add(tensor)


def backward(heads: Any, head_grads: Any = None, retain_graph: bool = False,
             train_mode: bool = True) -> None:
    """Compute the gradients of ``heads`` (an array or a list of arrays).

    A head that is not a scalar gets a gradient of ones, as in MXNet.
    """
    from .._facade import unwrap

    heads = heads if isinstance(heads, (list, tuple)) else [heads]
    grads = head_grads if isinstance(head_grads, (list, tuple)) else [head_grads] * len(heads)
    for tensor in list(_WRITE_GRADS):
        tensor.grad = None
    for head, grad in zip(heads, grads):
        head = unwrap(head)
        if head.grad_fn is None and not head.requires_grad:
            raise RuntimeError("backward: the array was not computed inside "
                               "autograd.record() from arrays that need a gradient; call "
                               "attach_grad() and compute it under `with autograd.record():`")
        grad = bricks.ones_like(head) if grad is None else unwrap(grad)
        head.backward(grad, retain_graph=retain_graph)
