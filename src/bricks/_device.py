"""Devices and their array modules: ``bricks.device``, and which module makes which array.

Every device type has a backend: NumPy for ``cpu``, CuPy for ``cuda`` (imported on first
use, see ``_cuda_backend.py``), and, in the tests only, a fake device that stands in for a
GPU. Library code never creates arrays from a module-level NumPy inside ops: it asks
``array_module(x)`` for the module of its input ``x``, so that a CuPy input gets CuPy
buffers. On the CPU that costs one ``type()`` test.

``xp`` is NumPy, the host array module, and this module is the one place library code gets it
from (``from bricks._device import xp``): for NumPy's functions that dispatch on their inputs
(``xp.where``, ``xp.zeros_like``) and for host arrays made on purpose.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any

import numpy as xp  # the host array module: library code imports it from here

__all__ = ["device", "get_default_device", "set_default_device"]

_ndarray = xp.ndarray


class device:
    """Where a tensor's values live: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``.

    Args:
        type: the device type (``'cpu'`` or ``'cuda'``), optionally with ``:index``; or a
            device, returned as it is.
        index: the device's ordinal; None means the current device of that type.

    Raises:
        RuntimeError: for an unknown device type or a malformed string, as torch.

    Example:
        >>> device('cuda:1')
        device(type='cuda', index=1)
        >>> device('cpu') == device('cpu')
        True
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002 - torch's name
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): expected a string when an index is given, got a "
                                "device")
            return type
        if isinstance(type, int) and not isinstance(type, bool):  # device(0): accelerator 0
            if not _BACKENDS["cuda"].device_count():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str, not {_name(type)}")
        kind, index = _parse(type, index)
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", index)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"device objects are immutable: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self) -> Any:
        return (device, (self.type, self.index))


def _name(obj: Any) -> str:
    return type(obj).__name__


def _parse(text: str, index: Any) -> tuple[str, int | None]:
    kind, colon, number = text.partition(":")
    if kind not in _BACKENDS:
        raise RuntimeError(f"Expected one of {', '.join(_BACKENDS)} device type at start of "
                           f"device string: {text}")
    if colon:
        if index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was "
                               f"passed explicitly: {text}")
        if not number.isdigit() or (len(number) > 1 and number[0] == "0"):
            raise RuntimeError(f"Invalid device string: '{text}'")
        index = int(number)
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, (int, xp.integer)):
            raise TypeError(f"device(): argument 'index' must be int, not {_name(index)}")
        if index < 0:
            raise RuntimeError("Device index must not be negative")
        index = int(index)
    if kind == "cpu" and index not in (None, 0):
        raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
    return kind, index


