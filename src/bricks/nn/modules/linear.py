"""Linear layers: Identity, Linear, Bilinear and LazyLinear."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from .._lazy import LazyModuleMixin
from ..module import Module
from ..parameter import UninitializedParameter
from .utils import (
    _add_weight_and_bias, _check_sizes, _fan_in_bound, _reset_weight_and_bias, _shape_text,
)

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


class Identity(Module):
    """A placeholder layer that returns its input unchanged; its arguments are ignored.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Identity(54, unused="x")(bricks.ones(2)).shape
        bricks.Size([2])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """Apply ``y = x W^T + b``.

    The weight (out_features, in_features) and the bias (out_features) start uniform in
    ``(-1/sqrt(in_features), 1/sqrt(in_features))``, as PyTorch's: the weight through
    ``kaiming_uniform_(a=sqrt(5))`` (He et al., 2015), the bias directly.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: whether to learn an additive bias.

    Shape:
        input (*, in_features), output (*, out_features).

    Raises:
        RuntimeError: in forward, if the last dimension of the input is not in_features.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> layer = nn.Linear(4, 8)
        >>> layer
        Linear(in_features=4, out_features=8, bias=True)
        >>> layer(bricks.ones(2, 4)).shape
        bricks.Size([2, 8])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        _add_weight_and_bias(self, (out_features, in_features), out_features, bias, device,
                             dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weight and bias again, as at construction."""
        _reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        shape = input._value.shape
        if not shape or shape[-1] != self.in_features:
            raise RuntimeError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                f"expected input with last dimension {self.in_features}, "
                f"got shape {_shape_text(shape)}")
        try:  # the registry itself: ``self.weight`` through Module.__getattr__ costs ~0.5 us
            weight, bias = self._parameters["weight"], self._parameters["bias"]
        except KeyError:  # replaced by plain attributes (``del lin.weight; lin.weight = t``)
            weight, bias = self.weight, self.bias
        return F.linear(input, weight, bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """Apply ``y = x1^T A x2 + b`` with a weight (out_features, in1_features, in2_features).

    Weight and bias start uniform in ``(-1/sqrt(in1_features), 1/sqrt(in1_features))``.

    Args:
        in1_features: size of each first input sample.
        in2_features: size of each second input sample.
        out_features: size of each output sample.
        bias: whether to learn an additive bias.

    Shape:
        input1 (*, in1_features), input2 (*, in2_features), output (*, out_features).

    Raises:
        RuntimeError: in forward, if an input's last dimension or batch shape is wrong.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Bilinear(3, 5, 2)(bricks.ones(4, 3), bricks.ones(4, 5)).shape
        bricks.Size([4, 2])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes("Bilinear", in1_features=in1_features, in2_features=in2_features,
                     out_features=out_features)
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        _add_weight_and_bias(self, (out_features, in1_features, in2_features), out_features,
                             bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weight and bias again, as at construction."""
        bound = _fan_in_bound(self.weight.size(1))  # PyTorch's: from in1_features alone
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        shape1, shape2 = input1.shape, input2.shape
        if (not shape1 or not shape2 or shape1[-1] != self.in1_features
                or shape2[-1] != self.in2_features or shape1[:-1] != shape2[:-1]):
            raise RuntimeError(
                f"Bilinear({self.extra_repr()}): expected inputs of shapes "
                f"(*, {self.in1_features}) and (*, {self.in2_features}) with the same batch "
                f"shape, got {_shape_text(shape1)} and {_shape_text(shape2)}")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    """A Linear layer whose in_features is inferred from its first input.

    Before the first forward its weight and bias are uninitialized parameters; the first
    forward sets in_features to the input's last dimension, allocates and initializes them
    as Linear does, and the layer becomes a ``Linear``.

    Args:
        out_features: size of each output sample.
        bias: whether to learn an additive bias.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> layer = nn.LazyLinear(256)
        >>> layer
        LazyLinear(in_features=0, out_features=256, bias=True)
        >>> _ = layer(bricks.ones(2, 20))
        >>> layer
        Linear(in_features=20, out_features=256, bias=True)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        _check_sizes("LazyLinear", out_features=out_features)
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """Initialize as Linear does, once the shapes are known."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Take in_features from ``input``'s last dimension, then allocate and initialize."""
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize(  # still uninitialized here
                (self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        if self.in_features == 0:  # parameters came from a state dict: take the size from them
            self.in_features = self.weight.shape[1]
