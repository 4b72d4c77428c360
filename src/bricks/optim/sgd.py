"""``SGD``: stochastic gradient descent with optional momentum, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._tensor import Tensor
from ._updates import decayed_grad
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With gradient :math:`g_t` (negated when ``maximize``), per parameter :math:`\theta`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        b_t &= \mu b_{t-1} + (1 - \tau) g_t \quad (b_1 = g_1) \\
        g_t &\leftarrow g_t + \mu b_t \text{ (nesterov) or } b_t \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    Momentum as in Sutskever et al., "On the importance of initialization and momentum in
    deep learning" (ICML 2013), written PyTorch's way (the lr multiplies the buffer).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        momentum: momentum factor :math:`\mu`.
        dampening: dampening :math:`\tau` for momentum.
        weight_decay: L2 penalty :math:`\lambda`.
        nesterov: use Nesterov momentum.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, momentum or weight_decay, or Nesterov without
            momentum or with dampening.

    Example:
        >>> import bricks
        >>> w = bricks.tensor([1.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update(self, param: Any, grad: Any, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        momentum = group["momentum"]
        work, direction = self._scratch(param)
        grad = decayed_grad(param, grad, group, work, direction)
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._wrap(grad.copy())
            else:
                b = buf._value
                b *= momentum
                b += xp.multiply(grad, 1 - group["dampening"], out=work)
            if group["nesterov"]:
                xp.multiply(buf._value, momentum, out=work)
                grad = xp.add(grad, work, out=direction)
            else:
                grad = buf._value
        param -= xp.multiply(grad, lr, out=work)  # lr * grad, in a buffer reused every step
