"""``Uniform``."""

from __future__ import annotations

from typing import Any

from .._creation import rand
from .._tensor import Tensor
from .distribution import Distribution, as_tensor, broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """The uniform distribution on the half-open interval [low, high).

    Raises:
        ValueError: with validation on, when ``low >= high`` or a value outside the support
            is scored.
    """

    has_rsample = True
    arg_constraints = {"low": "real", "high": "real"}

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, (), validate_args)
        self._check(self.low < self.high, "low", self.low, "LessThan(upper_bound=high)")

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.low)
        inside = (self.low <= value) & (self.high > value)
        self._check(inside, "value", value, f"Interval(lower_bound={self.low}, "
                    f"upper_bound={self.high})")
        return inside.to(self.low.dtype).log() - (self.high - self.low).log()

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        value = as_tensor(value, self.low)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)
