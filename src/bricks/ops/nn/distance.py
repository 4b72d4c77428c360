"""The pairwise-distance primitive of ``F.pdist``.

A primitive, not a composite of ``norm``, for PyTorch's subgradients: at a zero distance the
gradient is 0 (not NaN), and for ``p = inf`` every coordinate that attains the maximum gets
the whole gradient (``norm``'s splits it among ties).
"""

from __future__ import annotations

from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["pdist"]


class Pdist(Function):
    saves = (0,)

    def forward(self, x, p):
        self.p, self.n = p, x.shape[0]
        self.first, self.second = array_module(x).triu_indices(self.n, 1)
        self.diff = x[self.first] - x[self.second]
        size = abs(self.diff)
        if p == 0:
            dist = xp.minimum(xp.ceil(size), 1).sum(-1)
        elif p == 1:
            dist = size.sum(-1)
        elif p == 2:
            dist = xp.sqrt((size * size).sum(-1))
        elif p == xp.inf:
            dist = size.max(-1) if size.shape[-1] else size.sum(-1)  # no columns: 0
        else:
            dist = (size ** p).sum(-1) ** (1.0 / p)
        self.dist = dist
        return dist.astype(x.dtype, copy=False)

    def backward(self, gy):
        diff, p = self.diff, self.p
        dist, g = self.dist[:, None], gy[:, None]
        with xp.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                pair = xp.zeros_like(diff)
            elif p == 1:
                pair = g * xp.sign(diff)
            elif p == xp.inf:
                at_max = 1 - xp.minimum(1, xp.ceil(abs(abs(diff) - dist)))
                pair = g * xp.sign(diff) * at_max
            elif p < 2:
                pair = xp.where((dist == 0) | ((diff == 0) & (p < 1)), 0,
                                xp.sign(diff) * abs(diff) ** (p - 1) * g / dist ** (p - 1))
            elif p == 2:
                pair = xp.where(dist == 0, 0, g * diff / dist)
            else:
                pair = xp.where(dist == 0, 0, diff * abs(diff) ** (p - 2) * g / dist ** (p - 1))
        gx = array_module(diff).zeros((self.n, diff.shape[1]), diff.dtype)
        xp.add.at(gx, self.first, pair)
        xp.subtract.at(gx, self.second, pair)
        return gx


def pdist(input: Tensor, p: float) -> Tensor:
    """The ``p``-norm distances between the rows of (N, M), pairs (i < j) row by row."""
    return Pdist.apply(input, p=float(p))
