"""``ParameterMonitor``: statistics of every parameter and its gradient while training.

Call ``monitor.step()`` once per training step, after ``optimizer.step()``. Every
``every`` steps it records, per parameter, the statistics of its values and gradients and
the update-to-weight ratio; on the steps listed in ``histogram_steps`` it also keeps copies
of the values and gradients for histograms. On any other step ``step()`` only counts.
"""

from __future__ import annotations

import csv
import math
import os
from typing import Any, Iterable

import numpy as np

__all__ = ["ParameterMonitor", "STAT_COLUMNS"]

#: The columns of ``ParameterMonitor.rows()`` and of its CSV, in order.
STAT_COLUMNS = (
    "step", "name", "shape", "numel",
    "norm", "mean", "std", "min", "max", "zero_fraction",
    "grad_norm", "grad_mean", "grad_std", "grad_min", "grad_max", "grad_zero_fraction",
    "update_ratio",
)


class ParameterMonitor:
    """Record statistics of a model's parameters and gradients every ``every`` steps.

    Each record holds, for each parameter (a tied parameter once, named by all its dotted
    names joined with ``" = "``, e.g. ``"2.weight = 4.weight"``): the L2 norm, mean,
    standard deviation (population, ``ddof=0``), min, max and fraction of exact zeros of
    its values, the same six of its gradient (NaN while it has none), and the
    update-to-weight ratio

        update_ratio = ||w_t - w_{t-1}|| / ||w_{t-1}||

    where ``w_t`` is the parameter after step ``t`` (the recorded step) and ``w_{t-1}``
    before it: the relative size of the last single update (about 1e-3 is healthy for
    SGD-like training). To have ``w_{t-1}``, the monitor copies the parameters at the step
    just before each recorded one; the ratio is NaN when no copy exists (the first step
    of a lazy parameter) and when ``||w_{t-1}|| = 0``. Statistics are computed in float64.

    Args:
        model: the ``bricks.nn.Module`` to watch; parameters are looked up at each record,
            so lazy parameters appear once materialized.
        every: record on steps ``every, 2*every, ...`` (steps count from 1).
        histogram_steps: steps at which to also keep full copies of values and gradients,
            for ``plot_histograms``. Step 0 means now, at construction (values only).

    Example:
        >>> import bricks
        >>> import bricks.optim
        >>> from bricks import nn
        >>> net = nn.Linear(3, 2)
        >>> monitor = ParameterMonitor(net, every=2)
        >>> optimizer = bricks.optim.SGD(net.parameters(), lr=0.1)
        >>> for _ in range(4):
        ...     optimizer.zero_grad()
        ...     net(bricks.ones(4, 3)).sum().backward()
        ...     optimizer.step()
        ...     monitor.step()
        >>> [(row["step"], row["name"]) for row in monitor.rows()]
        [(2, 'weight'), (2, 'bias'), (4, 'weight'), (4, 'bias')]
    """

    def __init__(self, model: Any, every: int = 1,
                 histogram_steps: Iterable[int] = ()) -> None:
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError(f"ParameterMonitor: expected every to be a positive int, "
                             f"got {every!r}")
        steps = sorted(set(histogram_steps))
        if any(not isinstance(s, int) or s < 0 for s in steps):
            raise ValueError(f"ParameterMonitor: expected histogram_steps to be ints >= 0, "
                             f"got {list(histogram_steps)!r}")
        self.model = model
        self.every = every
        self.histogram_steps = steps
        self._step = 0
        self._records: list[dict[str, Any]] = []
        self._samples: dict[int, dict[str, tuple]] = {}
        self._previous: dict[int, np.ndarray] = {}
        if 0 in steps:
            self._samples[0] = self._take_samples()
        self._prepare_next()

    @property
    def steps_taken(self) -> int:
        """How many times ``step()`` has been called."""
        return self._step

    def step(self) -> None:
        """Count one training step; record, sample or copy only when this step needs it."""
        self._step += 1
        if self._step < self._next_event:
            return
        step = self._step
        if step % self.every == 0:
            self.record()
        if step in self.histogram_steps:
            self._samples[step] = self._take_samples()
        self._prepare_next()

    def record(self) -> None:
        """Record the statistics now, as for the current step (also usable by hand)."""
        previous, self._previous = self._previous, {}
        for names, param in self._groups():
            values = _as_float64(param)
            grad = None if param.grad is None else _as_float64(param.grad)
            row = {"step": self._step, "name": " = ".join(names),
                   "shape": "x".join(str(d) for d in values.shape), "numel": values.size}
            row.update(_stats(values, ""))
            row.update(_stats(grad, "grad_"))
            row["update_ratio"] = _update_ratio(values, previous.get(id(param)))
            self._records.append(row)

    def rows(self) -> list[dict[str, Any]]:
        """Every record as a dict with the keys of ``STAT_COLUMNS``, in step order."""
        return [dict(row) for row in self._records]

    def to_csv(self, path: str | os.PathLike) -> str:
        """Write ``rows()`` to a CSV file with a header line; return the path."""
        path = os.fspath(path)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=STAT_COLUMNS)
            writer.writeheader()
            writer.writerows(self._records)
        return path

    def samples(self) -> dict[int, dict[str, tuple]]:
        """The kept copies: ``{step: {name: (values, grad or None)}}`` as flat float arrays."""
        return {step: dict(kept) for step, kept in self._samples.items()}

    def plot_curves(self, path: str | os.PathLike,
                    metrics: Iterable[str] = ("norm", "std", "grad_norm", "update_ratio")
                    ) -> str:
        """Plot each metric over the steps, one line per parameter, to a PNG; return path.

        Raises:
            ImportError: without matplotlib, saying how to install it.
            ValueError: if nothing was recorded or a metric is not a numeric column.
        """
        from .plots import plot_curves

        return plot_curves(self._records, path, tuple(metrics))

    def plot_histograms(self, path: str | os.PathLike, steps: Iterable[int] | None = None
                        ) -> str:
        """Plot histograms of values and gradients at the given steps to a PNG; return path.

        Args:
            path: where to write the PNG.
            steps: steps among ``histogram_steps`` (default: all of them).

        Raises:
            ImportError: without matplotlib, saying how to install it.
            ValueError: if a step was not sampled (list it in ``histogram_steps``).
        """
        from .plots import plot_histograms

        chosen = self.histogram_steps if steps is None else list(steps)
        missing = [step for step in chosen if step not in self._samples]
        if missing or not chosen:
            raise ValueError(f"plot_histograms: no samples kept for steps {missing or chosen}; "
                             f"kept: {sorted(self._samples)}. Pass the steps as "
                             "ParameterMonitor(..., histogram_steps=[...]) before training")
        return plot_histograms({step: self._samples[step] for step in chosen}, path)

    # ----- internals -----
    def _prepare_next(self) -> None:
        """Find the next step that needs work; copy weights now if that step records."""
        step = self._step
        next_record = step + self.every - step % self.every
        # The step before a record copies the weights, for the update ratio.
        upcoming = [next_record - 1 if next_record - 1 > step else next_record]
        upcoming += [s for s in self.histogram_steps if s > step]
        self._next_event = min(upcoming)
        if (step + 1) % self.every == 0:
            self._previous = {id(p): _as_float64(p).copy() for _, p in self._groups()}

    def _groups(self) -> list[tuple[list[str], Any]]:
        """``(all dotted names, parameter)`` for each materialized parameter, once."""
        names: dict[int, list[str]] = {}
        params: dict[int, Any] = {}
        for name, param in self.model.named_parameters(remove_duplicate=False):
            if _is_materialized(param):
                names.setdefault(id(param), []).append(name)
                params[id(param)] = param
        return [(names[key], params[key]) for key in names]

    def _take_samples(self) -> dict[str, tuple]:
        kept = {}
        for names, param in self._groups():
            grad = None if param.grad is None else _as_float64(param.grad).ravel().copy()
            kept[" = ".join(names)] = (_as_float64(param).ravel().copy(), grad)
        return kept


def _is_materialized(param: Any) -> bool:
    return not hasattr(type(param), "materialize")


def _as_float64(tensor: Any) -> np.ndarray:
    return np.asarray(tensor.detach().cpu().numpy(), dtype=np.float64)  # a host copy


def _stats(values: np.ndarray | None, prefix: str) -> dict[str, float]:
    keys = ("norm", "mean", "std", "min", "max", "zero_fraction")
    if values is None or values.size == 0:
        return {prefix + key: math.nan for key in keys}
    flat = values.ravel()
    numbers = (math.sqrt(float(np.dot(flat, flat))), flat.mean(), flat.std(), flat.min(),
               flat.max(), np.count_nonzero(flat == 0) / flat.size)
    return {prefix + key: float(number) for key, number in zip(keys, numbers)}


def _update_ratio(values: np.ndarray, previous: np.ndarray | None) -> float:
    if previous is None or previous.shape != values.shape:
        return math.nan
    base = math.sqrt(float(np.dot(previous.ravel(), previous.ravel())))
    if base == 0.0:
        return math.nan
    delta = (values - previous).ravel()
    return math.sqrt(float(np.dot(delta, delta))) / base
