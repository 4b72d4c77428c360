"""A fake device for tests: it stands in for a GPU so that device code is proven on a CPU.

``FakeArray`` is an ``ndarray`` subclass that computes with NumPy but, like a CuPy array,
refuses to be mixed with plain host arrays in ufuncs and NumPy functions (a ``TypeError``),
and gives 0-d arrays, not NumPy scalars, from reductions. Its array module ``fakexp`` is
NumPy whose creation functions (``zeros``, ``empty``, ``arange``, ...) make fake arrays. So
an op that builds a buffer with the module-level NumPy, or silently turns a device array into
a host one, fails on the fake device as it would on a GPU.

Use ``with fake_device():`` (or the ``fake`` fixture of the tests that import it): it
registers the device type ``'fake'`` (one device, ``fake:0``) and removes it after.
"""

from __future__ import annotations

import contextlib
import types
from typing import Any, Iterator

import numpy as np

from bricks import _device

_CREATION = ("zeros", "ones", "empty", "full", "arange", "eye", "identity", "linspace",
             "array", "asarray", "asanyarray", "ascontiguousarray", "frombuffer", "tri",
             "indices", "fromiter", "logspace", "geomspace")


class FakeArray(np.ndarray):
    """A device array: NumPy's values, refusing host arrays as CuPy does."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        _refuse_host(inputs + (out or ()), ufunc.__name__)
        args = [_host_view(x) for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(_host_view(o) for o in out)
        if "where" in kwargs:
            _refuse_host((kwargs["where"],), ufunc.__name__)
            kwargs["where"] = _host_view(kwargs["where"])
        result = getattr(ufunc, method)(*args, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        _refuse_host(_leaves((args, kwargs)), func.__name__)
        result = func(*_unwrap(args), **_unwrap(kwargs))
        return _wrap(result)

    def __setitem__(self, key: Any, value: Any) -> None:
        _refuse_host((value,), "__setitem__")
        np.ndarray.__setitem__(_host_view(self), _unwrap(key), _host_view(value))

    def __getitem__(self, key: Any) -> Any:
        result = np.ndarray.__getitem__(_host_view(self), _unwrap(key))
        return _wrap(result)

    def tolist(self) -> Any:
        return _host_view(self).tolist()

    def item(self, *args: Any) -> Any:
        return _host_view(self).item(*args)


def _refuse_host(values: Any, where: str) -> None:
    for value in values:
        if type(value) is np.ndarray:
            raise TypeError(f"fake device: {where} got a host numpy.ndarray {value.shape} mixed "
                            "with device arrays (CuPy refuses this too)")


def _leaves(obj: Any) -> Iterator[Any]:
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _leaves(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _leaves(item)
    else:
        yield obj


def _host_view(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, FakeArray) else x


def _unwrap(obj: Any) -> Any:
    if isinstance(obj, FakeArray):
        return obj.view(np.ndarray)
    if isinstance(obj, list):
        return [_unwrap(x) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_unwrap(x) for x in obj)
    if isinstance(obj, dict):
        return {k: _unwrap(v) for k, v in obj.items()}
    return obj


def _wrap(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.view(FakeArray)
    if isinstance(result, np.generic):  # device reductions give 0-d arrays, as CuPy's do
        return np.asarray(result).view(FakeArray)
    if isinstance(result, tuple):
        return tuple(_wrap(x) for x in result)
    if isinstance(result, list):
        return [_wrap(x) for x in result]
    return result


def _creator(name: str) -> Any:
    make = getattr(np, name)

    def create(*args: Any, **kwargs: Any) -> Any:
        result = make(*_unwrap(args), **_unwrap(kwargs))
        return _wrap(result if isinstance(result, (tuple, list)) else np.asarray(result))

    create.__name__ = name
    return create


class _FakeModule(types.ModuleType):
    """NumPy, except that its creation functions make fake arrays."""

    def __getattr__(self, name: str) -> Any:
        if name in _CREATION:
            return _creator(name)
        return getattr(np, name)


fakexp = _FakeModule("fakexp")


class _FakeRng:
    """The device's generator, with CuPy's methods only (no normal(), no permutation())."""

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)

    def random(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._rng.random(*args, **kwargs)))

    def standard_normal(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._rng.standard_normal(*args, **kwargs)))

    def integers(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._rng.integers(*args, **kwargs)))

    def uniform(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(np.asarray(self._rng.uniform(*_unwrap(args), **kwargs)))


class FakeBackend(_device.Backend):
    type = "fake"
    array_types = (FakeArray,)

    def __init__(self) -> None:
        self.seed = 0
        self.generator: _FakeRng | None = None
        self.transfers = 0  # host <-> device copies, counted

    def module(self) -> Any:
        return fakexp

    def check(self, index: int | None) -> int:
        if index not in (None, 0):
            raise RuntimeError(f"fake device: invalid device ordinal {index}")
        return 0

    def device_of(self, array: Any) -> _device.device:
        return _device.device("fake", 0)

    def from_array(self, array: Any, index: int | None) -> Any:
        self.transfers += 1
        host = _device.to_host(array)
        return np.array(host, copy=True).view(FakeArray)

    def to_host(self, array: Any) -> Any:
        self.transfers += 1
        return np.array(array.view(np.ndarray), copy=True)

    def create(self, index: int | None, name: str, *args: Any, **kwargs: Any) -> Any:
        self.check(index)
        return getattr(fakexp, name)(*args, **kwargs)

    def rng(self, index: int | None) -> Any:
        if self.generator is None:
            self.generator = _FakeRng(self.seed)
        return self.generator

    def manual_seed(self, seed: int) -> None:
        self.seed = int(seed)
        self.generator = None

    def device_count(self) -> int:
        return 1


@contextlib.contextmanager
def fake_device() -> Iterator[FakeBackend]:
    """Register the ``'fake'`` device type for the duration of a ``with`` block."""
    backend = FakeBackend()
    _device.register_backend(backend)
    try:
        yield backend
    finally:
        _device.set_default_device(None)
        _device.unregister_backend("fake")


def is_fake(tensor: Any) -> bool:
    """Whether a tensor's values (and its gradient, if any) live on the fake device."""
    ok = type(tensor._value) is FakeArray
    if tensor.grad is not None:
        ok = ok and type(tensor.grad._value) is FakeArray
    return ok
