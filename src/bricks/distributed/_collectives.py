"""Collectives on tensors, in place on their arrays through MPI's buffer interface.

Tensor collectives use mpi4py's uppercase methods (``Allreduce(MPI.IN_PLACE, array)``...):
the array's memory is handed to MPI, nothing is pickled. Only the ``*_object*`` functions
pickle, as PyTorch's do, to carry arbitrary Python values between processes (never to disk).
With ``async_op=True`` a collective starts MPI's nonblocking form and returns a ``Work``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._device import xp
from .._tensor import Tensor, bump_version
from ._group import _check_group, _comm, _state

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "gather",
    "gather_object",
    "reduce",
    "scatter",
    "scatter_object_list",
]


class ReduceOp:
    """How ``all_reduce`` and ``reduce`` combine the ranks' values, with PyTorch's names."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_MPI_OPS = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD",
            ReduceOp.MIN: "MIN", ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND",
            ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}


class Work:
    """A collective started with ``async_op=True``: ``wait()`` blocks until it has finished.

    Results (the average of ``ReduceOp.AVG``, the copies into an output list) are in place
    once ``wait()`` returns.
    """

    def __init__(self, requests: list, finish: Callable[[], None] | None = None) -> None:
        self._requests = requests
        self._finish = finish

    def wait(self, timeout: Any = None) -> bool:
        """Block until the collective is complete; return True."""
        if self._requests:
            _state.mpi.Request.Waitall(self._requests)
            self._requests = []
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()
        return True

    def is_completed(self) -> bool:
        """Whether the collective has finished (finishing it if it has)."""
        if self._requests and not _state.mpi.Request.Testall(self._requests):
            return False
        self.wait()
        return True

    def is_success(self) -> bool:
        """Whether the collective has finished without error."""
        return self.is_completed()


def _run(blocking: Callable[[], Any], nonblocking: Callable[[], Any], async_op: bool,
         finish: Callable[[], None] | None = None) -> Work | None:
    if async_op:
        return Work([nonblocking()], finish)
    blocking()
    if finish is not None:
        finish()
    return None


def _array(tensor: Any, name: str = "tensor") -> Any:
    """The tensor's array, ready to be an MPI buffer."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"bricks.Tensor but got {type(tensor)} instead.")
    array = tensor._value
    if not array.flags.c_contiguous:
        raise ValueError(f"Tensors must be contiguous: `{name}` has shape "
                         f"{tuple(array.shape)} and strides {array.strides}; call .contiguous()")
    return array


def _check_rank(rank: int, name: str) -> None:
    size = _comm().Get_size()
    if not isinstance(rank, int) or not 0 <= rank < size:
        raise ValueError(f"{name}={rank!r} is not a rank of the group: expected 0 .. {size - 1}")


def _check_list(tensors: Any, tensor: Any, name: str) -> list:
    size = _comm().Get_size()
    if not isinstance(tensors, (list, tuple)) or len(tensors) != size:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"`{name}` must be a list of {size} tensors (one per rank), got {got}")
    arrays = [_array(t, name) for t in tensors]
    for i, a in enumerate(arrays):
        if a.shape != tensor._value.shape or a.dtype != tensor._value.dtype:
            raise ValueError(f"`{name}[{i}]` has shape {tuple(a.shape)} and dtype {a.dtype}; "
                             f"expected those of `tensor`: {tuple(tensor._value.shape)} and "
                             f"{tensor._value.dtype}")
    return arrays


def _mpi_op(op: Any) -> Any:
    name = _MPI_OPS.get(op)
    if name is None:
        raise ValueError(f"unknown reduce op {op!r}: expected one of ReduceOp.SUM, AVG, "
                         "PRODUCT, MIN, MAX, BAND, BOR, BXOR")
    return getattr(_state.mpi, name)


def _average(array: Any, size: int) -> Callable[[], None]:
    def finish() -> None:
        if array.dtype.kind in "fc":
            xp.divide(array, size, out=array)
        else:
            xp.floor_divide(array, size, out=array)
    return finish


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Wait until every rank of the group has reached this call."""
    _check_group(group)
    comm = _comm()
    return _run(comm.Barrier, comm.Ibarrier, async_op)


def broadcast(tensor: Tensor, src: int, group: Any = None,
              async_op: bool = False) -> Work | None:
    """Copy ``tensor`` of rank ``src`` into ``tensor`` of every rank, in place.

    Raises:
        TypeError: if ``tensor`` is not a Tensor.
        ValueError: for a non-contiguous tensor or a ``src`` that is not a rank.
    """
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    _check_rank(src, "src")
    bump_version(tensor)
    return _run(lambda: comm.Bcast(array, root=src), lambda: comm.Ibcast(array, root=src),
                async_op)


