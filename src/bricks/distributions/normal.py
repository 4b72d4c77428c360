"""``Normal`` and ``MultivariateNormal``."""

from __future__ import annotations

import math
from typing import Any

from .. import linalg
from .._creation import randn
from .._tensor import Size, Tensor
from ..ops.matrix import diagonal
from ..ops.extras import erfinv
from ..ops.pointwise import erf
from .distribution import Distribution, as_tensor, broadcast_all

__all__ = ["Normal", "MultivariateNormal"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


class Normal(Distribution):
    """The normal distribution N(loc, scale^2).

    Example:
        >>> import bricks
        >>> bricks.distributions.Normal(0.0, 1.0).log_prob(bricks.tensor(0.0))
        tensor(-0.9189)
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check(self.scale > 0, "scale", self.scale, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self.scale ** 2

    @property
    def stddev(self) -> Tensor:
        return self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - _LOG_SQRT_2PI)

    def entropy(self) -> Tensor:
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    @property
    def mode(self) -> Tensor:
        return self.loc


class MultivariateNormal(Distribution):
    """The multivariate normal N(loc, Sigma), given one of the covariance, the precision or the
    lower Cholesky factor of the covariance (``scale_tril``).

    Raises:
        ValueError: unless exactly one of the three is given, or when validation finds it is
            not positive-definite.
    """

    has_rsample = True
    arg_constraints = {"loc": "real_vector", "scale_tril": "lower_cholesky"}

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        loc = as_tensor(loc)
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if scale_tril is not None:
            tril = as_tensor(scale_tril, loc)
        elif covariance_matrix is not None:
            tril = linalg.cholesky(as_tensor(covariance_matrix, loc))
        else:
            tril = linalg.cholesky(linalg.inv(as_tensor(precision_matrix, loc)))
        if tril.dim() < 2:
            raise ValueError("scale_tril matrix must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        event = loc.shape[-1:]
        batch = Size(_broadcast(tuple(loc.shape[:-1]), tuple(tril.shape[:-2])))
        self.loc = loc.expand(tuple(batch) + tuple(event))
        self._unbroadcasted_scale_tril = tril
        self.scale_tril = tril.expand(tuple(batch) + tuple(event) + tuple(event))
        super().__init__(batch, event, validate_args)

    @property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.mT

    @property
    def precision_matrix(self) -> Tensor:
        return linalg.inv(self.covariance_matrix)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self.scale_tril ** 2).sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        return diagonal(self._unbroadcasted_scale_tril, 0, -2, -1).log().sum(-1)

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        difference = value - self.loc
        tril = self._unbroadcasted_scale_tril
        shape = _broadcast(tuple(difference.shape[:-1]), tuple(tril.shape[:-2]))
        k = self._event_shape[0]
        solved = linalg.solve(tril.expand(shape + (k, k)),
                              difference.expand(shape + (k,)).unsqueeze(-1)).squeeze(-1)
        mahalanobis = (solved ** 2).sum(-1)
        return -0.5 * (k * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(tuple(self._batch_shape)) if self._batch_shape else h


def _broadcast(*shapes: tuple) -> tuple:
    import numpy

    return tuple(numpy.broadcast_shapes(*shapes))
