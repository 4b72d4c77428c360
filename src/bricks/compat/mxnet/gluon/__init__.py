"""``mxnet.gluon``: Blocks, Parameters, the Trainer and losses over the bricks engine."""

from __future__ import annotations

from . import data, loss, nn, rnn
from .block import Block, HybridBlock
from .parameter import DeferredInitializationError, Parameter, ParameterDict
from .trainer import Trainer

__all__ = ["Block", "HybridBlock", "Parameter", "ParameterDict", "DeferredInitializationError",
           "Trainer", "nn", "loss", "data", "rnn"]
