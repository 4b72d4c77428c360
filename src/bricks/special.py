"""``torch.special``: special functions, most of them names for ops bricks already has.

The aliases (``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma``, ``psi`` is ``digamma``, ...)
are the same functions as ``bricks.<name>``, so their values, gradients and ``grad_fn`` names
are those ops'. The functions new to bricks (Bessel, erfcx, the normal CDF family, zeta and
polygamma, xlogy, sinc, entr, logit) are primitives in ``bricks.ops.special``; the incomplete
gamma functions (``gammainc``, ``gammaincc``) in ``bricks.ops.incomplete``.
"""

from __future__ import annotations

import math
from ._tensor import Tensor
from .autograd.function import rename
from .ops.elementwise import add, mul
from .ops.extras import erfinv
from .ops.incomplete import gammainc, gammaincc
from .ops.pointwise import digamma, erf, erfc, exp2, expm1, lgamma
from .ops.reduce import log_softmax, logsumexp, softmax
from .ops.special import (
    entr, erfcx, i0, i0e, i1, i1e, log_ndtr, logit, multigammaln, ndtri, polygamma, sinc,
    xlog1py, xlogy, zeta,
)
from .ops.unary import log1p, round, sigmoid as expit

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
    "softmax", "xlog1py", "xlogy", "zeta",
]

gammaln = lgamma
psi = digamma


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2``, computed as torch does (so it
    is 0 below about -8.3 in float64, as torch's; ``exp(log_ndtr(x))`` keeps the tail)."""
    return rename(mul(add(erf(mul(input, 1 / math.sqrt(2))), 1), 0.5), "MulBackward1")
