"""Checking analytic gradients against central finite differences."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .. import _device
from .._device import xp
from .._tensor import Tensor
from .grad_mode import no_grad

__all__ = ["gradcheck"]


def _outputs(func: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    out = func(*inputs)
    return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]


def _numerical(func: Callable[..., Any], inputs: Sequence[Any], target: Tensor, direction: Any,
               eps: float) -> list[Any]:
    """Directional derivative of every output along ``direction`` in ``target``'s values."""
    original = target._value.copy()
    with no_grad():
        target._value[...] = original + eps * direction
        plus = [o._value.astype(xp.float64) for o in _outputs(func, inputs)]
        target._value[...] = original - eps * direction
        minus = [o._value.astype(xp.float64) for o in _outputs(func, inputs)]
    target._value[...] = original
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, n_directions: int | None = None,
              seed: int = 0) -> bool:
    """Compare backward's gradients with central differences (use float64 inputs).

    Small inputs are checked coordinate by coordinate; with ``n_directions``, along that many
    random directions instead (for large inputs).

    Args:
        func: maps the inputs to a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of them; those with ``requires_grad`` are checked.
        eps: the finite-difference step.
        atol: absolute tolerance.
        rtol: relative tolerance.
        raise_exception: raise on failure instead of returning False.
        n_directions: check this many random directions instead of every coordinate.
        seed: the seed of the random directions and of the output weights.

    Returns:
        True when every gradient matches.

    Raises:
        RuntimeError: when a gradient does not match and ``raise_exception`` is true.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    rng = xp.random.default_rng(seed)  # host: directions and weights go to each device
    outs = _outputs(func, inputs)
    weights = [_device.to_device(rng.standard_normal(o._value.shape), o.device) for o in outs]
    for t in inputs:
        if isinstance(t, Tensor):
            t.grad = None
    terms = [(o * Tensor._wrap(w.astype(o._value.dtype))).sum() for o, w in zip(outs, weights)
             if o.requires_grad]
    loss = sum(terms[1:], terms[0]) if terms else None
    if loss is not None and loss.requires_grad:
        loss.backward()
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t.requires_grad):
            continue
        module = _device.array_module(t._value)
        analytic = module.zeros(t._value.shape) if t.grad is None else t.grad._value
        for direction in _directions(t._value.shape, n_directions, rng):
            direction = _device.to_device(direction, t.device)
            numeric = _numerical(func, inputs, t, direction, eps)
            expected = sum(float((n * w).sum()) for n, w in zip(numeric, weights))
            got = float((analytic * direction).sum())
            if abs(got - expected) > atol + rtol * abs(expected):
                if raise_exception:
                    raise RuntimeError(f"Jacobian mismatch for input {i}: backward gives "
                                       f"{got:.8g} along a direction where finite differences "
                                       f"give {expected:.8g}")
                return False
    return True


def _directions(shape: tuple, n_directions: int | None, rng: Any) -> Any:
    if n_directions is None:
        size = 1
        for n in shape:
            size *= n
        for k in range(size):
            d = xp.zeros(size)  # host: moved to the input's device by the caller
            d[k] = 1.0
            yield d.reshape(shape)
    else:
        for _ in range(n_directions):
            yield rng.standard_normal(shape)
