"""``bricks.signal``: torch's signal-processing namespace (its window functions)."""

from __future__ import annotations

from . import windows

__all__ = ["windows"]
