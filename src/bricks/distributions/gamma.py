"""``Gamma``, its special cases ``Chi2`` and ``Exponential``, and the distributions built from
gamma draws, ``Beta`` and ``Dirichlet``.

All have ``rsample``, as torch's. Exponential's draw is an inverse CDF; the others are gamma
draws whose gradient in the concentration is the implicit reparameterization gradient of
``bricks.ops.gamma_draws`` (torch's ``_standard_gamma`` and ``_Dirichlet``), and in the rate
the scale relation ``x = x_1 / rate``. Beta is the first coordinate of a two-category
Dirichlet, as torch's.
"""

from __future__ import annotations

from typing import Any

from .._creation import rand
from .._device import xp
from .._tensor import Tensor
from ..ops.gamma_draws import sample_dirichlet, standard_gamma
from ..ops.incomplete import gammainc
from ..ops.pointwise import digamma, lgamma
from ..ops.shape import stack
from ..ops.special import xlogy
from .distribution import Distribution, as_tensor, broadcast_all

__all__ = ["Gamma", "Chi2", "Exponential", "Beta", "Dirichlet"]

_POSITIVE = "GreaterThan(lower_bound=0.0)"
_NONNEGATIVE = "GreaterThanEq(lower_bound=0.0)"


class Gamma(Distribution):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``.

    Raises:
        ValueError: with validation, for a parameter that is not positive or a negative value.
    """

    has_rsample = True
    arg_constraints = {"concentration": "positive", "rate": "positive"}

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, (), validate_args)
        self._check(self.concentration > 0, "concentration", self.concentration, _POSITIVE)
        self._check(self.rate > 0, "rate", self.rate, _POSITIVE)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # as torch: the values kept above 0, outside the graph
        value.detach().clamp_(min=float(xp.finfo(value._value.dtype).tiny))
        return value

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.rate)
        self._check_value(value >= 0, value, _NONNEGATIVE)
        a, b = self.concentration, self.rate
        return xlogy(a, b) + xlogy(a - 1, value) - b * value - lgamma(a)

    def cdf(self, value: Any) -> Tensor:
        """The regularized incomplete gamma function ``P(concentration, rate * value)``; as
        torch's, it has no gradient in the concentration (backward raises)."""
        value = as_tensor(value, self.rate)
        self._check_value(value >= 0, value, _NONNEGATIVE)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1.0 - a) * digamma(a)


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    arg_constraints = {"df": "positive"}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df)
        Distribution.__init__(self, df.shape, (), validate_args)
        self._check(df > 0, "df", df, _POSITIVE)  # named df, before the gamma's checks
        super().__init__(0.5 * df, 0.5 * df.new_ones(()), validate_args)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2

    def __repr__(self) -> str:
        return "Chi2()"


class Exponential(Distribution):
    """The exponential distribution with ``rate`` (mean ``1 / rate``)."""

    has_rsample = True
    arg_constraints = {"rate": "positive"}

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check(self.rate > 0, "rate", self.rate, _POSITIVE)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate.new_zeros(tuple(self.rate.shape))

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = rand(self._extended_shape(sample_shape), dtype=self.rate.dtype)
        return -(-u).log1p() / self.rate

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.rate)
        self._check_value(value >= 0, value, _NONNEGATIVE)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.rate)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Any) -> Tensor:
        return -(-as_tensor(value, self.rate)).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


class Dirichlet(Distribution):
    """The Dirichlet distribution over the probability simplex of the last dimension of
    ``concentration``.

    Raises:
        ValueError: for a concentration of fewer than one dimension; with validation, for a
            concentration that is not positive or a value off the simplex.
    """

    has_rsample = True
    arg_constraints = {"concentration": "independent_positive"}

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        concentration = as_tensor(concentration)
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args)
        self._check(concentration > 0, "concentration", concentration,
                    f"IndependentConstraint({_POSITIVE}, 1)")

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        above = (self.concentration - 1).clamp(min=0.0)
        mode = above / above.sum(-1, keepdim=True)
        # All below 1: the density peaks at the corner of the largest concentration (torch).
        corner = mode.argmax(-1, keepdim=True)
        one_hot = (Tensor._wrap(xp.arange(mode.shape[-1])) == corner)
        all_below = (self.concentration < 1).all(-1, keepdim=True)
        return mode.where(~all_below, one_hot.to(mode.dtype))

    @property
    def variance(self) -> Tensor:
        total = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return sample_dirichlet(self.concentration.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.concentration)
        on_simplex = (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)
        self._check_value(on_simplex, value, "Simplex()")
        c = self.concentration
        return (xlogy(c - 1.0, value).sum(-1) + lgamma(c.sum(-1)) - lgamma(c).sum(-1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.shape[-1]
        total = c.sum(-1)
        return (lgamma(c).sum(-1) - lgamma(total) - (k - total) * digamma(total)
                - ((c - 1.0) * digamma(c)).sum(-1))

    def __repr__(self) -> str:
        return f"Dirichlet(concentration: {_shown(self.concentration)})"


class Beta(Distribution):
    """The beta distribution on [0, 1] with ``concentration1`` (alpha) and ``concentration0``
    (beta): the first coordinate of a two-category Dirichlet."""

    has_rsample = True
    arg_constraints = {"concentration1": "positive", "concentration0": "positive"}

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        # validated as torch does, through the Dirichlet of the pair
        self._dirichlet = Dirichlet(stack([self.concentration1, self.concentration0], -1),
                                    validate_args=validate_args)
        super().__init__(self.concentration1.shape, (), validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.concentration1)
        self._check_value((value >= 0) & (value <= 1), value,
                          "Interval(lower_bound=0.0, upper_bound=1.0)")
        return self._dirichlet.log_prob(stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    def __repr__(self) -> str:
        return "Beta()"


def _shown(value: Tensor) -> Any:
    return value.shape if value.numel() > 1 else value

