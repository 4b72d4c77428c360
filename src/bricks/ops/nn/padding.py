"""The constant-padding primitive (negative widths crop): ``F.pad`` and the 3-D convolution."""

from __future__ import annotations

from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["pad"]


class Pad(Function):
    def forward(self, x, widths, value):
        grow = [(max(a, 0), max(b, 0)) for a, b in widths]
        y = xp.pad(x, grow, constant_values=value) if any(a or b for a, b in grow) else x
        self.keep = tuple(slice(max(-a, 0), y.shape[i] - max(-b, 0))
                          for i, (a, b) in enumerate(widths))
        self.inner = tuple(slice(a, a + n) for (a, _), n in zip(grow, x.shape))
        self.padded_shape = y.shape
        return array_module(y).ascontiguousarray(y[self.keep])

    def backward(self, gy):
        full = array_module(gy).zeros(self.padded_shape, gy.dtype)
        full[self.keep] = gy
        return full[self.inner], None


def pad(input: Tensor, widths: list, value: float) -> Tensor:
    """``input`` with ``widths[d] = (before, after)`` cells of ``value`` (negative crops)."""
    return Pad.apply(input, widths=widths, value=value)
