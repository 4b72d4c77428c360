"""An explicit, opt-in tuning of glibc's allocator for programs that own their process.

bricks itself changes nothing in its host process: large scratch buffers are reused through a
workspace instead (``bricks.empty_cache()`` releases them). A training script that allocates
large temporaries of its own may still gain from keeping freed blocks in the heap.
"""

from __future__ import annotations

__all__ = ["tune_malloc"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_malloc(mmap_threshold: int = 32 * 2**20, trim_threshold: int = 512 * 2**20) -> bool:
    """Keep large freed blocks in glibc's heap instead of returning them to the kernel.

    glibc unmaps blocks above its mmap threshold when they are freed, so a loop that allocates
    the same large temporaries every step page-faults them in again each time (about 2.3 us per
    4 KiB page on a VM). Raising the mmap and trim thresholds keeps them. This changes the
    whole process, memory kept for reuse included: call it from your program, never from a
    library.

    Args:
        mmap_threshold: blocks at least this large (bytes) are still mapped on their own.
        trim_threshold: free memory at the top of the heap beyond this is given back.

    Returns:
        Whether both settings were changed (False off glibc).

    Raises:
        ValueError: if a threshold is negative.

    Example:
        >>> from bricks.utils import tune_malloc
        >>> tune_malloc() in (True, False)
        True
    """
    if mmap_threshold < 0 or trim_threshold < 0:
        raise ValueError(f"tune_malloc: thresholds must be >= 0, got mmap_threshold="
                         f"{mmap_threshold}, trim_threshold={trim_threshold}")
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mmap_ok = mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1
    return mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1 and mmap_ok
