"""``torch.testing``: ``assert_close`` and ``make_tensor``, with torch's tolerances and messages.

``assert_close`` compares tensors (and NumPy arrays, Python numbers, and sequences or mappings
of these, item by item) as torch does: attributes first (shape, dtype, device), then values with
``|actual - expected| <= atol + rtol * |expected|``, the default tolerances chosen by dtype. Its
failure message reports the mismatched elements and the greatest differences with their index,
word for word as torch's, so test logs read the same under either library.
"""

from __future__ import annotations

import collections.abc
import math
from typing import Any, Callable

import numpy as np

from . import _dtypes
from . import _creation
from ._tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype name; any other dtype (integers, bool) is compared for equality.
_PRECISIONS = {
    "float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}
_ARRAYS = (Tensor, np.ndarray)
_NUMBERS = (bool, int, float, complex)


def _dtype_name(dtype: Any) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def _default_tolerances(*dtypes: Any) -> tuple[float, float]:
    pairs = [_PRECISIONS.get(_dtype_name(d), (0.0, 0.0)) for d in dtypes]
    return max(r for r, _ in pairs), max(a for _, a in pairs)


def _tolerances(rtol: float | None, atol: float | None, *dtypes: Any) -> tuple[float, float]:
    """torch asks for both tolerances or neither: one alone is a ValueError."""
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, "
                         f"but got no {missing}.")
    if rtol is None or atol is None:
        return _default_tolerances(*dtypes)
    return float(rtol), float(atol)


class _Mismatch(AssertionError):
    """A failed comparison; ``trail`` records where inside nested containers it happened."""

    def __init__(self, message: str, trail: tuple = ()) -> None:
        super().__init__(message)
        self.message = message
        self.trail = trail


def _fail(msg: str | Callable[[str], str] | None, generated: str) -> None:
    if msg is None:
        raise _Mismatch(generated)
    raise _Mismatch(msg(generated) if callable(msg) else msg)


def _diff_line(kind: str, diff: Any, idx: tuple | None, tol: float, equality: bool) -> str:
    line = (f"{kind.title()} difference: {diff}" if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}")
    return line if equality else f"{line} (up to {tol} allowed)"


def _mismatch_text(identifier: str, extra: str, abs_part: tuple, rel_part: tuple,
                   rtol: float, atol: float) -> str:
    equality = rtol == 0 and atol == 0
    head = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra}\n"
    (abs_diff, abs_idx), (rel_diff, rel_idx) = abs_part, rel_part
    return (head + _diff_line("absolute", abs_diff, abs_idx, atol, equality) + "\n"
            + _diff_line("relative", rel_diff, rel_idx, rtol, equality))


def _scalar_text(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_text("Scalars", f"Expected {expected} but got {actual}.",
                          (abs_diff, None), (rel_diff, None), rtol, atol)


def _greatest(diff: np.ndarray, shape: tuple) -> tuple[Any, tuple]:
    """The largest entry (NaN counts as largest, as in torch.max) and its index."""
    nan = np.isnan(diff) if diff.dtype.kind in "fc" else np.zeros(diff.shape, bool)
    flat = int(np.argmax(nan)) if nan.any() else int(np.argmax(diff))
    return diff[flat].item(), tuple(int(i) for i in np.unravel_index(flat, shape))


def _tensor_text(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol: float,
                 atol: float) -> str:
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    if a.dtype.kind not in "fc":  # integers and bools are differenced as int64, as in torch
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a.ravel() - e.ravel())
        abs_diff[matches.ravel()] = 0
        rel_dtype = abs_diff.dtype if abs_diff.dtype.kind == "f" else np.float32
        rel_diff = (abs_diff / np.abs(e.ravel())).astype(rel_dtype, copy=False)
    rel_diff[matches.ravel()] = 0
    return _mismatch_text("Tensor-likes", extra, _greatest(abs_diff, a.shape),
                          _greatest(rel_diff, a.shape), rtol, atol)


def _attribute_check(name: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        raise _Mismatch(f"The values for attribute '{name}' do not match: "
                        f"{actual} != {expected}.")


def _as_array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _compare_arrays(actual: Any, expected: Any, opts: dict) -> None:
    _attribute_check("shape", actual.shape, expected.shape)
    if isinstance(actual, Tensor) and opts["check_device"]:
        _attribute_check("device", actual.device, expected.device)
    if opts["check_dtype"]:
        _attribute_check("dtype", actual.dtype, expected.dtype)
    rtol, atol = _tolerances(opts["rtol"], opts["atol"], actual.dtype, expected.dtype)
    a, e = _as_array(actual), _as_array(expected)
    if a.dtype != e.dtype:  # check_dtype=False: compare in the common dtype
        common = np.result_type(a, e)
        a, e = a.astype(common), e.astype(common)
    with np.errstate(all="ignore"):
        matches = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=opts["equal_nan"])
    if matches.all():
        return
    text = (_scalar_text(a.item(), e.item(), rtol, atol) if a.ndim == 0
            else _tensor_text(a, e, matches, rtol, atol))
    _fail(opts["msg"], text)


