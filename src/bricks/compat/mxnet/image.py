"""``mxnet.image``: reading an image into an (H, W, C) uint8 array.

Decoding needs matplotlib (PNG, and JPEG through Pillow when installed); nothing else of
MXNet's image pipeline (augmenters, ``ImageIter``) is provided.
"""

from __future__ import annotations

from typing import Any

import numpy

__all__ = ["imread"]


def imread(filename: str, flag: int = 1, to_rgb: bool = True, **kwargs: Any) -> Any:
    """The image in ``filename`` as an (H, W, 3) uint8 array (``flag=0``: (H, W, 1) gray).

    Raises:
        ImportError: without matplotlib.
    """
    try:
        from matplotlib import image as mpl_image
    except ImportError as error:
        raise ImportError("mxnet.image.imread needs matplotlib: pip install matplotlib") \
            from error
    values = numpy.asarray(mpl_image.imread(filename))
    if values.dtype.kind == "f":
        values = numpy.round(values * 255)
    values = values.astype(numpy.uint8)
    if values.ndim == 2:
        values = values[:, :, None].repeat(3, axis=2)
    values = values[:, :, :3]
    if flag == 0:
        gray = values @ numpy.array([0.299, 0.587, 0.114])
        values = numpy.round(gray)[:, :, None].astype(numpy.uint8)
    from . import npx
    from .ndarray import array

    out = array(values, dtype=numpy.uint8)
    return npx.array_class()._wrap(out._t)
