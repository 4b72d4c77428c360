"""``Bernoulli``, ``Categorical`` and ``Multinomial``, given ``probs`` or ``logits``."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._creation import rand
from .._tensor import Size, Tensor
from ..autograd.grad_mode import no_grad
from ..ops.pointwise import lgamma
from ..ops.stats import multinomial
from .distribution import Distribution, as_tensor, broadcast_all

__all__ = ["Bernoulli", "Categorical", "Multinomial"]


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _clamped(probs: Tensor) -> Tensor:
    eps = float(xp.finfo(probs._value.dtype).eps)
    return probs.clamp(eps, 1 - eps)


def _softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow."""
    return x.clamp(min=0) + (-x.abs()).exp().log1p()


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

    Raises:
        ValueError: unless exactly one of ``probs`` and ``logits`` is given; with validation,
            for probabilities outside [0, 1] or values other than 0 and 1.
    """

    arg_constraints = {"probs": "unit_interval", "logits": "real"}

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            p = _clamped(self.probs)
            self.logits = p.log() - (-p).log1p()
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            self.probs = self.logits.sigmoid()
            param = self.logits
        super().__init__(param.shape, (), validate_args)
        if probs is not None:
            self._check((self.probs >= 0) & (self.probs <= 1), "probs", self.probs,
                        "Interval(lower_bound=0.0, upper_bound=1.0)")

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            u = rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
            return (u < self.probs).to(self.probs.dtype)

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.logits)
        self._check((value == 0) | (value == 1), "value", value, "Boolean()")
        # -binary_cross_entropy_with_logits(logits, value)
        return value * self.logits - _softplus(self.logits)

    def entropy(self) -> Tensor:
        return _softplus(self.logits) - self.probs * self.logits


class Categorical(Distribution):
    """One of K categories (the last dimension of ``probs`` or ``logits``), drawn as an index.

    Raises:
        ValueError: unless exactly one of ``probs`` and ``logits`` is given; with validation,
            for negative probabilities or an index outside [0, K).
    """

    arg_constraints = {"probs": "simplex", "logits": "real_vector"}

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        if probs is not None:
            probs = as_tensor(probs)
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = _clamped(self.probs).log()
            param = probs
        else:
            logits = as_tensor(logits)
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.exp()
            param = logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], (), validate_args)
        if probs is not None:
            self._check(probs >= 0, "probs", probs, "Simplex()")

    @property
    def param_shape(self) -> Size:
        return self.probs.shape

    @property
    def mean(self) -> Tensor:
        return self.probs.new_full(tuple(self._batch_shape), float("nan"))

    @property
    def variance(self) -> Tensor:
        return self.probs.new_full(tuple(self._batch_shape), float("nan"))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        sample_shape = Size(sample_shape)
        count = max(sample_shape.numel(), 1)
        rows = self.probs.detach().reshape(-1, self._num_events)
        draws = multinomial(rows, count, True)  # (batch, count)
        return draws.t().reshape(tuple(sample_shape) + tuple(self._batch_shape))

    def log_prob(self, value: Any) -> Tensor:
        value = value if isinstance(value, Tensor) else as_tensor(value).long()
        self._check((value >= 0) & (value < self._num_events), "value", value,
                    f"IntegerInterval(lower_bound=0, upper_bound={self._num_events - 1})")
        value = value.long().unsqueeze(-1)
        shape = _broadcast(tuple(value.shape[:-1]), tuple(self._batch_shape))
        logits = self.logits.expand(shape + (self._num_events,))
        return logits.gather(-1, value.expand(shape + (1,))).squeeze(-1)

    def entropy(self) -> Tensor:
        smallest = float(xp.finfo(self.logits._value.dtype).min)
        return -(self.logits.clamp(min=smallest) * self.probs).sum(-1)


class Multinomial(Distribution):
    """Counts of ``total_count`` draws among K categories.

    Raises:
        ValueError: unless exactly one of ``probs`` and ``logits`` is given.
    """

    arg_constraints = {"probs": "simplex", "logits": "real_vector"}

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits, validate_args=validate_args)
        self.probs, self.logits = self._categorical.probs, self._categorical.logits
        super().__init__(self._categorical.batch_shape, self.probs.shape[-1:], validate_args)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        sample_shape = Size(sample_shape)
        with no_grad():
            draws = self._categorical.sample(Size((self.total_count,)) + sample_shape)
            k = self._event_shape[0]
            one_hot = (draws.unsqueeze(-1) == Tensor._wrap(xp.arange(k))).to(self.probs.dtype)
            return one_hot.sum(0)

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, self.logits)
        logits = self.logits.expand(_broadcast(tuple(value.shape), tuple(self.logits.shape)))
        # 0 * -inf is taken as 0, as torch does, so impossible categories never drawn score 0
        weighted = (value * logits).masked_fill((value == 0) & (logits == float("-inf")), 0.0)
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        return log_factorial_n - log_factorial_xs + weighted.sum(-1)

    def entropy(self) -> Tensor:
        # torch's formula: through each category's binomial distribution over 0..n.
        n = self.total_count
        support = Tensor._wrap(xp.arange(n + 1, dtype=self.probs._value.dtype))
        support = support.reshape((-1,) + (1,) * self.probs.dim())
        p = _clamped(self.probs)
        log_binomial = (lgamma(support.new_tensor(n + 1.0)) - lgamma(support + 1)
                        - lgamma(n - support + 1) + support * p.log() + (n - support)
                        * (-p).log1p())
        weights = lgamma(support + 1)
        return ((log_binomial.exp() * weights).sum((0, -1)) + n * self._categorical.entropy()
                - lgamma(support.new_tensor(n + 1.0)))


def _broadcast(*shapes: tuple) -> tuple:
    import numpy

    return tuple(numpy.broadcast_shapes(*shapes))
