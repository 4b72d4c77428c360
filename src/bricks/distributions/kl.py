"""``kl_divergence(p, q)``: KL(p || q) in closed form for registered pairs of distribution
types, and ``register_kl`` to add a pair.

The most specific registered pair wins (the nearest base classes of ``type(p)`` and
``type(q)``), as torch chooses; an unregistered pair raises NotImplementedError.
"""

from __future__ import annotations

import warnings
from typing import Callable

from .. import linalg
from .._device import xp
from .._tensor import Tensor
from ..ops.matrix import diagonal
from ..ops.pointwise import digamma, lgamma
from .discrete import Bernoulli, Categorical, _softplus
from .distribution import Distribution
from .gamma import Beta, Dirichlet, Exponential, Gamma
from .counts import Poisson
from .independent import Independent
from .location_scale import Laplace
from .normal import MultivariateNormal, Normal
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]

_REGISTRY: dict[tuple[type, type], Callable] = {}
_INF = float("inf")


def register_kl(type_p: type, type_q: type) -> Callable:
    """A decorator that registers ``kl(p, q)`` for ``p`` of ``type_p`` and ``q`` of ``type_q``.

    Raises:
        TypeError: when either is not a subclass of Distribution.
    """
    for kind in (type_p, type_q):
        if not (isinstance(kind, type) and issubclass(kind, Distribution)):
            raise TypeError(f"Expected {kind} to be a subclass of Distribution but got {kind}")

    def decorator(fun: Callable) -> Callable:
        _REGISTRY[type_p, type_q] = fun
        return fun

    return decorator


def _distance(kind: type, base: type) -> int:
    return kind.__mro__.index(base)


def _dispatch(type_p: type, type_q: type) -> Callable | None:
    matches = [(p, q) for p, q in _REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    if not matches:
        return None
    left = min(matches, key=lambda m: (_distance(type_p, m[0]), _distance(type_q, m[1])))
    right = min(matches, key=lambda m: (_distance(type_q, m[1]), _distance(type_p, m[0])))
    if left != right:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({left[0].__name__}, {right[1].__name__})",
                      RuntimeWarning, stacklevel=3)
    return _REGISTRY[left]


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), batched over the distributions' batch shape.

    Raises:
        NotImplementedError: when no pair registered covers ``type(p)`` and ``type(q)``.
    """
    fun = _dispatch(type(p), type(q))
    if fun is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{type(p).__name__} and q type {type(q).__name__}")
    return fun(p, q)


@register_kl(Normal, Normal)
def _normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    shift = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + shift - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    ones = p.probs * (_softplus(-q.logits) - _softplus(-p.logits))
    ones = ones.masked_fill(q.probs == 0, _INF).masked_fill(p.probs == 0, 0.0)
    zeros = (1 - p.probs) * (_softplus(q.logits) - _softplus(p.logits))
    zeros = zeros.masked_fill(q.probs == 1, _INF).masked_fill(p.probs == 1, 0.0)
    return ones + zeros


@register_kl(Categorical, Categorical)
def _categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    terms = p.probs * (p.logits - q.logits)
    terms = terms.masked_fill(q.probs == 0, _INF).masked_fill(p.probs == 0, 0.0)
    return terms.sum(-1)


@register_kl(Uniform, Uniform)
def _uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return result.masked_fill((q.low > p.low) | (q.high < p.high), _INF)


@register_kl(Beta, Beta)
def _beta_beta(p: Beta, q: Beta) -> Tensor:
    total_p = p.concentration1 + p.concentration0
    total_q = q.concentration1 + q.concentration0
    return (lgamma(q.concentration1) + lgamma(q.concentration0) + lgamma(total_p)
            - lgamma(p.concentration1) - lgamma(p.concentration0) - lgamma(total_q)
            + (p.concentration1 - q.concentration1) * digamma(p.concentration1)
            + (p.concentration0 - q.concentration0) * digamma(p.concentration0)
            + (total_q - total_p) * digamma(total_p))


@register_kl(Gamma, Gamma)
def _gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    return (q.concentration * (p.rate / q.rate).log()
            + lgamma(q.concentration) - lgamma(p.concentration)
            + (p.concentration - q.concentration) * digamma(p.concentration)
            + (q.rate - p.rate) * (p.concentration / p.rate))


@register_kl(Exponential, Exponential)
def _exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    ratio = q.rate / p.rate
    return -ratio.log() + ratio - 1


@register_kl(Laplace, Laplace)
def _laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return (-scale_ratio.log() + distance / q.scale
            + scale_ratio * (-distance / p.scale).exp() - 1)


@register_kl(Dirichlet, Dirichlet)
def _dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    total_p = p.concentration.sum(-1)
    total_q = q.concentration.sum(-1)
    log_norms = lgamma(total_p) - lgamma(total_q)
    log_gammas = (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
    expected_logs = digamma(p.concentration) - digamma(total_p).unsqueeze(-1)
    return log_norms - log_gammas + ((p.concentration - q.concentration) * expected_logs).sum(-1)


@register_kl(Poisson, Poisson)
def _poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(MultivariateNormal, MultivariateNormal)
def _mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with"
                         "                          different event shapes cannot be computed")
    n = p.event_shape[0]
    p_tril, q_tril = p.scale_tril, q.scale_tril
    shape = tuple(xp.broadcast_shapes(tuple(p_tril.shape), tuple(q_tril.shape)))
    p_tril, q_tril = p_tril.expand(shape), q_tril.expand(shape)
    half_log_dets = (_log_diagonal_sum(q_tril) - _log_diagonal_sum(p_tril))
    trace = linalg.solve(q_tril, p_tril).pow(2).sum((-2, -1))
    difference = (q.loc - p.loc).expand(shape[:-1])
    solved = linalg.solve(q_tril, difference.unsqueeze(-1))
    mahalanobis = solved.pow(2).sum((-2, -1))
    return half_log_dets + 0.5 * (trace + mahalanobis - n)


def _log_diagonal_sum(tril: Tensor) -> Tensor:
    return diagonal(tril, 0, -2, -1).log().sum(-1)


@register_kl(Independent, Independent)
def _independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return p._summed(kl_divergence(p.base_dist, q.base_dist))

