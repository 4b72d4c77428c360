"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from .adam import _check_adam
from ._updates import add_zeros, decay_add_square_, decayed_grad, lerp_, start_state
from .optimizer import Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam: Adam whose first moment looks one step ahead (Nesterov momentum).

    With gradient :math:`g_t` (negated when ``maximize``) and :math:`\psi` the momentum decay:

    .. math::
        \mu_t &= \beta_1 (1 - \tfrac12\, 0.96^{t\psi}), \quad
            \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
            v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \left(\frac{(1 - \mu_t) g_t}{1 - \Pi_t}
            + \frac{\mu_{t+1} m_t}{1 - \Pi_{t+1}}\right)
            \Big/ \left(\sqrt{v_t / (1 - \beta_2^t)} + \epsilon\right)

    Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).

    Args:
        params, lr, betas, eps, weight_decay, decoupled_weight_decay, maximize: as for
            ``RAdam`` (:math:`\gamma, \beta_1, \beta_2, \epsilon, \lambda` above).
        momentum_decay: :math:`\psi`.

    Raises:
        ValueError: for a negative lr, eps, weight_decay or momentum_decay, or a beta outside
            [0, 1).
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_state(state, param)
            state["mu_product"] = Tensor._wrap(xp.ones((), xp.float32))
            add_zeros(state, param, "exp_avg", "exp_avg_sq")
        step = self._step_count(state)
        lr, (beta1, beta2) = float(group["lr"]), group["betas"]
        psi = group["momentum_decay"]
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        mu_product = state["mu_product"]._value
        mu_product *= mu  # a float32 scalar, as torch keeps it
        exp_avg, exp_avg_sq = state["exp_avg"]._value, state["exp_avg_sq"]._value
        lerp_(exp_avg, grad, 1 - beta1, work)
        decay_add_square_(exp_avg_sq, grad, beta2, work)
        denom = xp.sqrt(exp_avg_sq / (1 - beta2 ** step))
        denom += group["eps"]
        product = float(mu_product)
        param -= (lr * (1.0 - mu) / (1.0 - product)) * grad / denom
        param -= (lr * mu_next / (1.0 - product * mu_next)) * exp_avg / denom
