"""``bricks.amp``: automatic mixed precision, with torch.amp's names.

``autocast`` opens regions where products and convolutions run in float16 (see
``autocast_mode``, which also says why bfloat16 is not offered); ``GradScaler`` scales the
loss so that low-precision gradients neither underflow nor poison a step.

Example:
    >>> import bricks
    >>> scaler = bricks.amp.GradScaler("cpu", enabled=False)
    >>> scaler.scale(bricks.tensor(2.0))
    tensor(2.)
"""

from __future__ import annotations

from .autocast_mode import (
    autocast, custom_bwd, custom_fwd, get_autocast_dtype, is_autocast_available,
    is_autocast_enabled,
)
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available", "is_autocast_enabled",
           "get_autocast_dtype", "custom_fwd", "custom_bwd"]
