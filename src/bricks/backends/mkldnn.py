"""``bricks.backends.mkldnn``: oneDNN, which bricks does not use (its CPU kernels are NumPy's).

``enabled`` is kept as set, as torch's flag is, and changes nothing.

Example:
    >>> is_available()
    False
"""

from __future__ import annotations

__all__ = ["is_available", "enabled"]

enabled = True


def is_available() -> bool:
    """Whether bricks computes through oneDNN: it does not."""
    return False
