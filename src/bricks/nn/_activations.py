"""More activation functions of ``bricks.nn.functional`` (re-exported there).

ReLU6, hardtanh, softplus, softsign, hardswish, hardsigmoid, mish, RReLU, CELU, SELU, GLU,
logsigmoid, softmin, gumbel_softmax, threshold, the shrinkage functions and the in-place
``*_`` forms; the primitives are in ``ops/nn/activation.py``.
"""

from __future__ import annotations

from typing import Any

from .. import ops
from .._device import xp
from .._tensor import Tensor
from ..autograd.function import rename
from ..ops import nn as _prim  # the layer primitives (ops/nn/)

__all__ = ["relu6", "hardtanh", "hardtanh_", "softplus", "softsign", "hardswish",
           "hardsigmoid", "mish", "rrelu", "celu", "selu", "glu", "logsigmoid", "softmin",
           "gumbel_softmax", "threshold", "threshold_", "hardshrink", "softshrink", "tanhshrink",
           "elu_", "celu_", "selu_", "leaky_relu_", "rrelu_"]


def _result(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """``out``, or ``input`` overwritten by it for ``inplace=True``."""
    return ops.inplace.copy_(input, out) if inplace else out


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``clamp(x, min_val, max_val)``.

    Raises:
        ValueError: if ``max_val < min_val``.
    """
    if max_val < min_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _result(input, _prim.hardtanh(input, min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)`` (Krizhevsky, 2010)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``; linear where ``beta x > threshold``."""
    return _prim.softplus(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (ops.abs(input) + 1)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (Howard et al., Searching for MobileNetV3, 2019)."""
    return _result(input, _prim.hardswish(input), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return _result(input, _prim.hardsigmoid(input), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (Misra, 2019)."""
    return _result(input, _prim.mish(input), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha (exp(x / alpha) - 1))`` (Barron, 2017).

    Raises:
        RuntimeError: for ``alpha == 0``, as PyTorch.
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _result(input, _prim.celu(input, alpha), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale (max(0, x) + min(0, alpha (exp(x) - 1)))``, scale ~1.0507, alpha ~1.6733
    (Klambauer et al., Self-Normalizing Neural Networks, 2017)."""
    return _result(input, _prim.selu(input), inplace)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU (Xu et al., 2015): in training each negative element gets a
    slope drawn from U(lower, upper); in evaluation the slope is ``(lower + upper) / 2``."""
    if not training:
        return _result(input, _prim.leaky_relu(input, (lower + upper) / 2), inplace)
    from .._creation import default_generator

    slopes = default_generator.numpy.uniform(lower, upper, input.shape)
    return _result(input, _prim.rrelu(input, slopes), inplace)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit ``a * sigmoid(b)``, ``a`` and ``b`` the halves of ``input``
    along ``dim`` (Dauphin et al., 2017).

    Raises:
        RuntimeError: for a 0-d input or an odd size along ``dim``.
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % input.ndim} is size {size}")
    first, second = ops.chunk(input, 2, dim)
    return rename(first * ops.sigmoid(second), "GluBackward0")


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return rename(-softplus(-input), "LogSigmoidBackward0")


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``softmax(-x, dim)``."""
    from .functional import softmax

    return softmax(-input, dim, dtype=dtype)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax distribution (Jang et al., 2016; Maddison et al., 2016).

    ``softmax((logits + g) / tau)`` with ``g`` standard Gumbel noise; with ``hard=True`` the
    one-hot of its argmax, whose gradient is the soft sample's (straight-through).
    """
    from .._creation import default_generator

    noise = -xp.log(default_generator.numpy.exponential(size=logits.shape))
    gumbels = (logits + Tensor._wrap(noise.astype(logits._value.dtype))) / tau
    soft = ops.softmax(gumbels, dim)
    if not hard:
        return soft
    index = xp.argmax(soft._value, axis=dim)
    one_hot = xp.zeros_like(soft._value)
    xp.put_along_axis(one_hot, xp.expand_dims(index, dim), 1.0, axis=dim)
    return Tensor._wrap(one_hot) - soft.detach() + soft


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value`` (NaN stays NaN and keeps its gradient)."""
    return _thresholded(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return _thresholded(input, threshold, value, True)


def _thresholded(input: Tensor, bound: float, value: float, inplace: bool) -> Tensor:
    out = rename(ops.where(input <= bound, value, input), "ThresholdBackward0")
    return _result(input, out, inplace)


def _band(input: Tensor, lambd: float) -> Tensor:
    """Where ``-lambd <= x <= lambd`` (never for NaN): the shrinkage functions' zero band."""
    return (input >= -lambd) & (input <= lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return rename(ops.where(_band(input, lambd), 0.0, input), "HardshrinkBackward0")


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd sign(x)`` where ``|x| > lambd``, else 0 (the proximal map of the L1 norm).

    Raises:
        RuntimeError: for a negative ``lambd``, as PyTorch.
    """
    if lambd < 0:
        kind = {"float64": ("Double", "1.79769e+308"), "float16": ("Half", "65504")}.get(
            input.dtype.name, ("Float", "3.40282e+38"))
        raise RuntimeError(f"lambda must be in range [0, {kind[1]}] for input dtype {kind[0]}, "
                           f"but found {lambd:g}")
    shrunk = input - lambd * ops.sign(input.detach())
    return rename(ops.where(_band(input, lambd), 0.0, shrunk), "SoftshrinkBackward0")


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - ops.tanh(input)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    from .functional import elu

    return elu(input, alpha, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return selu(input, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    from .functional import leaky_relu

    return leaky_relu(input, negative_slope, inplace=True)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)
