"""``bricks.compat.mindspore``: MindSpore 2.x's Cell/Tensor/Parameter API on bricks.

``bricks.compat.install("mindspore")`` makes ``from mindspore import nn, ops`` and
``from mindspore.common.initializer import initializer`` load these modules.
"""

from __future__ import annotations

from . import common, nn, ops
from ._autodiff import GradOperation, ParameterTuple, grad, value_and_grad
from .context import GRAPH_MODE, PYNATIVE_MODE, get_context, jit, set_context, set_device
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


__all__ = ["Tensor", "Parameter", "ParameterTuple", "nn", "ops", "common", "dtype", "float16",
           "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_",
           "save_checkpoint", "load_checkpoint", "load_param_into_net", "set_seed", "grad",
           "value_and_grad", "GradOperation", "set_context", "get_context", "set_device",
           "jit", "GRAPH_MODE", "PYNATIVE_MODE"]
