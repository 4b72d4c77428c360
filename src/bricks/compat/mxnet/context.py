"""``mxnet.context``: devices. bricks' Gluon facade computes on the CPU; ``gpu(i)`` names a
device (as MXNet lets a program do without one), and ``num_gpus()`` is 0, so the textbook's
``try_gpu()`` falls back to ``cpu()``."""

from __future__ import annotations

from .ndarray import Context, cpu

__all__ = ["Context", "cpu", "gpu", "num_gpus", "current_context"]


def gpu(device_id: int = 0) -> Context:
    """The context of GPU ``device_id`` (arrays are not placed on it: there is none here)."""
    return Context("gpu", device_id)


def num_gpus() -> int:
    """How many GPUs MXNet could use: none, on bricks' facade."""
    return 0


def current_context() -> Context:
    """The default context: the CPU."""
    return cpu()
