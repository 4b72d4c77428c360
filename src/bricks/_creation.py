"""Creating tensors: from data, filled, ranges and random; the random generator."""

from __future__ import annotations

import builtins
from typing import Any, Sequence

from . import _device, _dtypes, _promotion
from ._device import xp
from ._tensor import Size, Tensor

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
    "eye", "zeros_like", "ones_like", "full_like", "empty_like", "rand", "randn", "randint",
    "normal", "rand_like", "randn_like", "randperm", "manual_seed", "seed", "initial_seed",
    "Generator", "default_generator", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
    "BoolTensor", "is_tensor", "numel",
]


class Generator:
    """A seedable source of random numbers (wraps ``numpy.random.Generator``).

    Example:
        >>> g = Generator().manual_seed(0)
        >>> g.initial_seed()
        0
    """

    def __init__(self, device: str = "cpu") -> None:
        self.manual_seed(builtins.int(xp.random.SeedSequence().entropy % 2**63))

    def manual_seed(self, seed: int) -> Generator:
        """Reset the generator to the stream of ``seed`` and return it."""
        self._seed = builtins.int(seed)
        self.numpy = xp.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last reset with."""
        return self._seed

    def seed(self) -> int:
        """Reseed from fresh entropy and return the new seed."""
        return self.manual_seed(builtins.int(xp.random.SeedSequence().entropy % 2**63))._seed

    def get_state(self) -> Tensor:
        """The generator's state (a uint8 tensor of its seed and position)."""
        import json

        state = json.dumps(self.numpy.bit_generator.state).encode()
        return Tensor._wrap(xp.frombuffer(state, dtype=xp.uint8).copy())

    def set_state(self, state: Tensor) -> None:
        """Restore a state from ``get_state``."""
        import json

        self.numpy.bit_generator.state = json.loads(bytes(state._value).decode())


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator and every device's generator so that runs are reproducible."""
    _device.manual_seed_devices(seed)
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def _rng(generator: Generator | None) -> Any:
    return (generator or default_generator).numpy


# ----- random fills in bounded memory (issue 13) -----
# NumPy draws float64; drawing a float32 tensor whole and casting it peaked at 3x its size
# (the float64 draw, then the cast). These helpers draw in float64 chunks of a tenth of the
# result's bytes (and at least 4 Ki values) and cast each into place, so the peak is ~1.1x
# the result. Draws are sequential, so the values are exactly those of one whole draw.
_CHUNK_MIN = 1 << 12


