"""Type promotion: the dtype of a result from the dtypes (and ranks) of its operands."""

from __future__ import annotations

import builtins as _builtins
from typing import Any

from ._device import xp
from ._dtypes import complex_of

__all__ = ["result_type", "promote_types", "result_type_of"]


def result_type(a: xp.ndarray, b: xp.ndarray) -> xp.dtype:
    """PyTorch's promotion of two array dtypes: a float meets an integer as that float, a
    complex meets a real as a complex of the wider precision."""
    da, db = a.dtype, b.dtype
    if da is db:
        return da
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if ca != cb:
        if ca < cb:
            a, b, da, db, ca, cb = b, a, db, da, cb, ca  # ``a`` is of the higher category
        if ca == 3 and cb == 2:
            # complex meets float: the wider precision, but a 0-d side brings only its category
            if a.ndim == 0 and b.ndim != 0:
                return complex_of(db)
            if b.ndim == 0 and a.ndim != 0:
                return da
            return xp.promote_types(da, complex_of(db))
        return da
    # A 0-d tensor does not promote an n-d one of its category (signed and unsigned integers
    # are one category, as in PyTorch).
    same_category = _CATEGORY[da.kind] == _CATEGORY[db.kind]
    if a.ndim == 0 and b.ndim != 0 and same_category:
        return db
    if b.ndim == 0 and a.ndim != 0 and same_category:
        return da
    return xp.promote_types(da, db)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(a: xp.dtype, b: xp.dtype) -> xp.dtype:
    """torch's ``promote_types`` on NumPy dtypes: the higher category (bool < integer < float
    < complex) wins outright (``int16`` and ``float16`` give ``float16``, where NumPy widens),
    a complex meets a float as a complex of the wider precision, and within a category the
    narrowest type that holds both."""
    a, b = xp.dtype(a), xp.dtype(b)
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca == cb or {ca, cb} == {2, 3}:
        return xp.promote_types(complex_of(a) if cb == 3 and ca == 2 else a,
                                complex_of(b) if ca == 3 and cb == 2 else b)
    return a if ca > cb else b


def _combine_categories(higher: xp.dtype | None, lower: xp.dtype | None) -> xp.dtype | None:
    """torch's ``combine_categories``: ``higher``'s kind of operand outranks ``lower``'s
    (tensors with dimensions > 0-d tensors > Python numbers) unless ``lower``'s category is
    higher."""
    if higher is None or lower is None:
        return lower if higher is None else higher
    if higher.kind == "c":
        return higher
    if lower.kind == "c":
        return complex_of(higher) if higher.kind == "f" else lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type_of(operands: Any) -> xp.dtype:
    """torch's ``result_type`` of arrays and Python numbers together: each kind of operand
    (arrays with dimensions, 0-d arrays, numbers) is promoted on its own, then the kinds are
    combined by category, so that ``float16`` array + ``1.5`` stays ``float16``."""
    results: list[xp.dtype | None] = [None, None, None]
    for operand in operands:
        rank, dtype = _rank_and_dtype(operand)
        results[rank] = dtype if results[rank] is None else promote_types(results[rank], dtype)
    combined = _combine_categories(results[0], _combine_categories(results[1], results[2]))
    if combined is None:
        raise RuntimeError("result_type: expected at least one operand")
    return combined


def _rank_and_dtype(operand: Any) -> tuple[int, xp.dtype]:
    """0 for an array with dimensions, 1 for a 0-d array, 2 for a Python number."""
    from ._dtypes import default_complex, get_default_dtype

    if isinstance(operand, _builtins.bool):
        return 2, xp.dtype(xp.bool_)
    if isinstance(operand, _builtins.int):
        return 2, xp.dtype(xp.int64)
    if isinstance(operand, _builtins.float):
        return 2, get_default_dtype().numpy
    if isinstance(operand, _builtins.complex):
        return 2, default_complex().numpy
    return (0 if operand.ndim else 1), operand.dtype
