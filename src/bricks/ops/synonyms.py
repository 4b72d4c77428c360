"""torch's other names for ops bricks already has (``multiply`` is ``mul``, ``greater`` is
``gt``, ``fix`` is ``trunc``, ...), and the ``torch.special`` functions torch also offers as
``torch.<name>`` and ``Tensor.<name>`` (``logit``, ``xlogy``, ``sinc``, ``i0``, ``igamma``...).

Each synonym is the very function it names, so values, gradients and ``grad_fn`` names are that
op's; the few that differ in argument order or form (``polygamma``'s method, ``positive``) are
small functions here.
"""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd.function import rename
from . import elementwise as ew
from . import extras, incomplete, linalg, special, unary
from .pointwise import trunc
from .shape import contiguous, reshape
from .sorting import sort

__all__ = ["multiply", "subtract", "divide", "greater", "greater_equal", "less", "less_equal",
           "not_equal", "absolute", "negative", "positive", "fix", "sgn", "ravel", "msort",
           "ger", "row_stack", "clamp_min", "clamp_max", "logit", "xlogy", "sinc", "i0",
           "polygamma", "mvlgamma", "matrix_power", "igamma", "igammac"]

multiply = ew.mul
subtract = ew.sub
divide = ew.div
greater = ew.gt
greater_equal = ew.ge
less = ew.lt
less_equal = ew.le
not_equal = ew.ne
absolute = unary.abs
negative = unary.neg
fix = trunc
ger = linalg.outer
row_stack = extras.vstack
logit = special.logit
xlogy = special.xlogy
sinc = special.sinc
i0 = special.i0
igamma = incomplete.igamma
igammac = incomplete.igammac


def positive(input: Tensor) -> Tensor:
    """``+input``: the tensor itself, as torch's (which refuses bool tensors).

    Raises:
        RuntimeError: for a bool tensor, with torch's message.
    """
    if input._value.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def sgn(input: Tensor) -> Tensor:
    """``input / |input|`` (0 at 0): the sign of a real tensor, the unit phase of a complex one."""
    if input._value.dtype.kind != "c":
        return rename(unary.sign(input), "SgnBackward0")
    magnitude = unary.abs(input)
    safe = ew.where(magnitude == 0, 1.0, magnitude)
    return ew.where(magnitude == 0, 0.0, ew.div(input, safe))


def ravel(input: Tensor) -> Tensor:
    """The tensor as one dimension: a view when its memory allows, else a contiguous copy."""
    return reshape(contiguous(input), (-1,))


def msort(input: Tensor) -> Tensor:
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


def clamp_min(input: Tensor, min: Any) -> Tensor:
    """``clamp(input, min=min)``."""
    return rename(unary.clamp(input, min=min), _clamp_name("Min", min))


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """``clamp(input, max=max)``."""
    return rename(unary.clamp(input, max=max), _clamp_name("Max", max))


def _clamp_name(side: str, bound: Any) -> str:
    return f"Clamp{side}Backward{1 if isinstance(bound, Tensor) else 0}"


def polygamma(n: Any, input: Any) -> Tensor:
    """``torch.polygamma(n, input)``; as a method, ``x.polygamma(n)`` (``self`` first)."""
    if isinstance(n, Tensor) and not isinstance(input, Tensor):
        n, input = input, n  # the method form: x.polygamma(n)
    return special.polygamma(n, input)


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma of dimension ``p`` (``torch.special.multigammaln``)."""
    return special.multigammaln(input, p)


def matrix_power(input: Tensor, n: int) -> Tensor:
    """``torch.linalg.matrix_power``."""
    from ..linalg import matrix_power as power

    return power(input, n)


def ndimension(input: Tensor) -> int:
    """The number of dimensions (``dim()``)."""
    return input.dim()
