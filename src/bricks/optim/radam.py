"""``RAdam``: Adam with a rectified (variance-corrected) adaptive learning rate."""

from __future__ import annotations

import math
from typing import Any

from .._device import xp
from .adam import _check_adam
from ._updates import decay_add_square_, decayed_grad, lerp_, start_state
from .optimizer import Optimizer

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam: take SGD-with-momentum steps until the second moment is trustworthy.

    With gradient :math:`g_t` (negated when ``maximize``), Adam's moments :math:`m_t, v_t`,
    :math:`\rho_\infty = 2 / (1 - \beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t / (1 - \beta_2^t)`:

    .. math::
        \hat m_t &= m_t / (1 - \beta_1^t) \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t\, r_t
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon} \text{ if } \rho_t > 5,
            \text{ else } \theta_{t-1} - \gamma \hat m_t \\
        r_t &= \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}

    Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        betas: :math:`(\beta_1, \beta_2)`.
        eps: :math:`\epsilon`, added to the denominator for stability.
        weight_decay: L2 penalty :math:`\lambda` (decoupled when asked, as AdamW).
        decoupled_weight_decay: shrink the weights directly instead of adding to the gradient.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_state(state, param, "exp_avg", "exp_avg_sq")
        step = self._step_count(state)
        lr, (beta1, beta2) = float(group["lr"]), group["betas"]
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        exp_avg, exp_avg_sq = state["exp_avg"]._value, state["exp_avg_sq"]._value
        lerp_(exp_avg, grad, 1 - beta1, work)
        decay_add_square_(exp_avg_sq, grad, beta2, work)
        bias_correction2 = 1 - beta2 ** step
        corrected = exp_avg / (1 - beta1 ** step)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t <= 5.0:
            param -= corrected * lr
            return
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = math.sqrt(bias_correction2) / (xp.sqrt(exp_avg_sq) + group["eps"])
        param -= corrected * lr * adaptive * rect
