"""``gluon.Trainer``: applies a bricks optimizer to Gluon parameters, as Gluon's Trainer."""

from __future__ import annotations

from typing import Any

import bricks
from bricks import optim

from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


def _sgd(params: list, lr: float, options: dict) -> optim.Optimizer:
    return optim.SGD(params, lr=lr, momentum=options.pop("momentum", 0.0),
                     weight_decay=options.pop("wd", 0.0))


def _adam(params: list, lr: float, options: dict) -> optim.Optimizer:
    betas = (options.pop("beta1", 0.9), options.pop("beta2", 0.999))
    return optim.Adam(params, lr=lr, betas=betas, eps=options.pop("epsilon", 1e-8),
                      weight_decay=options.pop("wd", 0.0))


_OPTIMIZERS = {"sgd": _sgd, "adam": _adam}


class Trainer:
    """Update parameters with an optimizer after each backward pass.

    ``step(batch_size)`` divides the gradients by ``batch_size`` (Gluon's ``rescale_grad``)
    and runs the bricks optimizer: ``'sgd'`` (``learning_rate``, ``momentum``, ``wd``) maps
    onto ``bricks.optim.SGD``, ``'adam'`` (``beta1``, ``beta2``, ``epsilon``, ``wd``) onto
    ``bricks.optim.Adam``. Each parameter's ``lr_mult`` and ``wd_mult`` (read at every
    step, as Gluon does) scale the learning rate and the weight decay it gets.

    Args:
        params: a ParameterDict (``net.collect_params()``) or a list of Parameters.
        optimizer: ``'sgd'`` or ``'adam'``.
        optimizer_params: the optimizer's settings, such as ``{'learning_rate': 0.1}``.

    Raises:
        ValueError: for an unknown optimizer or setting.
    """

    def __init__(self, params: Any, optimizer: str, optimizer_params: dict | None = None,
                 kvstore: Any = "device", compression_params: Any = None,
                 update_on_kvstore: Any = None) -> None:
        values = list(params.values()) if isinstance(params, (ParameterDict, dict)) else params
        self._params: list[Parameter] = [p for p in values if p.grad_req != "null"]
        options = dict(optimizer_params or {})
        name = optimizer.lower()
        if name not in _OPTIMIZERS:
            raise ValueError(f"Trainer(optimizer=...) expects one of {sorted(_OPTIMIZERS)}, got "
                             f"{optimizer!r}")
        self._scale = options.pop("rescale_grad", 1.0)
        self._lr = options.pop("learning_rate", 0.01)
        self._wd = options.get("wd", 0.0)
        # One group per parameter, so that each gets its own lr_mult and wd_mult.
        groups = [{"params": [p.bricks_parameter]} for p in self._params]
        self._optimizer = _OPTIMIZERS[name](groups or [p.bricks_parameter for p in self._params],
                                            self._lr, options)
        if options:
            raise ValueError(f"Trainer: unknown optimizer_params {sorted(options)} for "
                             f"{optimizer!r}")

    @property
    def learning_rate(self) -> float:
        return self._lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the learning rate (each parameter still gets it times its ``lr_mult``)."""
        self._lr = lr

    def _apply_multipliers(self) -> None:
        """Each parameter's lr and wd are the Trainer's times its current multipliers."""
        for param, group in zip(self._params, self._optimizer.param_groups):
            group["lr"] = self._lr * param.lr_mult
            group["weight_decay"] = self._wd * param.wd_mult

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Update the parameters with their gradients divided by ``batch_size``.

        Raises:
            RuntimeError: if a parameter has not been initialized (or run forward yet).
        """
        for param in self._params:
            param._check_initialized()
        scale = self._scale / batch_size
        variables = [param.bricks_parameter for param in self._params]
        grads = [variable.grad for variable in variables]
        with bricks.no_grad():
            for variable, grad in zip(variables, grads):
                if grad is not None:
                    variable.grad = grad * scale  # the optimizer sees rescaled gradients
            self._apply_multipliers()
            self._optimizer.step()
        for variable, grad in zip(variables, grads):
            variable.grad = grad  # grad() still shows what backward computed, as in Gluon

    def update(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """Same as ``step`` (gradients are never kept on a separate store)."""
        self.step(batch_size, ignore_stale_grad)

    def save_states(self, fname: str) -> None:
        """Save the optimizer's state to a safetensors file."""
        bricks.save(self._optimizer.state_dict(), fname)

    def load_states(self, fname: str) -> None:
        """Load the optimizer's state saved by ``save_states``."""
        self._optimizer.load_state_dict(bricks.load(fname))
