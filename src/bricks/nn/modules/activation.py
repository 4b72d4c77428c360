"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, and
Hardtanh, ReLU6, Hardswish, Hardsigmoid, Mish, SELU, CELU, RReLU, Softplus, Softsign, GLU,
Threshold, Hardshrink, Softshrink, Tanhshrink and Softmax2d."""

from __future__ import annotations

from typing import Any

from ..._creation import empty
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from .utils import _shape_text

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax",
           "LogSoftmax", "Hardtanh", "ReLU6", "Hardswish", "Hardsigmoid", "Mish", "SELU",
           "Softplus", "Softsign", "LogSigmoid", "CELU", "RReLU", "GLU", "Softmin",
           "Threshold", "Hardshrink", "Softshrink", "Tanhshrink", "Softmax2d"]


def _inplace_text(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class ReLU(Module):
    """Apply ``max(0, x)`` elementwise.

    Args:
        inplace: overwrite the input instead of allocating the output.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ReLU()(bricks.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace)


class LeakyReLU(Module):
    """Apply ``max(0, x) + negative_slope * min(0, x)`` elementwise.

    Args:
        negative_slope: the slope for negative inputs.
        inplace: overwrite the input instead of allocating the output.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.LeakyReLU(0.5)(bricks.tensor([-2.0, 2.0]))
        tensor([-1.,  2.])
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace}"


class PReLU(Module):
    """Apply ``max(0, x) + a * min(0, x)`` with a learned slope ``a`` (He et al., 2015).

    Args:
        num_parameters: 1 (one slope shared by all channels) or the number of channels
            (dimension 1 of the input).
        init: the initial value of every slope.

    Raises:
        RuntimeError: in forward, if the input's channel count is not num_parameters.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.PReLU()(bricks.tensor([-4.0, 2.0])).tolist()
        [-1.0, 2.0]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope to ``init`` again."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        if self.num_parameters != 1:
            channels = shape[1] if len(shape) > 1 else (shape[0] if shape else 1)
            if channels != self.num_parameters:
                raise RuntimeError(
                    f"PReLU(num_parameters={self.num_parameters}): expected input with "
                    f"{self.num_parameters} channels (dimension 1), got shape "
                    f"{_shape_text(shape)}")
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """Apply ``x if x > 0 else alpha * (exp(x) - 1)`` elementwise (Clevert et al., 2015).

    Args:
        alpha: the scale of the negative part.
        inplace: overwrite the input instead of allocating the output.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ELU()(bricks.tensor([0.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace}"


class GELU(Module):
    """Apply ``x * Phi(x)``, Phi the standard normal CDF (Hendrycks and Gimpel, 2016).

    Args:
        approximate: ``'none'`` for the exact form or ``'tanh'`` for the tanh approximation.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.GELU()(bricks.tensor([0.0]))
        tensor([0.])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Apply ``x * sigmoid(x)`` elementwise (the swish function).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.SiLU()(bricks.tensor([0.0]))
        tensor([0.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace)


class Sigmoid(Module):
    """Apply ``1 / (1 + exp(-x))`` elementwise.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Sigmoid()(bricks.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """Apply the hyperbolic tangent elementwise.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Tanh()(bricks.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """Rescale along ``dim`` so that the values are positive and sum to 1.

    Args:
        dim: the dimension to normalise. ``None`` (deprecated in PyTorch) picks 0 for
            0-, 1- and 3-dimensional inputs and 1 otherwise, as PyTorch does.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Softmax(dim=0)(bricks.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Apply ``log(softmax(x))`` along ``dim``, computed stably.

    Args:
        dim: the dimension to normalise; ``None`` chooses as ``Softmax`` does.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.LogSoftmax(dim=0)(bricks.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardtanh(Module):
    """Apply ``clamp(x, min_val, max_val)`` elementwise.

    Args:
        min_val: the lower bound.
        max_val: the upper bound.
        inplace: overwrite the input instead of allocating the output.

    Raises:
        ValueError: if max_val < min_val.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Hardtanh()(bricks.tensor([-2.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if max_val < min_val:
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace}"


class ReLU6(Hardtanh):
    """Apply ``min(max(0, x), 6)`` elementwise.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.ReLU6()(bricks.tensor([-1.0, 8.0]))
        tensor([0., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace)


class _Elementwise(Module):
    """An activation with no config but ``inplace``."""

    _function: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_text(self.inplace)


class Hardswish(_Elementwise):
    """Apply ``x * relu6(x + 3) / 6`` elementwise (Howard et al., 2019)."""

    _function = F.hardswish


class Hardsigmoid(_Elementwise):
    """Apply ``relu6(x + 3) / 6`` elementwise."""

    _function = F.hardsigmoid


class Mish(_Elementwise):
    """Apply ``x * tanh(softplus(x))`` elementwise (Misra, 2019)."""

    _function = F.mish


class SELU(_Elementwise):
    """Apply the scaled ELU of Klambauer et al. (2017) elementwise."""

    _function = F.selu


class Softplus(Module):
    """Apply ``log(1 + exp(beta x)) / beta`` elementwise, linear above ``threshold``.

    Args:
        beta: the sharpness.
        threshold: where ``beta x`` above it, the output is ``x``.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """Apply ``x / (1 + |x|)`` elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class LogSigmoid(Module):
    """Apply ``log(sigmoid(x))`` elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class CELU(Module):
    """Apply ``max(0, x) + min(0, alpha (exp(x / alpha) - 1))`` elementwise (Barron, 2017).

    Args:
        alpha: the scale of the negative part.
        inplace: overwrite the input instead of allocating the output.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace}"


class RReLU(Module):
    """Randomized leaky ReLU (Xu et al., 2015): negative slopes drawn from U(lower, upper)
    in training, ``(lower + upper) / 2`` in evaluation.

    Args:
        lower: the smallest slope.
        upper: the largest slope.
        inplace: overwrite the input instead of allocating the output.
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace}"


class GLU(Module):
    """The gated linear unit ``a * sigmoid(b)`` over the halves of ``dim`` (Dauphin et al.).

    Args:
        dim: the dimension to halve.
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    """Apply ``softmax(-x)`` along ``dim``.

    Args:
        dim: the dimension to normalise.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """Replace every element not above ``threshold`` by ``value``.

    Args:
        threshold: the bound (elements ``<=`` it are replaced).
        value: the replacement.
        inplace: overwrite the input instead of allocating the output.
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class _Shrink(Module):
    """A shrinkage function with one parameter, ``lambd`` (the half-width of its zero band)."""

    _function: Any = None

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._function(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """Keep ``x`` where ``|x| > lambd``, zero elsewhere."""

    _function = F.hardshrink


class Softshrink(_Shrink):
    """``x - lambd sign(x)`` where ``|x| > lambd``, zero elsewhere."""

    _function = F.softshrink


class Tanhshrink(Module):
    """Apply ``x - tanh(x)`` elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of (N, C, H, W) or (C, H, W) at every pixel.

    Raises:
        ValueError: for input that is not 3-D or 4-D, as PyTorch.
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3)
