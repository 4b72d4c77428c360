"""Parametrizations (``torch.nn.utils.parametrize``): a module's tensor computed by modules
from an ``original`` one, such as a weight kept symmetric or of unit norm.

As in torch, registering one changes the module's class to a subclass named
``Parametrized<Name>`` (so ``repr`` and ``type`` say so) with a property for each
parametrized name: reading it runs the chain on ``parametrizations.<name>.original`` (once
per ``cached()`` block), assigning to it goes through each ``right_inverse``. The original
moves to ``parametrizations.<name>.original`` in ``state_dict``.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ... import _dtypes
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..containers import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized", "cached",
           "type_before_parametrizations", "ParametrizationList"]

_cache_depth = 0
_cache: dict = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Compute each parametrized tensor once inside this block (e.g. a weight used at every
    step of a recurrent loop); blocks may nest, the cache empties when the outer one ends."""
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache.clear()


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor, and its ``original``.

    Built from the first parametrization: the original becomes that one's ``right_inverse``
    of the current value (or the current value itself), so the parametrized tensor starts
    equal to the tensor it replaces.
    """

    def __init__(self, modules: list, original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:  # as in torch: then it is the identity
                        pass
        self.is_tensor = isinstance(new, Tensor)
        if self.is_tensor:
            self._set_original(original, new)
        else:
            for i, part in enumerate(new):  # e.g. weight_norm's (g, v)
                self._register(f"original{i}", _like(original, part.detach().clone()))
        if not unsafe:
            with no_grad():
                _check_same_kind(original, self(), "forward")

    def _set_original(self, original: Tensor, new: Tensor) -> None:
        if not self.unsafe:
            _check_same_kind(original, new, "right_inverse")
        if new is not original:
            with no_grad():
                _assign(original, new)
        self._register("original", original)

    def _register(self, name: str, tensor: Tensor) -> None:
        if isinstance(tensor, Parameter):
            self.register_parameter(name, tensor)
        else:
            self.register_buffer(name, tensor)

    def _originals(self) -> tuple:
        if self.is_tensor:
            return (self.original,)
        return tuple(getattr(self, f"original{i}") for i in range(_count_originals(self)))

    def right_inverse(self, value: Tensor) -> None:
        """Set the originals so that the chain gives ``value`` (the property's setter)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            parts = (value,) if self.is_tensor else tuple(value)
            for original, part in zip(self._originals(), parts):
                if not self.unsafe:
                    _check_same_kind(original, part, "right_inverse")
                _assign(original, part)

    def forward(self) -> Tensor:
        value = self[0](*self._originals())
        for module in list(self)[1:]:
            value = module(value)
        return value


def _count_originals(chain: Module) -> int:
    return sum(1 for name in chain._parameters if name.startswith("original")) + sum(
        1 for name in chain._buffers if name.startswith("original"))


def _like(original: Tensor, value: Tensor) -> Tensor:
    """``value`` as a Parameter when ``original`` is one (with its ``requires_grad``)."""
    if isinstance(original, Parameter):
        return Parameter(value, requires_grad=original.requires_grad)
    return value


def _check_same_kind(original: Tensor, new: Any, what: str) -> None:
    """torch's check that a parametrization keeps the tensor's shape and dtype."""
    if not isinstance(new, Tensor):
        raise ValueError(f"'{what}' must return a tensor. Got '{type(new).__name__}'.")
    for attr in ("dtype", "shape"):
        before, after = getattr(original, attr), getattr(new, attr)
        if before != after:
            word = "shape" if attr == "shape" else "dtype"
            raise ValueError(f"Registering a parametrization may not change the {word} of the "
                             "tensor, unless `unsafe` flag is enabled.\n"
                             f"unparametrized {word}: {_show(before)}\n"
                             f"parametrized {word}: {_show(after)}")


def _show(value: Any) -> str:
    return str(value) if isinstance(value, _dtypes.dtype) else f"torch.Size({list(value)})"


def _assign(tensor: Tensor, value: Tensor) -> None:
    """Give ``tensor`` the values of ``value`` in place, keeping the object (and any
    optimizer's reference to it); its shape may change (``unsafe``)."""
    if tensor.shape == value.shape:
        tensor.copy_(value)
    else:
        tensor.data = value.detach().clone()


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` on a new ``original``.

    A second registration on the same name appends to its chain.

    Raises:
        ValueError: for a name that is no parameter, buffer or parametrized tensor, or a
            parametrization that changes the shape or dtype (unless ``unsafe``).
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        chain = module.parametrizations[tensor_name]
        if not unsafe:
            with no_grad():
                current = getattr(module, tensor_name)
                _check_same_kind(current, parametrization(current), "forward")
        chain.append(parametrization)
        chain.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    chain = ParametrizationList([parametrization], getattr(module, tensor_name), unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _subclass(module)
        module.parametrizations = ModuleDict()
    setattr(type(module), tensor_name, property(_getter(tensor_name), _setter(tensor_name)))
    module.parametrizations[tensor_name] = chain
    return module


def _subclass(module: Module) -> None:
    """Give ``module`` its own subclass ``Parametrized<Name>``, to hold the properties."""
    cls = type(module)
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})


def _getter(name: str) -> Any:
    def get(self: Module) -> Tensor:
        if not _cache_depth:
            return self.parametrizations[name]()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = self.parametrizations[name]()
        return _cache[key]
    return get


def _setter(name: str) -> Any:
    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)
    return set_


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given)."""
    chains = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undo ``register_parametrization`` on ``tensor_name``: the tensor becomes a plain
    parameter (or buffer) again, holding the parametrized value (``leave_parametrized``) or
    the original; the Parameter object is the original one, so optimizers keep it.

    Raises:
        ValueError: if ``tensor_name`` has no parametrization.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        original = chain.original
        if leave_parametrized:
            with no_grad():
                _assign(original, getattr(module, tensor_name))
    elif leave_parametrized:
        with no_grad():
            original = _like(chain.original0, getattr(module, tensor_name).detach().clone())
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    if isinstance(original, Parameter):
        module.register_parameter(tensor_name, original)
    else:
        module.register_buffer(tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization."""
    if is_parametrized(module):
        return type(module).__bases__[0]
    return type(module)
