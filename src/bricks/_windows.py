"""Window functions: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window`` and the formulas ``bricks.signal.windows`` shares.

Each window is a formula of the position ``n`` in a symmetric window of length ``L``; a
periodic window of length ``M`` is the first ``M`` values of the symmetric one of length
``M + 1``, as torch makes it. Values are computed in float64 on the host, then cast and placed.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from . import _device, _dtypes
from ._device import xp
from ._tensor import Tensor

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]

Formula = Callable[[Any, int], Any]  # (positions n, symmetric length L) -> float64 values


def general_cosine(a: Sequence[float]) -> Formula:
    """``sum_i (-1)^i a_i cos(2 pi i n / (L - 1))``: Hann, Hamming, Blackman, Nuttall."""
    def formula(n: Any, length: int) -> Any:
        k = 2 * xp.pi * n / (length - 1)
        return sum((-1) ** i * a_i * xp.cos(i * k) for i, a_i in enumerate(a))

    return formula


def bartlett(n: Any, length: int) -> Any:
    """The triangle ``1 - |2 n / (L - 1) - 1|``."""
    return 1 - xp.abs(2 * n / (length - 1) - 1)


def kaiser(beta: float) -> Formula:
    """``I0(beta sqrt(1 - ((n - c) / c)^2)) / I0(beta)``, ``c = (L - 1) / 2`` (Kaiser, 1974)."""
    def formula(n: Any, length: int) -> Any:
        center = (length - 1) / 2
        ratio = xp.clip(1 - ((n - center) / center) ** 2, 0, None)
        return xp.i0(beta * xp.sqrt(ratio)) / xp.i0(beta)

    return formula


BLACKMAN = (0.42, 0.5, 0.08)


def values(formula: Formula, length: int, periodic: bool, small: bool = True) -> Any:
    """The window as a float64 host array. ``small``: lengths 0 and 1 give ``[]`` and ``[1]``
    without the formula (every window but some of ``signal.windows``)."""
    if length == 0 or small and length == 1:
        return xp.ones(length)
    symmetric_length = length + 1 if periodic and length > 1 else length
    return formula(xp.arange(length, dtype=xp.float64), symmetric_length)


def make(values: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    """The values as a new tensor of ``dtype`` (default: the default float) on ``device``."""
    np_dtype = _dtypes.to_dtype(dtype).numpy if dtype is not None \
        else _dtypes.get_default_dtype().numpy
    t = Tensor._wrap(_device.place(values.astype(np_dtype), _device.resolve(device)))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _window(name: str, formula: Formula, window_length: Any, periodic: bool, dtype: Any,
            device: Any, requires_grad: bool) -> Tensor:
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if dtype is not None and not _dtypes.to_dtype(dtype).is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    return make(values(formula, window_length, periodic), dtype, device, requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, pin_memory: bool = False,
                requires_grad: bool = False) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / (L - 1))``; periodic (for spectra) unless
    ``periodic=False``.

    Raises:
        RuntimeError: for a negative length or a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> bricks.hann_window(4).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    return _window("hann_window", general_cosine((0.5, 0.5)), window_length, periodic, dtype,
                   device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """The Hamming window ``alpha - beta cos(2 pi n / (L - 1))``.

    Raises:
        RuntimeError: for a negative length or a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> [round(v, 2) for v in bricks.hamming_window(4).tolist()]
        [0.08, 0.54, 1.0, 0.54]
    """
    return _window("hamming_window", general_cosine((alpha, beta)), window_length, periodic,
                   dtype, device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / (L - 1)) + 0.08 cos(4 pi n / (L - 1))``.

    Raises:
        RuntimeError: for a negative length or a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> [round(v, 2) for v in bricks.blackman_window(4).tolist()]
        [-0.0, 0.34, 1.0, 0.34]
    """
    return _window("blackman_window", general_cosine(BLACKMAN), window_length, periodic, dtype,
                   device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The triangular Bartlett window ``1 - |2 n / (L - 1) - 1|``.

    Raises:
        RuntimeError: for a negative length or a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> bricks.bartlett_window(4).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    return _window("bartlett_window", bartlett, window_length, periodic, dtype, device,
                   requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - ((n - c) / c)^2)) / I0(beta)``,
    ``c = (L - 1) / 2``.

    Raises:
        RuntimeError: for a negative length or a dtype that is not floating point.

    Example:
        >>> import bricks
        >>> [round(v, 3) for v in bricks.kaiser_window(4, True, 2.0).tolist()]
        [0.439, 0.835, 1.0, 0.835]
    """
    return _window("kaiser_window", kaiser(beta), window_length, periodic, dtype, device,
                   requires_grad)
