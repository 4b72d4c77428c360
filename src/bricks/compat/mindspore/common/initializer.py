"""``mindspore.common.initializer``: MindSpore's initializers over ``bricks.nn.init``.

``initializer(init, shape, dtype)`` returns a Tensor filled by ``init``: a name
(``'normal'``, ``'zeros'``, ``'ones'``, ``'xavier_uniform'``, ``'he_uniform'``, ...), a
number, a Tensor, or an ``Initializer``. A custom initializer subclasses ``Initializer``
and overrides ``_initialize(self, arr)``, filling the NumPy array ``arr`` in place.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy

import bricks
from bricks.nn import init as bricks_init

from ..._facade import ArrayFacade
from ..tensor import Tensor, float32, to_bricks_dtype

__all__ = ["initializer", "Initializer", "Zero", "One", "Constant", "Uniform", "Normal",
           "TruncatedNormal", "XavierUniform", "XavierNormal", "HeUniform", "HeNormal",
           "Orthogonal"]


class Initializer(bricks_init.Initializer):
    """The base class of initializers: subclasses override ``_initialize(arr)``.

    It is also a ``bricks.nn.init.Initializer``: ``init(tensor)`` fills a bricks tensor
    and ``bricks_module.initialize(HeUniform())`` works.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs

    def _initialize(self, arr: numpy.ndarray) -> None:
        raise NotImplementedError("Must be overridden!")

    def __call__(self, arr: Any, name: str | None = None) -> Any:
        if isinstance(arr, bricks.Tensor):
            return super().__call__(arr, name=name)
        return self._initialize(arr)

    def init_tensor(self, name: str, data: bricks.Tensor) -> None:
        """bricks' hook: run ``_initialize`` on the NumPy array behind ``data``."""
        self._initialize(data.numpy())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kwargs})"


def _target(arr: numpy.ndarray) -> bricks.Tensor:
    """A bricks tensor sharing ``arr``'s memory, for the ``bricks.nn.init`` functions."""
    return bricks.from_numpy(arr)


class Zero(Initializer):
    """Fill with zeros."""

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.zeros_(_target(arr))


class One(Initializer):
    """Fill with ones."""

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.ones_(_target(arr))


class Constant(Initializer):
    """Fill with ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__(value=value)
        self.value = value

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.constant_(_target(arr), self.value)


class Uniform(Initializer):
    """Draw from U(-scale, scale)."""

    def __init__(self, scale: float = 0.07) -> None:
        super().__init__(scale=scale)
        self.scale = scale

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.uniform_(_target(arr), -self.scale, self.scale)


class Normal(Initializer):
    """Draw from N(mean, sigma^2)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0) -> None:
        super().__init__(sigma=sigma, mean=mean)
        self.sigma, self.mean = sigma, mean

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.normal_(_target(arr), self.mean, self.sigma)


class TruncatedNormal(Initializer):
    """Draw from N(mean, sigma^2) truncated to [a, b] (absolute bounds)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0, a: float = -2.0,
                 b: float = 2.0) -> None:
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.trunc_normal_(_target(arr), self.mean, self.sigma, self.a, self.b)


class XavierUniform(Initializer):
    """Glorot & Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, gain: float = 1) -> None:
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.xavier_uniform_(_target(arr), self.gain)


class XavierNormal(XavierUniform):
    """Glorot & Bengio (2010): N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out))."""

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.xavier_normal_(_target(arr), self.gain)


class HeUniform(Initializer):
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan), gain from the nonlinearity."""

    def __init__(self, negative_slope: float = 0, mode: str = "fan_in",
                 nonlinearity: str = "leaky_relu") -> None:
        super().__init__(negative_slope=negative_slope, mode=mode, nonlinearity=nonlinearity)
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.kaiming_uniform_(_target(arr), self.negative_slope, self.mode,
                                     self.nonlinearity)


class HeNormal(HeUniform):
    """He et al. (2015): N(0, s^2) with s = gain / sqrt(fan)."""

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.kaiming_normal_(_target(arr), self.negative_slope, self.mode,
                                    self.nonlinearity)


class Orthogonal(Initializer):
    """Saxe et al. (2013): a (semi-)orthogonal matrix times ``gain``."""

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr: numpy.ndarray) -> None:
        bricks_init.orthogonal_(_target(arr), self.gain)


_NAMES: dict[str, type] = {
    "zeros": Zero, "zero": Zero, "ones": One, "one": One, "uniform": Uniform,
    "normal": Normal, "truncatednormal": TruncatedNormal, "xavier_uniform": XavierUniform,
    "xavieruniform": XavierUniform, "xavier_normal": XavierNormal,
    "xaviernormal": XavierNormal, "he_uniform": HeUniform, "heuniform": HeUniform,
    "he_normal": HeNormal, "henormal": HeNormal, "orthogonal": Orthogonal,
}


def _shape(shape: Any) -> tuple:
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = tuple(shape) if shape is not None else ()
    for size in shape:
        if not isinstance(size, numbers.Integral) or size <= 0:
            raise ValueError(f"For 'initializer', the elements of 'shape' must be positive "
                             f"integers, but got {shape}")
    return shape


def _resolve(init: Any) -> Initializer:
    if isinstance(init, Initializer):
        return init
    if isinstance(init, bool) or not isinstance(init, (str, numbers.Number)):
        raise TypeError("For 'initializer', the type of the 'init' argument should be "
                        f"'Tensor', 'number', 'string' or 'initializer', but got {type(init)}.")
    if isinstance(init, numbers.Number):
        return Constant(init)  # type: ignore[arg-type]  # numbers.Number is no float to mypy
    if init.lower() not in _NAMES:
        raise ValueError(f"For 'initializer', the 'init' name should be one of "
                         f"{sorted(_NAMES)}, but got {init!r}")
    return _NAMES[init.lower()]()


def initializer(init: Any, shape: Any = None, dtype: Any = float32) -> Tensor:
    """A Tensor of ``shape`` and ``dtype`` filled by ``init``.

    Args:
        init: an Initializer, a name (``'normal'``, ``'zeros'``, ``'one'``,
            ``'xavier_uniform'``, ``'he_uniform'``, ...), a number or a Tensor.
        shape: the shape (ints > 0).
        dtype: a MindSpore dtype (or a bricks dtype).

    Raises:
        TypeError: for an ``init`` of another type.
        ValueError: for an unknown name, a bad shape, or a Tensor of another shape.

    Example:
        >>> from bricks.compat.mindspore.common.initializer import initializer
        >>> initializer("ones", (2,))
        Tensor(shape=[2], dtype=Float32, value= [ 1.00000000e+00,  1.00000000e+00])
    """
    if isinstance(init, ArrayFacade):
        if shape is not None and tuple(init.shape) != _shape(shape):
            raise ValueError(f"For 'initializer', the shape of the 'init' argument should be "
                             f"same as the argument 'shape', but got the 'init' shape "
                             f"{list(init.shape)} and the 'shape' {list(_shape(shape))}.")
        return init  # type: ignore[return-value]  # a given Tensor is returned as it is
    chosen = _resolve(init)
    numpy_dtype = to_bricks_dtype(dtype).numpy
    values = numpy.zeros(_shape(shape), dtype=numpy_dtype)
    with bricks.no_grad():
        chosen(values)
    return Tensor._wrap(bricks.from_numpy(values))
