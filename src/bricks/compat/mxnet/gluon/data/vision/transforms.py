"""``mxnet.gluon.data.vision.transforms``: ToTensor, Normalize, Resize and Compose."""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from ....._facade import unwrap
from .... import npx

__all__ = ["Compose", "ToTensor", "Normalize", "Resize"]


def _wrap(tensor: bricks.Tensor) -> Any:
    return npx.array_class()._wrap(tensor)


class Compose:
    """The transforms applied in order."""

    def __init__(self, transforms: list) -> None:
        self._transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for transform in self._transforms:
            x = transform(x)
        return x


class ToTensor:
    """An (H, W, C) uint8 image as a (C, H, W) float32 array in [0, 1] (batches: (N, C, H, W))."""

    def __call__(self, x: Any) -> Any:
        tensor = unwrap(x).float() / 255.0
        order = (2, 0, 1) if tensor.dim() == 3 else (0, 3, 1, 2)
        return _wrap(tensor.permute(*order).contiguous())


class Normalize:
    """``(x - mean) / std`` per channel of a (C, H, W) array."""

    def __init__(self, mean: Any = 0.0, std: Any = 1.0) -> None:
        self._mean, self._std = mean, std

    def __call__(self, x: Any) -> Any:
        tensor = unwrap(x)
        mean = bricks.as_tensor(self._mean, dtype=tensor.dtype).reshape(-1, 1, 1)
        std = bricks.as_tensor(self._std, dtype=tensor.dtype).reshape(-1, 1, 1)
        return _wrap((tensor - mean) / std)


class Resize:
    """An (H, W, C) image resized to ``size`` (an int for a square, or (width, height))."""

    def __init__(self, size: Any, keep_ratio: bool = False, interpolation: int = 1) -> None:
        self._size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, x: Any) -> Any:
        tensor = unwrap(x)
        width, height = self._size
        dtype = tensor.dtype
        chw = tensor.float().permute(2, 0, 1).unsqueeze(0)
        resized = F.interpolate(chw, size=(height, width), mode="bilinear", align_corners=False)
        out = resized[0].permute(1, 2, 0)
        if not dtype.is_floating_point:
            out = out.round().clamp(0, 255).to(dtype)
        return _wrap(out.contiguous())
