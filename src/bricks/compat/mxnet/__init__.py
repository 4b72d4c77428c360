"""``bricks.compat.mxnet``: MXNet Gluon's API on the bricks engine.

``bricks.compat.install("mxnet")`` makes ``from mxnet import nd, init, autograd, gluon``
and ``from mxnet.gluon import nn`` load these modules.
"""

from __future__ import annotations

from . import autograd, context, image, ndarray, npx
from . import initializer
from . import numpy as np
from . import gluon
from .context import gpu, num_gpus
from .gluon.parameter import MXNetError
from .ndarray import Context, NDArray, cpu

nd = ndarray
init = initializer

__version__ = "1.9.1"

__all__ = ["nd", "ndarray", "np", "npx", "init", "initializer", "autograd", "gluon", "cpu",
           "gpu", "num_gpus", "context", "image", "Context", "NDArray", "MXNetError"]
