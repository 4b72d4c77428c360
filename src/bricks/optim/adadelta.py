"""``Adadelta``: steps whose size adapts from running averages of gradients and updates."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from ._updates import decay_add_square_, decayed_grad, start_state
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta: scale the gradient by the ratio of RMS update to RMS gradient.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2, \quad \theta_t = \theta_{t-1}
            - \gamma \Delta_t

    Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: a factor :math:`\gamma` on the step.
        rho: the averaging factor :math:`\rho`.
        eps: :math:`\epsilon`, added inside the roots for stability.
        weight_decay: L2 penalty :math:`\lambda`.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a rho outside [0, 1].
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_state(state, param, "square_avg", "acc_delta")
        self._step_count(state)
        rho, eps = group["rho"], group["eps"]
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        square_avg, acc_delta = state["square_avg"]._value, state["acc_delta"]._value
        decay_add_square_(square_avg, grad, rho, work)
        delta = xp.sqrt(acc_delta + eps)
        delta /= xp.sqrt(square_avg + eps)
        delta *= grad
        decay_add_square_(acc_delta, delta, rho, work)
        param -= float(group["lr"]) * delta
