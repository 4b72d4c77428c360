"""``bricks.backends.mps``: Apple's Metal devices, which bricks does not drive.

Example:
    >>> is_available(), is_built()
    (False, False)
"""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Whether an MPS device can be used: never in bricks (NumPy on the CPU, CuPy on CUDA)."""
    return False


def is_built() -> bool:
    """Whether bricks was built with MPS support: it was not."""
    return False
