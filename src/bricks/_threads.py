"""``set_num_threads`` / ``get_num_threads``: the BLAS thread count, set on OpenBLAS directly.

NumPy's wheels bundle OpenBLAS (``scipy_openblas`` symbols, 64-bit integers). Calling its
``set_num_threads`` through ctypes costs about 1 us; ``threadpoolctl`` costs 15 us to 2.7 ms
per switch (PERFORMANCE.md), too slow to switch around single ops. When no OpenBLAS is loaded
(another BLAS, or CuPy only) the count is kept and reported, and changes nothing.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

__all__ = ["set_num_threads", "get_num_threads"]

_SYMBOLS = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
            ("openblas", ""))
_blas: dict[str, Any] = {}


def _openblas() -> tuple[Any, Any] | None:
    """OpenBLAS's (set, get) thread functions in this process, or None; looked up once."""
    if "functions" not in _blas:
        _blas["functions"] = _find()
    return _blas["functions"]


def _find() -> tuple[Any, Any] | None:
    import numpy  # noqa: F401  (loads the BLAS whose functions are looked up below)

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        paths = set()
    for path in sorted(p for p in paths if os.path.isfile(p)):
        library = ctypes.CDLL(path)
        for prefix, suffix in _SYMBOLS:
            setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return setter, getter
    return None


def set_num_threads(num_threads: int) -> None:
    """Use ``num_threads`` threads for BLAS work (matrix products) from now on.

    Raises:
        RuntimeError: for anything but a positive int, as torch.
    """
    if isinstance(num_threads, bool) or not isinstance(num_threads, int):
        raise RuntimeError(f"set_num_threads expects an int, but got "
                           f"{type(num_threads).__name__}")
    if num_threads <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    functions = _openblas()
    if functions is not None:
        functions[0](num_threads)
    _blas["count"] = num_threads


def get_num_threads() -> int:
    """The number of threads BLAS work uses."""
    functions = _openblas()
    if functions is not None:
        return int(functions[1]())
    return int(_blas.get("count", os.cpu_count() or 1))
