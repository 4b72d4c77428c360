"""``Laplace``, ``Cauchy``, ``StudentT``, and the transformed normals ``LogNormal`` and
``HalfNormal``.

StudentT's ``rsample`` is torch's construction ``loc + scale * X / sqrt(Z / df)`` from a
standard normal ``X`` and a chi-squared draw ``Z``, differentiable in ``df`` through ``Z``'s
implicit reparameterization gradient.
"""

from __future__ import annotations

import math
from typing import Any

from .._creation import rand, randn
from .._device import xp
from .._tensor import Tensor
from ..ops.pointwise import digamma, lgamma
from .distribution import Distribution, as_tensor, broadcast_all
from .gamma import Chi2
from .normal import Normal

__all__ = ["Laplace", "Cauchy", "StudentT", "LogNormal", "HalfNormal"]

_POSITIVE = "GreaterThan(lower_bound=0.0)"


class _LocScale(Distribution):
    """A distribution with a real ``loc`` and a positive ``scale``, broadcast together."""

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check(self.scale > 0, "scale", self.scale, _POSITIVE)

    @property
    def mode(self) -> Tensor:
        return self.loc

    def _uniform(self, sample_shape: Any) -> Tensor:
        return rand(self._extended_shape(sample_shape), dtype=self.loc.dtype)


class Laplace(_LocScale):
    """The Laplace (double exponential) distribution."""

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = float(xp.finfo(self.loc._value.dtype).eps)
        u = self._uniform(sample_shape) * (2 - eps) + (eps - 1)  # in (-1, 1), as torch
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        shifted = value - self.loc
        return 0.5 - 0.5 * shifted.sign() * (-shifted.abs() / self.scale).expm1()

    def icdf(self, value: Any) -> Tensor:
        term = as_tensor(value, self.loc) - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class Cauchy(_LocScale):
    """The Cauchy distribution: no mean (NaN) and infinite variance."""

    @property
    def mean(self) -> Tensor:
        return self.loc.new_full(tuple(self._batch_shape), float("nan"))

    @property
    def variance(self) -> Tensor:
        return self.loc.new_full(tuple(self._batch_shape), float("inf"))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.icdf(self._uniform(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return (-math.log(math.pi) - self.scale.log()
                - ((value - self.loc) / self.scale).pow(2).log1p())

    def cdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


class StudentT(Distribution):
    """Student's t distribution with ``df`` degrees of freedom, shifted by ``loc`` and scaled."""

    has_rsample = True
    arg_constraints = {"df": "positive", "loc": "real", "scale": "positive"}

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df, validate_args)  # validates df first, as torch's
        super().__init__(self.df.shape, (), validate_args)
        self._check(self.scale > 0, "scale", self.scale, _POSITIVE)

    @property
    def mean(self) -> Tensor:
        return self.loc.masked_fill(self.df <= 1, float("nan"))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2).masked_fill(df <= 2, 1.0)
        infinite = finite.masked_fill((df <= 2) & (df > 1), float("inf"))
        return infinite.masked_fill(df <= 1, float("nan"))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # torch's order of draws: the normal first, then the chi-squared
        normal = randn(self._extended_shape(sample_shape), dtype=self.df.dtype)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (normal * (chi2 / self.df).rsqrt())

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        y = (value - self.loc) / self.scale
        normalizer = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
                      + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * (y.pow(2) / self.df).log1p() - normalizer

    def entropy(self) -> Tensor:
        df = self.df
        log_beta = lgamma(0.5 * df) + math.lgamma(0.5) - lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df))
                + 0.5 * df.log() + log_beta)


class LogNormal(Distribution):
    """The distribution of ``exp(X)`` for X ~ Normal(loc, scale)."""

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        self.loc, self.scale = self.base_dist.loc, self.base_dist.scale
        super().__init__(self.loc.shape, (), validate_args)

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.loc)
        self._check_value(value > 0, value, _POSITIVE)
        log_value = value.log()
        return self.base_dist.log_prob(log_value) - log_value

    def cdf(self, value: Any) -> Tensor:
        return self.base_dist.cdf(as_tensor(value, self.loc).log())

    def icdf(self, value: Any) -> Tensor:
        return self.base_dist.icdf(value).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc

    def __repr__(self) -> str:
        return "LogNormal()"


class HalfNormal(Distribution):
    """The distribution of ``|X|`` for X ~ Normal(0, scale)."""

    has_rsample = True
    arg_constraints = {"scale": "positive"}

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        (scale,) = broadcast_all(scale)
        self.base_dist = Normal(scale.new_zeros(()), scale, validate_args=validate_args)
        self.scale = self.base_dist.scale
        super().__init__(self.scale.shape, (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        return self.scale.new_zeros(tuple(self.scale.shape))

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).abs()

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.scale)
        self._check_value(value >= 0, value, "GreaterThanEq(lower_bound=0.0)")
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return log_prob.masked_fill(value < 0, float("-inf"))

    def cdf(self, value: Any) -> Tensor:
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, value: Any) -> Tensor:
        return self.base_dist.icdf((as_tensor(value, self.scale) + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)

    def __repr__(self) -> str:
        return "HalfNormal()"
