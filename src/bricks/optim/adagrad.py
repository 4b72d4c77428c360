"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from ._updates import decayed_grad
from .optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: divide each step by the root of the sum of all squared gradients so far.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        \tilde\gamma &= \gamma / (1 + (t - 1)\eta) \\
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \quad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\gamma\, g_t / (\sqrt{s_t} + \epsilon)

    Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization" (JMLR 2011).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        lr_decay: learning-rate decay :math:`\eta`.
        weight_decay: L2 penalty :math:`\lambda`.
        initial_accumulator_value: the starting value of the sum :math:`s`.
        eps: :math:`\epsilon`, added to the denominator for stability.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, lr_decay, weight_decay, initial_accumulator_value or
            eps.
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = (("learning rate", lr), ("lr_decay value", lr_decay),
                  ("weight_decay value", weight_decay),
                  ("initial_accumulator_value value", initial_accumulator_value),
                  ("epsilon value", eps))
        for what, value in checks:
            if not 0.0 <= value:
                raise ValueError(f"Invalid {what}: {value}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates the sums up front
            for p in group["params"]:
                if isinstance(p._value, xp.ndarray):  # a lazy parameter gets its sum later
                    self._init_state(self.state[p], p._value, group)

    @staticmethod
    def _init_state(state: dict[str, Any], param: Any, group: dict[str, Any]) -> None:
        state["step"] = Tensor._wrap(xp.zeros((), xp.float32))
        value = group["initial_accumulator_value"]
        state["sum"] = Tensor._wrap(xp.full_like(param, value))

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:  # a group added later, or a state loaded without this parameter
            self._init_state(state, param, group)
        step = self._step_count(state)
        work, other = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, other)
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]._value
        state_sum += xp.multiply(grad, grad, out=work)
        std = xp.sqrt(state_sum, out=work)
        std += group["eps"]
        update = xp.multiply(grad, clr, out=other)
        update /= std
        param -= update
