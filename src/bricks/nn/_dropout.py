"""Channel dropout of ``bricks.nn.functional`` (re-exported there): ``dropout1d``,
``dropout2d`` and ``dropout3d`` zero whole channels (Tompson et al., 2015)."""

from __future__ import annotations

import warnings

from .. import ops
from .._tensor import Tensor

__all__ = ["dropout1d", "dropout2d", "dropout3d"]


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     batched: bool) -> Tensor:
    """Zero each (sample, channel) with probability p; scale the rest by 1 / (1 - p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from .._creation import default_generator

    lead = input.shape[:2] if batched else input.shape[:1]
    mask_shape = tuple(lead) + (1,) * (input.ndim - len(lead))
    keep = default_generator.numpy.random(mask_shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._wrap((keep * scale).astype(input._value.dtype))
    return ops.inplace.mul_(input, mask) if inplace else ops.mul(input, mask)


def _check_rank(input: Tensor, ranks: tuple, name: str) -> None:
    if input.ndim not in ranks:
        raise RuntimeError(f"{name}: Expected {ranks[0]}D or {ranks[1]}D input, but received "
                           f"a {input.ndim}D input. Note that {name} exists to provide channel-"
                           "wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
                           if name == "dropout1d" else
                           f"{name}: Expected {ranks[0]}D or {ranks[1]}D input, but received a "
                           f"{input.ndim}D input")


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p``."""
    _check_rank(input, (2, 3), "dropout1d")
    return _channel_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability ``p``.

    A 3-D input is read as (N, C, L), with PyTorch's warning.
    """
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release.",
                      UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", UserWarning,
                      stacklevel=2)
    return _channel_dropout(input, p, training, inplace, input.ndim != 1)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``."""
    _check_rank(input, (4, 5), "dropout3d")
    return _channel_dropout(input, p, training, inplace, input.ndim == 5)


