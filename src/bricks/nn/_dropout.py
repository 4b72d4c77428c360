"""Channel dropout of ``bricks.nn.functional`` (re-exported there): ``dropout1d``,
``dropout2d`` and ``dropout3d`` zero whole channels (Tompson et al., 2015); and the alpha
dropouts of self-normalizing networks, ``alpha_dropout`` and ``feature_alpha_dropout``."""

from __future__ import annotations

import math
import warnings

from .. import ops
from .._tensor import Tensor

__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


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




# The value SELU saturates at for large negative inputs (-scale * alpha): alpha dropout sets
# dropped units to it, then an affine map restores the mean and variance (Klambauer et al.).
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                   feature: bool) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1.0:
        out = input * 0.0
    else:
        from .._creation import default_generator

        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else input.shape
        keep = (default_generator.numpy.random(shape) >= p).astype(input._value.dtype)
        a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
        shift = (keep - 1) * (_SELU_SATURATION * a) + _SELU_SATURATION * a * p
        out = input * Tensor._wrap(keep * a) + Tensor._wrap(shift)
    return ops.inplace.copy_(input, out) if inplace else out


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for self-normalizing networks (SELU): each element is set, with probability
    ``p``, to SELU's saturation value, then all are mapped affinely so that zero mean and
    unit variance are kept. Off outside training (the default here, as PyTorch).

    Raises:
        ValueError: if ``p`` is not in [0, 1].
    """
    return _alpha_dropout(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """``alpha_dropout`` of whole channels: one draw per (sample, channel) of (N, C, *)."""
    return _alpha_dropout(input, p, training, inplace, feature=True)
