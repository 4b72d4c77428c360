"""The primitive of ``SyncBatchNorm``: batch normalization with statistics over all ranks.

Forward gathers each rank's per-channel (count, mean, M2) and merges them with Chan et al.'s
parallel formula (stable in float32, unlike E[x^2] - E[x]^2); backward all-reduces the two
per-channel sums the input gradient needs, so every rank gets its share of the gradient of
the global batch's loss, as PyTorch's SyncBatchNorm does.
"""

from __future__ import annotations

from .._device import xp
from .._tensor import Tensor, bump_version
from ..autograd.function import Function
from ..ops.nn.normalization import _affine_grads, _update_running
from ._group import _comm, _state

__all__ = ["sync_batch_norm"]


class SyncBatchNorm(Function):
    def forward(self, x, w, b, running_mean, running_var, momentum, eps):
        comm = _comm()
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        channels = x.shape[1]
        count = x.size // channels if channels else 0
        local = xp.zeros(2 * channels + 1, xp.float64)
        local[0] = count
        if count:
            mean = x.mean(axis=axes, dtype=xp.float64)
            local[1:channels + 1] = mean
            centred = x - mean.astype(x.dtype).reshape(shape)
            local[channels + 1:] = (centred * centred).sum(axis=axes, dtype=xp.float64)
        every = xp.empty((comm.Get_size(), 2 * channels + 1), xp.float64)
        comm.Allgather(local, every)
        counts, means, m2s = every[:, :1], every[:, 1:channels + 1], every[:, channels + 1:]
        total = counts.sum()
        if total <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{int(total)} over all ranks")
        mean = (counts * means).sum(axis=0) / total
        var = (m2s + counts * (means - mean) ** 2).sum(axis=0) / total
        _update_running(running_mean, running_var, mean.astype(x.dtype), var.astype(x.dtype),
                        int(total), momentum)
        self.axes, self.total = axes, total
        self.rstd = (1 / xp.sqrt(var + eps)).astype(x.dtype).reshape(shape)
        self.x_hat = (x - mean.astype(x.dtype).reshape(shape)) * self.rstd
        self.w = None if w is None else w.reshape(shape)
        y = self.x_hat * self.w if w is not None else self.x_hat.copy()
        if b is not None:
            y += b.reshape(shape)
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad[:3]
        gw, gb = _affine_grads(gy, self.x_hat, self.axes, (nw, nb))
        gx = None
        if nx:
            g = gy * self.w if self.w is not None else gy
            channels = g.shape[1]
            sums = xp.empty(2 * channels, xp.float64)
            sums[:channels] = g.sum(axis=self.axes, dtype=xp.float64)
            sums[channels:] = (g * self.x_hat).sum(axis=self.axes, dtype=xp.float64)
            _comm().Allreduce(_state.mpi.IN_PLACE, sums, op=_state.mpi.SUM)
            shape = self.rstd.shape
            m1 = (sums[:channels] / self.total).astype(g.dtype).reshape(shape)
            m2 = (sums[channels:] / self.total).astype(g.dtype).reshape(shape)
            gx = self.rstd * (g - m1 - self.x_hat * m2)
        return gx, gw, gb, None, None


def sync_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                    running_mean: Tensor | None, running_var: Tensor | None, momentum: float,
                    eps: float) -> Tensor:
    """Batch normalization in training with the statistics of the batch of every rank."""
    out = SyncBatchNorm.apply(input, weight, bias, running_mean, running_var,
                              momentum=momentum, eps=eps)
    for stat in (running_mean, running_var):
        if stat is not None:
            bump_version(stat)
    return out
