"""Stochastic weight averaging and EMA (``torch.optim.swa_utils``): ``AveragedModel`` keeps
a running average of a model's parameters (and optionally buffers), ``SWALR`` anneals the
learning rate to a constant, ``update_bn`` recomputes batch-norm statistics for the
averaged weights."""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any, Callable, Iterable

from .. import _creation, _dtypes
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.module import Module
from ..nn.modules.normalization import _BatchNorm, _InstanceNorm
from .lr_scheduler import LRScheduler, _format_param
from .optimizer import Optimizer

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_avg_fn", "get_ema_multi_avg_fn",
           "get_swa_avg_fn", "get_swa_multi_avg_fn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """``avg_fn`` of an exponential moving average: ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn() -> Callable:
    """``avg_fn`` of the equal-weight average: ``avg + (current - avg) / (n + 1)``."""
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """``multi_avg_fn`` of an exponential moving average, updating in place (by ``lerp``,
    as torch's, for floating tensors)."""
    _check_decay(decay)
    one = get_ema_avg_fn(decay)

    def ema_update(ema_params: list, current_params: list, num_averaged: Any) -> None:
        with no_grad():
            for ema, current in zip(ema_params, current_params):
                if ema.is_floating_point():
                    ema.copy_(ema.lerp(current, 1 - decay))
                else:
                    ema.copy_(one(ema, current, num_averaged))
    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """``multi_avg_fn`` of the equal-weight average, updating in place (``lerp`` by
    ``1 / (n + 1)``, as torch's, for floating tensors)."""
    one = get_swa_avg_fn()

    def swa_update(averaged_params: list, current_params: list, num_averaged: Any) -> None:
        floating = averaged_params[0].is_floating_point()
        if not floating and isinstance(num_averaged, Tensor):
            raise RuntimeError(_INTEGER_ADDCDIV)  # torch's foreach addcdiv refuses integers
        weight = float(1 / (num_averaged + 1))  # float32 when n is a tensor, as in torch
        with no_grad():
            for averaged, current in zip(averaged_params, current_params):
                if floating:
                    averaged.copy_(averaged.lerp(current, weight))
                else:
                    averaged.copy_(one(averaged, current, num_averaged))
    return swa_update


_INTEGER_ADDCDIV = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes.")


class AveragedModel(Module):
    """A deep copy of ``model`` (as ``self.module``) whose parameters are averaged by
    ``update_parameters``: equal weights by default, or ``avg_fn``/``multi_avg_fn``. The
    buffer ``n_averaged`` counts the updates; with ``use_buffers`` the buffers are averaged
    too, otherwise they are copied from the model."""

    def __init__(self, model: Module, device: Any = None, avg_fn: Callable | None = None,
                 multi_avg_fn: Callable | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _creation.tensor(0, dtype=_dtypes.int64,
                                                            device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def _averaged(self, model: Module) -> list[tuple[Tensor, Tensor]]:
        """(averaged, current) pairs of what is averaged: parameters, buffers if asked."""
        mine: Iterable[Tensor]
        theirs: Iterable[Tensor]
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        return [(a.detach(), m.detach().to(a.device)) for a, m in zip(mine, theirs)]

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current values into the average (the first call copies them)."""
        pairs = self._averaged(model)
        n = self.n_averaged
        with no_grad():
            if int(n) == 0:
                for averaged, current in pairs:
                    averaged.copy_(current)
            elif self.avg_fn is not None:
                for averaged, current in pairs:
                    averaged.copy_(self.avg_fn(averaged, current, n))
            elif self.multi_avg_fn is not None:
                for group in _by_dtype(pairs):
                    self.multi_avg_fn([a for a, _ in group], [c for _, c in group], n)
            else:
                average = get_swa_avg_fn()
                for averaged, current in pairs:
                    averaged.copy_(average(averaged, current, n))
            if not self.use_buffers:
                for mine, theirs in zip(self.module.buffers(), model.buffers()):
                    mine.copy_(theirs.detach().to(mine.device))
            self.n_averaged += 1


def _by_dtype(pairs: list) -> list[list]:
    """The pairs grouped by device and dtype (as torch hands ``multi_avg_fn`` its lists)."""
    groups: dict = {}
    for averaged, current in pairs:
        groups.setdefault((str(averaged.device), averaged.dtype), []).append((averaged, current))
    return list(groups.values())


def update_bn(loader: Iterable, model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch-norm layer by one pass over
    ``loader`` (each batch a tensor, or a sequence whose first item is the input)."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` (cosine or linear), then
    keep it there.

    Raises:
        ValueError: for an unknown ``anneal_strategy`` or a negative ``anneal_epochs``.
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1) -> None:
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """How far along the way to ``swa_lr`` at fraction ``t`` of the annealing."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * t)) / 2
        return t

    def get_lr(self) -> list[float]:
        # The lr annealing started from is recovered from the current one, so that another
        # schedule may have changed it in between (torch's formula).
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        lrs = []
        for group in self.optimizer.param_groups:
            start = group["swa_lr"] if prev_alpha == 1 else (
                (group["lr"] - prev_alpha * group["swa_lr"]) / (1 - prev_alpha))
            lrs.append(group["swa_lr"] * alpha + start * (1 - alpha))
        return lrs
