"""``mindspore.nn`` optimizers, with MindSpore's update rules (which differ from PyTorch's in
where epsilon sits, in bias correction and in how weight decay enters).

An optimizer is called with the gradients, in the order of ``optimizer.parameters``, as
``ms.value_and_grad(..., weights=optimizer.parameters)`` returns them. Learning rates may be
a number, a list with one rate per step (``piecewise_constant_lr``, ``exponential_decay_lr``)
or given per parameter group, with a weight decay per group.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy

import bricks

from ..._facade import unwrap
from .._autodiff import ParameterTuple
from ..tensor import Parameter, Tensor
from .cell import Cell

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay", "piecewise_constant_lr",
           "exponential_decay_lr"]


def piecewise_constant_lr(milestone: Sequence[int], learning_rates: Sequence[float]) -> list:
    """One rate per step: ``learning_rates[i]`` until step ``milestone[i]``.

    Example:
        >>> piecewise_constant_lr([2, 5], [0.1, 0.05])
        [0.1, 0.1, 0.05, 0.05, 0.05]
    """
    if len(milestone) != len(learning_rates):
        raise ValueError(f"For 'piecewise_constant_lr', the size of 'milestone' "
                         f"({len(milestone)}) must be equal to the size of 'learning_rates' "
                         f"({len(learning_rates)})")
    rates, start = [], 0
    for end, rate in zip(milestone, learning_rates):
        if end <= start:
            raise ValueError("For 'piecewise_constant_lr', 'milestone' must be increasing")
        rates += [rate] * (end - start)
        start = end
    return rates


def exponential_decay_lr(learning_rate: float, decay_rate: float, total_step: int,
                         step_per_epoch: int, decay_epoch: int, is_stair: bool = False) -> list:
    """One rate per step: ``learning_rate * decay_rate ** (epoch / decay_epoch)``.

    Example:
        >>> [round(r, 6) for r in exponential_decay_lr(0.1, 0.9, 4, 2, 1)]
        [0.1, 0.1, 0.09, 0.09]
    """
    rates = []
    for step in range(total_step):
        epoch = step // step_per_epoch
        power = epoch // decay_epoch if is_stair else epoch / decay_epoch
        rates.append(learning_rate * decay_rate ** power)
    return rates


class Optimizer(Cell):
    """The base of MindSpore optimizers: parameter groups, dynamic rates, weight decay.

    Subclasses write ``_update(param, grad, state, lr, weight_decay)`` on arrays.

    Args:
        learning_rate: a number, a list (one per step) or a 1-D Tensor of per-step rates.
        parameters: Parameters, or group dicts with ``'params'`` and optional ``'lr'`` and
            ``'weight_decay'`` (an ``{'order_params': ...}`` entry is accepted).
        weight_decay: the L2 coefficient of parameters whose group sets none.
        loss_scale: gradients are divided by it before the update.
    """

    # MindSpore's attribute: the optimized parameters, in place of Module.parameters().
    parameters: ParameterTuple  # type: ignore[assignment]

    def __init__(self, learning_rate: Any, parameters: Any, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        super().__init__(auto_prefix=False)
        self._groups: list[dict] = []
        for group in _groups(parameters):
            self._groups.append({"params": group["params"],
                                 "lr": _rates(group.get("lr", learning_rate)),
                                 "weight_decay": float(group.get("weight_decay", weight_decay))})
        self.parameters = ParameterTuple(p for g in self._groups for p in g["params"])
        self.loss_scale = float(loss_scale)
        self.global_step = Parameter(numpy.array([0], numpy.int32), name="global_step",
                                     requires_grad=False)
        self._state: dict[int, dict] = {}

    def get_lr(self) -> Tensor:
        """The learning rate of the current step (of the first group)."""
        return Tensor(numpy.float32(self._rate(self._groups[0]["lr"])))

    def _rate(self, rates: list) -> float:
        step = int(self.global_step.asnumpy()[0])
        return rates[min(step, len(rates) - 1)]

    def construct(self, gradients: Any) -> bool:
        grads = list(gradients)
        if len(grads) != len(self.parameters):
            raise ValueError(f"For '{type(self).__name__}', got {len(grads)} gradients for "
                             f"{len(self.parameters)} parameters")
        index = 0
        with bricks.no_grad():
            for group in self._groups:
                lr = self._rate(group["lr"])
                for param in group["params"]:
                    grad = unwrap(grads[index]).detach()._value / self.loss_scale
                    index += 1
                    state = self._state.setdefault(id(param), {})
                    self._update(param.detach()._value, grad, state, lr, group["weight_decay"])
        self.global_step.detach()._value += 1
        return True

    def _update(self, param: Any, grad: Any, state: dict, lr: float,
                weight_decay: float) -> None:
        raise NotImplementedError


def _groups(parameters: Any) -> list[dict]:
    items = list(parameters)
    if not items:
        raise ValueError("Optimizer got an empty parameter list")
    if not isinstance(items[0], dict):
        return [{"params": items}]
    return [dict(g, params=list(g["params"])) for g in items if "order_params" not in g]


def _rates(learning_rate: Any) -> list:
    if isinstance(learning_rate, (int, float)):
        if learning_rate < 0:
            raise ValueError(f"The learning rate must be >= 0, but got {learning_rate}")
        return [float(learning_rate)]
    values = numpy.asarray(unwrap(learning_rate).detach().numpy()
                           if not isinstance(learning_rate, (list, tuple)) else learning_rate,
                           dtype=numpy.float64).reshape(-1)
    return [float(v) for v in values]


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening and Nesterov, MindSpore's rule.

    ``g += weight_decay * p``; the first step sets ``accum = g``, later ones
    ``accum = momentum * accum + (1 - dampening) * g``; ``p -= lr * accum`` (Nesterov:
    ``p -= lr * (g + momentum * accum)``).
    """

    def __init__(self, params: Any, learning_rate: Any = 0.1, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 loss_scale: float = 1.0) -> None:
        if momentum < 0 or dampening < 0:
            raise ValueError(f"For 'SGD', 'momentum' and 'dampening' must be >= 0, got "
                             f"{momentum} and {dampening}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("For 'SGD', nesterov needs momentum > 0 and no dampening")
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov

    def _update(self, param, grad, state, lr, weight_decay):
        if weight_decay:
            grad = grad + weight_decay * param
        step = grad
        if self.momentum:
            accum = state.get("accum")
            if accum is None:
                accum = state["accum"] = grad.copy()
            else:
                accum *= self.momentum
                accum += (1 - self.dampening) * grad
            step = grad + self.momentum * accum if self.nesterov else accum
        param -= lr * step


class Momentum(Optimizer):
    """Momentum SGD, MindSpore's rule: ``accum = momentum * accum + g``, ``p -= lr * accum``
    (Nesterov: ``p -= lr * (g + momentum * accum)``), with ``g += weight_decay * p``."""

    def __init__(self, params: Any, learning_rate: Any, momentum: float,
                 weight_decay: float = 0.0, loss_scale: float = 1.0,
                 use_nesterov: bool = False) -> None:
        if momentum < 0:
            raise ValueError(f"For 'Momentum', 'momentum' must be >= 0, but got {momentum}")
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.momentum, self.use_nesterov = momentum, use_nesterov

    def _update(self, param, grad, state, lr, weight_decay):
        if weight_decay:
            grad = grad + weight_decay * param
        accum = state.setdefault("accum", numpy.zeros_like(param))
        accum *= self.momentum
        accum += grad
        param -= lr * (grad + self.momentum * accum if self.use_nesterov else accum)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), MindSpore's rule: ``lr_t = lr * sqrt(1 - beta2^t) /
    (1 - beta1^t)``, ``p -= lr_t * m / (sqrt(v) + eps)``, with ``g += weight_decay * p``."""

    def __init__(self, params: Any, learning_rate: Any = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, use_locking: bool = False,
                 use_nesterov: bool = False, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        _check_betas("Adam", beta1, beta2, eps)
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def _update(self, param, grad, state, lr, weight_decay):
        if weight_decay:
            grad = grad + weight_decay * param
        m, v, t = _moments(state, param, grad, self.beta1, self.beta2)
        lr_t = lr * math.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)
        param -= lr_t * m / (numpy.sqrt(v) + self.eps)


class AdamWeightDecay(Adam):
    """Adam with decoupled weight decay, MindSpore's rule (no bias correction):
    ``p -= lr * (m / (sqrt(v) + eps) + weight_decay * p)``."""

    def __init__(self, params: Any, learning_rate: Any = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-6, weight_decay: float = 0.0) -> None:
        super().__init__(params, learning_rate, beta1, beta2, eps, weight_decay=weight_decay)

    def _update(self, param, grad, state, lr, weight_decay):
        m, v, _ = _moments(state, param, grad, self.beta1, self.beta2)
        update = m / (numpy.sqrt(v) + self.eps)
        if weight_decay:
            update += weight_decay * param
        param -= lr * update


def _check_betas(name: str, beta1: float, beta2: float, eps: float) -> None:
    if not (0 < beta1 < 1 and 0 < beta2 < 1) or eps <= 0:
        raise ValueError(f"For '{name}', 'beta1' and 'beta2' must be in (0, 1) and 'eps' > 0, "
                         f"but got beta1={beta1}, beta2={beta2}, eps={eps}")


def _moments(state: dict, param: Any, grad: Any, beta1: float, beta2: float) -> tuple:
    m = state.setdefault("m", numpy.zeros_like(param))
    v = state.setdefault("v", numpy.zeros_like(param))
    state["t"] = t = state.get("t", 0) + 1
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    return m, v, t
