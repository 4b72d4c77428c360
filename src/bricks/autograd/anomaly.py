"""Anomaly detection: ``detect_anomaly()`` makes backward raise where a node's gradient turns
NaN, naming the node, as ``torch.autograd.detect_anomaly`` does."""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

# [enabled, check_nan]; read by the engine once per node while enabled.
ANOMALY = [False, True]


class detect_anomaly:
    """Context manager (and decorator) that checks every gradient computed in backward for NaN.

    Args:
        check_nan: raise when a node returns a NaN gradient (default True).

    Example:
        >>> import bricks
        >>> x = bricks.tensor([0.0], requires_grad=True)
        >>> with bricks.autograd.detect_anomaly():
        ...     try:
        ...         (x.sqrt() * 0).sum().backward()
        ...     except RuntimeError as error:
        ...         print(str(error).split(".")[0])
        Function 'SqrtBackward0' returned nan values in its 0th output
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self.previous = list(ANOMALY)
        ANOMALY[:] = [True, self.check_nan]

    def __exit__(self, *exc: object) -> None:
        ANOMALY[:] = self.previous

    def __call__(self, function: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return wrapped


class set_detect_anomaly:
    """Turn anomaly detection on or off, as a call or a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.previous = list(ANOMALY)
        ANOMALY[:] = [bool(mode), check_nan]

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        ANOMALY[:] = self.previous


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return ANOMALY[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks gradients for NaN."""
    return ANOMALY[0] and ANOMALY[1]


def check(node: Any, grads: tuple) -> None:
    """Raise torch's error if one of ``node``'s gradients holds a NaN."""
    if not ANOMALY[1]:
        return
    for i, g in enumerate(grads):
        if g is not None and g.dtype.kind == "f" and (g != g).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")
