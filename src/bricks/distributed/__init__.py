"""Data-parallel training over MPI, with ``torch.distributed``'s names.

Launch N processes with ``python -m bricks.distributed.run -n N script.py`` (or ``mpiexec``);
in the script, ``init_process_group("mpi")``, wrap the model in
``bricks.nn.parallel.DistributedDataParallel`` and give each rank its share of the data with
``bricks.utils.data.distributed.DistributedSampler``. ``mpi4py`` (``pip install
bricks[distributed]``) is imported by ``init_process_group``, never by ``import bricks``.
"""

from ._checkpoint import load, save_on_rank0
from ._collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    gather,
    gather_object,
    reduce,
    scatter,
    scatter_object_list,
)
from ._group import (
    GroupMember,
    destroy_process_group,
    get_backend,
    get_local_rank,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "GroupMember",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_local_rank",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "load",
    "reduce",
    "save_on_rank0",
    "scatter",
    "scatter_object_list",
]
