"""Atomic, durable file replacement: a killed process leaves the old file or the new one.

The bytes go to ``.{name}.bricks-tmp-{pid}-{random}`` in the target's directory, are
fsynced, renamed over the target with ``os.replace`` and the directory is fsynced. The
temporary name starts with a dot and never ends like a checkpoint, so it cannot be
mistaken for one; ``{name}`` is shortened when the whole would pass the file system's
255-byte limit (the user's name never is). Temporaries left by a killed save are removed by
the next save into the same folder, only regular files whose saving process is gone.

Files in odd places: a save to a symlink writes through it (the link stays, its target gets
the new contents atomically, a dangling link's target is created), as ``torch.save`` does; a
save onto a directory, FIFO, device node or socket is refused before anything is written,
so that ``bricks.save(x, "/dev/null")`` as root cannot replace ``/dev/null``. Re-saving
over a file keeps its permission bits (and its owner, where allowed); a new file follows
the umask.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from typing import Iterable

__all__ = ["atomic_write", "temp_prefix"]

_MARK = ".bricks-tmp-"


_TEMP = re.compile(r"\..*" + re.escape(_MARK) + r"(\d+)-[0-9a-f]{6,32}", re.DOTALL)
_NAME_MAX = 255


def temp_prefix(path: str) -> str:
    """The prefix shared by every temporary file of a save to ``path``."""
    directory, name = os.path.split(path)
    # The rest of the name: the mark, a pid of up to 10 digits, "-" and 12 hex digits.
    budget = _NAME_MAX - 1 - len(_MARK) - 10 - 1 - 12
    encoded = os.fsencode(name)
    if len(encoded) > budget:
        name = os.fsdecode(encoded[:budget].decode("utf-8", "ignore").encode("utf-8"))
    return os.path.join(directory, f".{name}{_MARK}")


def resolve_target(path: str) -> tuple[str, os.stat_result | None]:
    """The file a save to ``path`` replaces (a symlink's final target) and its status.

    Raises:
        IsADirectoryError: if the target is a directory.
        OSError: (EINVAL) if it is a FIFO, a device node, a socket or another non-file.
    """
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target, None
    if stat.S_ISREG(status.st_mode):
        return target, status
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"could not save checkpoint to {path!r}: it is "
                                              f"a directory; give a file name inside it")
    kind = ("a FIFO" if stat.S_ISFIFO(status.st_mode) else "a socket"
            if stat.S_ISSOCK(status.st_mode) else "a device node"
            if stat.S_ISCHR(status.st_mode) or stat.S_ISBLK(status.st_mode) else "not a file")
    raise OSError(errno.EINVAL, f"could not save checkpoint to {path!r}: it is {kind}, not a "
                                f"regular file; bricks.save replaces regular files only and "
                                f"left it untouched")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_orphans(path: str) -> None:
    """Remove temporaries of earlier saves into ``path``'s folder whose process has died.

    Only names of bricks' exact temporary pattern, only regular files (never a link or a
    folder of that name), only when no process of the recorded pid runs.
    """
    directory = os.path.dirname(path) or "."
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for candidate in names:
        match = _TEMP.fullmatch(candidate)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        full = os.path.join(directory, candidate)
        try:
            if stat.S_ISREG(os.lstat(full).st_mode):
                os.unlink(full)
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


def _create_temp(path: str, previous: os.stat_result | None) -> tuple[int, str]:
    prefix = temp_prefix(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    while True:
        temp = f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"
        try:
            # 0o666 filtered by the umask: the permissions of any new file.
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        if previous is not None:
            _keep_mode(fd, temp, previous)
        return fd, temp


def _keep_mode(fd: int, temp: str, previous: os.stat_result) -> None:
    """Give the temporary the replaced file's permission bits (and owner, where allowed)."""
    try:
        os.fchmod(fd, stat.S_IMODE(previous.st_mode))
        if hasattr(os, "fchown") and (previous.st_uid, previous.st_gid) != (os.geteuid(),
                                                                            os.getegid()):
            try:
                os.fchown(fd, previous.st_uid, previous.st_gid)
            except PermissionError:
                pass  # only root may give a file away: the bits are kept all the same
    except OSError:
        os.close(fd)
        _remove_quietly(temp)
        raise


def atomic_write(path: str, chunks: Iterable[bytes | memoryview], durable: bool = True) -> None:
    """Write ``chunks`` to ``path`` atomically (and durably unless ``durable`` is False).

    Raises:
        OSError: with the original errno, when creating, writing, syncing or renaming
            fails; the target is then unchanged and the temporary file removed.
    """
    shown = path
    path, previous = resolve_target(path)  # refuses a directory, FIFO, device or socket
    clean_orphans(path)
    temp = None
    replaced = False
    try:
        fd, temp = _create_temp(path, previous)
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
        raise _explain(exc, shown, not replaced) from exc
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
