"""Schedules made of schedules: ``SequentialLR`` (one after another) and
``ChainedScheduler`` (all at once)."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Sequence

from .lr_scheduler import LRScheduler
from .optimizer import Optimizer

__all__ = ["SequentialLR", "ChainedScheduler"]


def _check_members(owner: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    """Every member is a step()-only schedule of ``optimizer``, as torch checks."""
    from ._lr_plateau import ReduceLROnPlateau

    if len(schedulers) < 1:
        raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support `ReduceLROnPlateau` scheduler as it "
                             "requires additional kwargs to be specified when calling `step`, "
                             f"but got one at index {i} in the given schedulers sequence.")
        if optimizer is not scheduler.optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, "
                             f"but got scheduler {type(scheduler).__name__} at index {i} has "
                             f"{scheduler.optimizer}, which is different from "
                             f"{type(optimizer).__name__}.")


class _Composite(LRScheduler):
    """Saves and loads its members' states inside its own."""

    _schedulers: list[Any]

    def state_dict(self) -> dict[str, Any]:
        """The state, with each member's state dict in ``'_schedulers'``."""
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state and each member's."""
        state = dict(state_dict)
        members = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, members):
            scheduler.load_state_dict(saved)


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` from ``milestones[i - 1]`` on (each restarted at its milestone).

    Args:
        optimizer: the wrapped optimizer (all schedulers must wrap it).
        schedulers: the schedules, in order (not ``ReduceLROnPlateau``).
        milestones: the epochs at which the next schedule takes over (one fewer).
        last_epoch: the index of the last epoch.

    Raises:
        ValueError: for no schedulers, a wrong number of milestones, a
            ``ReduceLROnPlateau`` or a schedule of another optimizer.
        TypeError: for a member without an optimizer.

    Example:
        >>> import bricks
        >>> from bricks.optim import SGD, lr_scheduler
        >>> opt = SGD([bricks.zeros(1, requires_grad=True)], lr=1.0)
        >>> warmup = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> schedule = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> lrs = []
        >>> for _ in range(4):
        ...     lrs.append(schedule.get_last_lr()[0])
        ...     schedule.step()
        >>> lrs
        [0.5, 0.75, 1.0, 0.5]
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        _check_members(type(self).__name__, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be "
                             "one more than the number of milestone points, but got number of "
                             f"schedulers {len(schedulers)} and the number of milestones to be "
                             f"equal to {len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo what the members' first steps did
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            _undo_step(scheduler)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch: the current schedule steps, or the next one starts afresh."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _undo_step(scheduler: Any) -> None:
    """Take back one epoch of a schedule (of each member, for a composite)."""
    if hasattr(scheduler, "_schedulers"):
        for member in scheduler._schedulers:
            _undo_step(member)
    elif hasattr(scheduler, "last_epoch"):
        scheduler.last_epoch -= 1


class ChainedScheduler(_Composite):
    """Step every schedule at once, each scaling the lr the ones before it set.

    Args:
        schedulers: the schedules (not ``ReduceLROnPlateau``), all of one optimizer.
        optimizer: that optimizer (default: the first schedule's).

    Raises:
        ValueError: for no schedulers, a ``ReduceLROnPlateau`` or a schedule of another
            optimizer.
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler to be "
                             "chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_members(type(self).__name__, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Step every schedule, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
