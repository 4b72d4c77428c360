"""Inspection: model summaries, parameter and gradient monitoring, and their plots.

``summary(model, input_size=...)`` prints a table of layers, output shapes, parameter
counts and ties; ``ParameterMonitor(model, every=N)`` records statistics of every
parameter and gradient while training and writes them as CSV and PNG plots. Plotting
needs matplotlib (``pip install bricks[examples]``), imported only when a plot is drawn.
"""

from .monitor import STAT_COLUMNS, ParameterMonitor
from .summary import LayerRow, ModelSummary, summary

__all__ = ["summary", "ModelSummary", "LayerRow", "ParameterMonitor", "STAT_COLUMNS"]
