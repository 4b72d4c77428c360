"""``Distribution``: the base of every distribution, with torch's shapes and validation."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._dtypes import get_default_dtype
from .._creation import _rng, tensor
from .._tensor import Size, Tensor
from ..autograd.grad_mode import no_grad

__all__ = ["Distribution"]


def draw(numpy_sampler: Any, like: Tensor, *params: Tensor, shape: Any) -> Tensor:
    """A draw from bricks' generator by a NumPy sampler (``Generator.gamma``, ``.poisson``, ...)
    of the parameters broadcast to ``shape``, as a tensor of ``like``'s dtype, without gradient.
    """
    arrays = [xp.broadcast_to(p.detach()._value.astype(xp.float64), shape) for p in params]
    values = numpy_sampler(_rng(None), *arrays, size=shape)
    return Tensor._wrap(xp.asarray(values).astype(like._value.dtype))


def as_tensor(value: Any, like: Any = None) -> Tensor:
    """A parameter as a float Tensor (a Python number takes the default float dtype)."""
    if isinstance(value, Tensor):
        return value if value.is_floating_point() else value.to(get_default_dtype())
    dtype = like.dtype if isinstance(like, Tensor) and like.is_floating_point() else None
    return tensor(value, dtype=dtype or get_default_dtype())


def broadcast_all(*values: Any) -> list[Tensor]:
    """The parameters as tensors of one broadcast shape."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    tensors = [as_tensor(v, like) for v in values]
    shape = Size(_broadcast_shape(*(tuple(t.shape) for t in tensors)))
    return [t.expand(shape) if tuple(t.shape) != tuple(shape) else t for t in tensors]


def _broadcast_shape(*shapes: tuple) -> tuple:
    import numpy

    return tuple(numpy.broadcast_shapes(*shapes))


class Distribution:
    """A distribution over values of shape ``batch_shape + event_shape``.

    Subclasses set ``batch_shape``/``event_shape`` and write ``rsample`` (or ``sample``),
    ``log_prob`` and ``entropy``.
    """

    has_rsample = False
    arg_constraints: dict = {}

    def __init__(self, batch_shape: Any = (), event_shape: Any = (),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = True if validate_args is None else validate_args

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> tuple:
        return tuple(Size(sample_shape)) + tuple(self._batch_shape) + tuple(self._event_shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, without gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterized draw, differentiable with respect to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (it is not "
                                  "reparameterizable): use sample()")

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    def _check(self, ok: Tensor, name: str, value: Any, constraint: str) -> None:
        """Raise torch's ValueError when validation is on and ``ok`` is not all true."""
        if self._validate_args and not bool(ok.all()):
            raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape "
                             f"{tuple(getattr(value, 'shape', ()))}) of distribution "
                             f"{self!r} to satisfy the constraint {constraint}, but found "
                             f"invalid values:\n{value}")

    def _check_value(self, ok: Tensor, value: Tensor, support: str) -> None:
        """Raise torch's ValueError when validation is on and ``value`` is outside the support."""
        if self._validate_args and not bool(ok.all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({support}) of "
                             f"the distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self) -> str:
        given = self.__dict__.get("_given_params")  # only the one given of probs/logits
        names = [n for n in self.arg_constraints if n in self.__dict__
                 and (given is None or n in given or n not in ("probs", "logits"))]
        shown = ", ".join(f"{n}: {_shown(self.__dict__[n])}" for n in names)
        return f"{type(self).__name__}({shown})"


def _shown(value: Any) -> Any:
    # torch prints a parameter's shape when it has several elements, else its value.
    return value.shape if value.numel() > 1 else value