def all_reduce(tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks with ``op``; every rank gets the result, in place.

    Example:
        >>> import bricks, bricks.distributed as dist
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> t = bricks.tensor([1.0, 2.0]) * (dist.get_rank() + 1)  # doctest: +SKIP
        >>> dist.all_reduce(t)  # with 2 ranks: tensor([3., 6.])  # doctest: +SKIP
    """
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    mpi_op = _mpi_op(op)
    in_place = _state.mpi.IN_PLACE
    finish = _average(array, comm.Get_size()) if op == ReduceOp.AVG else None
    bump_version(tensor)
    return _run(lambda: comm.Allreduce(in_place, array, op=mpi_op),
                lambda: comm.Iallreduce(in_place, array, op=mpi_op), async_op, finish)


def reduce(tensor: Tensor, dst: int, op: Any = ReduceOp.SUM, group: Any = None,
           async_op: bool = False) -> Work | None:
    """Combine ``tensor`` over all ranks with ``op`` into ``tensor`` of rank ``dst``."""
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    _check_rank(dst, "dst")
    mpi_op = _mpi_op(op)
    if comm.Get_rank() == dst:
        send, recv = _state.mpi.IN_PLACE, array
        finish = _average(array, comm.Get_size()) if op == ReduceOp.AVG else None
        bump_version(tensor)
    else:
        send, recv, finish = array, None, None
    return _run(lambda: comm.Reduce(send, recv, op=mpi_op, root=dst),
                lambda: comm.Ireduce(send, recv, op=mpi_op, root=dst), async_op, finish)


def _unpack(buffer: Any, tensors: list) -> Callable[[], None]:
    def finish() -> None:
        for t, part in zip(tensors, buffer):
            t._value[...] = part
            bump_version(t)
    return finish


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[r]`` on every rank with ``tensor`` of rank ``r``.

    Raises:
        ValueError: if ``tensor_list`` does not hold one tensor per rank of ``tensor``'s
            shape and dtype.
    """
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    _check_list(tensor_list, tensor, "tensor_list")
    buffer = xp.empty((comm.Get_size(),) + array.shape, array.dtype)
    return _run(lambda: comm.Allgather(array, buffer), lambda: comm.Iallgather(array, buffer),
                async_op, _unpack(buffer, list(tensor_list)))


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group: Any = None,
                           async_op: bool = False) -> Work | None:
    """Concatenate every rank's ``input_tensor`` along dimension 0 into ``output_tensor``."""
    _check_group(group)
    comm = _comm()
    out, array = _array(output_tensor, "output_tensor"), _array(input_tensor, "input_tensor")
    size = comm.Get_size()
    if out.size != size * array.size or out.dtype != array.dtype:
        raise ValueError(f"output_tensor must hold {size} x input_tensor ({size * array.size} "
                         f"elements of {array.dtype}), got {out.size} elements of {out.dtype}")
    bump_version(output_tensor)
    return _run(lambda: comm.Allgather(array, out), lambda: comm.Iallgather(array, out),
                async_op)


def gather(tensor: Tensor, gather_list: list[Tensor] | None = None, dst: int = 0,
           group: Any = None, async_op: bool = False) -> Work | None:
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (None elsewhere)."""
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    _check_rank(dst, "dst")
    if comm.Get_rank() != dst:
        return _run(lambda: comm.Gather(array, None, root=dst),
                    lambda: comm.Igather(array, None, root=dst), async_op)
    _check_list(gather_list, tensor, "gather_list")
    buffer = xp.empty((comm.Get_size(),) + array.shape, array.dtype)
    return _run(lambda: comm.Gather(array, buffer, root=dst),
                lambda: comm.Igather(array, buffer, root=dst), async_op,
                _unpack(buffer, list(gather_list)))  # type: ignore[arg-type]  # checked above


def scatter(tensor: Tensor, scatter_list: list[Tensor] | None = None, src: int = 0,
            group: Any = None, async_op: bool = False) -> Work | None:
    """Give rank ``r`` the tensor ``scatter_list[r]`` of rank ``src``, into ``tensor``."""
    _check_group(group)
    comm, array = _comm(), _array(tensor)
    _check_rank(src, "src")
    buffer = None
    if comm.Get_rank() == src:
        arrays = _check_list(scatter_list, tensor, "scatter_list")
        buffer = xp.stack(arrays)
    bump_version(tensor)
    return _run(lambda: comm.Scatter(buffer, array, root=src),
                lambda: comm.Iscatter(buffer, array, root=src), async_op)


def broadcast_object_list(object_list: list, src: int = 0, group: Any = None,
                          device: Any = None) -> None:
    """Replace ``object_list``'s items on every rank by those of rank ``src`` (pickled).

    Only for values sent between the job's own processes: pickles are never read from files.
    """
    _check_group(group)
    comm = _comm()
    _check_rank(src, "src")
    received = comm.bcast(list(object_list) if comm.Get_rank() == src else None, root=src)
    object_list[:] = received


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """Fill ``object_list[r]`` on every rank with ``obj`` of rank ``r`` (pickled)."""
    _check_group(group)
    comm = _comm()
    if len(object_list) != comm.Get_size():
        raise ValueError(f"object_list must have one item per rank ({comm.Get_size()}), got "
                         f"{len(object_list)}")
    object_list[:] = comm.allgather(obj)


def gather_object(obj: Any, object_gather_list: list | None = None, dst: int = 0,
                  group: Any = None) -> None:
    """Collect every rank's ``obj`` into ``object_gather_list`` on rank ``dst`` (pickled)."""
    _check_group(group)
    comm = _comm()
    _check_rank(dst, "dst")
    gathered = comm.gather(obj, root=dst)
    if comm.Get_rank() == dst:
        if object_gather_list is None or len(object_gather_list) != comm.Get_size():
            raise ValueError(f"object_gather_list must have one item per rank "
                             f"({comm.Get_size()}) on rank dst={dst}")
        object_gather_list[:] = gathered


def scatter_object_list(scatter_object_output_list: list, scatter_object_input_list: Any = None,
                        src: int = 0, group: Any = None) -> None:
    """Put item ``r`` of rank ``src``'s input list into ``scatter_object_output_list[0]``."""
    _check_group(group)
    comm = _comm()
    _check_rank(src, "src")
    items = list(scatter_object_input_list) if comm.Get_rank() == src else None
    scatter_object_output_list[0] = comm.scatter(items, root=src)
