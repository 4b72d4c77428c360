"""Type promotion: the dtype of a result from the dtypes (and ranks) of its operands."""

from __future__ import annotations

from ._device import xp

__all__ = ["result_type"]


def result_type(a: xp.ndarray, b: xp.ndarray) -> xp.dtype:
    """PyTorch's promotion of two array dtypes: a float meets an integer as that float."""
    da, db = a.dtype, b.dtype
    if da is db:
        return da
    fa, fb = da.kind == "f", db.kind == "f"
    if fa != fb:
        return da if fa else db
    # A 0-d tensor does not promote an n-d one of its category (signed and unsigned integers
    # are one category, as in PyTorch).
    same_category = _CATEGORY[da.kind] == _CATEGORY[db.kind]
    if a.ndim == 0 and b.ndim != 0 and same_category:
        return db
    if b.ndim == 0 and a.ndim != 0 and same_category:
        return da
    return xp.promote_types(da, db)


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
