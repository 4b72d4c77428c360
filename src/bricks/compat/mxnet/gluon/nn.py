"""``mxnet.gluon.nn``: Gluon's containers and layers, computing with ``bricks.nn.functional``.

Each layer keeps Gluon's arguments, parameter names and printing; its forward pass is one
or two calls of bricks' functional ops. Parameters whose input size is not given
(``in_units=0``, ``in_channels=0``) get their shape at the first forward pass.
"""

from __future__ import annotations

from typing import Any

import bricks
from bricks.nn import functional as F

from .. import autograd, npx
from ..._facade import unwrap
from .block import Block, HybridBlock, wrap_like
from .parameter import ready

__all__ = ["Block", "HybridBlock", "Sequential", "HybridSequential", "Dense", "Activation",
           "Dropout", "Flatten", "Conv2D", "MaxPool2D", "AvgPool2D", "BatchNorm", "LayerNorm",
           "Embedding", "GlobalAvgPool2D", "GlobalMaxPool2D", "Conv2DTranspose"]

_ACTIVATIONS = {"relu": bricks.relu, "sigmoid": bricks.sigmoid, "tanh": bricks.tanh,
                "softrelu": lambda x: bricks.log1p(bricks.exp(x)),
                "softsign": lambda x: x / (1 + x.abs())}


class Sequential(Block):
    """Stack blocks and run them in order; ``add(*blocks)`` appends.

    Example:
        >>> from bricks.compat.mxnet.gluon import nn
        >>> net = nn.Sequential()
        >>> net.add(nn.Dense(4, activation="relu"), nn.Dense(1))
        >>> net
        Sequential(
          (0): Dense(None -> 4, Activation(relu))
          (1): Dense(None -> 1, linear)
        )
    """

    def add(self, *blocks: Block) -> None:
        """Append ``blocks`` as children ``len(self)``, ``len(self) + 1``, ..."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x: Any, *args: Any) -> Any:
        for block in self._modules.values():
            x = block(x, *args)
            args = ()
        return x

    def __getitem__(self, key: Any) -> Any:
        children = list(self._modules.values())
        if isinstance(key, slice):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*children[key])
            return net
        return children[key]

    def __len__(self) -> int:
        return len(self._modules)


class HybridSequential(Sequential, HybridBlock):
    """A Sequential of HybridBlocks (``hybridize()`` compiles it with ``bricks.compile``)."""

    forward = Sequential.forward


def _act(activation: str | None) -> Activation | None:
    if activation is None:
        return None
    return Activation(activation, prefix=activation + "_")


def _unknown() -> Any:
    # An input size not known yet prints as None in MXNet 1.x's NDArray mode, -1 after set_np().
    return -1 if npx.is_np_array() else None


class Dense(HybridBlock):
    """A fully connected layer: ``activation(flatten(x) W^T + b)``, as MXNet 1.x's.

    Args:
        units: the output size.
        activation: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``, ``'softsign'`` or None.
        use_bias: whether to add a bias.
        flatten: whether to flatten inputs of more than two axes to (batch, -1).
        dtype: the parameters' dtype.
        weight_initializer: the weight's own initializer (else the one of ``initialize``).
        bias_initializer: the bias's initializer (zeros).
        in_units: the input size; 0 infers it at the first forward pass.
        params: a ParameterDict to share (``params=other.params`` ties the two layers).
    """

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 flatten: bool = True, dtype: Any = "float32", weight_initializer: Any = None,
                 bias_initializer: Any = "zeros", in_units: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.name_scope():
            self._units = units
            self._flatten = flatten
            self.weight = self.params.get("weight", shape=(units, in_units), dtype=dtype,
                                          init=weight_initializer, allow_deferred_init=True)
            self.bias = (self.params.get("bias", shape=(units,), dtype=dtype,
                                         init=bias_initializer, allow_deferred_init=True)
                         if use_bias else None)
            self.act = _act(activation)

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        if self._flatten and tensor.ndim > 2:
            tensor = tensor.reshape((tensor.shape[0], -1))
        if self.weight.shape[1] == 0:
            self.weight.shape = (self._units, tensor.shape[-1])
        weight, bias = _ready_weight_and_bias(self)
        return _activated(self, x, F.linear(tensor, weight, bias))

    def __repr__(self) -> str:
        in_units, units = self.weight.shape[1], self.weight.shape[0]
        layout = f"{in_units if in_units else _unknown()} -> {units}"
        return f"{type(self).__name__}({layout}, {self.act if self.act else 'linear'})"


class Activation(HybridBlock):
    """Apply a named activation: ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``,
    ``'softsign'``.

    Raises:
        ValueError: for another name.
    """

    def __init__(self, activation: str, **kwargs: Any) -> None:
        if activation not in _ACTIVATIONS:
            raise ValueError(f"Activation(activation=...) expects one of {sorted(_ACTIVATIONS)}"
                             f", got {activation!r}")
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self) -> str:
        return self._act_type

    def apply_to(self, tensor: bricks.Tensor) -> bricks.Tensor:
        """The activation of a bricks tensor."""
        return _ACTIVATIONS[self._act_type](tensor)

    def forward(self, x: Any) -> Any:
        return wrap_like(x, self.apply_to(unwrap(x)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._act_type})"


class Dropout(HybridBlock):
    """Zero each element with probability ``rate`` (scaling the rest), only in training mode
    (inside ``autograd.record()``)."""

    def __init__(self, rate: float, axes: tuple = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def forward(self, x: Any) -> Any:
        training = autograd.is_training()
        return wrap_like(x, F.dropout(unwrap(x), self._rate, training=training))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p = {self._rate}, axes={self._axes})"


class Flatten(HybridBlock):
    """Reshape (batch, ...) inputs to (batch, -1)."""

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        return wrap_like(x, tensor.reshape((tensor.shape[0], -1)))

    def __repr__(self) -> str:
        return type(self).__name__


def _ready_weight_and_bias(block: Any) -> tuple[Any, Any]:
    """``block``'s weight and bias (or None) as bricks parameters, made now if deferred."""
    ready(block.weight, block.bias)
    bias = block.bias.bricks_parameter if block.bias is not None else None
    return block.weight.bricks_parameter, bias


