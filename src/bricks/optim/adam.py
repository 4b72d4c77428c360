"""``Adam``: adaptive moment estimation, with AMSGrad and (decoupled) weight decay."""

from __future__ import annotations

import math
from typing import Any

from .._device import xp
from .._tensor import Tensor
from ._updates import add_zeros, decay_add_square_, decayed_grad, lerp_, start_state
from .optimizer import Optimizer

__all__ = ["Adam"]


def _check_adam(lr: Any, betas: Any, eps: float, weight_decay: float) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    r"""Adam: step by bias-corrected running averages of the gradient and its square.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1}
            \quad\text{(or } \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)
            \text{ when decoupled)} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ (amsgrad) or } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}
            \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); AMSGrad from
    Reddi et al., "On the Convergence of Adam and Beyond" (ICLR 2018).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        betas: :math:`(\beta_1, \beta_2)`, the averaging factors of the moments.
        eps: :math:`\epsilon`, added to the denominator for stability.
        weight_decay: :math:`\lambda`, an L2 penalty (decoupled when asked).
        amsgrad: use the maximum of past second moments.
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: decay the weights directly, as ``AdamW``.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_state(state, param, "exp_avg", "exp_avg_sq")
            if group["amsgrad"]:
                add_zeros(state, param, "max_exp_avg_sq")
        step = self._step_count(state)
        lr = float(group["lr"])
        beta1, beta2 = group["betas"]
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        exp_avg, exp_avg_sq = state["exp_avg"]._value, state["exp_avg_sq"]._value
        lerp_(exp_avg, grad, 1 - beta1, work)
        decay_add_square_(exp_avg_sq, grad, beta2, work)
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]._value
            xp.maximum(second, exp_avg_sq, out=second)
        else:
            second = exp_avg_sq
        denom = xp.sqrt(second, out=work)
        denom /= math.sqrt(1 - beta2 ** step)
        denom += group["eps"]
        update = xp.multiply(exp_avg, lr / (1 - beta1 ** step), out=other)
        update /= denom
        param -= update
