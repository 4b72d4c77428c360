"""``mindspore.nn`` normalization and average pooling layers."""

from __future__ import annotations

from typing import Any

from bricks.nn import functional as F

from ..._facade import unwrap
from ..common.initializer import initializer
from ..tensor import Parameter, Tensor, float32
from .cell import Cell

__all__ = ["BatchNorm1d", "BatchNorm2d", "AvgPool2d"]


class _BatchNorm(Cell):
    """Batch normalization with MindSpore's parameters and momentum.

    ``momentum`` is the share of the old moving statistics that is kept
    (``moving = momentum * moving + (1 - momentum) * batch``, the variance unbiased), so
    MindSpore's 0.9 is PyTorch's 0.1. The parameters are named ``mean``, ``variance``,
    ``gamma`` and ``beta``, in that order, as MindSpore names them.
    """

    _dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.9,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 moving_mean_init: Any = "zeros", moving_var_init: Any = "ones",
                 use_batch_statistics: bool | None = None, data_format: str = "NCHW",
                 dtype: Any = float32) -> None:
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"For '{type(self).__name__}', the 'momentum' must be in range "
                             f"[0, 1], but got {momentum}.")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.use_batch_statistics = use_batch_statistics
        shape = [num_features]
        self.moving_mean = Parameter(initializer(moving_mean_init, shape, dtype), name="mean",
                                     requires_grad=False)
        self.moving_variance = Parameter(initializer(moving_var_init, shape, dtype),
                                         name="variance", requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, shape, dtype), name="gamma",
                               requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, shape, dtype), name="beta",
                              requires_grad=affine)

    def construct(self, x: Any) -> Tensor:
        tensor = unwrap(x)
        if tensor.dim() not in self._dims:
            raise ValueError(f"For '{type(self).__name__}', the input must be "
                             f"{' or '.join(f'{d}-D' for d in self._dims)}, but got shape "
                             f"{tuple(tensor.shape)}")
        training = self.training if self.use_batch_statistics is None \
            else self.use_batch_statistics
        return Tensor._wrap(F.batch_norm(
            tensor, self.moving_mean.detach(), self.moving_variance.detach(), self.gamma,
            self.beta, training=training, momentum=1 - self.momentum, eps=self.eps))

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"gamma={self.gamma}, beta={self.beta}, moving_mean={self.moving_mean}, "
                f"moving_variance={self.moving_variance}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) inputs (see ``_BatchNorm``)."""

    _dims = (2,)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs (see ``_BatchNorm``)."""

    _dims = (4,)


class AvgPool2d(Cell):
    """2-D average pooling over NCHW inputs (``pad_mode='valid'``)."""

    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid",
                 data_format: str = "NCHW") -> None:
        super().__init__()
        if pad_mode.lower() != "valid":
            raise ValueError(f"AvgPool2d(pad_mode=...) supports 'valid' here, got {pad_mode!r}")
        self.kernel_size, self.stride = kernel_size, stride

    def construct(self, x: Any) -> Tensor:
        return Tensor._wrap(F.avg_pool2d(unwrap(x), self.kernel_size, self.stride))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode=VALID"
