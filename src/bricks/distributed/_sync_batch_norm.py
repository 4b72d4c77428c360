"""The primitive of ``SyncBatchNorm``: batch normalization with statistics over all ranks.

Forward gathers each rank's per-channel (count, mean, M2) and merges them with Chan et al.'s
parallel formula (stable in float32, unlike E[x^2] - E[x]^2); backward all-reduces the two
per-channel sums the input gradient needs, so every rank gets its share of the gradient of
the global batch's loss, as PyTorch's SyncBatchNorm does.
"""

from __future__ import annotations

from .._device import xp
from .._tensor import Tensor, bump_version
from ..ops.nn.normalization import BatchNorm
from ._group import _comm, _state

__all__ = ["sync_batch_norm"]


class SyncBatchNorm(BatchNorm):
    # BatchNorm in training, with the batch statistics and the backward's two per-channel
    # means taken over every rank.
    torch_name = "SyncBatchNormBackward0"  # its own node, not BatchNorm's

    def forward(self, x, w, b, running_mean, running_var, momentum, eps):
        return super().forward(x, w, b, running_mean, running_var, True, momentum, eps)

    def _batch_statistics(self, x):
        """The global per-channel mean and biased variance (float64), and the global count."""
        channels = x.shape[1]
        count = x.size // channels if channels else 0
        local = xp.zeros(2 * channels + 1, xp.float64)
        local[0] = count
        if count:
            mean = x.mean(axis=self.axes, dtype=xp.float64)
            local[1:channels + 1] = mean
            centred = x - mean.astype(x.dtype).reshape((1, -1) + (1,) * (x.ndim - 2))
            local[channels + 1:] = (centred * centred).sum(axis=self.axes, dtype=xp.float64)
        comm = _comm()
        every = xp.empty((comm.Get_size(), 2 * channels + 1), xp.float64)
        comm.Allgather(local, every)
        counts, means, m2s = every[:, :1], every[:, 1:channels + 1], every[:, channels + 1:]
        total = counts.sum()
        if total <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{int(total)} over all ranks")
        self.total = total
        mean = (counts * means).sum(axis=0) / total
        var = (m2s + counts * (means - mean) ** 2).sum(axis=0) / total
        return mean, var, int(total)

    def _gradient_means(self, g):
        """The global per-channel means of ``g`` and ``g * x_hat``: one all-reduce of sums."""
        channels = g.shape[1]
        sums = xp.empty(2 * channels, xp.float64)
        sums[:channels] = g.sum(axis=self.axes, dtype=xp.float64)
        sums[channels:] = (g * self.x_hat).sum(axis=self.axes, dtype=xp.float64)
        _comm().Allreduce(_state.mpi.IN_PLACE, sums, op=_state.mpi.SUM)
        shape = self.rstd.shape
        return ((sums[:channels] / self.total).astype(g.dtype).reshape(shape),
                (sums[channels:] / self.total).astype(g.dtype).reshape(shape))


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
