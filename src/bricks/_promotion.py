"""Type promotion: the dtype of a result from the dtypes (and ranks) of its operands."""

from __future__ import annotations

from ._device import xp
from ._dtypes import complex_of

__all__ = ["result_type"]


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
