"""``Adamax``: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .adam import _check_adam
from ._updates import decayed_grad, lerp_, start_state
from .optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: divide the first moment by a decaying maximum of gradient magnitudes.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}

    Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        betas: :math:`(\beta_1, \beta_2)`.
        eps: :math:`\epsilon`, added to the magnitudes for stability.
        weight_decay: L2 penalty :math:`\lambda`.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_state(state, param, "exp_avg", "exp_inf")
        step = self._step_count(state)
        beta1, beta2 = group["betas"]
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        exp_avg, exp_inf = state["exp_avg"]._value, state["exp_inf"]._value
        lerp_(exp_avg, grad, 1 - beta1, work)
        exp_inf *= beta2
        magnitude = xp.abs(grad)
        magnitude += group["eps"]
        xp.maximum(exp_inf, magnitude, out=exp_inf)
        param -= (float(group["lr"]) / (1 - beta1 ** step)) * exp_avg / exp_inf
