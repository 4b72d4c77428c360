"""The array facade both dialects share: a bricks Tensor seen through another API.

An ``ArrayFacade`` holds one bricks ``Tensor`` (``_t``) and forwards every operation to
bricks, wrapping tensor results back into the facade class. Only printing and the
dialect's own method names differ between MXNet's ``NDArray`` and MindSpore's ``Tensor``.

In-place writes (``a[:] = v``, ``a *= m``) go through a detached alias of the same memory,
as both frameworks allow on parameters outside a recorded graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy

import bricks
from bricks import Tensor

__all__ = ["ArrayFacade", "unwrap", "install_operators", "compile_facade"]


def unwrap(value: Any) -> Any:
    """The bricks Tensor behind a facade; numbers and bricks Tensors pass unchanged."""
    if isinstance(value, ArrayFacade):
        return value._t
    if isinstance(value, numpy.ndarray):
        return bricks.from_numpy(value)
    return value


def _detached(value: Any) -> Any:
    value = unwrap(value)
    return value.detach() if isinstance(value, Tensor) else value


_BINARY = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
           "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__",
           "__mod__", "__floordiv__", "__lt__", "__le__", "__gt__", "__ge__")
_UNARY = ("__neg__", "__abs__")
_INPLACE = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_"}


def _binary(name: str) -> Callable[[Any, Any], Any]:
    op = getattr(Tensor, name)

    def method(self: Any, other: Any) -> Any:
        result = op(unwrap(self), unwrap(other))
        return self._facade()._wrap(result) if isinstance(result, Tensor) else result

    method.__name__ = name
    return method


def _unary(name: str) -> Callable[[Any], Any]:
    op = getattr(Tensor, name)

    def method(self: Any) -> Any:
        return self._facade()._wrap(op(unwrap(self)))

    method.__name__ = name
    return method


def _inplace(name: str) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        other = _detached(other)
        if isinstance(other, Tensor) and other.dtype is bricks.bool:
            other = other.to(unwrap(self).dtype)
        getattr(unwrap(self).detach(), name)(other)
        return self

    return method


def _equality(negate: bool) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        if other is None:
            return negate
        op = Tensor.ne if negate else Tensor.eq
        return self._facade()._wrap(op(unwrap(self), unwrap(other)))

    return method


def _setitem(self: Any, key: Any, value: Any) -> None:
    target = unwrap(self).detach()
    target[_index_key(self, key)] = _detached(value)


def _index_key(array: Any, key: Any) -> Any:
    """``key`` for bricks; float index arrays truncated to int where the framework allows."""
    if isinstance(key, tuple):
        return tuple(_index_key(array, part) for part in key)
    key = unwrap(key)
    if isinstance(array, ArrayFacade) and array._float_indices and isinstance(key, Tensor) \
            and key.dtype.is_floating_point:
        return key.long()  # MXNet casts a float index array to int (2.7 -> 2)
    return key


def install_operators(cls: type) -> None:
    """Give ``cls`` Python's operators, computed by bricks and wrapped by ``cls._facade()``.

    Args:
        cls: the class to equip: a facade, or a bricks Parameter subclass whose
            ``_facade()`` names the facade class its results are wrapped in.
    """
    for name in _BINARY:
        setattr(cls, name, _binary(name))
    for name in _UNARY:
        setattr(cls, name, _unary(name))
    for name, inplace in _INPLACE.items():
        setattr(cls, name, _inplace(inplace))
    # The ignores: object's __eq__ and __ne__ return bool, these an array as NumPy's do; and
    # mypy knows ``cls`` only as a ``type``.
    cls.__eq__ = _equality(False)  # type: ignore[assignment]
    cls.__ne__ = _equality(True)  # type: ignore[assignment]
    cls.__hash__ = lambda self: id(self)  # type: ignore[assignment, misc]
    cls.__setitem__ = _setitem  # type: ignore[index]


class ArrayFacade:
    """A bricks Tensor behind another framework's array API; subclasses set the printing."""

    __slots__ = ("_t", "__weakref__")
    _t: Tensor
    _float_indices = False  # whether float index arrays index (truncated), as in MXNet

    if TYPE_CHECKING:  # install_operators below adds it to the class
        def __setitem__(self, key: Any, value: Any) -> None: ...

    @classmethod
    def _wrap(cls, tensor: Tensor) -> Any:
        """A facade over ``tensor`` (no copy)."""
        obj = object.__new__(cls)
        obj._t = tensor
        return obj

    # ----- values -----
    def asnumpy(self) -> numpy.ndarray:
        """A NumPy copy of the values."""
        return numpy.array(unwrap(self).detach().numpy())

    def __array__(self, dtype: Any = None, copy: Any = None) -> numpy.ndarray:
        values = unwrap(self).detach().numpy()
        return values if dtype is None else values.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element array as a Python number."""
        return unwrap(self).item()

    def __float__(self) -> float:
        return float(unwrap(self).item())

    def __int__(self) -> int:
        return int(unwrap(self).item())

    def __bool__(self) -> bool:
        return bool(unwrap(self))

    def __len__(self) -> int:
        return len(unwrap(self))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __getitem__(self, key: Any) -> Any:
        return self._facade()._wrap(unwrap(self)[_index_key(self, key)])

    @classmethod
    def _facade(cls) -> type[ArrayFacade]:
        return cls

    # ----- metadata -----
    @property
    def shape(self) -> tuple:
        return tuple(unwrap(self).shape)

    @property
    def ndim(self) -> int:
        return unwrap(self).ndim

    @property
    def size(self) -> int:
        return unwrap(self).numel()

    # ----- methods with the dialects' argument names (axis, keepdims) -----
    def _reduce(self, name: str, axis: Any, keepdims: bool) -> Any:
        tensor = unwrap(self)
        if name in ("mean", "std") and not tensor.is_floating_point():
            tensor = tensor.float()
        if axis is None:
            result = getattr(bricks, name)(tensor)
            if keepdims:
                result = result.reshape((1,) * tensor.ndim)
        else:
            result = getattr(bricks, name)(tensor, dim=axis, keepdim=keepdims)
        return self._facade()._wrap(result)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        """The sum over ``axis`` (all elements if None)."""
        return self._reduce("sum", axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        """The mean over ``axis`` (all elements if None)."""
        return self._reduce("mean", axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Any:
        """The maximum over ``axis`` (all elements if None)."""
        return self._reduce("amax", axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Any:
        """The minimum over ``axis`` (all elements if None)."""
        return self._reduce("amin", axis, keepdims)

    def abs(self) -> Any:
        """The absolute values."""
        return self._facade()._wrap(bricks.abs(unwrap(self)))

    def exp(self) -> Any:
        """The exponential, elementwise."""
        return self._facade()._wrap(bricks.exp(unwrap(self)))

    def log(self) -> Any:
        """The natural logarithm, elementwise."""
        return self._facade()._wrap(bricks.log(unwrap(self)))

    def sqrt(self) -> Any:
        """The square root, elementwise."""
        return self._facade()._wrap(bricks.sqrt(unwrap(self)))

    def square(self) -> Any:
        """The square, elementwise."""
        return self._facade()._wrap(bricks.square(unwrap(self)))

    def reshape(self, *shape: Any) -> Any:
        """The same values in a new shape (a tuple or separate ints)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._facade()._wrap(unwrap(self).reshape(shape))

    def transpose(self, *axes: Any) -> Any:
        """The axes permuted (reversed when none are given)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        tensor = unwrap(self)
        axes = axes or tuple(reversed(range(tensor.ndim)))
        return self._facade()._wrap(tensor.permute(*axes))

    @property
    def T(self) -> Any:
        return self.transpose()

    def astype(self, dtype: Any) -> Any:
        """A copy converted to ``dtype`` (a NumPy dtype name or type)."""
        return self._facade()._wrap(unwrap(self).to(_bricks_dtype(dtype)))

    def copy(self) -> Any:
        """A copy with its own memory."""
        return self._facade()._wrap(unwrap(self).detach().clone())


install_operators(ArrayFacade)


def _bricks_dtype(dtype: Any) -> Any:
    """A bricks dtype from a NumPy name or type, a bricks dtype or a facade dtype."""
    bricks_dtype = getattr(dtype, "bricks_dtype", None)
    if bricks_dtype is not None:
        return bricks_dtype
    if isinstance(dtype, bricks.dtype):
        return dtype
    return getattr(bricks, numpy.dtype(dtype).name)


def compile_facade(fn: Callable[..., Any], facade: type[ArrayFacade]) -> Callable[..., Any]:
    """``fn`` over facade arrays, compiled by ``bricks.compile`` on the tensors behind them.

    Gluon's ``hybridize`` and MindSpore's graph mode use this: the compiled function takes and
    returns bricks Tensors (so its guards see shapes and dtypes), and facades are put back
    around them on the way in (for ``fn``) and out (as ``facade``).
    """
    kinds: dict[int, type[ArrayFacade]] = {}

    def on_tensors(*tensors: Any) -> Any:
        args = [kinds[i]._wrap(t) if i in kinds else t for i, t in enumerate(tensors)]
        return _map(fn(*args), unwrap)

    compiled = bricks.compile(on_tensors)

    def call(*args: Any) -> Any:
        kinds.clear()
        kinds.update({i: type(a) for i, a in enumerate(args) if isinstance(a, ArrayFacade)})
        kind: type[ArrayFacade]
        kind = next(iter(kinds.values()), facade)  # results come back as the inputs came
        result = compiled(*[unwrap(a) for a in args])
        return _map(result, lambda v: kind._wrap(v) if isinstance(v, Tensor) else v)

    call.compiled = compiled  # type: ignore[attr-defined]  # for inspection and tests
    return call


def _map(value: Any, convert: Callable[[Any], Any]) -> Any:
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        return type(value)(_map(v, convert) for v in value)
    return convert(value)
