"""Tensor printing that matches ``repr(torch.Tensor)`` character for character.

Works on a plain NumPy array plus the tensor facts the text needs (dtype name, autograd
state), so it sits below ``Tensor`` and imports nothing from bricks. The rules follow
PyTorch 2.x under its default print options: precision 4, threshold 1000, edgeitems 3,
linewidth 80. Complex values print as torch's: real and imaginary parts each in the style
their own values choose.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["format_tensor", "set_printoptions"]

PRECISION = 4
THRESHOLD: float = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: bool | None = None  # None: chosen from the values, as PyTorch's default

_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: the digits after the point,
    the size above which a tensor is summarized, the items kept at each edge then, the line
    width, a ``profile`` (``'default'``, ``'short'``, ``'full'``) and forced scientific
    notation (``sci_mode``; None chooses from the values).
    """
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r}: expected one of "
                             f"{sorted(_PROFILES)}")
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode

# PyTorch leaves these dtypes out of a non-empty tensor's repr, besides the default float one.
_IMPLIED_DTYPES = frozenset({"int64", "bool"})


def format_tensor(
    array: np.ndarray,
    *,
    dtype_name: str,
    default_dtype: bool,
    dtype_repr: str | None = None,
    requires_grad: bool = False,
    grad_fn: str | None = None,
    prefix: str = "tensor(",
    device: str | None = None,
) -> str:
    """Return the text ``repr`` of a PyTorch tensor holding ``array``'s values would print.

    Args:
        array: the tensor's values, any shape. Its NumPy kind decides the style: floats get
            four decimals or scientific notation, integers and booleans print as Python does.
        dtype_name: the tensor's dtype without a module, such as ``"float32"`` or ``"int64"``.
        default_dtype: whether the tensor's dtype is the current default float dtype
            (``torch.get_default_dtype()``); such a dtype is never printed for a non-empty
            tensor, and neither are ``int64`` and ``bool``. Empty tensors show every other
            dtype, as PyTorch does.
        dtype_repr: the text after ``dtype=``; defaults to ``"torch." + dtype_name`` so that
            printed output reads like PyTorch's.
        requires_grad: adds ``requires_grad=True`` when no ``grad_fn`` is given.
        grad_fn: the bare class name of the node that made the tensor, such as
            ``"AddmmBackward0"``; printed as ``grad_fn=<AddmmBackward0>``.
        prefix: the text before the values. Continuation lines are indented to the width
            of its last line, so ``"Parameter containing:\\ntensor("`` indents by 7.
        device: the device of a tensor not on the CPU, such as ``"cuda:0"``; printed first
            among the suffixes, as ``device='cuda:0'``.

    Returns:
        The repr text, without a trailing newline.

    Example:
        >>> format_tensor(np.array([1.0, 2.5], dtype=np.float32),
        ...               dtype_name="float32", default_dtype=True, requires_grad=True)
        'tensor([1.0000, 2.5000], requires_grad=True)'
        >>> format_tensor(np.zeros((0, 3)), dtype_name="float64", default_dtype=False)
        'tensor([], size=(0, 3), dtype=torch.float64)'
    """
    head, newline, last_line = prefix.rpartition("\n")
    indent = len(last_line)
    suffixes = _dtype_suffixes(array, dtype_name, default_dtype, dtype_repr)
    if device is not None:
        suffixes.insert(0, f"device='{device}'")
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    text = _append_suffixes(last_line + _values_str(array, indent), suffixes, indent)
    return head + newline + text


def _dtype_suffixes(
    array: np.ndarray, dtype_name: str, default_dtype: bool, dtype_repr: str | None
) -> list[str]:
    """The ``size=`` and ``dtype=`` suffixes, by PyTorch's rules for empty and full tensors."""
    dtype_text = "dtype=" + (dtype_repr if dtype_repr is not None else "torch." + dtype_name)
    if array.size == 0:
        suffixes = [] if array.ndim == 1 else [f"size={tuple(int(n) for n in array.shape)}"]
        # No element shows whether an empty tensor holds integers, so only the default hides.
        return suffixes + ([] if default_dtype else [dtype_text])
    if default_dtype or dtype_name in _IMPLIED_DTYPES:
        return []
    return [dtype_text]


