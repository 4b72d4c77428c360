"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_`` and their two halves."""

from __future__ import annotations

import math
from typing import Iterable

from ..._device import array_module, xp
from ..._quiet import quiet
from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

_TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: _TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(array: xp.ndarray, norm_type: float) -> xp.ndarray:
    """The ``norm_type``-norm of all the array's entries, in the array's dtype."""
    flat = array.reshape(-1)
    if norm_type == 2.0:
        return xp.sqrt(xp.dot(flat, flat))
    if math.isinf(norm_type):
        if flat.size == 0:
            return array_module(array).zeros((), array.dtype)
        reduce = xp.max if norm_type > 0 else xp.min
        return reduce(xp.abs(flat))
    if norm_type == 0:
        return array_module(array).asarray(xp.count_nonzero(flat), array.dtype)
    return (xp.abs(flat) ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors: _TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the norms of ``tensors`` (as if they were one concatenated vector).

    Args:
        tensors: a tensor or an iterable of them (usually gradients).
        norm_type: the order of the norm; ``inf`` for the largest absolute value.
        error_if_nonfinite: raise if the norm is nan or inf.
        foreach: accepted for compatibility.

    Returns:
        A 0-d tensor (0. when there are no tensors).

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the norm is not finite.
    """
    arrays = [t._value for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._wrap(xp.zeros((), xp.float32))  # host: no tensors, no device
    with quiet():  # an inf or nan gradient gives an inf or nan norm, silently as in PyTorch
        norms = xp.stack([_vector_norm(a, norm_type) for a in arrays])
        total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return Tensor._wrap(array_module(arrays[0]).asarray(total))


def clip_grads_with_norm_(parameters: _TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients in place by ``max_norm / (total_norm + 1e-6)`` when that is < 1."""
    grads = [p.grad._value for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = total_norm._value if isinstance(total_norm, Tensor) else float(total_norm)
    with quiet():  # an inf norm gives coef 0 and inf * 0 = nan, silently as in PyTorch
        coef = min(float(max_norm / (total + 1e-6)), 1.0)  # torch multiplies even by 1.0
        for grad in grads:
            grad *= grad.dtype.type(coef)


def clip_grad_norm_(parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm is that of all gradients concatenated into one vector; each gradient is
    multiplied by :math:`\min(1, \text{max\_norm} / (\text{total} + 10^{-6}))`.
    Pascanu et al., "On the difficulty of training recurrent neural networks" (ICML 2013).

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped.
        max_norm: the largest norm allowed.
        norm_type: the order of the norm; ``inf`` for the largest absolute value.
        error_if_nonfinite: raise instead of scaling by a nan or inf norm.
        foreach: accepted for compatibility.

    Returns:
        The total norm of the gradients before clipping, as a 0-d tensor.

    Raises:
        RuntimeError: if ``error_if_nonfinite`` and the norm is nan or inf (nothing is
            changed then).

    Example:
        >>> import bricks
        >>> w = bricks.tensor([3.0, 4.0], requires_grad=True)
        >>> w.grad = bricks.tensor([3.0, 4.0])
        >>> clip_grad_norm_([w], max_norm=1.0)
        tensor(5.)
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters: _TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient in place to ``[-clip_value, clip_value]``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped.
        clip_value: the largest absolute value allowed.
        foreach: accepted for compatibility.
    """
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            xp.clip(p.grad._value, -clip_value, clip_value, out=p.grad._value)
