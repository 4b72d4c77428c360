"""Tiny layers on bricks.nn.Module, so that the Module core is tested without nn.modules.

Named ``Linear``/``ReLU`` so that printed structures read exactly as PyTorch's.
"""

from __future__ import annotations

import types

import numpy as np
import torch

import bricks
from bricks import nn
from bricks.nn._lazy import LazyModuleMixin


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(bricks.randn(out_features, in_features) * 0.3)
        if bias:
            self.bias = nn.Parameter(bricks.randn(out_features) * 0.1)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        with bricks.no_grad():
            self.weight.data = bricks.randn(self.out_features, self.in_features) * 0.3
            if self.bias is not None:
                self.bias.data = bricks.zeros(self.out_features)

    def forward(self, x):
        y = bricks.matmul(x, self.weight.t())
        return y + self.bias if self.bias is not None else y

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    cls_to_become = Linear

    def __init__(self, out_features):
        super().__init__(0, 0)
        self.out_features = out_features
        self.weight = nn.UninitializedParameter()
        self.bias = nn.UninitializedParameter()

    def initialize_parameters(self, x):
        if not self.has_uninitialized_params():
            return
        self.in_features = x.shape[-1]
        self.weight.materialize((self.out_features, self.in_features))
        self.bias.materialize((self.out_features,))
        self.reset_parameters()


class ReLU(nn.Module):
    def forward(self, x):
        return bricks.relu(x)


# The two libraries side by side: ``lib.nn.Linear`` works for both.
BRICKS = types.SimpleNamespace(nn=types.SimpleNamespace(
    Linear=Linear, ReLU=ReLU, Sequential=nn.Sequential, ModuleList=nn.ModuleList,
    ModuleDict=nn.ModuleDict, Module=nn.Module, Parameter=nn.Parameter), tensor=bricks.tensor)
TORCH = types.SimpleNamespace(nn=torch.nn, tensor=torch.tensor)


def copy_from_torch(model: nn.Module, torch_model: torch.nn.Module) -> None:
    """Give ``model`` the weights of its torch twin (same state-dict keys)."""
    state = {k: bricks.tensor(v.detach().numpy().copy())
             for k, v in torch_model.state_dict().items()}
    model.load_state_dict(state)


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy()
