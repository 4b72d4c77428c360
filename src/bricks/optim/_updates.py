"""Pieces of update rules that several optimizers share, each written once.

They work in place on arrays, with temporaries in the optimizer's scratch arrays
(``Optimizer._scratch``), and round exactly as the torch operations they stand for, so that
the optimizers match torch step by step.
"""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor

__all__: list[str] = []


def start_state(state: dict[str, Any], param: Any, *names: str) -> None:
    """Start a parameter's state as torch does: ``step``, a float32 0, first; then an array
    of zeros like ``param`` under each of ``names``, in that order (the state dict's)."""
    state["step"] = Tensor._wrap(xp.zeros((), xp.float32))
    add_zeros(state, param, *names)


def add_zeros(state: dict[str, Any], param: Any, *names: str) -> None:
    """Add an array of zeros like ``param`` under each of ``names``."""
    for name in names:
        state[name] = Tensor._wrap(xp.zeros_like(param))


def decayed_grad(param: Any, grad: Any, group: dict[str, Any], work: Any, out: Any) -> Any:
    """The gradient a step follows: ``grad`` negated when ``maximize``, plus
    ``weight_decay * param`` (an L2 penalty); or, when the group asks for
    ``decoupled_weight_decay`` (AdamW's), ``param`` shrunk by ``1 - lr * weight_decay`` in
    place and the gradient left without the penalty.

    ``grad`` itself (the parameter's ``.grad``) is never written: a changed gradient is
    returned in ``out``, with ``work`` as scratch; both are arrays like ``param``.
    """
    weight_decay = group["weight_decay"]
    if group["maximize"]:
        grad = xp.negative(grad, out=out)
    if weight_decay:
        if group.get("decoupled_weight_decay"):
            param *= 1 - float(group["lr"]) * weight_decay
        else:
            xp.multiply(param, weight_decay, out=work)
            grad = xp.add(grad, work, out=out)
    return grad


def lerp_(average: Any, value: Any, weight: float, work: Any) -> None:
    """``average += weight * (value - average)`` in place: torch's ``lerp_`` for a weight
    below 0.5, the running mean of a first moment (``weight`` is ``1 - beta``)."""
    xp.subtract(value, average, out=work)
    work *= weight
    average += work


def decay_add_square_(average: Any, value: Any, decay: float, work: Any) -> None:
    """``average = decay * average + (1 - decay) * value**2`` in place, rounded as torch's
    ``mul_(decay).addcmul_(value, value, value=1 - decay)``: a second moment's running mean."""
    average *= decay
    xp.multiply(value, value, out=work)
    work *= 1 - decay
    average += work
