"""CUDA streams and events with torch.cuda's names, on CuPy's (``cupy.cuda.Stream``/``Event``).

Without CUDA they fail where torch's CPU build fails: making a ``Stream`` or an ``Event``
raises RuntimeError, ``current_stream()`` raises torch's "not compiled with CUDA" error, and
``stream(None)`` is a no-op context. CuPy runs its array operations on its current stream, so
``with bricks.cuda.stream(s):`` puts the ops inside the block on ``s``.

Example (on a GPU):
    >>> s = bricks.cuda.Stream()                               # doctest: +SKIP
    >>> with bricks.cuda.stream(s):                            # doctest: +SKIP
    ...     y = x @ x
    >>> bricks.cuda.current_stream().wait_stream(s)            # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .._cuda_backend import CUDA, CudaUnavailableError
from .._device import device as _device_type
from . import _index  # the package's device parsing (defined before it imports this module)

__all__ = ["Stream", "Event", "StreamContext", "stream", "current_stream", "default_stream",
           "set_stream"]


def _cupy_for(what: str) -> Any:
    """CuPy, or torch's RuntimeError saying ``what`` requires CUDA."""
    if not CUDA.available():
        raise CudaUnavailableError(f"{what} requires CUDA support: {CUDA._problem}")
    return CUDA.cupy()


class Stream:
    """A CUDA stream: a queue of GPU work that runs in order.

    Args:
        device: the device (index, ``'cuda:i'`` or device) to create it on; default current.
        priority: lower numbers are higher priority, as torch's (0 is the default).

    Raises:
        RuntimeError: there is no CUDA, as torch's CPU build.
    """

    def __init__(self, device: Any = None, priority: int = 0) -> None:
        cupy = _cupy_for("bricks.cuda.Stream")
        self.device_index = _index(device)
        with cupy.cuda.Device(self.device_index):
            self._stream = cupy.cuda.Stream(non_blocking=False, priority=priority or None)

    @classmethod
    def _wrap(cls, cupy_stream: Any, device_index: int) -> Stream:
        """A Stream over an existing CuPy stream (the current or the default one)."""
        self = object.__new__(cls)
        self.device_index = device_index
        self._stream = cupy_stream
        return self

    @property
    def device(self) -> _device_type:
        return _device_type("cuda", self.device_index)

    @property
    def device_type(self) -> str:
        return "cuda"

    @property
    def cuda_stream(self) -> int:
        """The raw ``cudaStream_t`` as an int (0 for the default stream)."""
        return int(self._stream.ptr)

    def query(self) -> bool:
        """Whether all the work queued on the stream has finished."""
        return bool(self._stream.done)

    def synchronize(self) -> None:
        """Wait until all the work queued on the stream has finished."""
        self._stream.synchronize()

    def wait_event(self, event: Event) -> None:
        """Make later work on this stream wait until ``event`` has happened."""
        self._stream.wait_event(event._event)

    def wait_stream(self, stream: Stream) -> None:
        """Make later work on this stream wait for the work queued on ``stream`` so far."""
        self.wait_event(stream.record_event())

    def record_event(self, event: Event | None = None) -> Event:
        """Record ``event`` (a new one by default) on this stream and return it."""
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stream):
            return NotImplemented
        return (self.cuda_stream, self.device_index) == (other.cuda_stream, other.device_index)

    def __hash__(self) -> int:
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self) -> str:
        return f"<bricks.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"


class Event:
    """A CUDA event: a marker in a stream, to wait on or to time GPU work.

    Args:
        enable_timing: whether ``elapsed_time`` can be asked of it.
        blocking: whether ``synchronize`` blocks the thread rather than spinning.
        interprocess: whether it can be shared with other processes.

    Raises:
        RuntimeError: there is no CUDA, as torch's CPU build.
    """

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False) -> None:
        cupy = _cupy_for("bricks.cuda.Event")
        self._event = cupy.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                      interprocess=interprocess)

    def record(self, stream: Stream | None = None) -> None:
        """Mark this point of ``stream`` (default: the current stream)."""
        stream = current_stream() if stream is None else stream
        self._event.record(stream._stream)

    def wait(self, stream: Stream | None = None) -> None:
        """Make later work on ``stream`` (default: the current stream) wait for this event."""
        stream = current_stream() if stream is None else stream
        stream.wait_event(self)

    def query(self) -> bool:
        """Whether the work before the event's mark has finished."""
        return bool(self._event.done)

    def synchronize(self) -> None:
        """Wait until the work before the event's mark has finished."""
        self._event.synchronize()

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds from this event's mark to ``end_event``'s (both need timing)."""
        return float(CUDA.cupy().cuda.get_elapsed_time(self._event, end_event._event))

    @property
    def cuda_event(self) -> int:
        return int(self._event.ptr)

    def __repr__(self) -> str:
        return f"<bricks.cuda.Event {self.cuda_event:#x}>"


def current_stream(device: Any = None) -> Stream:
    """The current stream of ``device`` (default: the current device)."""
    cupy = CUDA.cupy()
    index = _index(device)
    with cupy.cuda.Device(index):
        return Stream._wrap(cupy.cuda.get_current_stream(), index)


def default_stream(device: Any = None) -> Stream:
    """The default (null) stream of ``device``."""
    cupy = CUDA.cupy()
    return Stream._wrap(cupy.cuda.Stream.null, _index(device))


def set_stream(stream: Stream) -> None:
    """Make ``stream`` the current stream (prefer the ``stream(...)`` context manager)."""
    if stream is not None:
        CUDA.cupy()
        stream._stream.use()


class StreamContext:
    """Context manager that makes ``stream`` current inside a ``with`` block (None: no-op)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream
        self._previous: Stream | None = None

    def __enter__(self) -> Stream | None:
        if self.stream is not None:
            self._previous = current_stream(self.stream.device_index)
            self.stream._stream.use()
        return self.stream

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            self._previous._stream.use()


def stream(stream: Stream | None) -> StreamContext:
    """Run the ops of a ``with`` block on ``stream`` (None: leave the current stream)."""
    return StreamContext(stream)
