"""Tensor element types: ``bricks.float32`` and the others, the default float type, and
conversion from NumPy dtypes and Python types. Promotion rules are in ``_promotion.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._device import xp

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

__all__ = [
    "dtype", "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32",
    "int64", "uint8", "bool", "complex64", "complex128", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "to_dtype", "from_numpy_dtype",
    "complex_of", "real_of", "default_complex", "scalar_type_name",
]


class dtype:
    """A tensor element type, printed as ``bricks.float32``.

    Args:
        name: PyTorch's name of the type, such as ``"float32"``.
        numpy: the NumPy dtype that stores it.
    """

    __slots__ = ("name", "numpy", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, numpy: DTypeLike) -> None:
        self.name = name
        self.numpy = xp.dtype(numpy)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_complex = self.numpy.kind == "c"
        self.is_signed = self.numpy.kind in "fic"
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"bricks.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", xp.float16)
float32 = dtype("float32", xp.float32)
float64 = dtype("float64", xp.float64)
int8 = dtype("int8", xp.int8)
int16 = dtype("int16", xp.int16)
int32 = dtype("int32", xp.int32)
int64 = dtype("int64", xp.int64)
uint8 = dtype("uint8", xp.uint8)
bool = dtype("bool", xp.bool_)  # noqa: A001 - PyTorch's public name
complex64 = dtype("complex64", xp.complex64)
complex128 = dtype("complex128", xp.complex128)
# NumPy has no bfloat16: the name exists so that files and code naming it are understood.
bfloat16 = float32

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8,
                                  bool, complex64, complex128)}
_default_float = [float32]


def from_numpy_dtype(np_dtype: xp.dtype) -> dtype:
    """The bricks dtype that stores arrays of NumPy dtype ``np_dtype``."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert NumPy arrays of dtype {np_dtype}: the supported types are "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8 and bool"
        ) from None


def to_dtype(value: dtype | DTypeLike) -> dtype:
    """Accept a bricks dtype, a NumPy dtype or a Python type, and return the bricks dtype."""
    if isinstance(value, dtype):
        return value
    if value is builtins_float:
        return _default_float[0]
    if value is builtins_int:
        return int64
    if value is builtins_bool:
        return bool
    return from_numpy_dtype(xp.dtype(value))


import builtins as _builtins  # noqa: E402

builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool


def get_default_dtype() -> dtype:
    """The floating-point dtype that new tensors get from Python floats (``float32``)."""
    return _default_float[0]


def default_complex() -> dtype:
    """The complex dtype whose parts have the default float dtype (``complex64``)."""
    return _BY_NUMPY[complex_of(_default_float[0].numpy)]


def set_default_dtype(d: dtype) -> None:
    """Set the floating-point dtype that new tensors get from Python floats."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float[0] = d


def complex_of(np_dtype: xp.dtype) -> xp.dtype:
    """The complex NumPy dtype whose parts have ``np_dtype``'s precision: complex128 for
    float64 (and complex128), complex64 for every other type, as torch's default."""
    if np_dtype.kind == "c":
        return np_dtype
    return xp.dtype(xp.complex128 if np_dtype == xp.float64 else xp.complex64)


def real_of(np_dtype: xp.dtype) -> xp.dtype:
    """The dtype of the real and imaginary parts of a complex dtype (a real one: itself)."""
    np_dtype = xp.dtype(np_dtype)
    return xp.dtype(f"f{np_dtype.itemsize // 2}") if np_dtype.kind == "c" else np_dtype


_SCALAR_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def scalar_type_name(np_dtype: DTypeLike) -> str:
    """PyTorch's name of a NumPy dtype in its error messages (``Float``, ``Long``, ...)."""
    return _SCALAR_NAMES.get(xp.dtype(np_dtype).name, str(np_dtype))
