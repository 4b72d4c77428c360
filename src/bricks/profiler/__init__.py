"""``bricks.profiler``: torch.profiler's ``profile``, ``record_function``, ``schedule`` and
``ProfilerActivity`` over bricks' ops, with torch's ``key_averages().table()`` and Chrome
trace export."""

from ._events import EventList, FunctionEvent, FunctionEventAvg
from .profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    supported_activities,
    tensorboard_trace_handler,
)

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "supported_activities", "tensorboard_trace_handler", "EventList", "FunctionEvent",
           "FunctionEventAvg"]
