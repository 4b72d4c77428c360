"""PNG plots of monitor records: curves over steps and histograms at chosen steps.

matplotlib is optional (``pip install bricks[examples]``); it is imported only when a plot
is drawn, through the object-oriented ``Figure`` API, so no global backend is touched.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

__all__ = ["plot_curves", "plot_histograms", "require_matplotlib"]

_INSTALL_HINT = ("plotting needs matplotlib, which is not installed: "
                 "pip install matplotlib (or pip install bricks[examples])")


def require_matplotlib() -> Any:
    """Import and return ``matplotlib.figure``, or raise an ImportError saying what to install.

    Raises:
        ImportError: if matplotlib cannot be imported.
    """
    try:
        import matplotlib
        from matplotlib import figure
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    del matplotlib
    return figure


def plot_curves(records: list[dict[str, Any]], path: str | os.PathLike,
                metrics: tuple[str, ...] = ("norm", "std", "grad_norm", "update_ratio")
                ) -> str:
    """Draw one panel per metric, one line per parameter over the steps; save as PNG.

    Args:
        records: rows as ``ParameterMonitor.rows()`` returns them.
        path: the PNG file to write.
        metrics: the numeric columns to plot; ``update_ratio`` and norms use a log scale.

    Returns:
        The path written, as a string.

    Raises:
        ImportError: without matplotlib.
        ValueError: if ``records`` is empty or a metric is not in them.
    """
    figure = require_matplotlib()
    if not records:
        raise ValueError("plot_curves: nothing recorded yet; call monitor.step() after each "
                         "optimizer.step() (records come every `every` steps)")
    unknown = [m for m in metrics if m not in records[0] or m in ("name", "shape")]
    if unknown:
        raise ValueError(f"plot_curves: unknown metrics {unknown}; expected numeric columns "
                         f"of {list(records[0])}")
    series = _series(records)
    columns = 2 if len(metrics) > 1 else 1
    rows = math.ceil(len(metrics) / columns)
    fig = figure.Figure(figsize=(6.5 * columns, 3.6 * rows))
    # Fixed margins: a constrained layout costs seconds per figure (measured 5-10 s).
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.95, hspace=0.35, wspace=0.2)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for axis, metric in zip(axes, metrics):
        _draw_metric(axis, series, metric)
    for axis in axes[len(metrics):]:
        axis.set_visible(False)
    axes[0].legend(fontsize="x-small", loc="best")
    return _save(fig, path)


def _series(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in records:
        by_name.setdefault(row["name"], []).append(row)
    return by_name


def _draw_metric(axis: Any, series: dict[str, list[dict[str, Any]]], metric: str) -> None:
    positive = True
    for name, rows in series.items():
        steps = [row["step"] for row in rows]
        values = np.array([row[metric] for row in rows], dtype=np.float64)
        positive &= bool(np.all(values[np.isfinite(values)] > 0))
        axis.plot(steps, values, label=name, linewidth=1.2)
    if positive and (metric.endswith("norm") or metric.endswith("ratio")):
        axis.set_yscale("log")
    axis.set_title(metric.replace("_", " "))
    axis.set_xlabel("training step")
    axis.set_ylabel(metric.replace("_", " "))
    axis.tick_params(labelsize="small")
    axis.grid(True, alpha=0.3)


def plot_histograms(samples: dict[int, dict[str, tuple]], path: str | os.PathLike,
                    bins: int = 50) -> str:
    """Draw histograms of values (left) and gradients (right), one row per parameter.

    Each panel overlays the chosen steps.

    Args:
        samples: ``{step: {name: (values, grad or None)}}`` as ``ParameterMonitor`` keeps.
        path: the PNG file to write.
        bins: number of bins per histogram.

    Returns:
        The path written, as a string.

    Raises:
        ImportError: without matplotlib.
        ValueError: if ``samples`` is empty.
    """
    figure = require_matplotlib()
    from matplotlib import ticker

    names = list(dict.fromkeys(name for kept in samples.values() for name in kept))
    if not names:
        raise ValueError("plot_histograms: no samples to draw")
    height = 2.4 * len(names) + 0.6
    fig = figure.Figure(figsize=(11, height))
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.3 / height, top=1 - 0.4 / height,
                        hspace=0.45, wspace=0.15)
    axes = fig.subplots(len(names), 2, squeeze=False)
    for row, name in enumerate(names):
        for column, kind in enumerate(("values", "gradients")):
            axis = axes[row, column]
            drawn = {step: kept.get(name, (None, None))[column] for step, kept in samples.items()}
            drawn = {step: data for step, data in drawn.items() if data is not None and data.size}
            if drawn:  # one set of bin edges per panel, so the steps compare bin for bin
                edges = np.histogram_bin_edges(np.concatenate(list(drawn.values())), bins)
            for step, data in drawn.items():
                axis.hist(data, bins=edges, alpha=0.5, histtype="stepfilled", label=f"step {step}")
            axis.set_title(f"{name}: {kind}", fontsize="small")
            axis.set_xlabel("value" if kind == "values" else "gradient", fontsize="small")
            axis.set_ylabel("count", fontsize="small")
            axis.tick_params(labelsize="x-small")
            axis.xaxis.set_major_locator(ticker.MaxNLocator(5))
            if axis.has_data():
                axis.legend(fontsize="x-small")
    return _save(fig, path)


def _save(fig: Any, path: str | os.PathLike) -> str:
    path = os.fspath(path)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path
