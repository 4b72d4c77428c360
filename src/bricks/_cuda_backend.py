"""The ``cuda`` device type on CuPy, imported on first use: ``import bricks`` never loads CuPy.

Without CuPy, or with CuPy but no usable GPU, every use of a CUDA device raises torch's
errors ("Torch not compiled with CUDA enabled" / "No CUDA GPUs are available") at that point,
never a silent CPU tensor; ``bricks.cuda.is_available()`` is then False.
"""

from __future__ import annotations

import threading
from typing import Any

from . import _device


class CudaUnavailableError(RuntimeError, AssertionError):
    """CUDA was asked for where there is none: a RuntimeError, and an AssertionError as the
    "Torch not compiled with CUDA enabled" of torch's CPU builds, so that either clause
    catches it."""


class _Cuda(_device.Backend):
    type = "cuda"

    def __init__(self) -> None:
        self._cupy: Any = None
        self._problem: str | None = None
        self._loaded = False
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._generators: dict[int, Any] = {}

    # ----- loading -----
    def _load(self) -> Any:
        """CuPy, or None with ``_problem`` saying why it cannot be used (tried once)."""
        if self._loaded:
            return self._cupy
        with self._lock:
            if not self._loaded:
                self._cupy, self._problem = _import_cupy()
                if self._cupy is not None:
                    _device.register_array_type(self, self._cupy.ndarray)
                self._loaded = True
        return self._cupy

    def available(self) -> bool:
        return self._load() is not None

    def cupy(self) -> Any:
        """CuPy, or torch's error for a machine without CUDA."""
        cupy = self._load()
        if cupy is None:
            raise CudaUnavailableError(self._problem)
        return cupy

    # ----- Backend -----
    def module(self) -> Any:
        return self.cupy()

    def check(self, index: int | None) -> int:
        cupy = self.cupy()
        count = cupy.cuda.runtime.getDeviceCount()
        if index is None:
            return int(cupy.cuda.Device().id)
        if index >= count:
            raise RuntimeError(f"CUDA error: invalid device ordinal: cuda:{index} was asked for "
                               f"and {count} CUDA device(s) are present")
        return index

    def device_of(self, array: Any) -> _device.device:
        return _device.device("cuda", array.device.id)

    def from_array(self, array: Any, index: int | None) -> Any:
        cupy = self.cupy()
        source = _device.backend_of(array)
        if source is not self:
            array = source.to_host(array)
        with cupy.cuda.Device(self.check(index)):
            return cupy.array(array, copy=source is self)

    def to_host(self, array: Any) -> Any:
        return array.get()

    def create(self, index: int | None, name: str, *args: Any, **kwargs: Any) -> Any:
        cupy = self.cupy()
        with cupy.cuda.Device(self.check(index)):
            return getattr(cupy, name)(*args, **kwargs)

    def rng(self, index: int | None) -> Any:
        cupy = self.cupy()
        index = self.check(index)
        generator = self._generators.get(index)
        if generator is None:
            import numpy

            seed = self._seed
            if seed is None:
                seed = int(numpy.random.SeedSequence().entropy % 2**63)
            with cupy.cuda.Device(index):
                generator = self._generators[index] = cupy.random.default_rng(seed)
        return generator

    def manual_seed(self, seed: int) -> None:
        self._seed = int(seed)
        self._generators.clear()  # remade from the new seed on next use

    def device_count(self) -> int:
        cupy = self._load()
        return 0 if cupy is None else int(cupy.cuda.runtime.getDeviceCount())


def _import_cupy() -> tuple[Any, str | None]:
    try:
        import cupy
    except Exception as error:  # noqa: BLE001 - a broken CuPy is as good as none
        return None, ("Torch not compiled with CUDA enabled: bricks runs CUDA through CuPy, "
                      f"which could not be imported ({type(error).__name__}: {error}); install "
                      "it with pip install 'bricks[cuda]' (cupy-cuda12x)")
    try:
        usable = bool(cupy.cuda.is_available())
    except Exception:  # noqa: BLE001 - any driver failure means no GPU to use
        usable = False
    if not usable:
        return None, ("No CUDA GPUs are available: CuPy is installed but finds no usable CUDA "
                      "device or driver (cupy.cuda.is_available() is False)")
    return cupy, None


CUDA = _Cuda()
_device.register_backend(CUDA)
