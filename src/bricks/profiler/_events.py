"""The profiler's events: one timed range each, their averages per name, torch's table and
Chrome's trace format.

Times are in microseconds, as torch's ``FunctionEvent``. An event's self time is its time less
that of the events directly inside it (same thread), as torch computes it.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable

__all__ = ["FunctionEvent", "FunctionEventAvg", "EventList"]


class FunctionEvent:
    """One timed range: an op's forward (``aten::addmm``), a backward node (``AddmmBackward0``)
    or a ``record_function`` block.

    Attributes:
        name: the event's name (``key`` too).
        category: ``"cpu_op"`` or ``"user_annotation"`` (Chrome trace's ``cat``).
        thread: the thread it ran in.
        start_us, end_us: its start and end, in microseconds since the profiler started.
        input_shapes: the shapes of its inputs (``[]`` for a number) with ``record_shapes``.
        stack: ``"file(line): function"`` frames of the calling Python code with ``with_stack``.
        cpu_parent: the event it ran inside, or None; ``cpu_children`` the ones inside it.
    """

    def __init__(self, name: str, category: str, thread: int, start_us: float,
                 input_shapes: list | None = None, stack: list[str] | None = None) -> None:
        self.name = name
        self.category = category
        self.thread = thread
        self.start_us = start_us
        self.end_us = start_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_children: list[FunctionEvent] = []
        self.count = 1

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:
        """The range's length (microseconds)."""
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        """The range's length less that of the events directly inside it."""
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    cpu_time = cpu_time_total

    def __repr__(self) -> str:
        return (f"<FunctionEvent name={self.name} cpu_time={_format_time(self.cpu_time_total)} "
                f"self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The events of one key (name, and input shapes or stack when grouped by them), summed.

    ``cpu_time_total`` and ``self_cpu_time_total`` are sums over the ``count`` events;
    ``cpu_time`` is the mean per call. All in microseconds.
    """

    def __init__(self, key: str, input_shapes: list, stack: list[str]) -> None:
        self.key = key
        self.input_shapes = input_shapes
        self.stack = stack
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_parent: FunctionEvent | None = None  # None when one event was top level

    def add(self, event: FunctionEvent) -> FunctionEventAvg:
        if self.count == 0 or event.cpu_parent is None:
            self.cpu_parent = event.cpu_parent
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_format_time(self.self_cpu_time_total)} cpu_time={_format_time(self.cpu_time)} "
                f"input_shapes={self.input_shapes}>")


class EventList(list):
    """A list of events (or of their averages) that prints as torch's table.

    ``epoch_us``: when the profile's clock started, in microseconds since the epoch.
    """

    epoch_us = 0.0

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One ``FunctionEventAvg`` per name (and input shapes, and the first
        ``group_by_stack_n`` stack frames, when asked), in order of first appearance."""
        groups: dict[tuple, FunctionEventAvg] = {}
        for event in self:
            key: tuple = (event.key,)
            if group_by_input_shape:
                key += (str(event.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(event.stack[:group_by_stack_n])
            average = groups.get(key)
            if average is None:
                shapes = event.input_shapes if group_by_input_shape else []
                stack = event.stack[:group_by_stack_n] if group_by_stack_n else []
                average = groups[key] = FunctionEventAvg(event.key, shapes, stack)
            average.add(event)
        return EventList(groups.values())

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of every event's self time (microseconds)."""
        return sum(event.self_cpu_time_total for event in self)

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one ``FunctionEventAvg`` keyed ``"Total"``."""
        total = FunctionEventAvg("Total", [], [])
        for event in self:
            total.add(event)
        return total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """torch's table: self and total CPU time (and their shares), mean time, calls.

        Args:
            sort_by: an attribute to sort by, largest first (``"cpu_time_total"``,
                ``"self_cpu_time_total"``, ``"count"``, ...); None keeps the list's order.
            row_limit: at most this many rows.
            top_level_events_only: only the events that ran inside no other.
            time_unit: ``"s"``, ``"ms"`` or ``"us"`` for every time (default: per value).
        """
        from ._table import build_table

        return build_table(self, sort_by, row_limit, max_src_column_width,
                           max_name_column_width, max_shapes_column_width, header,
                           top_level_events_only, time_unit)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto) JSON file."""
        write_chrome_trace(self, path, self.epoch_us)

    def __str__(self) -> str:
        return self.table()


def _format_time(time_us: float) -> str:
    """torch's format of a time: seconds, milliseconds or microseconds, three decimals."""
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def chrome_trace(events: Iterable[FunctionEvent], epoch_us: float = 0.0,
                 trace_name: str = "") -> dict[str, Any]:
    """The events in Chrome's trace event format (complete events, ``"ph": "X"``)."""
    pid = os.getpid()
    trace: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}},
    ]
    for index, event in enumerate(events):
        args: dict[str, Any] = {"Ev Idx": index}
        if event.input_shapes:
            args["Input Dims"] = event.input_shapes
        if event.stack:
            args["Call stack"] = ";".join(event.stack)
        trace.append({"ph": "X", "cat": event.category, "name": event.name, "pid": pid,
                      "tid": event.thread, "ts": epoch_us + event.start_us,
                      "dur": event.cpu_time_total, "args": args})
    return {"schemaVersion": 1, "deviceProperties": [], "displayTimeUnit": "ms",
            "traceEvents": trace, "traceName": trace_name}


def write_chrome_trace(events: Iterable[FunctionEvent], path: str, epoch_us: float) -> None:
    """Write ``chrome_trace(events)`` to ``path`` (gzip-compressed when it ends in ``.gz``)."""
    data = json.dumps(chrome_trace(events, epoch_us, path)).encode("utf-8")
    if path.endswith(".gz"):
        import gzip

        data = gzip.compress(data)
    with open(path, "wb") as file:
        file.write(data)
