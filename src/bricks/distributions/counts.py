"""Distributions over counts: ``Poisson``, ``Binomial`` and ``Geometric`` (no ``rsample``:
their draws are integers)."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._creation import rand
from .._tensor import Tensor
from ..ops.pointwise import lgamma
from .discrete import _clamped, _one_of, _softplus
from .distribution import Distribution, as_tensor, broadcast_all, draw
from ..ops.special import xlogy

__all__ = ["Poisson", "Binomial", "Geometric"]

_UNIT = "Interval(lower_bound=0.0, upper_bound=1.0)"


def _is_integer(value: Tensor) -> Tensor:
    return value == value.floor()


def _poisson(rng: Any, rate: Any, size: Any) -> Any:
    return rng.poisson(rate, size=size)


def _binomial(rng: Any, count: Any, probs: Any, size: Any) -> Any:
    return rng.binomial(count.astype(xp.int64), probs, size=size)


def _probs_and_logits(probs: Any, logits: Any, *others: Any) -> tuple[Tensor, Tensor, list]:
    """``probs`` and ``logits`` from whichever is given, broadcast with ``others``, which
    come after them."""
    _one_of(probs, logits)
    given, *rest = broadcast_all(probs if probs is not None else logits, *others)
    if probs is not None:
        p = _clamped(given)
        return given, p.log() - (-p).log1p(), rest
    return given.sigmoid(), given, rest


class Poisson(Distribution):
    """The Poisson distribution with ``rate``: the number of events in a unit interval."""

    arg_constraints = {"rate": "nonnegative"}

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check(self.rate >= 0, "rate", self.rate, "GreaterThanEq(lower_bound=0.0)")

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return draw(_poisson, self.rate, self.rate, shape=self._extended_shape(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.rate)
        self._check_value((value >= 0) & _is_integer(value), value,
                          "IntegerGreaterThan(lower_bound=0)")
        return xlogy(value, self.rate) - self.rate - lgamma(value + 1)


class Binomial(Distribution):
    """The number of successes in ``total_count`` trials of probability ``probs``
    (or ``sigmoid(logits)``)."""

    arg_constraints = {"total_count": "nonnegative_integer", "probs": "unit_interval",
                       "logits": "real"}

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        given = probs if probs is not None else logits
        self.probs, self.logits, (count,) = _probs_and_logits(probs, logits, total_count)
        self._given_params = ("probs",) if probs is not None else ("logits",)
        self.total_count = count.to(self.probs.dtype)
        super().__init__(self.probs.shape, (), validate_args)
        self._check((self.total_count >= 0) & _is_integer(self.total_count), "total_count",
                    self.total_count, "IntegerGreaterThan(lower_bound=0)")
        if probs is not None:
            self._check((self.probs >= 0) & (self.probs <= 1), "probs", given, _UNIT)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return draw(_binomial, self.probs, self.total_count, self.probs,
                    shape=self._extended_shape(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.probs)
        self._check_value((value >= 0) & (value <= self.total_count) & _is_integer(value),
                          value, f"IntegerInterval(lower_bound=0, upper_bound="
                          f"{self.total_count})")
        n, logits = self.total_count, self.logits
        clamped_at_zero = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalizer = (n * clamped_at_zero + n * (-logits.abs()).exp().log1p()
                      - lgamma(n + 1))
        return (value * logits - lgamma(value + 1) - lgamma(n - value + 1) - normalizer)

    def entropy(self) -> Tensor:
        n = self.total_count
        if bool((n != n.max()).any()):
            raise NotImplementedError("Inhomogeneous total count not supported by "
                                      "`enumerate_support`.")
        count = int(n.max()) if n.numel() else 0
        support = Tensor._wrap(xp.arange(count + 1, dtype=self.probs._value.dtype))
        support = support.reshape((-1,) + (1,) * len(self._batch_shape))
        log_prob = self.log_prob(support)
        return -(log_prob.exp() * log_prob).sum(0)


class Geometric(Distribution):
    """The number of failures before the first success in trials of probability ``probs``."""

    arg_constraints = {"probs": "unit_interval", "logits": "real"}

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        given = probs if probs is not None else logits
        self.probs, self.logits, _ = _probs_and_logits(probs, logits)
        self._given_params = ("probs",) if probs is not None else ("logits",)
        super().__init__(self.probs.shape, (), validate_args)
        if probs is not None:
            self._check((self.probs >= 0) & (self.probs <= 1), "probs", given, _UNIT)
            positive = self.probs > 0
            if self._validate_args and not bool(positive.all()):
                raise ValueError(f"Expected parameter probs (Tensor of shape "
                                 f"{tuple(self.probs.shape)}) of distribution {self!r} to be "
                                 f"positive but found invalid values:\n"
                                 f"{self.probs[~positive]}")

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return self.probs.new_zeros(tuple(self.probs.shape))

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        tiny = float(xp.finfo(self.probs._value.dtype).tiny)
        u = rand(self._extended_shape(sample_shape), dtype=self.probs.dtype).clamp(min=tiny)
        return (u.log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.probs)
        self._check_value((value >= 0) & _is_integer(value), value,
                          "IntegerGreaterThan(lower_bound=0)")
        probs = self.probs.expand(tuple(xp.broadcast_shapes(value.shape, self.probs.shape)))
        # a certain success (probs 1) with no failure: probability 1, not 0 * log(0)
        probs = probs.masked_fill((probs == 1) & (value == 0), 0.0)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        # binary cross-entropy of the success, per trial, over the expected number of trials
        logits = self.logits
        return (_softplus(logits) - self.probs * logits) / self.probs
