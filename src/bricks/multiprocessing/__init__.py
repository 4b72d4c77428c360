"""``bricks.multiprocessing``: torch.multiprocessing, Python's ``multiprocessing`` with tensors
that share memory between processes.

Everything of ``multiprocessing`` is here (``Process``, ``Queue``, ``Pool``, ``get_context``,
``set_start_method``, ...), plus torch's ``spawn``/``start_processes`` and sharing strategies.
A tensor moved into shared memory (``Tensor.share_memory_()``, ``Module.share_memory()``)
travels to another process as a descriptor of its memory, so the two processes see each
other's in-place writes; other tensors travel as copies.
"""

import multiprocessing
from multiprocessing import *  # noqa: F403  # torch.multiprocessing re-exports it all

from ..ops.memory import register_reductions
from .spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    spawn,
    start_processes,
)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           "spawn", "start_processes", "ProcessContext", "ProcessException",
           "ProcessExitedException", "ProcessRaisedException"] + multiprocessing.__all__

register_reductions()

# bricks sends a shared tensor's memory as a file descriptor (torch's default on Linux);
# torch's "file_system" strategy (named files and a manager process) is not implemented.
_STRATEGIES = {"file_descriptor"}


def get_all_sharing_strategies() -> set[str]:
    """The ways tensors' shared memory can travel: ``{"file_descriptor"}``."""
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    """The current way shared memory travels: ``"file_descriptor"``."""
    return "file_descriptor"


def set_sharing_strategy(new_strategy: str) -> None:
    """Choose how shared memory travels; bricks has only ``"file_descriptor"``.

    Raises:
        ValueError: another strategy (torch's ``"file_system"`` is not implemented).
    """
    if new_strategy not in _STRATEGIES:
        raise ValueError(f"sharing strategy {new_strategy!r} is not supported by bricks: "
                         f"expected one of {sorted(_STRATEGIES)}")
