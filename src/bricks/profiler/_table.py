"""torch's profiler table (``profiler_util._build_table``), CPU columns only: the same
columns, widths, number formats and footer."""

from __future__ import annotations

from typing import Any

from ._events import _format_time

__all__ = ["build_table"]

_COLUMN = 12
_SPACING = 2
_HEADERS = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]


def _share(time_us: float, total_us: float) -> str:
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _time(time_us: float, unit: str | None) -> str:
    if unit == "s":
        return f"{time_us / 1e6:.3f}s"
    if unit == "ms":
        return f"{time_us / 1e3:.3f}ms"
    if unit == "us":
        return f"{time_us:.3f}us"
    return _format_time(time_us)


def _trim_path(path: str, width: int) -> str:
    if len(path) > width:
        path = path[len(path) - width:]
        if len(path) > 3:
            path = "..." + path[3:]
    return path


class _Layout:
    """The row format: right-aligned columns, two spaces apart (left-aligned sources)."""

    def __init__(self) -> None:
        self.row_format = ""
        self.separator = ""
        self.length = -_SPACING

    def add(self, width: int, align: str = ">") -> None:
        self.row_format += "{: " + align + str(width) + "}" + " " * _SPACING
        self.separator += "-" * width + " " * _SPACING
        self.length += width + _SPACING


def build_table(events: list, sort_by: str | None, row_limit: int, max_src_column_width: int,
                max_name_column_width: int, max_shapes_column_width: int, header: str | None,
                top_level_events_only: bool, time_unit: str | None) -> str:
    """The table of ``events`` (``FunctionEvent``s or their averages); "" for none."""
    if len(events) == 0:
        return ""
    if sort_by is not None:
        events = sorted(events, key=lambda event: getattr(event, sort_by), reverse=True)
    has_shapes = any(len(event.input_shapes) > 0 for event in events)
    stacks = [event.stack for event in events if event.stack]
    name_width = min(max(len(event.key) for event in events) + 4, max_name_column_width)
    layout = _Layout()
    layout.add(name_width)
    for _ in _HEADERS:
        layout.add(_COLUMN)
    headers = ["Name"] + _HEADERS
    if has_shapes:
        headers.append("Input Shapes")
        shapes_width = max(len(str(event.input_shapes)) for event in events) + 4
        shapes_width = min(shapes_width, max_shapes_column_width)
        layout.add(shapes_width)
    src_width = 0
    if stacks:
        headers.append("Source Location")
        src_width = max(len(entry) for stack in stacks for entry in stack) + 4
        src_width = min(src_width, max_src_column_width)
        layout.add(src_width, "<")
    total = sum(event.self_cpu_time_total for event in events)
    lines = []
    if header is not None:
        lines += ["=" * layout.length, header]
    if top_level_events_only:
        lines += ["=" * layout.length, "This report only display top-level ops statistics"]
    lines += [layout.separator, layout.row_format.format(*headers), layout.separator]
    shown = 0
    for event in events:
        if shown == row_limit:
            break
        if top_level_events_only and event.cpu_parent is not None:
            continue
        shown += 1
        lines += _rows(event, layout, total, time_unit, max_name_column_width,
                       has_shapes and shapes_width, src_width if stacks else 0, len(headers))
    lines += [layout.separator, f"Self CPU time total: {_time(total, time_unit)}"]
    return "\n".join(lines) + "\n"


def _rows(event: Any, layout: _Layout, total: float, unit: str | None, max_name: int,
          shapes_width: int, src_width: int, columns: int) -> list[str]:
    name = event.key
    if len(name) >= max_name - 3:
        name = name[:max_name - 3] + "..."
    values: list[Any] = [name, _share(event.self_cpu_time_total, total),
                         _time(event.self_cpu_time_total, unit),
                         _share(event.cpu_time_total, total), _time(event.cpu_time_total, unit),
                         _time(event.cpu_time, unit), event.count]
    if shapes_width:
        values.append(str(event.input_shapes)[:shapes_width])
    if not src_width:
        return [layout.row_format.format(*values)]
    values.append(_trim_path(event.stack[0], src_width) if event.stack else "")
    rows = [layout.row_format.format(*values)]
    for entry in event.stack[1:]:
        rows.append(layout.row_format.format(*([""] * (columns - 1)),
                                             _trim_path(entry, src_width)))
    rows.append(layout.row_format.format(*([""] * columns)))
    return rows
