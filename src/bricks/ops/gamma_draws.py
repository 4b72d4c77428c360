"""Gamma and Dirichlet draws that carry gradients to their parameters (torch's
``_standard_gamma`` and ``_sample_dirichlet``, the draws under ``Gamma.rsample`` and
``Dirichlet.rsample``).

The draws come from bricks' generator (``bricks.manual_seed``), so seeded runs repeat. Their
backward is the implicit reparameterization gradient (Figurnov et al. 2018): for a draw ``x``
of CDF ``F(x; a)``, ``dx/da = -(dF/da) / (dF/dx)`` at the drawn ``x``, computed by
``bricks.ops.incomplete``. For the Dirichlet, each coordinate is a Beta(a_i, total - a_i) draw;
moving ``a_i`` moves ``x_i`` by that Beta's implicit gradient and rescales the other
coordinates to keep the sum, which is torch's ``_Dirichlet_backward``.
"""

from __future__ import annotations

from typing import Any

import numpy

from .._creation import _rng
from .._device import array_module, as_array, to_host
from .._tensor import Tensor
from ..autograd.function import Function
from .incomplete import dirichlet_grad_array, standard_gamma_grad_array


def _draw_standard_gamma(alpha: Any) -> Any:
    """Gamma(alpha, 1) draws in float64 on the host, at least the smallest normal double
    (torch's sampler clamps there too)."""
    values = _rng(None).standard_gamma(to_host(alpha).astype(numpy.float64))
    return numpy.maximum(values, numpy.finfo(numpy.float64).tiny)


class StandardGamma(Function):
    saves = (0,)
    saves_output = True

    def forward(self, alpha):
        tiny = numpy.finfo(alpha.dtype).tiny
        self.alpha = alpha
        self.y = array_module(alpha).maximum(
            as_array(_draw_standard_gamma(alpha), alpha).astype(alpha.dtype), tiny)
        return self.y

    def backward(self, gy):
        return gy * standard_gamma_grad_array(self.alpha, self.y).astype(gy.dtype)


class Dirichlet(Function):
    saves = (0,)
    saves_output = True
    torch_name = "_DirichletBackward"

    def forward(self, concentration):
        gammas = _draw_standard_gamma(concentration)
        ratios = (gammas / gammas.sum(-1, keepdims=True)).astype(concentration.dtype)
        # torch: within [the smallest normal number, the largest number below 1] of the dtype
        low = numpy.finfo(concentration.dtype).tiny
        one = concentration.dtype.type(1)
        high = numpy.nextafter(one, 0 * one)
        self.concentration = concentration
        self.y = as_array(numpy.clip(ratios, low, high), concentration)
        return self.y

    def backward(self, gy):
        x, concentration = self.y, self.concentration
        total = concentration.sum(-1, keepdims=True)
        grad = dirichlet_grad_array(x, concentration, total).astype(gy.dtype)
        return grad * (gy - (x * gy).sum(-1, keepdims=True))


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws of ``concentration``'s shape (torch's
    ``_standard_gamma``), differentiable in ``concentration``."""
    return StandardGamma.apply(concentration)


def sample_dirichlet(concentration: Tensor) -> Tensor:
    """Dirichlet draws over the last dimension of ``concentration`` (torch's
    ``_Dirichlet.apply``), differentiable in ``concentration``."""
    return Dirichlet.apply(concentration)
