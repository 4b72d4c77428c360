"""Event files: TFRecord framing with masked CRC32C, and a writer that flushes on a timer.

A TFRecord is ``uint64 length``, ``uint32 masked_crc32c(length)``, the data, and
``uint32 masked_crc32c(data)``, little-endian (TensorFlow's ``record_writer.cc``). CRC32C is
the Castagnoli polynomial (reflected 0x82F63B78), computed here from a 256-entry table so
that nothing beyond the standard library is needed.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import threading
import time

from . import _proto

__all__ = ["crc32c", "masked_crc32c", "frame", "EventFileWriter"]


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC32C (Castagnoli) checksum of ``data``."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotated right by 15 bits plus 0xA282EAD8 (modulo 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data: bytes) -> bytes:
    """``data`` as one TFRecord."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


_uid = itertools.count()  # the last part of an event file's name, as tensorboard's


class EventFileWriter:
    """Writes framed events to ``events.out.tfevents.<time>.<host>.<pid>.<uid><suffix>``.

    Events wait in memory and reach the file when ``max_queue`` of them are waiting, when a
    daemon thread wakes every ``flush_secs`` seconds, on ``flush()`` and on ``close()``.
    """

    def __init__(self, log_dir: str, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str = "") -> None:
        os.makedirs(log_dir, exist_ok=True)
        self.log_dir = log_dir
        name = "events.out.tfevents.%010d.%s.%s.%s" % (
            time.time(), socket.gethostname(), os.getpid(), next(_uid))
        self.path = os.path.join(log_dir, name + filename_suffix)
        self._file = open(self.path, "wb")
        self._max_queue = max_queue
        self._pending: list[bytes] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.add_event(_proto.event(time.time(), file_version="brain.Event:2"))
        self.flush()
        self._thread = threading.Thread(target=self._flush_every, args=(flush_secs,),
                                        name="bricks-tensorboard-flush", daemon=True)
        self._thread.start()

    def add_event(self, event: bytes) -> None:
        """Queue one encoded ``Event``."""
        with self._lock:
            if self._file.closed:
                raise RuntimeError(f"the event file {self.path} is closed")
            self._pending.append(frame(event))
            full = len(self._pending) >= self._max_queue
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the waiting events to the file and flush it to the operating system."""
        with self._lock:
            if self._file.closed:
                return
            self._file.write(b"".join(self._pending))
            self._pending.clear()
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file; the flushing thread stops."""
        self.flush()
        self._closed.set()
        with self._lock:
            self._file.close()

    def _flush_every(self, seconds: float) -> None:
        while not self._closed.wait(seconds):
            self.flush()
