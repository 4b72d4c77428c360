"""``bricks.signal.windows``: torch's window functions of ``M`` points, symmetric unless
``sym=False`` (then periodic). The formulas are those of the ``bricks.*_window`` functions
(``_windows.py``), with ``cosine``, ``gaussian`` and ``exponential`` besides."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import _dtypes
from .._device import xp
from .._tensor import Tensor
from .._windows import BLACKMAN, Formula, bartlett as _bartlett, general_cosine as _cosines
from .._windows import kaiser as _kaiser, make, values

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]

_NUTTALL = (0.3635819, 0.4891775, 0.1365995, 0.0106411)


def _window(name: str, formula: Formula, M: int, sym: bool, dtype: Any, device: Any,
            requires_grad: bool, small: bool = True) -> Tensor:
    """The checks torch's windows share (all ValueError), then the window."""
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    resolved = _dtypes.get_default_dtype() if dtype is None else _dtypes.to_dtype(dtype)
    if resolved.name not in ("float32", "float64"):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return make(values(formula, M, not sym, small), resolved, device, requires_grad)


def general_cosine(M: int, *, a: Iterable, sym: bool = True, dtype: Any = None,
                   layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sum of cosines ``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))``.

    Raises:
        TypeError: when ``a`` is not a list or tuple.
        ValueError: for no coefficients, a negative ``M`` or a dtype other than float32/64.

    Example:
        >>> import bricks
        >>> bricks.signal.windows.general_cosine(3, a=[0.5, 0.5]).tolist()
        [0.0, 1.0, 0.0]
    """
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    coefficients = tuple(a)
    if not coefficients:
        raise ValueError("Coefficients cannot be empty")
    return _window("general_cosine", _cosines(coefficients), M, sym, dtype, device,
                   requires_grad)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """``alpha - (1 - alpha) cos(2 pi n / (M - 1))``.

    Example:
        >>> import bricks
        >>> bricks.signal.windows.general_hamming(3, alpha=0.5).tolist()
        [0.0, 1.0, 0.0]
    """
    return general_cosine(M, a=(alpha, 1.0 - alpha), sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Hamming window: ``general_hamming`` with ``alpha=0.54``.

    Example:
        >>> import bricks
        >>> [round(v, 2) for v in bricks.signal.windows.hamming(3).tolist()]
        [0.08, 1.0, 0.08]
    """
    return general_hamming(M, alpha=0.54, sym=sym, dtype=dtype, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Hann window: ``general_hamming`` with ``alpha=0.5``.

    Example:
        >>> import bricks
        >>> bricks.signal.windows.hann(3).tolist()
        [0.0, 1.0, 0.0]
    """
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Blackman window: ``general_cosine`` with ``a = (0.42, 0.5, 0.08)``.

    Example:
        >>> import bricks
        >>> [round(v, 2) for v in bricks.signal.windows.blackman(3).tolist()]
        [-0.0, 1.0, -0.0]
    """
    return general_cosine(M, a=BLACKMAN, sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """The minimum 4-term Blackman-Harris window of Nuttall (1981).

    Example:
        >>> import bricks
        >>> [round(v, 4) for v in bricks.signal.windows.nuttall(3).tolist()]
        [0.0004, 1.0, 0.0004]
    """
    return general_cosine(M, a=_NUTTALL, sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """The triangle ``1 - |2 n / (M - 1) - 1|``.

    Example:
        >>> import bricks
        >>> bricks.signal.windows.bartlett(5).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return _window("bartlett", _bartlett, M, sym, dtype, device, requires_grad)


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None,
           layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window of shape parameter ``beta``.

    Raises:
        ValueError: for a negative ``beta``.

    Example:
        >>> import bricks
        >>> [round(v, 3) for v in bricks.signal.windows.kaiser(3, beta=2.0).tolist()]
        [0.439, 1.0, 0.439]
    """
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    return _window("kaiser", _kaiser(beta), M, sym, dtype, device, requires_grad)


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """The sine window ``sin(pi (n + 0.5) / M)``.

    Example:
        >>> import bricks
        >>> [round(v, 3) for v in bricks.signal.windows.cosine(3).tolist()]
        [0.5, 1.0, 0.5]
    """
    def formula(n: Any, length: int) -> Any:
        return xp.sin(xp.pi * (n + 0.5) / length)

    return _window("cosine", formula, M, sym, dtype, device, requires_grad, small=False)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Gaussian ``exp(-((n - (M - 1) / 2) / std)^2 / 2)``.

    Raises:
        ValueError: for a ``std`` that is not positive.

    Example:
        >>> import bricks
        >>> [round(v, 3) for v in bricks.signal.windows.gaussian(3).tolist()]
        [0.607, 1.0, 0.607]
    """
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")

    def formula(n: Any, length: int) -> Any:
        return xp.exp(-(((n - (length - 1) / 2) / std) ** 2) / 2)

    return _window("gaussian", formula, M, sym, dtype, device, requires_grad, small=False)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype: Any = None, layout: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """The Poisson window ``exp(-|n - center| / tau)``, centred unless ``center`` is given
    (periodic windows only).

    Raises:
        ValueError: for a ``tau`` that is not positive, or a ``center`` with ``sym=True``.

    Example:
        >>> import bricks
        >>> [round(v, 3) for v in bricks.signal.windows.exponential(3).tolist()]
        [0.368, 1.0, 0.368]
    """
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")

    def formula(n: Any, length: int) -> Any:
        middle = (length - 1) / 2 if center is None else center
        return xp.exp(-xp.abs(n - middle) / tau)

    return _window("exponential", formula, M, sym, dtype, device, requires_grad, small=False)
