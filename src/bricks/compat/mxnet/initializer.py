"""``mxnet.init``: Gluon's initializers, filling arrays through bricks' in-place random ops.

A custom initializer subclasses ``Initializer`` and overrides ``_init_weight(name, data)``,
writing into ``data`` in place (``data[:] = ...``, ``data *= ...``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import bricks
from bricks.nn import init as bricks_init

from .._facade import unwrap

__all__ = ["InitDesc", "Initializer", "Zero", "One", "Constant", "Uniform", "Normal", "Xavier",
           "MSRAPrelu", "create", "register"]


class InitDesc(str):
    """The name of the array being initialized (a str), with its attributes.

    Args:
        name: the parameter's name, such as ``dense0_weight``.
        attrs: attributes; ``attrs['__init__']`` names the initializer to use.
        global_init: the initializer given to ``initialize``.
    """

    attrs: dict
    global_init: Any

    def __new__(cls, name: str, attrs: dict | None = None, global_init: Any = None) -> InitDesc:
        desc = super().__new__(cls, name)
        desc.attrs = attrs or {}
        desc.global_init = global_init
        return desc


class Initializer(bricks_init.Initializer):
    """The base class of initializers: subclasses override ``_init_weight(name, data)``.

    It is also a ``bricks.nn.init.Initializer``: ``bricks_module.initialize(init.Xavier())``
    and ``init.Xavier()(tensor)`` fill bricks tensors with Gluon's rules.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs

    def __call__(self, desc: Any, arr: Any = None,  # type: ignore[override]  # Gluon's call
                 name: str | None = None) -> Any:
        """Fill ``arr`` in place; the rule is chosen by ``desc``'s attributes or name suffix.

        Called bricks' way, ``init(tensor, name=None)``, it fills a bricks tensor with
        ``_init_weight`` and returns it.
        """
        if isinstance(desc, bricks.Tensor):
            return super().__call__(desc, name=name)
        chosen = getattr(desc, "attrs", {}).get("__init__", "")
        if chosen:
            create(chosen)._init_weight(desc, arr)
        elif desc.endswith("weight"):
            self._init_weight(desc, arr)
        elif desc.endswith("bias"):
            self._init_bias(desc, arr)
        elif desc.endswith("gamma"):
            self._init_gamma(desc, arr)
        elif desc.endswith("beta"):
            self._init_beta(desc, arr)
        else:
            self._init_default(desc, arr)

    def init_tensor(self, name: str, data: Any) -> None:
        """bricks' hook: run ``_init_weight`` on ``data`` seen as an NDArray."""
        from .ndarray import NDArray

        self._init_weight(InitDesc(name), NDArray._wrap(data))

    def _init_zero(self, _: Any, arr: Any) -> None:
        arr[:] = 0.0

    def _init_one(self, _: Any, arr: Any) -> None:
        arr[:] = 1.0

    _init_bias = _init_zero
    _init_beta = _init_zero
    _init_gamma = _init_one

    def _init_weight(self, name: Any, arr: Any) -> None:
        raise NotImplementedError("Must override it")

    def _init_default(self, name: Any, _: Any) -> None:
        raise ValueError(f"Unknown initialization pattern for {name}. Default initialization is "
                         'now limited to "weight", "bias", "gamma" (1.0), and "beta" (0.0).')

    def dumps(self) -> str:
        """The initializer as a JSON string: ``'["normal", {"sigma": 0.5}]'``."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kwargs})"


_REGISTRY: dict[str, type] = {}


def register(klass: type) -> type:
    """Register an initializer class under its lowercase name (for ``create('name')``)."""
    _REGISTRY[klass.__name__.lower()] = klass
    return klass


def create(init: Any) -> Initializer:
    """An initializer from an instance, a registered name (``'zeros'``) or a JSON dump."""
    if isinstance(init, Initializer):
        return init
    if isinstance(init, str):
        if init.startswith("["):
            name, kwargs = json.loads(init)
            return _REGISTRY[name](**kwargs)
        if init.lower() in _REGISTRY:
            return _REGISTRY[init.lower()]()
    raise ValueError(f"Cannot find initializer {init!r}: expected an Initializer or one of "
                     f"{sorted(_REGISTRY)}")


def _fill(arr: Any) -> Any:
    """The bricks tensor behind ``arr``, detached so that it can be written in place."""
    return unwrap(arr).detach()


@register
class Zero(Initializer):
    """Fill with zeros."""

    def _init_weight(self, _: Any, arr: Any) -> None:
        _fill(arr).fill_(0.0)


@register
class One(Initializer):
    """Fill with ones."""

    def _init_weight(self, _: Any, arr: Any) -> None:
        _fill(arr).fill_(1.0)


_REGISTRY["zeros"] = Zero
_REGISTRY["ones"] = One


@register
class Constant(Initializer):
    """Fill with ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _: Any, arr: Any) -> None:
        _fill(arr).fill_(self.value)


@register
class Uniform(Initializer):
    """Draw from U(-scale, scale); Gluon's default weight initializer (scale 0.07)."""

    def __init__(self, scale: float = 0.07) -> None:
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _: Any, arr: Any) -> None:
        _fill(arr).uniform_(-self.scale, self.scale)


@register
class Normal(Initializer):
    """Draw from N(0, sigma^2)."""

    def __init__(self, sigma: float = 0.01) -> None:
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _: Any, arr: Any) -> None:
        _fill(arr).normal_(0.0, self.sigma)


@register
class Xavier(Initializer):
    """Glorot & Bengio (2010): scale = sqrt(magnitude / factor), uniform or gaussian.

    ``factor`` is fan_in, fan_out or their mean (``factor_type`` 'in', 'out', 'avg'), where
    fan_in = shape[1] * receptive field and fan_out = shape[0] * receptive field. Uniform
    draws from U(-scale, scale), gaussian from N(0, scale^2).
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg",
                 magnitude: float = 3) -> None:
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        if rnd_type not in ("uniform", "gaussian"):
            raise ValueError(f"Unknown random type {rnd_type!r}: expected 'uniform' or "
                             "'gaussian'")
        if factor_type not in ("avg", "in", "out"):
            raise ValueError(f"Incorrect factor type {factor_type!r}: expected 'avg', 'in' "
                             "or 'out'")
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name: Any, arr: Any) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It "
                             "requires at least 2D.")
        receptive = math.prod(shape[2:])
        fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}
        scale = math.sqrt(self.magnitude / factor[self.factor_type])
        if self.rnd_type == "uniform":
            _fill(arr).uniform_(-scale, scale)
        else:
            _fill(arr).normal_(0.0, scale)


@register
class MSRAPrelu(Xavier):
    """He et al. (2015): Xavier gaussian with magnitude 2 / (1 + slope^2)."""

    def __init__(self, factor_type: str = "avg", slope: float = 0.25) -> None:
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}