def _activated(block: Any, x: Any, out: Any) -> Any:
    """``out`` through ``block``'s activation (when it has one), wrapped like the input ``x``."""
    if block.act is not None:
        out = block.act.apply_to(out)
    return wrap_like(x, out)


def _pair(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class _Conv(HybridBlock):
    """What Gluon's convolutions share, as MXNet's ``_Conv``: a weight, an optional bias and
    an activation, the parameters deferred until the input's channels are known."""

    _channels: int

    def _add_parameters(self, weight_shape: tuple, use_bias: bool, weight_initializer: Any,
                        bias_initializer: Any, activation: str | None) -> None:
        """Create ``weight`` (``weight_shape``, with 0 for the channels not known yet), the
        bias of ``channels`` when ``use_bias``, and the activation, in the name scope."""
        with self.name_scope():
            self.weight = self.params.get("weight", shape=weight_shape, init=weight_initializer,
                                          allow_deferred_init=True)
            self.bias = (self.params.get("bias", shape=(self._channels,),
                                         init=bias_initializer, allow_deferred_init=True)
                         if use_bias else None)
            self.act = _act(activation)

    def _alias(self) -> str:
        return "conv"


class Conv2D(_Conv):
    """A 2-D convolution over NCHW inputs, as Gluon's (``in_channels=0`` infers the input).

    Args:
        channels: the number of output channels.
        kernel_size, strides, padding, dilation: ints or pairs.
        groups: the number of groups.
        activation: a name as for ``Activation``, or None.
        use_bias: whether to add a bias.
        weight_initializer, bias_initializer: the parameters' own initializers.
        in_channels: the input channels; 0 infers them at the first forward pass.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: Any = (0, 0), dilation: Any = (1, 1), groups: int = 1,
                 layout: str = "NCHW", activation: str | None = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any) -> None:
        if layout != "NCHW":
            raise ValueError(f"Conv2D(layout=...) supports 'NCHW' only, got {layout!r}")
        super().__init__(**kwargs)
        self._channels = channels
        self._kernel = _pair(kernel_size)
        self._strides, self._padding = _pair(strides), _pair(padding)
        self._dilation, self._groups = _pair(dilation), groups
        self._add_parameters((channels, in_channels // groups) + self._kernel, use_bias,
                             weight_initializer, bias_initializer, activation)

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        if self.weight.shape[1] == 0:
            self.weight.shape = (self._channels, tensor.shape[1] // self._groups) + self._kernel
        weight, bias = _ready_weight_and_bias(self)
        return _activated(self, x, F.conv2d(tensor, weight, bias, self._strides, self._padding,
                                            self._dilation, self._groups))

    def __repr__(self) -> str:
        in_channels = self.weight.shape[1] * self._groups
        text = (f"{type(self).__name__}({in_channels if in_channels else _unknown()} -> "
                f"{self._channels}, kernel_size={self._kernel}, stride={self._strides}")
        if self._padding != (0, 0):
            text += f", padding={self._padding}"
        if self._dilation != (1, 1):
            text += f", dilation={self._dilation}"
        if self._groups != 1:
            text += f", groups={self._groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.act is not None:
            text += f", {self.act}"
        return text + ")"


class _Pool2D(HybridBlock):
    _pool_type = "max"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: Any = 0,
                 layout: str = "NCHW", ceil_mode: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._size = _pair(pool_size)
        self._strides = _pair(strides) if strides is not None else self._size
        self._padding = _pair(padding)
        self._ceil_mode = ceil_mode

    def _alias(self) -> str:
        return "pool"  # MXNet names every pooling block pool0, pool1, ...

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self._size}, stride={self._strides}, "
                f"padding={self._padding}, ceil_mode={self._ceil_mode}, global_pool=False, "
                f"pool_type={self._pool_type}, layout=NCHW)")


class MaxPool2D(_Pool2D):
    """2-D max pooling over NCHW inputs (strides default to the pool size)."""

    def forward(self, x: Any) -> Any:
        out = F.max_pool2d(unwrap(x), self._size, self._strides, self._padding,
                           ceil_mode=self._ceil_mode)
        return wrap_like(x, out)


class AvgPool2D(_Pool2D):
    """2-D average pooling over NCHW inputs (strides default to the pool size)."""

    _pool_type = "avg"

    def forward(self, x: Any) -> Any:
        out = F.avg_pool2d(unwrap(x), self._size, self._strides, self._padding,
                           ceil_mode=self._ceil_mode)
        return wrap_like(x, out)


from ._layers import (  # noqa: E402  (they use _act above)
    BatchNorm, Conv2DTranspose, Embedding, GlobalAvgPool2D, GlobalMaxPool2D, LayerNorm,
)