def _append_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Join suffixes with ``, ``, wrapping one onto a new line when it would pass 80 columns."""
    # PyTorch's running length overcounts the last line by one, or by two without a newline;
    # kept on purpose, since it decides where suffixes wrap.
    line_length = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(parts) + ")"


def _values_str(array: np.ndarray, indent: int) -> str:
    """The bracketed values, summarized with ``...`` when there are more than 1000."""
    if array.size == 0:
        return "[]"
    summarize = array.size > THRESHOLD
    shown = _edge_items(array) if summarize else array
    formatter = _ComplexFormatter(shown) if array.dtype.kind == "c" else _Formatter(shown)
    return _nested_str(array, indent, summarize, formatter)


def _edge_items(array: np.ndarray) -> np.ndarray:
    """Keep only the elements a summarized print shows: the first and last 3 on long axes."""
    for axis, size in enumerate(array.shape):
        if size > 2 * EDGEITEMS:
            kept = [*range(EDGEITEMS), *range(size - EDGEITEMS, size)]
            array = np.take(array, kept, axis=axis)
    return array


def _positions(size: int, summarize: bool) -> list[int | None]:
    """Indices printed along one axis, with ``None`` where the ellipsis goes."""
    if summarize and size > 2 * EDGEITEMS:
        return [*range(EDGEITEMS), None, *range(size - EDGEITEMS, size)]
    return list(range(size))


def _nested_str(array: np.ndarray, indent: int, summarize: bool, formatter: Any) -> str:
    """Print one level of nesting; deeper levels are indented one more column each."""
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    slices = [
        "..." if index is None else _nested_str(array[index], indent + 1, summarize, formatter)
        for index in _positions(array.shape[0], summarize)
    ]
    # Blocks of rank k are separated by k - 1 blank lines, as in PyTorch and NumPy.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _vector_str(array: np.ndarray, indent: int, summarize: bool, formatter: Any) -> str:
    """Print a 1-D array, wrapping so that lines fit in 80 columns after ``indent``."""
    items = [
        " ..." if index is None else formatter.format(array[index].item())
        for index in _positions(array.shape[0], summarize)
    ]
    per_line = max(1, (LINEWIDTH - indent) // (formatter.width + 2))
    lines = [", ".join(items[start : start + per_line]) for start in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


class _Formatter:
    """Formats every element to one width and style, chosen from the values to be printed."""

    def __init__(self, array: np.ndarray) -> None:
        self.floating = array.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if self.floating:
            self._choose_float_style(array)
        else:
            self.width = max([1, *(len(str(value)) for value in array.ravel().tolist())])

    def _choose_float_style(self, array: np.ndarray) -> None:
        """Pick integer, fixed or scientific style from the nonzero finite values."""
        values = array.astype(np.float64).ravel()
        values = values[np.isfinite(values) & (values != 0)]
        if values.size == 0:
            return
        magnitudes = np.abs(values)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        if SCI_MODE is not None:
            self.sci_mode = SCI_MODE
        self.width = max(len(self._finite_str(value)) for value in values.tolist())

    def _finite_str(self, value: float) -> str:
        """A finite float in the chosen style, unpadded."""
        if self.sci_mode:
            return f"{value:.{PRECISION}e}"
        if self.int_mode:
            return f"{value:.0f}."
        return f"{value:.{PRECISION}f}"

    def format(self, value: float | int | bool) -> str:
        """One element, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif math.isfinite(value):
            text = self._finite_str(value)
        else:
            text = f"{value:.0f}"  # nan, inf or -inf, never with a trailing point
        return text.rjust(self.width)


class _ComplexFormatter:
    """Complex values as torch prints them: ``1.0000+2.j``, the real parts formatted together
    and the imaginary parts together, each in the style their values choose."""

    def __init__(self, array: np.ndarray) -> None:
        self.real = _Formatter(array.real)
        self.imag = _Formatter(array.imag)
        self.width = self.real.width + self.imag.width + 1

    def format(self, value: complex) -> str:
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag
