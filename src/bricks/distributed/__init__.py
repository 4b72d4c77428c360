"""Data-parallel training over MPI, with ``torch.distributed``'s names.

Launch N processes with ``python -m bricks.distributed.run -n N script.py`` (or ``mpiexec``);
in the script, ``init_process_group("mpi")``, wrap the model in
``bricks.nn.parallel.DistributedDataParallel`` and give each rank its share of the data with
``bricks.utils.data.distributed.DistributedSampler``. ``mpi4py`` (``pip install
bricks[distributed]``) is imported by ``init_process_group``, never by ``import bricks``.
"""

from ._checkpoint import load, save_on_rank0
from ._collectives import *  # noqa: F403
from ._collectives import __all__ as _collective_names
from ._group import *  # noqa: F403
from ._group import __all__ as _group_names

# Each name is listed once, in the module that defines it.
__all__ = ["load", "save_on_rank0", *_collective_names, *_group_names]
__all__.sort()
