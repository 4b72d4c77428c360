"""``set_num_threads`` / ``get_num_threads``: the BLAS thread count, set on OpenBLAS directly.

NumPy's wheels bundle OpenBLAS (``scipy_openblas`` symbols, 64-bit integers). Calling its
``set_num_threads`` through ctypes costs about 1 us; ``threadpoolctl`` costs 15 us to 2.7 ms
per switch (PERFORMANCE.md), too slow to switch around single ops. When no OpenBLAS is loaded
(another BLAS, or CuPy only) the count is kept and reported, and changes nothing.

The count set (or OpenBLAS's own at start) is a ceiling, as torch's is: the matrix-product
primitives call ``fit_product`` so that products too small to gain from a second thread run
on one (torch's kernels likewise run small work on one thread whatever the setting).
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

__all__ = ["set_num_threads", "get_num_threads", "fit_product", "SINGLE_THREAD_BELOW"]

# A product of m*k*n multiply-adds below this runs on one thread: two were slower for every
# such product measured on a shared 2-vCPU VM, also at top priority and with OpenBLAS's
# threads spinning rather than sleeping (docs/performance.md, benchmarks/bench_threads.py).
SINGLE_THREAD_BELOW = 1 << 22
# OpenBLAS runs gemm below about this on one thread by itself: nothing to switch for those.
_OPENBLAS_SPLITS_FROM = 1 << 19

_SYMBOLS = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
            ("openblas", ""))
_blas: dict[str, Any] = {}
_ceiling = 0  # the count set, or OpenBLAS's own; 0 until first needed
_now = 0  # the count OpenBLAS uses now, as bricks last set it; 0 while unknown


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
    """Use up to ``num_threads`` threads for BLAS work (matrix products) from now on.

    Products too small to gain from more threads still run on one (``fit_product``).

    Raises:
        RuntimeError: for anything but a positive int, as torch.
    """
    global _ceiling
    if isinstance(num_threads, bool) or not isinstance(num_threads, int):
        raise RuntimeError(f"set_num_threads expects an int, but got "
                           f"{type(num_threads).__name__}")
    if num_threads <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _ceiling = num_threads
    _use(num_threads)


def get_num_threads() -> int:
    """The number of threads BLAS work may use (the ceiling ``set_num_threads`` set)."""
    global _ceiling
    if not _ceiling:
        functions = _openblas()
        _ceiling = int(functions[1]()) if functions is not None else os.cpu_count() or 1
    return _ceiling


def fit_product(work: int) -> None:
    """Before a matrix product of ``work`` = m*k*n multiply-adds: its number of threads.

    One thread below ``SINGLE_THREAD_BELOW``, else the ceiling. OpenBLAS is called only when
    the count must change (a model whose products are all small or all large never switches).
    """
    if work < _OPENBLAS_SPLITS_FROM:
        return
    wanted = 1 if work < SINGLE_THREAD_BELOW else _ceiling or get_num_threads()
    if wanted != _now:
        _use(wanted)


def _use(num_threads: int) -> None:
    """Tell OpenBLAS to use ``num_threads`` threads, and remember it."""
    global _now
    functions = _openblas()
    get_num_threads()  # the ceiling is read before the first switch changes OpenBLAS's count
    if functions is not None:
        functions[0](num_threads)
    _now = num_threads