def _compare_numbers(actual: Any, expected: Any, opts: dict) -> None:
    kinds = [complex if isinstance(x, complex) else float if isinstance(x, float) else int
             for x in (actual, expected)]
    if opts["check_dtype"] and type(actual) is not type(expected):
        raise _Mismatch(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    dtype = "complex128" if complex in kinds else "float64" if float in kinds else "int64"
    rtol, atol = _tolerances(opts["rtol"], opts["atol"], dtype)
    if actual == expected or (opts["equal_nan"] and _both_nan(actual, expected)):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    _fail(opts["msg"], _scalar_text(actual, expected, rtol, atol))


def _both_nan(a: Any, b: Any) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _is_sequence(x: Any) -> bool:
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _compare(actual: Any, expected: Any, opts: dict) -> None:
    """Dispatch on the pair's kind; containers recurse and record the failing item."""
    if isinstance(actual, _ARRAYS) and type(actual) is type(expected):
        return _compare_arrays(actual, expected, opts)
    if isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS):
        return _compare_numbers(actual, expected, opts)
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(f"The length of the sequences mismatch: {len(actual)} != "
                            f"{len(expected)}")
        return _compare_items(zip(range(len(actual)), actual, expected), opts)
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected,
                                                                  collections.abc.Mapping):
        _check_keys(actual, expected)
        return _compare_items(((k, actual[k], expected[k]) for k in actual), opts)
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} "
                    f"and {type(expected)}.")


def _check_keys(actual: Any, expected: Any) -> None:
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    if missing or extra:
        raise _Mismatch(f"The keys of the mappings do not match:\n"
                        f"Missing keys in the actual mapping: {missing}\n"
                        f"Additional keys in the actual mapping: {extra}")


def _compare_items(items: Any, opts: dict) -> None:
    for key, a, e in items:
        try:
            _compare(a, e, opts)
        except _Mismatch as error:
            raise _Mismatch(error.message, (key,) + error.trail) from None


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: str | Callable[[str], str] | None = None
                 ) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close, as torch does.

    Default tolerances by dtype: float16 ``(1e-3, 1e-5)``, bfloat16 ``(1.6e-2, 1e-5)``,
    float32 ``(1.3e-6, 1e-5)``, float64 ``(1e-7, 1e-7)``; others compare for equality.
    ``msg`` replaces the generated message (a callable receives it and returns the new one).

    Raises:
        AssertionError: on a mismatch in shape, device, dtype (unless ``check_dtype=False``)
            or values; the message names the failing item inside containers.
        TypeError: for a pair of inputs that cannot be compared (a tensor and a list).
        ValueError: for ``rtol`` without ``atol`` or the reverse.
    """
    opts = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_device": check_device,
            "check_dtype": check_dtype, "msg": msg}
    try:
        _compare(actual, expected, opts)
    except _Mismatch as error:
        trail = "".join(f"[{k!r}]" for k in error.trail)
        text = error.message + (f"\n\nThe failure occurred for item {trail}" if trail else "")
        raise AssertionError(text) from None


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False) -> Tensor:
    """A tensor of ``shape`` drawn uniformly from ``[low, high)``, torch's test-data helper.

    The defaults are torch's: floats in ``[-9, 9)``, integers in ``[-9, 10)``, unsigned
    integers from 0, bools 0 or 1. ``exclude_zero`` replaces zeros by the smallest step
    away from zero (``eps`` for floats, 1 for integers). Draws use bricks' generator, so
    ``manual_seed`` makes them reproducible.
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dt = _dtypes.to_dtype(dtype)
    name = _dtype_name(dt)
    if name == "bool":
        return _creation.randint(0, 2, shape).bool()
    if dt.is_floating_point:
        result = _uniform_floats(shape, dt, low, high, exclude_zero)
    else:
        result = _uniform_integers(shape, dt, name, low, high, exclude_zero)
    return result.requires_grad_(True) if requires_grad else result


def _uniform_floats(shape: tuple, dt: Any, low: float | None, high: float | None,
                    exclude_zero: bool) -> Tensor:
    lo = -9.0 if low is None else float(low)
    hi = 9.0 if high is None else float(high)
    if lo > hi:
        raise ValueError(f"low must be less than or equal to high, "
                         f"but got low={lo} and high={hi}")
    result = _creation.rand(shape, dtype=dt) * (hi - lo) + lo
    if exclude_zero:
        result[result == 0] = float(np.finfo(_as_array(result).dtype).eps)
    return result


def _uniform_integers(shape: tuple, dt: Any, name: str, low: float | None,
                      high: float | None, exclude_zero: bool) -> Tensor:
    lo = (0 if name.startswith("uint") else -9) if low is None else math.ceil(low)
    hi = 10 if high is None else math.ceil(high)
    if lo >= hi:
        raise ValueError(f"low must be less than high, but got low={lo} and high={hi}")
    result = _creation.randint(lo, hi, shape, dtype=dt)
    if exclude_zero:
        result[result == 0] = 1
    return result
