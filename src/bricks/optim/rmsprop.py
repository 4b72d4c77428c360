"""``RMSprop``: divide the gradient by a running root mean square of recent gradients."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from ._updates import add_zeros, decay_add_square_, decayed_grad, lerp_, start_state
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: scale each step by a running root mean square of the gradient.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t \quad\text{(centered)} \\
        d_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \text{ (centered) or } \sqrt{v_t} + \epsilon \\
        b_t &= \mu b_{t-1} + g_t / d_t, \quad \theta_t = \theta_{t-1} - \gamma b_t
            \quad\text{(or } \theta_t = \theta_{t-1} - \gamma g_t / d_t \text{ when } \mu = 0)

    Hinton, "Neural Networks for Machine Learning", lecture 6e (2012); the centered form
    from Graves, "Generating Sequences With Recurrent Neural Networks" (2013).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        alpha: smoothing constant :math:`\alpha`.
        eps: :math:`\epsilon`, added to the denominator for stability.
        weight_decay: L2 penalty :math:`\lambda`.
        momentum: momentum factor :math:`\mu`.
        centered: normalize by the estimated variance instead of the second moment.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, eps, momentum, weight_decay or alpha.
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = (("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                  ("weight_decay value", weight_decay), ("alpha value", alpha))
        for what, value in checks:
            if not 0.0 <= value:
                raise ValueError(f"Invalid {what}: {value}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        momentum, centered = group["momentum"], group["centered"]
        if not state:
            start_state(state, param, "square_avg")
            if momentum > 0:
                add_zeros(state, param, "momentum_buffer")
            if centered:
                add_zeros(state, param, "grad_avg")
        self._step_count(state)
        alpha, lr = group["alpha"], float(group["lr"])
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        square_avg = state["square_avg"]._value
        decay_add_square_(square_avg, grad, alpha, work)
        if centered:
            grad_avg = state["grad_avg"]._value
            lerp_(grad_avg, grad, 1 - alpha, work)
            xp.multiply(grad_avg, grad_avg, out=work)
            avg = xp.subtract(square_avg, work, out=work)
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg, out=work)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]._value
            buf *= momentum
            buf += xp.divide(grad, avg, out=avg)
            param -= xp.multiply(buf, lr, out=work)
        else:
            step = xp.multiply(grad, lr, out=other)
            step /= avg
            param -= step
