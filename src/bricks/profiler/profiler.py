"""``profile``, ``record_function`` and ``schedule``: torch.profiler's API over bricks' ops.

While a ``profile`` records, it watches every primitive call through the observer hook of the
one recording path (``autograd.function.add_observer``; eager code pays nothing when no
profiler runs) and times it: the forward under torch's ``aten::`` name derived from the node's
name (``AddmmBackward0`` -> ``aten::addmm``), and, for each node that the call put in the
graph, its backward under the node's name (``AddmmBackward0``) when the engine runs it.
``record_function`` blocks add named ranges; ops inside them count as their children.

Tensor's operators (``a + b``, ``a += b``) skip the primitive when nothing requires grad; while
a profiler records, their general forms stand in, as during a bricks.compile capture, so that
they are timed too. Work bricks does outside primitives is timed only inside the ranges
around it.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import sys
import threading
import time
import warnings
import weakref
from functools import partial
from typing import Any, Callable, Iterable

from .._tensor import Tensor
from ..autograd import function as _function
from ._events import EventList, FunctionEvent

__all__ = ["ProfilerActivity", "ProfilerAction", "profile", "record_function", "schedule",
           "tensorboard_trace_handler", "supported_activities"]


class ProfilerActivity(enum.Enum):
    """What a profiler records: bricks times ``CPU`` work (a GPU's included, as host time)."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


def supported_activities() -> set[ProfilerActivity]:
    """The activities bricks' profiler records: ``{ProfilerActivity.CPU}``."""
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What a ``schedule`` asks of a step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """The action of each step: after ``skip_first`` steps, cycles of ``wait`` idle steps,
    ``warmup`` steps and ``active`` recorded steps (the last one saves the trace), ``repeat``
    times (0: until the profiler stops).

    Raises:
        AssertionError: a negative count or ``active`` below 1 (torch's error).
    """
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else \
            ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable[[profile], None]:
    """An ``on_trace_ready`` that writes each trace to
    ``<dir_name>/<worker_name>.<time_ns>.pt.trace.json[.gz]`` (worker: ``<host>_<pid>``)."""
    import socket

    def handler_fn(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


_BRICKS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _python_stack() -> list[str]:
    """The calling Python frames outside bricks, innermost first, as torch prints them."""
    frames = []
    frame: Any = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith(_BRICKS_DIR):
            frames.append(f"{path}({frame.f_lineno}): {frame.f_code.co_name}")
        frame = frame.f_back
    return frames


class _Session:
    """The events of one profile: finished ones, and per thread the stack of open ones."""

    def __init__(self, record_shapes: bool, with_stack: bool) -> None:
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.recording = False
        self.events: list[FunctionEvent] = []
        self.local = threading.local()
        self.restart()

    def restart(self) -> None:
        """Count times from now (in microseconds, small numbers: exact differences)."""
        self.zero_ns = time.perf_counter_ns()
        self.epoch_us = time.time_ns() / 1e3

    def begin(self, name: str, category: str, inputs: Iterable[Any] = ()) -> FunctionEvent:
        shapes = None
        if self.record_shapes:
            shapes = [list(t.shape) if isinstance(t, Tensor) else [] for t in inputs]
        stack = _python_stack() if self.with_stack else None
        event = FunctionEvent(name, category, threading.get_native_id(), 0.0, shapes, stack)
        open_events = self.local.__dict__.setdefault("open", [])
        if open_events:
            event.cpu_parent = open_events[-1]
            open_events[-1].cpu_children.append(event)
        open_events.append(event)
        event.start_us = (time.perf_counter_ns() - self.zero_ns) / 1e3
        return event

    def end(self, event: FunctionEvent) -> None:
        event.end_us = (time.perf_counter_ns() - self.zero_ns) / 1e3
        open_events = self.local.open
        while open_events and open_events.pop() is not event:
            pass  # an inner range left open by an exception ends with this one
        self.events.append(event)

    def finished(self) -> EventList:
        """The finished events, in order of start."""
        events = EventList(sorted(self.events, key=lambda event: event.start_us))
        events.epoch_us = self.epoch_us
        return events

    def take(self) -> EventList:
        """The finished events, in order of start; the session starts afresh."""
        events = self.finished()
        self.events = []
        return events


# The session of the running profiler, or None (one at a time, in any thread).
_SESSION: _Session | None = None
_ATEN_NAMES: dict[str, str] = {}


def _aten_name(node_name: str) -> str:
    """torch's forward name from the node's: ``NativeLayerNormBackward0`` ->
    ``aten::native_layer_norm``."""
    name = _ATEN_NAMES.get(node_name)
    if name is None:
        base = re.sub(r"Backward\d*$", "", node_name)
        name = base if "::" in base else "aten::" + re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()
        _ATEN_NAMES[node_name] = name
    return name


def _observe(fn: Any, inputs: tuple, config: dict, proceed: Callable) -> Any:
    """The observer of primitive calls: times the call and, when it made a graph node, that
    node's backward."""
    session = _SESSION
    if session is None or not session.recording:
        return proceed(fn, inputs, config)
    event = session.begin("", "cpu_op", inputs)
    try:
        out = proceed(fn, inputs, config)
    finally:
        event.name = _aten_name(fn.name())
        session.end(event)
    made_node = getattr(out, "grad_fn", None) is fn
    if made_node and "backward" not in vars(fn):
        fn.backward = partial(_timed_backward, weakref.ref(fn))  # weak: no reference cycle
    return out


def _timed_backward(node_ref: Any, gy: Any) -> Any:
    node: Any = node_ref()  # alive: the engine holds the node it runs
    backward = type(node).backward
    session = _SESSION
    if session is None or not session.recording:
        return backward(node, gy)
    event = session.begin(node.name(), "cpu_op")
    try:
        return backward(node, gy)
    finally:
        session.end(event)


class record_function(contextlib.ContextDecorator):
    """Mark a block (or each call of a function) as a named range of the profile.

    Example:
        >>> import bricks
        >>> from bricks.profiler import profile, record_function
        >>> with profile() as prof:
        ...     with record_function("forward"):
        ...         y = bricks.ones(3) * 2
        >>> [e.key for e in prof.key_averages()]
        ['forward', 'aten::mul']
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._open: list[tuple[_Session, FunctionEvent]] = []

    def __enter__(self) -> record_function:
        session = _SESSION
        if session is not None and session.recording:
            self._open.append((session, session.begin(self.name, "user_annotation")))
        else:
            self._open.append((None, None))  # type: ignore[arg-type]  # nothing recorded
        return self

    def __exit__(self, *exc: object) -> None:
        session, event = self._open.pop()
        if session is not None:
            session.end(event)


_LOCK = threading.Lock()


def _swap_operators() -> dict[str, tuple[Any, Any]]:
    """Put the general forms of Tensor's operator shortcuts in place (none if a capture
    already did); return ``name -> (shortcut, general)``."""
    from .._compile._capture import _operator_forms

    swapped = {}
    for name, general in _operator_forms().items():
        swapped[name] = (vars(Tensor)[name], general)
        setattr(Tensor, name, general)
    return swapped


def _restore_operators(swapped: dict[str, tuple[Any, Any]]) -> None:
    for name, (shortcut, general) in swapped.items():
        if vars(Tensor).get(name) is general:  # a capture that started since restores its own
            setattr(Tensor, name, shortcut)


class profile:
    """Profile the bricks ops (and ``record_function`` blocks) run inside it.

    Args:
        activities: what to record; bricks records ``ProfilerActivity.CPU`` time.
        schedule: step -> ``ProfilerAction`` (see ``schedule()``); without one, everything
            between start and stop is recorded.
        on_trace_ready: called with the profiler when a trace is complete.
        record_shapes: keep each op's input shapes (``key_averages(group_by_input_shape=True)``).
        with_stack: keep the Python frames (outside bricks) each op was called from.

    Example:
        >>> import bricks
        >>> from bricks.profiler import profile, ProfilerActivity
        >>> with profile(activities=[ProfilerActivity.CPU]) as prof:
        ...     (bricks.ones(2, 2, requires_grad=True) * 3).sum().backward()
        >>> sorted(e.key for e in prof.key_averages())
        ['MulBackward0', 'SumBackward0', 'aten::mul', 'aten::sum']
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[[profile], Any] | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, **kwargs: Any) -> None:
        self.activities = set(activities) if activities is not None else supported_activities()
        unsupported = [name for name, flag in (("profile_memory", profile_memory),
                                              ("with_flops", with_flops),
                                              ("with_modules", with_modules)) if flag]
        unsupported += [str(a) for a in self.activities - supported_activities()]
        if unsupported:
            warnings.warn(f"bricks.profiler records CPU time only; not recorded: "
                          f"{', '.join(unsupported)}", stacklevel=2)
        self.schedule = schedule or (lambda step: ProfilerAction.RECORD)
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._session = _Session(record_shapes, with_stack)
        self._trace: EventList | None = None
        self._step_range: record_function | None = None
        self._operators: dict[str, tuple[Any, Any]] = {}

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start profiling (``with profile()`` calls it)."""
        global _SESSION
        with _LOCK:
            if _SESSION is not None:
                raise RuntimeError("Profiler is already enabled on this thread")
            _SESSION = self._session
        self._session.restart()
        _function.add_observer(_observe)
        self._operators = _swap_operators()
        self._session.recording = self.current_action in _RECORDING
        self._enter_step()

    def stop(self) -> None:
        """Stop profiling; a trace being recorded is complete."""
        global _SESSION
        self._exit_step()
        if self.current_action in _RECORDING:
            self._trace_ready()
        self._session.recording = False
        _function.remove_observer(_observe)
        _restore_operators(self._operators)
        with _LOCK:
            _SESSION = None

    def step(self) -> None:
        """Mark the end of a step: the schedule decides what the next one records."""
        self._exit_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        if previous is ProfilerAction.RECORD_AND_SAVE or (
                previous in _RECORDING and self.current_action not in _RECORDING):
            self._trace_ready()
        elif previous not in _RECORDING:
            self._session.take()  # warmup and idle steps are not kept
        self._session.recording = self.current_action in _RECORDING
        self._enter_step()

    def _enter_step(self) -> None:
        if self.record_steps:
            self._step_range = record_function(f"ProfilerStep#{self.step_num}")
            self._step_range.__enter__()

    def _exit_step(self) -> None:
        if self._step_range is not None:
            self._step_range.__exit__(None, None, None)
            self._step_range = None

    def _trace_ready(self) -> None:
        self._trace = self._session.take()
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def events(self) -> EventList:
        """The events of the last complete trace (of the one being recorded, before that)."""
        if self._trace is None:
            return self._session.finished()
        return self._trace

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """The events averaged per name (and input shapes, and stack frames, when asked)."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        """Write the trace as Chrome trace JSON (``chrome://tracing``, Perfetto)."""
        self.events().export_chrome_trace(path)
