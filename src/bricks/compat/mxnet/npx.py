"""``mxnet.npx``: ``set_np()`` switches Gluon to NumPy-like arrays, ``reset_np()`` back."""

from __future__ import annotations

from typing import Any

import bricks

from .._facade import unwrap

__all__ = ["set_np", "reset_np", "is_np_array", "relu", "sigmoid", "softmax", "log_softmax",
           "pick", "one_hot", "batch_dot", "sequence_mask", "waitall", "save", "load", "cpu",
           "gpu", "num_gpus", "current_context", "batch_flatten", "reshape", "activation"]

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


def _w(like: Any, tensor: Any) -> Any:
    from .._facade import ArrayFacade

    facade = type(like) if isinstance(like, ArrayFacade) else array_class()
    return facade._wrap(tensor)


def softmax(data: Any, axis: int = -1, length: Any = None, temperature: float | None = None,
            use_length: bool = False, dtype: Any = None) -> Any:
    """Softmax along ``axis`` (of ``data / temperature``)."""
    tensor = unwrap(data)
    if temperature is not None:
        tensor = tensor / temperature
    return _w(data, bricks.softmax(tensor, dim=axis))


def log_softmax(data: Any, axis: int = -1, temperature: float | None = None, **kwargs: Any) -> Any:
    """Log-softmax along ``axis``."""
    tensor = unwrap(data)
    if temperature is not None:
        tensor = tensor / temperature
    return _w(data, bricks.log_softmax(tensor, dim=axis))


def activation(data: Any, act_type: str = "relu") -> Any:
    """A named activation: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``, ``'softsign'``."""
    functions = {"relu": bricks.relu, "sigmoid": bricks.sigmoid, "tanh": bricks.tanh,
                 "softrelu": bricks.nn.functional.softplus,
                 "softsign": bricks.nn.functional.softsign}
    if act_type not in functions:
        raise ValueError(f"act_type must be one of {sorted(functions)}, got {act_type!r}")
    return _w(data, functions[act_type](unwrap(data)))


def pick(data: Any, index: Any, axis: int = -1, mode: str = "clip", keepdims: bool = False) -> Any:
    """``data``'s elements at ``index`` along ``axis`` (indices clipped to the axis)."""
    tensor = unwrap(data)
    size = tensor.shape[axis]
    chosen = unwrap(index).long()
    chosen = chosen.clamp(0, size - 1) if mode == "clip" else chosen % size
    picked = bricks.gather(tensor, axis, chosen.unsqueeze(axis))
    return _w(data, picked if keepdims else picked.squeeze(axis))


def one_hot(data: Any, depth: int, on_value: float = 1.0, off_value: float = 0.0,
            dtype: Any = "float32") -> Any:
    """One-hot rows of length ``depth`` (indices out of range give all ``off_value``)."""
    indices = unwrap(data).long()
    valid = (indices >= 0) & (indices < depth)
    codes = bricks.nn.functional.one_hot(indices.clamp(0, depth - 1), depth).bool()
    codes = codes & valid.unsqueeze(-1)
    values = bricks.where(codes, bricks.tensor(float(on_value)), bricks.tensor(float(off_value)))
    from .._facade import _bricks_dtype

    return _w(data, values.to(_bricks_dtype(dtype)))


def batch_dot(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> Any:
    """Batched matrix products of (B, N, M) arrays."""
    x, y = unwrap(a), unwrap(b)
    x = x.transpose(-2, -1) if transpose_a else x
    y = y.transpose(-2, -1) if transpose_b else y
    return _w(a, bricks.matmul(x, y))


def sequence_mask(data: Any, sequence_length: Any = None, use_sequence_length: bool = False,
                  value: float = 0.0, axis: int = 0) -> Any:
    """``data`` with every step at or after each sequence's length set to ``value``.

    ``axis`` is the time axis (0: (T, N, ...), 1: (N, T, ...)).
    """
    tensor = unwrap(data)
    if not use_sequence_length or sequence_length is None:
        return _w(data, tensor)
    lengths = unwrap(sequence_length)
    steps = bricks.arange(tensor.shape[axis])
    batch_axis = 1 - axis
    keep = steps.reshape(-1, 1) < lengths.reshape(1, -1)  # (T, N)
    if batch_axis == 0:
        keep = keep.t()
    keep = keep.reshape(keep.shape + (1,) * (tensor.dim() - 2))
    fill = bricks.tensor(float(value), dtype=tensor.dtype)
    return _w(data, bricks.where(keep, tensor, fill))


def batch_flatten(data: Any) -> Any:
    """``data`` reshaped to (N, -1)."""
    tensor = unwrap(data)
    return _w(data, tensor.reshape(tensor.shape[0], -1))


def reshape(a: Any, newshape: Any, reverse: bool = False, order: str = "C") -> Any:
    """``a`` in ``newshape`` (-1 infers one size)."""
    return _w(a, unwrap(a).reshape(tuple(newshape)))


def waitall() -> None:
    """Wait for all pending computation: bricks computes eagerly, so there is none."""


def save(file: str, arr: Any) -> None:
    """Save an array, a list of arrays or a dict of arrays (bricks' safe file format)."""
    from .ndarray import save as nd_save

    nd_save(file, arr)


def load(file: str) -> Any:
    """Load what ``save`` wrote: a list or a dict of arrays."""
    from .ndarray import load as nd_load

    return nd_load(file)


def cpu(device_id: int = 0) -> Any:
    """The CPU context."""
    from .context import cpu as make

    return make(device_id)


def gpu(device_id: int = 0) -> Any:
    """The context of GPU ``device_id`` (none is available here)."""
    from .context import gpu as make

    return make(device_id)


def num_gpus() -> int:
    """0: bricks' Gluon facade computes on the CPU."""
    return 0


def current_context() -> Any:
    """The default context: the CPU."""
    from .context import current_context as current

    return current()
