"""Small everyday names of ``torch.*`` that belong to no op family: random-state access,
``bernoulli``, ``randint_like``, ``finfo``/``iinfo``, ``torch.dropout``, determinism switches,
and the in-place random fills ``bernoulli_``, ``random_``, ``exponential_``, ``apply_``,
``map_`` (bound as Tensor methods from ``ops/_METHODS``)."""

from __future__ import annotations

from typing import Any, Callable

from . import _dtypes
from ._device import xp
from ._creation import default_generator
from ._tensor import Tensor
from .ops.inplace import _random_fill, _store

__all__ = ["get_rng_state", "set_rng_state", "bernoulli", "randint_like", "is_floating_point",
           "finfo", "iinfo", "dropout", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_inference"]


def get_rng_state() -> Tensor:
    """The state of the default generator (restore it with ``set_rng_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator to a state from ``get_rng_state``."""
    default_generator.set_state(new_state)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """0/1 draws, 1 with probability ``input`` (or ``p``), in ``input``'s shape and dtype.

    Raises:
        RuntimeError: for probabilities outside [0, 1].
    """
    probs = input._value if p is None else xp.full(input._value.shape, p)
    if probs.size and (probs.min() < 0 or probs.max() > 1):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    rng = (generator or default_generator).numpy
    draws = rng.random(input._value.shape) < probs
    return Tensor._wrap(draws.astype(input._value.dtype))


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,
                 dtype: Any = None) -> Tensor:
    """Random integers in [low, high) (``randint_like(x, high)`` from 0) in ``input``'s shape."""
    if high is None:
        low, high = 0, low
    rng = default_generator.numpy
    values = rng.integers(low, high, input._value.shape)
    target = input._value.dtype if dtype is None else _dtypes.to_dtype(dtype).numpy
    return Tensor._wrap(values.astype(target))


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input`` has a floating-point dtype."""
    return input.is_floating_point()


class finfo:
    """Machine limits of a float dtype, as ``torch.finfo``: ``eps``, ``max``, ``min``, ``tiny``,
    ``resolution``, ``bits``."""

    def __init__(self, type: Any = None) -> None:
        info = xp.finfo(_dtypes.to_dtype(type or _dtypes.get_default_dtype()).numpy)
        self.bits, self.eps, self.max, self.min = info.bits, float(info.eps), float(info.max), \
            float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)
        self.dtype = str(info.dtype)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``max``, ``min``."""

    def __init__(self, type: Any) -> None:
        info = xp.iinfo(_dtypes.to_dtype(type).numpy)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), \
            str(info.dtype)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout(input, p, train)``: ``nn.functional.dropout`` with positional flags."""
    from .nn.functional import dropout as functional_dropout

    return functional_dropout(input, p, train)


_DETERMINISTIC = [False]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted for compatibility: bricks' CPU ops are already deterministic."""
    _DETERMINISTIC[0] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    """What ``use_deterministic_algorithms`` was last given."""
    return _DETERMINISTIC[0]


# ----- in-place random fills and element maps: Tensor methods (see ops/__init__._METHODS) -----

def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0/1 draws, 1 with probability ``p`` (a number or a tensor)."""
    shape = self._value.shape
    probs = p._value if isinstance(p, Tensor) else p
    return _random_fill(self, lambda r: r.random(shape) < probs, generator, "BernoulliBackward0")


def random_(self: Tensor, from_: int = 0, to: int | None = None, *,
            generator: Any = None) -> Tensor:
    """Fill with integers drawn uniformly from [from_, to) (``random_(to)`` from 0)."""
    shape = self._value.shape
    if to is None:
        if from_ == 0:
            kind = self._value.dtype
            to = 2 ** (xp.finfo(kind).nmant + 1) if kind.kind == "f" else int(xp.iinfo(kind).max)
            low = 0
        else:
            low, to = 0, from_
    else:
        low = from_
    return _random_fill(self, lambda r: r.integers(low, to, shape), generator, "RandomBackward0")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with draws from the exponential distribution of rate ``lambd``."""
    shape = self._value.shape
    return _random_fill(self, lambda r: r.exponential(1.0 / lambd, shape), generator,
                        "ExponentialBackward0")


def apply_(self: Tensor, callable: Callable[[Any], Any]) -> Tensor:
    """Replace each element by ``callable(element)`` (Python numbers; no gradient).

    Raises:
        RuntimeError: for a tensor that requires grad, as torch.
    """
    if self.requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors that don't require grad")
    values = [callable(v) for v in self._value.reshape(-1).tolist()]
    _store(self, xp.asarray(values, self._value.dtype).reshape(self._value.shape))
    return self


def map_(self: Tensor, other: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """Replace each element by ``callable(element, other's element)`` (other broadcast)."""
    if self.requires_grad:
        raise RuntimeError("map_ is only implemented on CPU tensors that don't require grad")
    theirs = xp.broadcast_to(other._value, self._value.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self._value.reshape(-1).tolist(), theirs)]
    _store(self, xp.asarray(values, self._value.dtype).reshape(self._value.shape))
    return self



def is_inference(input: Tensor) -> bool:
    """Whether ``input`` is an inference tensor (made inside ``inference_mode``).

    Raises:
        TypeError: when ``input`` is not a tensor.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_inference()
