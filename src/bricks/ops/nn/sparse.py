"""Embedding primitives: rows picked by index, and rows summed by segment (embedding bags)."""

from __future__ import annotations

from typing import Any

from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["embedding", "segment_sum"]


class Embedding(Function):
    def forward(self, w, index, padding_idx):
        self.index, self.shape, self.padding_idx = index, w.shape, padding_idx
        return w[index]

    def backward(self, gy):
        gw = array_module(gy).zeros(self.shape, gy.dtype)
        xp.add.at(gw, self.index.reshape(-1), gy.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw, None


def embedding(weight: Tensor, index: Tensor, padding_idx: int | None) -> Tensor:
    """Rows of ``weight`` picked by ``index``; the padding row gets no gradient."""
    return Embedding.apply(weight, index, padding_idx=padding_idx)


class SegmentSum(Function):
    # A primitive for embedding bags: each row added into its segment (bag), rows of segment -1
    # dropped. Unlike a product with a 0/1 membership matrix, it never forms 0 * inf.
    def forward(self, x, segments, count):
        self.segments, self.keep = segments, segments >= 0
        module = array_module(x)
        out = module.zeros((count,) + x.shape[1:], x.dtype)
        module.add.at(out, segments[self.keep], x[self.keep])
        return out

    def backward(self, gy):
        gx = array_module(gy).zeros((self.segments.size,) + gy.shape[1:], gy.dtype)
        gx[self.keep] = gy[self.segments[self.keep]]
        return gx


def segment_sum(input: Tensor, segments: Any, count: int) -> Tensor:
    """(count, *) sums of the rows of ``input`` (T, *) by their segment in [0, count) (or -1)."""
    return SegmentSum.apply(input, segments=segments, count=count)
