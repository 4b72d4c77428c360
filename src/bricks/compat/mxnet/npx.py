"""``mxnet.npx``: ``set_np()`` switches Gluon to NumPy-like arrays, ``reset_np()`` back."""

from __future__ import annotations

from typing import Any

import bricks

from .._facade import unwrap

__all__ = ["set_np", "reset_np", "is_np_array", "relu", "sigmoid"]

_STATE = {"np": False}


def set_np(shape: bool = True, array: bool = True, dtype: bool = False) -> None:
    """Make parameters and new arrays ``mxnet.np.ndarray`` (NumPy-like printing)."""
    _STATE["np"] = bool(array)


def reset_np() -> None:
    """Go back to ``mxnet.nd.NDArray``."""
    _STATE["np"] = False


def is_np_array() -> bool:
    """Whether ``set_np()`` is in effect."""
    return _STATE["np"]


def array_class() -> Any:
    """The array class Gluon hands out now: ``np.ndarray`` after ``set_np()``, else NDArray."""
    from .ndarray import NDArray
    from .numpy import ndarray

    return ndarray if _STATE["np"] else NDArray


def relu(data: Any) -> Any:
    """max(x, 0), elementwise."""
    return type(data)._wrap(bricks.relu(unwrap(data)))


def sigmoid(data: Any) -> Any:
    """The logistic function, elementwise."""
    return type(data)._wrap(bricks.sigmoid(unwrap(data)))
