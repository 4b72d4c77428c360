"""Layers, one file per family: linear, activation, flatten, dropout, conv, pooling,
normalization, sparse (embedding), rnn and loss."""

from .activation import (
    ELU, GELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, SiLU, Softmax, Tanh,
)
from .conv import Conv1d, Conv2d, LazyConv1d, LazyConv2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, LazyLinear, Linear
from .loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, LazyBatchNorm1d, LazyBatchNorm2d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .rnn import GRU, LSTM, RNN, RNNBase
from .sparse import Embedding
from .syncbatchnorm import SyncBatchNorm

__all__ = [
    "Identity", "Linear", "Bilinear", "LazyLinear",
    "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax",
    "LogSoftmax",
    "Flatten", "Unflatten", "Dropout",
    "Conv1d", "Conv2d", "LazyConv1d", "LazyConv2d",
    "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LayerNorm",
    "SyncBatchNorm",
    "Embedding", "RNNBase", "RNN", "GRU", "LSTM",
    "L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss",
]
