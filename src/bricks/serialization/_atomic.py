"""Atomic, durable file replacement: a killed process leaves the old file or the new one.

The bytes go to ``.{name}.bricks-tmp-{pid}-{random}`` in the target's directory, are
fsynced, renamed over the target with ``os.replace`` and the directory is fsynced. The
temporary name starts with a dot and never ends like a checkpoint, so it cannot be
mistaken for one; temporaries left by a killed save are removed by the next save to the
same path once their process is gone.
"""

from __future__ import annotations

import errno
import os
import secrets
from typing import Iterable

__all__ = ["atomic_write", "temp_prefix"]

_MARK = ".bricks-tmp-"


def temp_prefix(path: str) -> str:
    """The prefix shared by every temporary file of a save to ``path``."""
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name}{_MARK}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_orphans(path: str) -> None:
    """Remove temporaries of earlier saves to ``path`` whose process has died."""
    directory, name = os.path.split(path)
    prefix = f".{name}{_MARK}"
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    for candidate in names:
        if not candidate.startswith(prefix):
            continue
        pid_text = candidate[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            try:
                os.unlink(os.path.join(directory, candidate))
            except OSError:
                pass


def _write_all(fd: int, chunks: Iterable[bytes | memoryview]) -> None:
    for chunk in chunks:
        view = memoryview(chunk).cast("B")
        while view.nbytes:
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(errno.EIO, "write returned no progress")
            view = view[written:]


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return  # platforms (Windows) that cannot open directories
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _create_temp(path: str) -> tuple[int, str]:
    prefix = temp_prefix(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    while True:
        temp = f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"
        try:
            # 0o666 filtered by the umask: the permissions of any new file.
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue


def atomic_write(path: str, chunks: Iterable[bytes | memoryview], durable: bool = True) -> None:
    """Write ``chunks`` to ``path`` atomically (and durably unless ``durable`` is False).

    Raises:
        OSError: with the original errno, when creating, writing, syncing or renaming
            fails; the target is then unchanged and the temporary file removed.
    """
    clean_orphans(path)
    temp = None
    replaced = False
    try:
        fd, temp = _create_temp(path)
        try:
            _write_all(fd, chunks)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
        temp = None
        replaced = True
        if durable:
            _fsync_directory(os.path.dirname(path))
    except OSError as exc:
        raise _explain(exc, path, not replaced) from exc
    finally:
        if temp is not None:
            _remove_quietly(temp)


def _remove_quietly(temp: str) -> None:
    try:
        os.unlink(temp)
    except OSError:
        pass


def _explain(exc: OSError, path: str, before_replace: bool) -> OSError:
    state = ("the existing file was left unchanged" if before_replace
             else "the new file is in place but may not be durable yet")
    reason = exc.strerror or str(exc)
    message = f"could not save checkpoint to {path!r}: {reason}; {state}"
    return OSError(exc.errno, message) if exc.errno is not None else OSError(message)
