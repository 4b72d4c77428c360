"""``mxnet.gluon.nn`` normalization, embedding, global pooling and transposed convolution
layers, as Gluon's (names, defaults, printing), computed by bricks."""

from __future__ import annotations

from typing import Any

from bricks.nn import functional as F

from .. import autograd
from ..._facade import unwrap
from .block import HybridBlock, wrap_like
from .nn import (  # defined before nn imports this module
    _Conv, _activated, _pair, _ready_weight_and_bias, _unknown,
)
from .parameter import ready

__all__ = ["BatchNorm", "LayerNorm", "Embedding", "GlobalAvgPool2D", "GlobalMaxPool2D",
           "Conv2DTranspose"]


class BatchNorm(HybridBlock):
    """Batch normalization over ``axis`` (channels), as Gluon's.

    Inside ``autograd.record()`` (training) it normalizes with the batch's statistics and
    updates ``running_mean``/``running_var`` (``running = momentum * running + (1 - momentum) *
    batch``, the variance unbiased) in the forward pass; elsewhere it uses the running ones.
    (MXNet 1.9 was measured to update them later, in backward.)
    """

    def __init__(self, axis: int = 1, momentum: float = 0.9, epsilon: float = 1e-5,
                 center: bool = True, scale: bool = True, use_global_stats: bool = False,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 running_mean_initializer: Any = "zeros",
                 running_variance_initializer: Any = "ones", in_channels: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis != 1:
            raise ValueError(f"BatchNorm(axis=...) supports the channel axis 1 here, got {axis}")
        self._momentum, self._epsilon = momentum, epsilon
        self._use_global_stats = use_global_stats
        with self.name_scope():
            def get(name: str, init: Any, grad_req: str) -> Any:
                return self.params.get(name, shape=(in_channels,), init=init,
                                       allow_deferred_init=True, grad_req=grad_req)

            self.gamma = get("gamma", gamma_initializer, "write" if scale else "null")
            self.beta = get("beta", beta_initializer, "write" if center else "null")
            self.running_mean = get("running_mean", running_mean_initializer, "null")
            self.running_var = get("running_var", running_variance_initializer, "null")

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        params = (self.gamma, self.beta, self.running_mean, self.running_var)
        if params[0].shape[0] == 0:
            for param in params:
                param.shape = (tensor.shape[1],)
        ready(*params)
        training = autograd.is_training() and not self._use_global_stats
        out = F.batch_norm(tensor, self.running_mean.bricks_parameter.detach(),
                           self.running_var.bricks_parameter.detach(),
                           self.gamma.bricks_parameter, self.beta.bricks_parameter,
                           training=training, momentum=1 - self._momentum, eps=self._epsilon)
        return wrap_like(x, out)

    def __repr__(self) -> str:
        return (f"BatchNorm(axis=1, eps={self._epsilon}, momentum={self._momentum}, "
                f"fix_gamma=False, use_global_stats={self._use_global_stats}, "
                f"in_channels={(self.gamma.shape[0] or _unknown())})")


class LayerNorm(HybridBlock):
    """Layer normalization over the last axis, with ``gamma`` and ``beta``."""

    def __init__(self, axis: int = -1, epsilon: float = 1e-5, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", in_channels: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis != -1:
            raise ValueError(f"LayerNorm(axis=...) supports the last axis here, got {axis}")
        self._epsilon, self._center, self._scale = epsilon, center, scale
        with self.name_scope():
            self.gamma = self.params.get("gamma", shape=(in_channels,), init=gamma_initializer,
                                         allow_deferred_init=True,
                                         grad_req="write" if scale else "null")
            self.beta = self.params.get("beta", shape=(in_channels,), init=beta_initializer,
                                        allow_deferred_init=True,
                                        grad_req="write" if center else "null")

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        if self.gamma.shape[0] == 0:
            self.gamma.shape = self.beta.shape = (tensor.shape[-1],)
        ready(self.gamma, self.beta)
        out = F.layer_norm(tensor, (tensor.shape[-1],), self.gamma.bricks_parameter,
                           self.beta.bricks_parameter, self._epsilon)
        return wrap_like(x, out)

    def __repr__(self) -> str:
        return (f"LayerNorm(eps={self._epsilon}, axis=-1, center={self._center}, "
                f"scale={self._scale}, in_channels={(self.gamma.shape[0] or _unknown())})")


class Embedding(HybridBlock):
    """Rows of a (input_dim, output_dim) weight, looked up by index."""

    def __init__(self, input_dim: int, output_dim: int, dtype: Any = "float32",
                 weight_initializer: Any = None, sparse_grad: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._input_dim, self._output_dim, self._dtype = input_dim, output_dim, dtype
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(input_dim, output_dim), dtype=dtype,
                                          init=weight_initializer, allow_deferred_init=True)

    def forward(self, x: Any) -> Any:
        ready(self.weight)
        indices = unwrap(x).long()
        return wrap_like(x, F.embedding(indices, self.weight.bricks_parameter))

    def __repr__(self) -> str:
        return f"Embedding({self._input_dim} -> {self._output_dim}, {self._dtype})"


class _GlobalPool2D(HybridBlock):
    _pool_type = "avg"

    def _alias(self) -> str:
        return "pool"

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        reduce = tensor.mean if self._pool_type == "avg" else tensor.amax
        return wrap_like(x, reduce(dim=(2, 3), keepdim=True))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size=(1, 1), stride=(1, 1), padding=(0, 0), "
                f"ceil_mode=True, global_pool=True, pool_type={self._pool_type}, layout=NCHW)")


class GlobalAvgPool2D(_GlobalPool2D):
    """The mean of each (H, W) plane: (N, C, H, W) -> (N, C, 1, 1)."""


class GlobalMaxPool2D(_GlobalPool2D):
    """The maximum of each (H, W) plane: (N, C, H, W) -> (N, C, 1, 1)."""

    _pool_type = "max"


class Conv2DTranspose(_Conv):
    """A transposed 2-D convolution; the weight is (in_channels, channels, kh, kw)."""

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: Any = (0, 0), output_padding: Any = (0, 0), dilation: Any = (1, 1),
                 groups: int = 1, layout: str = "NCHW", activation: str | None = None,
                 use_bias: bool = True, weight_initializer: Any = None,
                 bias_initializer: Any = "zeros", in_channels: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._channels, self._kernel = channels, _pair(kernel_size)
        self._strides, self._padding = _pair(strides), _pair(padding)
        self._output_padding, self._dilation = _pair(output_padding), _pair(dilation)
        self._groups = groups
        self._add_parameters((in_channels, channels // groups) + self._kernel, use_bias,
                             weight_initializer, bias_initializer, activation)

    def forward(self, x: Any) -> Any:
        tensor = unwrap(x)
        if self.weight.shape[0] == 0:
            self.weight.shape = (tensor.shape[1],) + self.weight.shape[1:]
        weight, bias = _ready_weight_and_bias(self)
        return _activated(self, x, F.conv_transpose2d(tensor, weight, bias, self._strides,
                                                      self._padding, self._output_padding,
                                                      self._groups, self._dilation))

    def __repr__(self) -> str:
        return (f"Conv2DTranspose({self._channels} -> {(self.weight.shape[0] or _unknown())}, "
                f"kernel_size={self._kernel}, stride={self._strides})")
