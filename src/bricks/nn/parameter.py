"""``Parameter`` and ``Buffer``: tensors a ``Module`` registers, and their uninitialized forms.

A ``Parameter`` is a ``Tensor`` subclass that shares its data's array. An
``UninitializedParameter`` has no shape yet (lazy layers, deferred initialization): any
access to its values raises an error that names it and says what to do, until
``materialize(shape)`` gives it an array and turns it into a plain ``Parameter``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

from .. import _dtypes
from .. import _device
from .._device import xp
from .._tensor import Tensor

if TYPE_CHECKING:
    from typing_extensions import Self  # typing's from Python 3.11

__all__ = ["Parameter", "UninitializedParameter", "Buffer", "UninitializedBuffer",
           "is_uninitialized"]


def is_uninitialized(tensor: Any) -> TypeGuard[_UninitializedMixin]:
    """Whether ``tensor`` is an uninitialized (deferred, lazy) parameter or buffer.

    The one test every part of bricks (lazy layers, ``initialize``, ``load_state_dict``,
    ``Module.to``, the Gluon and MindSpore facades) uses: such a tensor has no shape or
    values until ``materialize(shape)`` turns it into a normal one.
    """
    return isinstance(tensor, _UninitializedMixin)


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning it to a Module attribute registers it.

    Args:
        data: the initial values; the parameter shares their array (no copy). ``None``
            gives an empty tensor.
        requires_grad: whether the parameter takes part in autograd.

    Example:
        >>> import bricks
        >>> p = bricks.nn.Parameter(bricks.tensor([-0.5]))
        >>> p
        Parameter containing:
        tensor([-0.5000], requires_grad=True)
    """

    # The parameter facts bricks and its dialects share, declared here with their defaults
    # (an instance stores only the ones it sets). No __slots__: the __dict__ keeps Parameter
    # and UninitializedParameter layout-compatible for materialize's class change.
    _bricks_name: str | None = None
    """The name errors use (``Linear.weight``, Gluon's ``dense0_weight``); None: unnamed."""
    _bricks_initialized: bool = False
    """Set by ``Module.initialize``: a second ``initialize`` leaves it alone (Gluon's rule)."""
    _bricks_pending_init: Any = None
    """An initializer ``initialize`` recorded before the shape was known; run at materialize
    time by the lazy layer's first-forward hook (``_initialize.apply_pending``)."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Self:
        if data is None:
            value = xp.empty((0,), dtype=_dtypes.get_default_dtype().numpy)  # host: as torch
        elif isinstance(data, Tensor):
            value = data._value
        else:
            raise TypeError(f"Parameter(data=...) expects a Tensor or None, got "
                            f"{type(data).__name__}")
        p = cls._wrap(value)
        if requires_grad and value.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               f"gradients, got {p.dtype}")
        p.requires_grad = requires_grad
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__; Tensor.__init__ must not run

    def __repr__(self) -> str:
        return self._format("Parameter containing:\ntensor(")

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("bricks never pickles tensors: use bricks.save (safetensors)")

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._wrap(self._value.copy()), self.requires_grad)
        if self.grad is not None:
            result.grad = Tensor._wrap(self.grad._value.copy())
        memo[id(self)] = result
        return result


class _NoValues:
    """The array slot of an uninitialized tensor: touching it raises a helpful error."""

    __slots__ = ("owner",)

    def __init__(self, owner: Any) -> None:
        self.owner = owner

    def __getattr__(self, attribute: str) -> Any:
        raise self.owner._uninitialized_error()

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise self.owner._uninitialized_error()


class _UninitializedMixin:
    """Shared behaviour of uninitialized parameters and buffers."""

    cls_to_become: type = Tensor
    _kind = "tensor"
    _value: Any  # the ndarray, or a _NoValues until materialize
    _bricks_name: str | None = None  # as Parameter's (buffers are named too)
    _bricks_pending_init: Any = None  # as Parameter's
    _bricks_dtype: Any = None
    """The dtype given at construction, used by ``materialize``; None: the default float."""
    _bricks_device: Any = None
    """The device given at construction or by ``Module.to``, used by ``materialize``."""

    @classmethod
    def _placeholder(cls, requires_grad: bool, device: Any, dtype: Any) -> Any:
        """A new one without values, remembering the dtype and device to materialize with."""
        t = cls._wrap(None)  # type: ignore[attr-defined]  # Tensor's, the other base
        t._value = _NoValues(t)
        t.requires_grad = requires_grad
        if dtype is not None:
            t._bricks_dtype = dtype
        if device is not None:
            t._bricks_device = _device.canonical(device)
        return t

    def _uninitialized_error(self) -> RuntimeError:
        name = self._bricks_name
        where = f" {name!r}" if name else ""
        return RuntimeError(
            f"Can't access the values or shape of the uninitialized {self._kind}{where}: its "
            "shape is not known yet. Run one forward pass with a sample input (or give the "
            "layer its input size) to infer the shape and initialize it.")

    def materialize(self, shape: Any, dtype: Any = None, device: Any = None) -> None:
        """Give the tensor an (uninitialized) array of ``shape`` and make it a normal one.

        An initializer recorded by ``Module.initialize`` is not run here but by the lazy
        layer's first-forward hook, after the layer's own default init (see ``_lazy.py``).

        Args:
            shape: the shape, a tuple of ints.
            dtype: the dtype; the one given at construction (or the default float) if None.
            device: the device; the one given at construction or by ``Module.to`` (or the
                default device) if None.
        """
        if isinstance(shape, int):
            shape = (shape,)
        dtype = dtype if dtype is not None else self._bricks_dtype
        device = device if device is not None else self._bricks_device
        self.__dict__.pop("_bricks_dtype", None)  # back to the declared defaults
        self.__dict__.pop("_bricks_device", None)
        numpy_dtype = _dtypes.to_dtype(dtype or _dtypes.get_default_dtype()).numpy
        # host: an empty shell, placed on the device right away
        self._value = _device.place(xp.empty(tuple(shape), dtype=numpy_dtype),
                                    _device.resolve(device))
        # PyTorch's own choice: the object changes class so that every holder of it (ties,
        # an optimizer built before the first forward) sees the materialized tensor.
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Any:
        raise self._uninitialized_error()

    # Reading the values: the deferred-initialization error, before any other check.
    def numpy(self, *args: Any, **kwargs: Any) -> Any:
        raise self._uninitialized_error()

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._uninitialized_error()

    def tolist(self) -> Any:
        raise self._uninitialized_error()

    def item(self) -> Any:
        raise self._uninitialized_error()

    @property
    def data(self) -> Any:
        # As torch: an empty tensor, so that the textbook's ``lazy.weight.data.normal_(0,
        # 0.01)`` before the first forward runs (and, as in torch, changes nothing).
        dtype = self._bricks_dtype
        numpy_dtype = _dtypes.to_dtype(dtype or _dtypes.get_default_dtype()).numpy
        return Tensor._wrap(xp.empty((0,), dtype=numpy_dtype))  # host: an empty placeholder

    @data.setter
    def data(self, value: Tensor) -> None:
        self.materialize(value.shape, value.dtype)
        self._value[...] = value._value

    def detach(self) -> Any:
        """A new uninitialized tensor of the same kind (what a lazy model's state dict holds)."""
        twin = type(self)(requires_grad=False)  # type: ignore[call-arg]  # the subclasses take it
        facts = {k: v for k, v in self.__dict__.items() if k != "_bricks_pending_init"}
        twin.__dict__.update(facts)
        return twin

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Set ``requires_grad`` (allowed before the shape is known, e.g. to freeze)."""
        self.requires_grad = requires_grad
        return self

    def __repr__(self) -> str:
        return f"<Uninitialized{self._kind.capitalize()}>"

    def __deepcopy__(self, memo: dict) -> Any:
        result = type(self)(requires_grad=self.requires_grad)  # type: ignore[call-arg]  # ditto
        result.__dict__.update(self.__dict__)
        memo[id(self)] = result
        return result


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A parameter whose shape is not known yet; ``materialize`` makes it a ``Parameter``.

    Args:
        requires_grad: whether the parameter will require grad.
        device: the device it gets when materialized (default: the default device).
        dtype: the dtype it gets when materialized.
    """

    cls_to_become = Parameter
    _kind = "parameter"

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return cls._placeholder(requires_grad, device, dtype)

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass


class Buffer(Tensor):
    """A tensor to register as a module buffer: ``self.running_mean = Buffer(t)``.

    Assigning a ``Buffer`` to a Module attribute registers the wrapped tensor as a buffer
    (kept in ``state_dict`` unless ``persistent=False``).

    Args:
        data: the buffer's values (shared, not copied).
        persistent: whether the buffer is part of the module's ``state_dict``.
    """

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        value = (data._value if isinstance(data, Tensor)
                 else xp.empty((0,), dtype=_dtypes.get_default_dtype().numpy))  # host: as torch
        b = cls._wrap(value)
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer whose shape is not known yet; ``materialize`` gives it an array."""

    # Becomes a Buffer (a Tensor subclass with the same layout), not a bare Tensor: Python
    # refuses __class__ changes between a class with a __dict__ and one without.
    cls_to_become = Buffer
    _kind = "buffer"
    persistent: bool

    def __new__(cls, requires_grad: bool = False, device: Any = None,
                dtype: Any = None, persistent: bool = True) -> UninitializedBuffer:
        b = cls._placeholder(requires_grad, device, dtype)
        b.persistent = persistent
        return b

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:
        pass
