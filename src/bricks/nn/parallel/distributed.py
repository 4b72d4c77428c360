"""``DistributedDataParallel``: one model replica per process, gradients averaged in backward.

How a step runs (PyTorch's design, on MPI):

* at construction, parameters and buffers are broadcast from rank 0, so every replica
  starts equal whatever its seed;
* parameters are grouped into buckets in reverse registration order (roughly the order
  backward produces their gradients), each bucket one contiguous buffer per dtype;
* a post-accumulate-grad hook per parameter copies its finished gradient into its bucket;
  when every gradient of a bucket is in, that bucket's ``Iallreduce`` starts (buckets start
  in index order, so every rank issues the same collectives in the same order), and
  communication overlaps the rest of backward;
* a callback at the end of backward waits for the reductions and writes the averages back
  into ``.grad``: the user's ``loss.backward(); optimizer.step()`` is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..._device import xp
from ..._tensor import Tensor
from ...autograd import queue_callback
from ..module import Module
from ..parameter import is_uninitialized

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES
_BROADCAST_BYTES = 250 * 1024 * 1024  # PyTorch's broadcast coalescing size


class _Bucket:
    """Gradients of some parameters of one dtype, packed in one buffer reduced at once."""

    def __init__(self, params: list, dtype: Any) -> None:
        self.params = params
        self.buffer = xp.empty(sum(p._value.size for p in params), dtype)
        self.slots = []
        offset = 0
        for p in params:
            self.slots.append(self.buffer[offset:offset + p._value.size].reshape(p._value.shape))
            offset += p._value.size
        self.pending = len(params)
        self.ready = [False] * len(params)
        self.request: Any = None


class DistributedDataParallel(Module):
    """Train ``module`` on every process of the group, averaging gradients over processes.

    Each process feeds its own share of the data (see ``DistributedSampler``); after
    ``loss.backward()`` every replica holds the same averaged gradient, and after the
    optimizer's step the same parameters.

    Args:
        module: the model to replicate (its parameters initialised: run one forward pass
            first for lazy layers).
        device_ids, output_device, dim, process_group, check_reduction, static_graph:
            accepted for PyTorch's signature (CPU processes of the default group).
        broadcast_buffers: copy rank 0's buffers (BatchNorm's running statistics) to every
            rank at each forward in training.
        bucket_cap_mb: the size of a gradient bucket in MiB (the first one is 1 MiB).
        find_unused_parameters: allow parameters that get no gradient in a backward; their
            gradients are reduced as zeros, and a parameter no rank used keeps ``.grad``
            as it was.
        gradient_as_bucket_view: make each ``.grad`` a view into its bucket, saving a copy
            per step (then ``zero_grad(set_to_none=False)`` keeps the views).
        init_sync: broadcast rank 0's parameters and buffers at construction.

    Raises:
        RuntimeError: without ``init_process_group``, for uninitialised (lazy) parameters,
            for models that differ between ranks, and (at the end of backward) when a
            parameter got no gradient without ``find_unused_parameters=True``.

    Example:
        >>> import bricks, bricks.distributed as dist
        >>> from bricks import nn
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))  # doctest: +SKIP
        >>> model(bricks.randn(8, 4)).sum().backward()  # grads averaged  # doctest: +SKIP
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, init_sync: bool = True) -> None:
        super().__init__()
        from ... import distributed as dist

        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel needs the default process group: call "
                               "bricks.distributed.init_process_group('mpi') first")
        lazy = [name for name, p in module.named_parameters()
                if is_uninitialized(p)]
        if lazy:
            raise RuntimeError("Modules with uninitialized parameters can't be used with "
                               f"`DistributedDataParallel` ({', '.join(lazy)}). Run a dummy "
                               "forward pass to correctly initialize the modules")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        cap = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        comm = dist._group._comm()
        self.__dict__["_comm"] = comm
        self.__dict__["_mpi"] = dist._group._state.mpi
        self.__dict__["_world_size"] = comm.Get_size()
        self._check_same_model()
        self.__dict__["_params"] = [p for p in module.parameters() if p.requires_grad]
        self.__dict__["_buckets"] = self._make_buckets()
        if init_sync and self._world_size > 1:
            self._broadcast(list(module.parameters()) + list(module.buffers()))
        self._reset_reduction()
        self.__dict__["_handles"] = [
            p.register_post_accumulate_grad_hook(self._grad_ready) for p in self._params]

    # ----- construction -----
    def _check_same_model(self) -> None:
        mine = [(name, tuple(t.shape), str(t.dtype)) for name, t in
                list(self.module.named_parameters()) + list(self.module.named_buffers())]
        every = self._comm.allgather(mine)
        different = [r for r, theirs in enumerate(every) if theirs != every[0]]
        if different:
            raise RuntimeError("DistributedDataParallel: the model's parameters and buffers "
                               f"(names, shapes, dtypes) differ between rank 0 and rank(s) "
                               f"{different}; every rank must build the same model")

    def _make_buckets(self) -> list[_Bucket]:
        by_dtype: dict[Any, list] = {}
        for p in reversed(self._params):
            by_dtype.setdefault(p._value.dtype, []).append(p)
        buckets: list[_Bucket] = []
        where: dict[int, tuple[int, int]] = {}
        for dtype, params in by_dtype.items():
            group: list = []
            size = 0
            cap = min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
            for p in params:
                group.append(p)
                size += p._value.nbytes
                if size >= cap:
                    buckets.append(_Bucket(group, dtype))
                    group, size, cap = [], 0, self.bucket_bytes_cap
            if group:
                buckets.append(_Bucket(group, dtype))
        for index, bucket in enumerate(buckets):
            for slot, p in enumerate(bucket.params):
                where[id(p)] = (index, slot)
        self.__dict__["_where"] = where
        return buckets

    def _broadcast(self, tensors: list[Tensor]) -> None:
        # Coalesced: one Bcast per dtype and up to 250 MB, not one per tensor.
        by_dtype: dict[Any, list] = {}
        for t in tensors:
            by_dtype.setdefault(t._value.dtype, []).append(t)
        for dtype, group in by_dtype.items():
            start = 0
            while start < len(group):
                end, size = start, 0
                while end < len(group) and (end == start or size < _BROADCAST_BYTES):
                    size += group[end]._value.nbytes
                    end += 1
                chunk = group[start:end]
                flat = xp.concatenate([t._value.reshape(-1) for t in chunk]).astype(dtype)
                self._comm.Bcast(flat, root=0)
                offset = 0
                for t in chunk:
                    t._value[...] = flat[offset:offset + t._value.size].reshape(t._value.shape)
                    offset += t._value.size
                start = end

    # ----- forward -----
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        from ...autograd import is_grad_enabled

        sync = is_grad_enabled() and self.require_backward_grad_sync
        self.require_forward_param_sync = sync
        if (sync and self.broadcast_buffers and self._world_size > 1
                and self.module.training):
            buffers = list(self.module.buffers())
            if buffers:
                self._broadcast(buffers)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within this context backward only accumulates local gradients (no communication).

        The next backward outside it averages the accumulated gradients.

        Example:
            >>> with ddp.no_sync():  # doctest: +SKIP
            ...     ddp(x0).sum().backward()
            >>> ddp(x1).sum().backward()  # averages the sum of both  # doctest: +SKIP
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # ----- backward: hooks and the end-of-backward callback -----
    def _reset_reduction(self) -> None:
        for bucket in self._buckets:
            bucket.pending = len(bucket.params)
            bucket.ready = [False] * len(bucket.params)
            bucket.request = None
        self.__dict__["_next_bucket"] = 0
        self.__dict__["_in_backward"] = False

    def _grad_ready(self, param: Tensor) -> None:
        if not self.require_backward_grad_sync:
            return
        if not self._in_backward:
            self.__dict__["_in_backward"] = True
            queue_callback(self._finish_reduction)
        index, slot = self._where[id(param)]
        bucket = self._buckets[index]
        if bucket.ready[slot]:
            return
        grad = param.grad._value  # type: ignore[union-attr]  # the hook runs after accumulation
        target = bucket.slots[slot]
        if grad.base is not bucket.buffer:
            target[...] = grad
        bucket.ready[slot] = True
        bucket.pending -= 1
        self._launch_ready()

    def _launch_ready(self) -> None:
        buckets = self._buckets
        started = []
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            bucket = buckets[self._next_bucket]
            bucket.request = self._comm.Iallreduce(self._mpi.IN_PLACE, bucket.buffer,
                                                   op=self._mpi.SUM)
            self.__dict__["_next_bucket"] = self._next_bucket + 1
            started.append(bucket.request)
        # Open MPI advances nonblocking collectives only inside MPI calls: give it one.
        pending = [b.request for b in buckets[:self._next_bucket] if b.request is not None]
        if pending and not started:
            self._mpi.Request.Testall(pending)

    def _finish_reduction(self) -> None:
        try:
            used = self._fill_unused()
            self._launch_ready()
            self._mpi.Request.Waitall([b.request for b in self._buckets])
            if used is not None:
                self._comm.Allreduce(self._mpi.IN_PLACE, used, op=self._mpi.MAX)
            self._write_back(used)
        finally:
            self._reset_reduction()

    def _fill_unused(self) -> Any:
        missing = [(b, s) for b in self._buckets for s, ready in enumerate(b.ready) if not ready]
        if not self.find_unused_parameters:
            if missing:
                names = {id(p): n for n, p in self.module.named_parameters()}
                unused = [names.get(id(b.params[s]), "?") for b, s in missing]
                raise RuntimeError(
                    "Expected to have finished reduction in the prior iteration before "
                    "starting a new one. This error indicates that your module has parameters "
                    f"that were not used in producing loss: {', '.join(unused)}. You can "
                    "enable unused parameter detection by passing the keyword argument "
                    "`find_unused_parameters=True` to "
                    "`bricks.nn.parallel.DistributedDataParallel`.")
            return None
        used = xp.ones(len(self._params), xp.uint8)
        order = {id(p): i for i, p in enumerate(self._params)}
        for bucket, slot in missing:
            param = bucket.params[slot]
            used[order[id(param)]] = 0
            grad = param.grad
            bucket.slots[slot][...] = 0 if grad is None else grad._value
            bucket.ready[slot] = True
            bucket.pending -= 1
        return used

    def _write_back(self, used: Any) -> None:
        # The sum becomes the average on its way into .grad: one pass over the gradients.
        order = {id(p): i for i, p in enumerate(self._params)} if used is not None else None
        world = self._world_size
        views = self.gradient_as_bucket_view
        for bucket in self._buckets:
            if views and world > 1:
                bucket.buffer /= world
            for param, slot in zip(bucket.params, bucket.slots):
                grad = param.grad
                if grad is None:
                    if order is not None and not used[order[id(param)]]:
                        continue  # no rank used it: stays None, as PyTorch
                    param.grad = Tensor._wrap(slot if views else slot / world)
                elif views:
                    if grad._value.base is not bucket.buffer:
                        param.grad = Tensor._wrap(slot)
                else:
                    xp.divide(slot, world, out=grad._value)

    def extra_repr(self) -> str:
        return ""