def fill_random(out: Any, rng: Any, method: str, *params: float) -> bool:
    """Write ``rng.<method>(*params, size)`` into the NumPy array ``out`` chunk by chunk.

    ``method`` is ``"random"``, ``"standard_normal"``, ``"uniform"`` or ``"normal"``.

    Returns:
        False (and nothing written) when ``out`` is not a writable, C-contiguous, float
        NumPy array: the caller then draws the usual way.
    """
    if (type(out) is not xp.ndarray or out.dtype.kind != "f" or not out.flags.c_contiguous
            or not out.flags.writeable):
        return False
    flat = out.reshape(-1)
    if out.dtype == xp.float64 and method in ("random", "standard_normal"):
        getattr(rng, method)(out=flat)  # in place: no temporary at all
        return True
    # float64 chunks of a tenth of the result's bytes
    chunk = builtins.max(_CHUNK_MIN, flat.size * out.dtype.itemsize // 80)
    draw = getattr(rng, method)
    for start in range(0, flat.size, chunk):
        stop = builtins.min(start + chunk, flat.size)
        flat[start:stop] = draw(*params, stop - start)
    return True


def _random_tensor(generator: Generator | None, device: Any, method: str, shape: tuple,
                   dtype: Any) -> Any:
    """The values of ``rand``/``randn``: drawn into the result itself on the CPU."""
    target = _np_dtype(dtype)
    if xp.dtype(target).kind == "c":  # as torch: real and imaginary parts drawn independently,
        # each with half the variance for randn (a complex normal of variance 1)
        part = _random_tensor(generator, device, method, shape + (2,), _dtypes.real_of(target))
        if method == "standard_normal":
            part *= part.dtype.type(0.5 ** 0.5)
        return part.view(target).reshape(shape)
    if _device.resolve(device) is None and xp.dtype(target).kind == "f":
        out = xp.empty(shape, target)
        if fill_random(out, _rng(generator), method):
            return out
    return _draw(generator, device, method, shape).astype(target, copy=False)


def _make(device: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """An array from creation function ``name`` of the module of ``device`` (None: default)."""
    dev = _device.resolve(device)
    if dev is None:
        return getattr(xp, name)(*args, **kwargs)
    return _device.get_backend(dev.type).create(dev.index, name, *args, **kwargs)


def _draw(generator: Generator | None, device: Any, method: str, *args: Any) -> Any:
    """Random values from ``generator`` (default: the device's own generator) on ``device``."""
    dev = _device.resolve(device)
    if dev is None:
        return getattr(_rng(generator), method)(*args)
    if generator is not None:  # an explicit (host) generator: its stream, placed on the device
        return _device.place(getattr(_rng(generator), method)(*args), dev)
    return getattr(_device.get_backend(dev.type).rng(dev.index), method)(*args)


def _size(size: Sequence[Any]) -> tuple[int, ...]:
    """Sizes given as varargs, one tuple/list/Size, or a Tensor.

    Raises:
        TypeError: for a size that is not an integer (``zeros(2.5)``), as PyTorch.
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    for s in size:
        if not _is_integer(s):
            raise TypeError(f"argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
    shape = tuple(builtins.int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def _is_integer(s: Any) -> builtins.bool:
    if isinstance(s, Tensor):
        return s._value.size == 1 and s._value.dtype.kind in "iu"
    try:
        return not isinstance(s, (builtins.float, builtins.bool)) and s == s.__index__()
    except (AttributeError, TypeError):
        return False


def _np_dtype(dtype: Any, default: Any = None) -> Any:
    if dtype is None:
        return (default or _dtypes.get_default_dtype()).numpy
    return _dtypes.to_dtype(dtype).numpy


def _new(value: Any, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(value)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_array(data: Any, dtype: Any) -> Any:
    if isinstance(data, Tensor):
        array = data._value
    elif isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        array = _numbers_from_tensors(data)
        return array if dtype is None else array.astype(_dtypes.to_dtype(dtype).numpy)
    else:
        array = xp.asarray(data)
    if dtype is not None:
        return array.astype(_dtypes.to_dtype(dtype).numpy, copy=False)
    typed = isinstance(data, (xp.ndarray, xp.generic, Tensor))
    if array.dtype.kind == "f" and array.dtype != xp.float16 and not typed:
        return array.astype(_dtypes.get_default_dtype().numpy, copy=False)
    if array.dtype.kind in "iu" and not typed:
        return array.astype(xp.int64, copy=False)
    if array.dtype.kind == "c" and not typed:  # Python complex numbers: the default complex
        return array.astype(_dtypes.complex_of(_dtypes.get_default_dtype().numpy), copy=False)
    if array.dtype.kind not in "fiubc":
        raise TypeError(f"can't convert data of type {array.dtype} to a tensor: expected numbers "
                        "or booleans")
    return array


def _numbers_from_tensors(data: list | tuple) -> Any:
    """``tensor([t1, t2, 2.5])``, as PyTorch: each tensor in the lists is one number (so it
    must hold one element, whatever its shape), and the dtype is the tensors' own dtypes
    promoted with the Python numbers' defaults (float32, int64, bool).

    Raises:
        ValueError: as PyTorch, for a tensor of more than one element in the lists.
    """
    dtypes = []

    def number(x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return [number(item) for item in x]
        if isinstance(x, Tensor):
            if x._value.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            dtypes.append(x._value.dtype)
            return _device.to_host(x._value).reshape(()).item()
        dtypes.append(_infer_array(x, None).dtype)
        return x

    values = number(data)
    promoted = dtypes[0]
    for other in dtypes[1:]:
        promoted = _promotion.result_type(xp.empty(1, promoted), xp.empty(1, other))
    return xp.array(values, dtype=promoted)


def _flat(data: Any) -> list:
    out = []
    for x in data:
        out.extend(_flat(x) if isinstance(x, (list, tuple)) else [x])
    return out


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    Python floats become ``float32`` (the default dtype), Python ints ``int64``.

    Example:
        >>> tensor([[1, 2], [3, 4]]).dtype
        bricks.int64
    """
    array = _infer_array(data, dtype)
    dev = _device.resolve(device)
    if isinstance(data, Tensor) and not _device.is_host(array):
        dev = dev or _device.device_of(array)  # a device tensor's copy stays on its device
        return _new(_device.get_backend(dev.type).from_array(array, dev.index)
                    if _device.device_of(array) != dev else array.copy(), requires_grad)
    return _new(_device.place(xp.array(array, copy=True), dev), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing memory with ``data`` where possible (a Tensor or ndarray)."""
    if isinstance(data, Tensor):
        t = data if dtype is None else data.to(dtype=dtype)
        return t if device is None else t.to(device)
    dev = _device.resolve(device)
    return Tensor._wrap(_device.place(xp.asarray(_infer_array(data, dtype)), dev))


def from_numpy(array: Any) -> Tensor:
    """A tensor sharing memory with the NumPy array ``array``.

    Raises:
        TypeError: for an object that is not an ndarray, or of an unsupported dtype.
    """
    if not isinstance(array, xp.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtypes.from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a bricks Tensor."""
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    """The number of elements of ``t``."""
    return t.numel()


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _new(_make(device, "zeros", _size(size), _np_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    return _new(_make(device, "ones", _size(size), _np_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of the given size."""
    return _new(_make(device, "empty", _size(size), _np_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with ``fill_value`` (its dtype inferred from it)."""
    if dtype is None:
        dtype = _dtypes.to_dtype(type(fill_value)) if isinstance(fill_value, (builtins.bool,
                                                                               builtins.int,
                                                                               builtins.float)) \
            else None
    return _new(_make(device, "full", _size((size,)), fill_value, _np_dtype(dtype)),
                requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (excluded) by ``step``; int64 when all are integers."""
    if end is None:
        start, end = 0, start
    numbers = [float(v) if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        all_int = all(isinstance(v, (builtins.int, xp.integer)) for v in numbers)
        dtype = _dtypes.int64 if all_int else None
    if numbers[2] == 0:
        raise RuntimeError("step must be nonzero")
    return _new(_make(device, "arange", *numbers, dtype=_np_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _new(_make(device, "linspace", start, end, steps, dtype=_np_dtype(dtype)),
                requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    return _new(_make(device, "eye", n, m, dtype=_np_dtype(dtype)), requires_grad)


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], Any]:
    return t._value.shape, (t._value.dtype if dtype is None else _np_dtype(dtype))


def _like_device(input: Tensor, device: Any) -> Any:
    # ``*_like`` follows its input's device unless told otherwise, as in torch.
    return input.device if device is None else device


def zeros_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    """Zeros with the shape, dtype and device of ``input``."""
    return _new(_make(_like_device(input, device), "zeros", *_like(input, dtype)), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              **_: Any) -> Tensor:
    """Ones with the shape, dtype and device of ``input``."""
    return _new(_make(_like_device(input, device), "ones", *_like(input, dtype)), requires_grad)


def empty_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    """An uninitialized tensor with the shape, dtype and device of ``input``."""
    return _new(_make(_like_device(input, device), "empty", *_like(input, dtype)), requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """``fill_value`` everywhere, with the shape, dtype and device of ``input``."""
    shape, np_dtype = _like(input, dtype)
    return _new(_make(_like_device(input, device), "full", shape, fill_value, np_dtype),
                requires_grad)


def rand(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1); the shape as varargs, one sequence, or ``size=``."""
    shape = _size(sizes if size is None else (size,))
    return _new(_random_tensor(generator, device, "random", shape, dtype), requires_grad)


def randn(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution; the shape as for ``rand``."""
    shape = _size(sizes if size is None else (size,))
    return _new(_random_tensor(generator, device, "standard_normal", shape, dtype),
                requires_grad)


def rand_like(input: Tensor, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Uniform samples with the shape and dtype of ``input``."""
    kwargs["device"] = _like_device(input, kwargs.get("device"))
    return rand(input._value.shape, dtype=dtype or input.dtype, **kwargs)


def randn_like(input: Tensor, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Normal samples with the shape and dtype of ``input``."""
    kwargs["device"] = _like_device(input, kwargs.get("device"))
    return randn(input._value.shape, dtype=dtype or input.dtype, **kwargs)


def randint(low: int, high: Any = None, size: Any = None, *, generator: Generator | None = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` also works)."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument: 'size'")
    values = _draw(generator, device, "integers", low, high, _size((size,)))
    return _new(values.astype(_np_dtype(dtype, _dtypes.int64)), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    dev = _device.resolve(device)
    if dev is None:
        values = _rng(generator).permutation(n)
    else:  # device generators (CuPy's) have no permutation: sort random keys instead
        values = _draw(generator, dev, "random", (n,)).argsort()
    return Tensor._wrap(values.astype(_np_dtype(dtype, _dtypes.int64)))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given mean and std (numbers or tensors that broadcast)."""
    m = mean._value if isinstance(mean, Tensor) else mean
    s = std._value if isinstance(std, Tensor) else std
    shape = _size((size,)) if size is not None else xp.broadcast_shapes(xp.shape(m), xp.shape(s))
    float_dtype = next((t.dtype for t in (mean, std) if isinstance(t, Tensor)), None)
    dev = _device.resolve(device)
    if dev is None and isinstance(mean, Tensor):
        dev = _device.resolve(mean.device)
    if dev is None:
        values = _rng(generator).normal(_device.to_host(m), _device.to_host(s), shape)
    else:  # device generators (CuPy's) have no normal(): scale standard normals
        values = _draw(generator, dev, "standard_normal", shape) * s + m
    return _new(values.astype(_np_dtype(dtype or float_dtype)), requires_grad)


def legacy_new(args: tuple, dtype: Any) -> Any:
    """The array for ``Tensor(...)``/``FloatTensor(...)``: sizes as ints, or data."""
    if args and all(isinstance(a, builtins.int) and not isinstance(a, builtins.bool)
                    for a in args):
        return xp.zeros(args, _np_dtype(dtype))
    if len(args) == 1:
        return xp.array(_infer_array(args[0], dtype or _dtypes.get_default_dtype()), copy=True)
    if not args:
        return xp.zeros((0,), _np_dtype(dtype))
    raise TypeError(f"expected sizes (ints) or one sequence of data, got {args!r}")


def _legacy(name: str, dtype: _dtypes.dtype) -> Any:
    def make(*args: Any) -> Tensor:
        return Tensor._wrap(legacy_new(args, dtype))

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"Legacy constructor: a {dtype.name} tensor from sizes or data."
    make.legacy_dtype = dtype  # type: ignore[attr-defined]  # Tensor.type(bricks.IntTensor)
    return make


FloatTensor = _legacy("FloatTensor", _dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", _dtypes.float64)
LongTensor = _legacy("LongTensor", _dtypes.int64)
IntTensor = _legacy("IntTensor", _dtypes.int32)
BoolTensor = _legacy("BoolTensor", _dtypes.bool)
