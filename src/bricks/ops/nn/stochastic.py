"""The dropout primitive.

Dropout is a primitive because its forward draws: ``bricks.compile`` replays a forward, and so
draws fresh numbers on every step from the same generator, in the same order, as eager code.
"""

from __future__ import annotations

from ..._device import device_of
from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["dropout"]


class Dropout(Function):
    # Draws its mask in forward (see the module docstring); saves the mask, not the input.
    def forward(self, x, p):
        from ..._creation import _draw

        keep = _draw(None, device_of(x), "random", x.shape) >= p  # the device's generator
        scale = x.dtype.type(0) if p == 1.0 else 1.0 / (1.0 - p)
        self.mask = (keep * scale).astype(x.dtype)
        return x * self.mask

    def backward(self, gy):
        return gy * self.mask


def dropout(input: Tensor, p: float) -> Tensor:
    """``input`` times a fresh mask: 0 with probability ``p``, else ``1 / (1 - p)``."""
    return Dropout.apply(input, p=p)
