"""``bricks.compat.mindspore``: MindSpore 2.x's Cell/Tensor/Parameter API on bricks.

``bricks.compat.install("mindspore")`` makes ``from mindspore import nn, ops`` and
``from mindspore.common.initializer import initializer`` load these modules.
"""

from __future__ import annotations

from . import common, nn, ops
from .context import GRAPH_MODE, PYNATIVE_MODE, get_context, jit, set_context
from .serialization import load_checkpoint, load_param_into_net, save_checkpoint
from .tensor import (
    Parameter, Tensor, bool_, dtype, float16, float32, float64, int8, int16, int32, int64,
    uint8,
)

__version__ = "2.10.0"


def set_seed(seed: int) -> None:
    """Seed bricks' random generator (MindSpore's global seed)."""
    import bricks

    bricks.manual_seed(seed)


__all__ = ["Tensor", "Parameter", "nn", "ops", "common", "dtype", "float16", "float32",
           "float64", "int8", "int16", "int32", "int64", "uint8", "bool_", "save_checkpoint",
           "load_checkpoint", "load_param_into_net", "set_seed", "GRAPH_MODE", "PYNATIVE_MODE",
           "set_context", "get_context", "jit"]