class Backend:
    """One device type: its array module, how to tell and move its arrays.

    A subclass sets ``type``, ``array_types`` (after loading) and implements the methods.
    """

    type = ""
    array_types: tuple[builtins.type, ...] = ()

    def module(self) -> Any:
        """The array module (NumPy's API) that creates this device's arrays."""
        raise NotImplementedError

    def check(self, index: int | None) -> int | None:
        """Raise if device ``index`` (None: the current one) cannot be used; the index used."""
        return index

    def device_of(self, array: Any) -> device:
        raise NotImplementedError

    def from_array(self, array: Any, index: int | None) -> Any:
        """``array`` (a host array or another device's) copied onto device ``index``."""
        raise NotImplementedError

    def to_host(self, array: Any) -> Any:
        """A NumPy array with ``array``'s values."""
        raise NotImplementedError

    def create(self, index: int | None, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the array module's creation function ``name`` on device ``index``."""
        return getattr(self.module(), name)(*args, **kwargs)

    def rng(self, index: int | None) -> Any:
        """The device's random generator (NumPy's Generator API)."""
        raise NotImplementedError

    def manual_seed(self, seed: int) -> None:
        """Seed every generator of this device type (those made later too)."""

    def device_count(self) -> int:
        return 0


class _Cpu(Backend):
    type = "cpu"
    array_types = (_ndarray,)

    def module(self) -> Any:
        return xp

    def device_of(self, array: Any) -> device:
        return CPU

    def from_array(self, array: Any, index: int | None) -> Any:
        return backend_of(array).to_host(array)

    def to_host(self, array: Any) -> Any:
        return array

    def rng(self, index: int | None) -> Any:
        from ._creation import default_generator

        return default_generator.numpy

    def device_count(self) -> int:
        return 1


_BACKENDS: dict[str, Backend] = {}
_BY_ARRAY_TYPE: dict[type, Backend] = {}


def register_backend(backend: Backend) -> None:
    """Make device type ``backend.type`` known (its arrays are registered once it loads)."""
    _BACKENDS[backend.type] = backend
    for array_type in backend.array_types:
        _BY_ARRAY_TYPE[array_type] = backend


def unregister_backend(kind: str) -> None:
    """Forget device type ``kind`` (tests register a fake device and remove it after)."""
    backend = _BACKENDS.pop(kind)
    for array_type, owner in list(_BY_ARRAY_TYPE.items()):
        if owner is backend:
            del _BY_ARRAY_TYPE[array_type]


def register_array_type(backend: Backend, array_type: type) -> None:
    """Record that arrays of ``array_type`` live on ``backend``'s devices."""
    _BY_ARRAY_TYPE[array_type] = backend


_CPU_BACKEND = _Cpu()
register_backend(_CPU_BACKEND)
CPU = device("cpu")


def backend_of(array: Any) -> Backend:
    """The backend whose array ``array`` is (the CPU's for NumPy arrays and anything else)."""
    return _BY_ARRAY_TYPE.get(type(array), _CPU_BACKEND)


def array_module(array: Any) -> Any:
    """The array module of ``array``: NumPy for host arrays, CuPy for CUDA arrays."""
    if type(array) is _ndarray:
        return xp
    backend = _BY_ARRAY_TYPE.get(type(array))
    return xp if backend is None else backend.module()


def is_device_array(value: Any) -> bool:
    """Whether ``value`` is an array of some device (host ndarray included)."""
    return type(value) is _ndarray or type(value) in _BY_ARRAY_TYPE


def is_host(value: Any) -> bool:
    """Whether ``value`` is not a device array (a host array, a NumPy scalar, a number)."""
    return type(value) is _ndarray or type(value) not in _BY_ARRAY_TYPE


def manual_seed_devices(seed: int) -> None:
    """Seed the generators of every device type other than the CPU."""
    for backend in _BACKENDS.values():
        backend.manual_seed(seed)


def as_array(value: Any, *likes: Any) -> Any:
    """``value`` (an op's result, maybe a NumPy scalar) as an array of the module of the first
    array among ``likes``: a device result stays on its device, a scalar goes there."""
    for like in likes:
        if type(like) is _ndarray:
            return xp.asarray(value)
        backend = _BY_ARRAY_TYPE.get(type(like))
        if backend is not None:
            return backend.module().asarray(value)
    return xp.asarray(value)


def device_of(array: Any) -> device:
    """The device ``array`` lives on."""
    if type(array) is _ndarray:
        return CPU
    return backend_of(array).device_of(array)


def to_device(array: Any, dev: device) -> Any:
    """``array`` on ``dev``: itself when already there, else a copy made there."""
    source = backend_of(array)
    if source.type == dev.type and (dev.index is None or source.device_of(array) == dev):
        return array
    return get_backend(dev.type).from_array(array, dev.index)


def to_host(array: Any) -> Any:
    """A NumPy array holding ``array``'s values (itself for a host array)."""
    if type(array) is _ndarray:
        return array
    return backend_of(array).to_host(array)


def get_backend(kind: str) -> Backend:
    return _BACKENDS[kind]


def canonical(dev: Any) -> device:
    """``dev`` (a string, int or device) as a device, checked usable, with its index filled."""
    dev = device(dev)
    if dev.type == "cpu":
        return CPU
    index = _BACKENDS[dev.type].check(dev.index)
    return dev if index == dev.index else device(dev.type, index)


def resolve(dev: Any) -> device | None:
    """The device a factory's ``device=`` asks for: None means the default device (CPU: None)."""
    if dev is None:
        dev = _default.device
        if dev is None:
            return None
    result = canonical(dev)
    return None if result is CPU else result


def resolve_explicit(dev: Any) -> device | None:
    """``dev`` as a checked device, None for the CPU (``map_location`` and the like)."""
    result = canonical(dev)
    return None if result is CPU else result


def place(array: Any, dev: device | None) -> Any:
    """A host array made by a factory, put on ``dev`` (from ``resolve``)."""
    return array if dev is None else get_backend(dev.type).from_array(array, dev.index)


class _DefaultDevice(threading.local):
    device: device | None = None


_default = _DefaultDevice()


def set_default_device(device: Any) -> None:
    """Make factories without ``device=`` create tensors on ``device`` (None: the CPU).

    The setting is per thread, as torch's.
    """
    _default.device = None if device is None else canonical(device)


def get_default_device() -> device:
    """The device factories use when given no ``device=`` (``device(type='cpu')`` at start)."""
    return _default.device or CPU


def same_device_error(values: Any) -> RuntimeError | None:
    """torch's error for an op whose array inputs live on different devices, else None."""
    found: list[device] = []
    for value in values:
        if is_device_array(value):
            where = device_of(value)
            if where not in found:
                found.append(where)
    if len(found) < 2:
        return None
    first, second = sorted(found[:2], key=lambda d: d.type == "cpu")
    return RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                        f"devices, {first} and {second}!")


from . import _cuda_backend  # noqa: E402, F401  (registers the cuda device type)
