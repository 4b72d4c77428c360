"""``spawn`` and ``start_processes``: run ``fn(i, *args)`` in ``nprocs`` processes, as torch.

A child that raises writes its traceback to an error file and exits with 1; the parent's
``ProcessContext.join`` then stops the other children and raises ``ProcessRaisedException``
with that traceback (``ProcessExitedException`` for a child killed by a signal or exiting with
another code), with torch's messages.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle  # the child's traceback, a str, to a private temporary file of this run
import signal
import sys
import tempfile
import time
import warnings
from typing import Any, Callable

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException",
           "ProcessRaisedException", "spawn", "start_processes"]

log = logging.getLogger(__name__)


class ProcessException(Exception):
    """A child process failed: ``error_index`` is its index, ``error_pid`` its process id."""

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A child process raised an exception; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A child process was killed by a signal or exited with a non-zero code."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code,
                            self.signal_name)


def _wrap(fn: Callable, i: int, args: tuple, error_file: str) -> None:
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent stopped this process
    except Exception:
        import traceback

        with open(error_file, "wb") as file:
            pickle.dump(traceback.format_exc(), file)
        sys.exit(1)


class ProcessContext:
    """The processes of one ``start_processes`` call; ``join`` waits for them."""

    def __init__(self, processes: list, error_files: list[str]) -> None:
        self.error_files = error_files
        self.processes = processes
        self.sentinels = {process.sentinel: index for index, process in enumerate(processes)}

    def pids(self) -> list[int]:
        return [int(process.pid) for process in self.processes]

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait for the processes (up to ``timeout`` seconds): True when all have ended well.

        Raises:
            ProcessRaisedException: a process raised; the others are terminated first.
            ProcessExitedException: a process was killed or exited with a non-zero code.
        """
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(list(self.sentinels), timeout=timeout)
        error_index = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0:
                error_index = index
                break
        if error_index is None:
            return not self.sentinels
        self._stop_others(grace_period)
        raise self._error(error_index)

    def _join_all(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for process in self.processes:
            process.join(max(0.0, end - time.monotonic()))

    def _stop_others(self, grace_period: float | None) -> None:
        if grace_period is not None:
            self._join_all(grace_period)
        for process in self.processes:
            if process.is_alive():
                log.warning("Terminating process %s via signal SIGTERM", process.pid)
                process.terminate()
        self._join_all(30 if grace_period is None else grace_period)
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join()

    def _error(self, index: int) -> ProcessException:
        process = self.processes[index]
        if not os.access(self.error_files[index], os.R_OK):
            code = process.exitcode
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"<Unknown signal {-code}>"
                return ProcessExitedException(f"process {index:d} terminated with signal {name}",
                                              index, process.pid, code, name)
            return ProcessExitedException(f"process {index:d} terminated with exit code "
                                          f"{code:d}", index, process.pid, code)
        with open(self.error_files[index], "rb") as file:
            trace = pickle.load(file)
        os.unlink(self.error_files[index])
        message = f"\n\n-- Process {index:d} terminated with the following error:\n" + trace
        return ProcessRaisedException(message, index, process.pid)


def start_processes(fn: Callable, args: tuple = (), nprocs: int = 1, join: bool = True,
                    daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """Start ``nprocs`` processes of ``start_method`` running ``fn(i, *args)``.

    Returns:
        None after joining them (``join=True``), else their ``ProcessContext``.
    """
    context: Any = multiprocessing.get_context(start_method)  # typeshed: BaseContext, no Process
    processes, error_files = [], []
    for i in range(nprocs):
        # A name no file has; the child creates it only to report an error.
        with tempfile.NamedTemporaryFile(prefix="bricks-errorfile-", suffix=".pickle",
                                         delete=False) as file:
            pass
        os.unlink(file.name)
        process = context.Process(target=_wrap, args=(fn, i, args, file.name), daemon=daemon)
        process.start()
        processes.append(process)
        error_files.append(file.name)
    process_context = ProcessContext(processes, error_files)
    if not join:
        return process_context
    while not process_context.join():
        pass
    return None


def spawn(fn: Callable, args: tuple = (), nprocs: int = 1, join: bool = True,
          daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """Run ``fn(i, *args)`` for ``i`` in ``range(nprocs)``, each in a new ``spawn`` process.

    ``fn`` must be defined at the top level of a module, so that the children can import it.
    If a process raises, the others are stopped and ``ProcessRaisedException`` carries its
    traceback.

    Returns:
        None after joining them (``join=True``), else their ``ProcessContext``.
    """
    if start_method != "spawn":
        warnings.warn(f"This method only supports start_method=spawn (got: {start_method}).\n"
                      "To use a different start_method use:\n\t\t "
                      "torch.multiprocessing.start_processes(...)", FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
