"""MindSpore's ``Tensor``, ``Parameter`` and dtypes over bricks.

``Tensor`` is a facade over a bricks Tensor, printed as MindSpore 2.x prints it
(``Tensor(shape=[2, 1], dtype=Float32, value=\\n[[...]])``). ``Parameter`` *is* a bricks
``nn.Parameter`` (so Cells, which are bricks Modules, register and tie it) that speaks
MindSpore: a dotted ``name``, ``value()``, ``set_data()``, ``.data`` returning itself, and
results of its operators that are MindSpore Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy

import bricks
from bricks import nn

from .._facade import ArrayFacade, install_operators, unwrap

__all__ = ["Tensor", "Parameter", "dtype", "float16", "float32", "float64", "int8", "int16",
           "int32", "int64", "uint8", "bool_"]


class dtype(bricks.dtype):  # noqa: N801 (MindSpore's name)
    """A MindSpore dtype (``mindspore.float32`` prints ``Float32``): a bricks dtype that equals
    (and hashes as) the bricks dtype it names, so bricks code given one works unchanged."""

    __slots__ = ("ms_name", "bricks_dtype")

    def __init__(self, name: str, bricks_dtype: Any) -> None:
        super().__init__(bricks_dtype.name, bricks_dtype.numpy)
        self.ms_name = name
        self.bricks_dtype = bricks_dtype

    def __repr__(self) -> str:
        return self.ms_name

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return other is self or other is self.bricks_dtype or (
            isinstance(other, dtype) and other.bricks_dtype is self.bricks_dtype)

    def __hash__(self) -> int:
        return hash(self.bricks_dtype)


float16 = dtype("Float16", bricks.float16)
float32 = dtype("Float32", bricks.float32)
float64 = dtype("Float64", bricks.float64)
int8 = dtype("Int8", bricks.int8)
int16 = dtype("Int16", bricks.int16)
int32 = dtype("Int32", bricks.int32)
int64 = dtype("Int64", bricks.int64)
uint8 = dtype("UInt8", bricks.uint8)
bool_ = dtype("Bool", bricks.bool)
_BY_BRICKS = {d.bricks_dtype: d for d in (float16, float32, float64, int8, int16, int32, int64,
                                          uint8, bool_)}


def to_ms_dtype(bricks_dtype: Any) -> dtype:
    """The MindSpore dtype of a bricks dtype."""
    return _BY_BRICKS[bricks_dtype]


def to_bricks_dtype(value: Any) -> Any:
    """The bricks dtype of a MindSpore dtype, a bricks dtype or a NumPy dtype."""
    if isinstance(value, dtype):
        return value.bricks_dtype
    if isinstance(value, bricks.dtype):
        return value
    return getattr(bricks, numpy.dtype(value).name)


def _format_element(value: Any, kind: str) -> str:
    if kind == "f":
        return f"{value: .8e}"
    return str(value)


def _format_values(values: numpy.ndarray) -> str:
    """The values as MindSpore prints them: ``% .8e`` floats, comma separated, no wrapping."""
    kind = values.dtype.kind
    if values.ndim == 0:
        return f"{values.item():g}" if kind == "f" else str(values.item())
    if values.size == 0:
        return ""
    if values.ndim == 1 and values.size > 1000:
        head = ", ".join(_format_element(v, kind) for v in values[:3])
        tail = ", ".join(_format_element(v, kind) for v in values[-3:])
        return f"[{head} ... {tail}]"
    texts = numpy.vectorize(lambda v: _format_element(v, kind), otypes=[object])(values)
    width = max(len(t) for t in texts.flat)
    text = numpy.array2string(texts, separator=", ", max_line_width=10 ** 9,
                              threshold=10 ** 9, formatter={"all": lambda t: t.rjust(width)})
    # NumPy separates blocks of 3-D and higher arrays by blank lines; MindSpore does not.
    return "\n".join(line for line in text.split("\n") if line.strip())


def format_tensor(tensor: bricks.Tensor) -> str:
    """``Tensor(shape=[...], dtype=..., value=...)`` for a bricks tensor."""
    values = numpy.asarray(tensor.detach().numpy())
    head = f"Tensor(shape={list(values.shape)}, dtype={to_ms_dtype(tensor.dtype)}, value="
    if values.ndim <= 1:
        return f"{head} {_format_values(values)})"
    return f"{head}\n{_format_values(values)})"


class Tensor(ArrayFacade):
    """MindSpore's Tensor, computed by bricks.

    Args:
        input_data: a number, nested lists, a NumPy array or a Tensor. Python floats give
            Float32, Python ints Int64; NumPy arrays keep their dtype.
        dtype: a MindSpore dtype (``mindspore.float32``) to convert to.

    Example:
        >>> from bricks.compat.mindspore import Tensor
        >>> Tensor([[1.5, 2.0]])
        Tensor(shape=[1, 2], dtype=Float32, value=
        [[ 1.50000000e+00,  2.00000000e+00]])
    """

    __slots__ = ()

    def __new__(cls, input_data: Any = None, dtype: Any = None, shape: Any = None,
                init: Any = None) -> Tensor:
        return cls._wrap(_to_bricks(input_data, dtype, shape))

    def __repr__(self) -> str:
        return format_tensor(unwrap(self))

    def __str__(self) -> str:
        return str(self.asnumpy())

    @property
    def dtype(self) -> dtype:
        return to_ms_dtype(unwrap(self).dtype)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        """The standard deviation (population, ``ddof=0``, by default)."""
        tensor = unwrap(self).float()
        if axis is None:
            return Tensor._wrap(bricks.std(tensor, correction=ddof))
        return Tensor._wrap(bricks.std(tensor, dim=axis, correction=ddof, keepdim=keepdims))

    def asnumpy(self) -> numpy.ndarray:
        """A NumPy copy of the values."""
        return numpy.array(unwrap(self).detach().numpy())

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return unwrap(self).element_size()

    @property
    def nbytes(self) -> int:
        """Bytes of all elements."""
        return unwrap(self).element_size() * unwrap(self).numel()

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the largest value (over all elements when ``axis`` is None)."""
        return Tensor._wrap(bricks.argmax(unwrap(self), dim=axis, keepdim=keepdims))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the smallest value (over all elements when ``axis`` is None)."""
        return Tensor._wrap(bricks.argmin(unwrap(self), dim=axis, keepdim=keepdims))

    def dim(self) -> int:
        """The number of dimensions."""
        return unwrap(self).dim()

    def flatten(self) -> Tensor:
        """The values as one dimension."""
        return Tensor._wrap(unwrap(self).flatten())

    def squeeze(self, axis: Any = None) -> Tensor:
        """Without the dimensions of size 1 (or only ``axis``)."""
        tensor = unwrap(self)
        return Tensor._wrap(tensor.squeeze() if axis is None else tensor.squeeze(axis))

    def expand_dims(self, axis: int) -> Tensor:
        """With a new dimension of size 1 at ``axis``."""
        return Tensor._wrap(unwrap(self).unsqueeze(axis))

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return unwrap(self).tolist()


def _to_bricks(data: Any, dtype: Any, shape: Any) -> bricks.Tensor:
    if data is None:
        if shape is None:
            raise ValueError("Tensor(): give input_data, or shape and dtype")
        return bricks.zeros(tuple(shape), dtype=to_bricks_dtype(dtype or float32))
    if isinstance(data, (ArrayFacade, bricks.Tensor)):
        values = numpy.array(unwrap(data).detach().numpy())
    elif isinstance(data, numpy.ndarray):
        values = data.copy()
    else:
        values = numpy.array(data)
        if values.dtype == numpy.float64:
            values = values.astype(numpy.float32)  # Python floats are Float32 in MindSpore
    tensor = bricks.from_numpy(values)
    if dtype is not None:
        tensor = tensor.to(to_bricks_dtype(dtype))
    return tensor


class Parameter(nn.Parameter):
    """A MindSpore Parameter: a bricks ``nn.Parameter`` with a name and MindSpore's methods.

    Its ``name`` is set by the Cells holding it: ``weight`` when assigned, then prefixed
    with the position or attribute name (``2.weight``) when its cell is put in another.

    Args:
        default_input: the initial values (a Tensor, a NumPy array or a number).
        name: the name (``'Parameter'`` until a Cell names it).
        requires_grad: whether it is trained.
    """

    name: str

    def __new__(cls, default_input: Any, name: str | None = None, requires_grad: bool = True,
                layerwise_parallel: bool = False, parallel_optimizer: bool = True) -> Parameter:
        tensor = _to_bricks(default_input, None, None)
        # MindSpore lets an integer Parameter (global_step) "require" gradients it never gets;
        # bricks, as PyTorch, only lets floating-point tensors require them.
        requires_grad = requires_grad and tensor.is_floating_point()
        param = super().__new__(cls, tensor, requires_grad)
        param.name = name if name is not None else "Parameter"
        return param

    def __init__(self, default_input: Any, name: str | None = None, requires_grad: bool = True,
                 layerwise_parallel: bool = False, parallel_optimizer: bool = True) -> None:
        pass

    @classmethod
    def _facade(cls) -> type[ArrayFacade]:
        return Tensor

    def __repr__(self) -> str:
        return (f"Parameter (name={self.name}, shape={self.shape}, dtype="
                # mypy sees the getter, not the property, on the class: [attr-defined]
                f"{to_ms_dtype(bricks.Tensor.dtype.fget(self))}, "  # type: ignore[attr-defined]
                f"requires_grad={self.requires_grad})")

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("bricks never pickles tensors: use mindspore.save_checkpoint")

    @property
    def shape(self) -> tuple:  # type: ignore[override]  # a plain tuple, as MindSpore's
        return tuple(self._value.shape)

    @property
    def dtype(self) -> dtype:  # MindSpore's, equal to bricks' own
        # mypy sees the getter, not the property, on the class: [attr-defined]
        return to_ms_dtype(bricks.Tensor.dtype.fget(self))  # type: ignore[attr-defined]

    @property  # type: ignore[override]  # MindSpore's .data is the Parameter itself
    def data(self) -> Parameter:
        return self

    @data.setter
    def data(self, value: Any) -> None:
        self.set_data(value)

    def __getitem__(self, key: Any) -> Tensor:  # type: ignore[override]  # MindSpore's Tensor
        return Tensor._wrap(bricks.Tensor.__getitem__(self, unwrap(key)))

    def abs(self) -> Tensor:  # type: ignore[override]  # a MindSpore Tensor, as above
        """The absolute values, as a Tensor."""
        return Tensor._wrap(bricks.abs(self))

    def value(self) -> Tensor:
        """The values as a Tensor (sharing memory)."""
        return Tensor._wrap(self.detach())

    def asnumpy(self) -> numpy.ndarray:
        """A NumPy copy of the values."""
        return numpy.array(self._value)

    def set_data(self, data: Any, slice_shape: bool = False) -> Parameter:
        """Copy ``data`` (a Tensor, array or number) into the parameter, in place.

        Raises:
            ValueError: if ``data``'s shape differs from the parameter's.
        """
        source = _to_bricks(data, None, None) if not isinstance(data, (int, float)) else data
        if isinstance(source, bricks.Tensor) and tuple(source.shape) != self.shape:
            raise ValueError(f"For 'Parameter.set_data', the shape of the new data "
                             f"{tuple(source.shape)} must be the same as the parameter "
                             f"{self.name!r}'s shape {self.shape}")
        self.detach()[...] = source
        return self


install_operators(Parameter)
