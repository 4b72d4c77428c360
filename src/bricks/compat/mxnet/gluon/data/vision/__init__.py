"""``mxnet.gluon.data.vision``: image transforms (the data sets need downloads: not here)."""

from __future__ import annotations

from . import transforms

__all__ = ["transforms"]
