"""Pruning (``torch.nn.utils.prune``): zero a parameter's entries through a mask.

Pruning ``name`` moves the parameter to ``<name>_orig``, keeps the mask in the buffer
``<name>_mask``, and adds a forward pre-hook (the pruning method itself) that sets the
plain attribute ``<name> = <name>_orig * <name>_mask`` before each call, so the gradient of
the pruned entries is zero. Pruning the same name again prunes among the entries (or
channels) still alive, through a ``PruningContainer``. ``remove`` makes it permanent.
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

from ... import _creation
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..module import Module
from .convert_parameters import parameters_to_vector

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
           "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
           "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


class BasePruningMethod:
    """A way to choose a mask; subclasses define ``compute_mask(t, default_mask)`` and
    ``PRUNING_TYPE`` ("unstructured", "structured" or "global")."""

    PRUNING_TYPE: str = "unstructured"
    _tensor_name: Any = None  # the pruned tensor's name, set by ``apply``

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        raise NotImplementedError

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_orig * <name>_mask``: the pruned tensor."""
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Tensor | None = None,
              **kwargs: Any) -> BasePruningMethod:
        """Prune ``module.<name>`` with a new ``cls(*args, **kwargs)``; a failed pruning
        (such as too large an ``amount``) leaves the module as it was."""
        method = cls(*args, **kwargs)
        method._tensor_name = name
        previous = _pop_method(module, name)
        if previous is not None:
            container = previous if isinstance(previous, PruningContainer) else PruningContainer(
                previous)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None and importance_scores.shape != orig.shape:
            raise AssertionError(f"importance_scores should have the same shape as parameter "
                                 f"{name} of {module}")
        scores = orig if importance_scores is None else importance_scores
        if previous is None:
            default_mask = _creation.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(scores, default_mask=default_mask)
        except Exception:
            if previous is not None:
                module.register_forward_pre_hook(previous)
            raise
        if previous is None:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """``t`` with this method's mask applied (no module involved)."""
        scores = t if importance_scores is None else importance_scores
        mask = _creation.ones_like(t) if default_mask is None else default_mask
        return t * self.compute_mask(scores, default_mask=mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``<name>`` becomes the parameter again, with the
        pruned values; ``<name>_orig`` and ``<name>_mask`` go."""
        name = self._tensor_name
        with no_grad():
            weight = self.apply_mask(module)
        if name in module.__dict__:
            delattr(module, name)
        orig = module._parameters.pop(name + "_orig")
        orig.data = weight.data
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


def _pop_method(module: Module, name: str) -> BasePruningMethod | None:
    """Take off ``module``'s pruning hook for ``name``, if any, and return it."""
    for key, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            del module._forward_pre_hooks[key]
            return hook
    return None


class PruningContainer(BasePruningMethod):
    """Successive prunings of one tensor; the newest acts on what the others left."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError("Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. Found "
                             f"'{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: int) -> BasePruningMethod:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The newest method's mask, computed on the entries (or channels) still alive."""
        method = self._pruning_methods[-1]
        mask = default_mask.to(dtype=t.dtype).clone()
        alive = _alive(method, t, default_mask)
        partial = method.compute_mask(t[alive], default_mask=default_mask[alive])
        mask[alive] = partial.to(dtype=mask.dtype)
        return mask


def _alive(method: BasePruningMethod, t: Tensor, mask: Tensor) -> Any:
    """The index of what ``method`` may still prune, by its ``PRUNING_TYPE``."""
    if method.PRUNING_TYPE == "unstructured":
        return mask == 1
    if method.PRUNING_TYPE == "global":
        return (slice(None),) * t.dim()
    if method.PRUNING_TYPE != "structured":
        raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
    dim: int = method.dim  # type: ignore[attr-defined]
    dim = dim if dim >= 0 else t.dim() + dim
    if dim < 0:
        raise IndexError(f"Index is out of bounds for tensor of size {t.shape}")
    others = [d for d in range(t.dim()) if d != dim]
    index: list = [slice(None)] * t.dim()
    index[dim] = mask.sum(dim=others) != 0
    return tuple(index)


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (e.g. to reparametrize before custom pruning)."""

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name)


class _ByAmount(BasePruningMethod):
    """A method that prunes ``amount`` entries (an int) or that fraction of them (a float)."""

    def __init__(self, amount: float) -> None:
        _check_amount(amount)
        self.amount = amount

    def _count(self, size: int) -> int:
        if isinstance(self.amount, numbers.Integral):
            if self.amount > size:
                raise ValueError(f"amount={self.amount} should be smaller than the number of "
                                 f"parameters to prune={size}")
            return int(self.amount)
        return round(self.amount * size)


def _check_amount(amount: Any) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    integral = isinstance(amount, numbers.Integral)
    if (integral and amount < 0) or (not integral and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")


class _Unstructured(_ByAmount):
    """Zero the ``amount`` entries that ``_scores`` ranks lowest."""

    def _scores(self, t: Tensor) -> Tensor:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        count = self._count(t.numel())
        mask = default_mask.clone()
        if count:
            lowest = self._scores(t).reshape(-1).topk(k=count, largest=False).indices
            mask.view(-1)[lowest] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Zero ``amount`` entries chosen at random."""

    def _scores(self, t: Tensor) -> Tensor:
        return _creation.rand_like(t)

    @classmethod
    def apply(cls, module: Module, name: str, amount: float) -> BasePruningMethod:  # type: ignore[override]  # noqa: E501
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Zero the ``amount`` entries of smallest absolute value."""

    def _scores(self, t: Tensor) -> Tensor:
        return t.abs()

    @classmethod
    def apply(cls, module: Module, name: str, amount: float,  # type: ignore[override]
              importance_scores: Tensor | None = None) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _Structured(_ByAmount):
    """Zero whole slices along ``dim``: the ``amount`` that ``_keep`` does not keep."""

    PRUNING_TYPE = "structured"

    def _keep(self, t: Tensor, keep: int) -> Tensor:
        raise NotImplementedError

    def __init__(self, amount: float, dim: int = -1) -> None:
        super().__init__(amount)
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if t.dim() <= 1:
            raise ValueError("Structured pruning can only be applied to multidimensional "
                             f"tensors. Found tensor of shape {t.shape} with {t.dim()} dims")
        if self.dim >= t.dim():
            raise IndexError(f"Invalid index {self.dim} for tensor of size {t.shape}")
        size = t.shape[self.dim]
        count = self._count(size)
        if count == 0:
            return default_mask
        index: list = [slice(None)] * t.dim()
        index[self.dim] = self._keep(t, size - count)
        mask = _creation.zeros_like(t)
        mask[tuple(index)] = 1
        return mask * default_mask


class RandomStructured(_Structured):
    """Zero ``amount`` slices along ``dim`` chosen at random."""

    def _keep(self, t: Tensor, keep: int) -> Tensor:
        scores = _creation.rand(t.shape[self.dim])
        return scores.topk(k=keep).indices

    @classmethod
    def apply(cls, module: Module, name: str, amount: float, dim: int = -1) -> BasePruningMethod:  # type: ignore[override]  # noqa: E501
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_Structured):
    """Zero the ``amount`` slices along ``dim`` of smallest ``n``-norm."""

    def __init__(self, amount: float, n: Any, dim: int = -1) -> None:
        super().__init__(amount, dim)
        self.n = n

    def _keep(self, t: Tensor, keep: int) -> Tensor:
        dim = self.dim if self.dim >= 0 else t.dim() + self.dim
        norms = t.norm(p=self.n, dim=[d for d in range(t.dim()) if d != dim])
        return norms.topk(k=keep, largest=True).indices

    @classmethod
    def apply(cls, module: Module, name: str, amount: float, n: Any,  # type: ignore[override]
              dim: int, importance_scores: Tensor | None = None) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prune with a given mask."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if default_mask.shape != self.mask.shape:
            raise AssertionError("mask and default_mask must have the same shape")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module: Module, name: str, mask: Tensor) -> BasePruningMethod:  # type: ignore[override]  # noqa: E501
        return super().apply(module, name, mask=mask)


def identity(module: Module, name: str) -> Module:
    """Reparametrize ``module.<name>`` with an all-ones mask."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: float) -> Module:
    """Zero ``amount`` random entries of ``module.<name>``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: float,
                    importance_scores: Tensor | None = None) -> Module:
    """Zero the ``amount`` entries of ``module.<name>`` of smallest magnitude (or score)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: float, dim: int) -> Module:
    """Zero ``amount`` random slices of ``module.<name>`` along ``dim``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: Module, name: str, amount: float, n: Any, dim: int,
                  importance_scores: Tensor | None = None) -> Module:
    """Zero the ``amount`` slices of ``module.<name>`` along ``dim`` of smallest ``n``-norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    """Prune ``module.<name>`` with ``mask``."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters: Iterable, pruning_method: type, importance_scores: Any = None,
                        **kwargs: Any) -> None:
    """Prune ``(module, name)`` pairs together: the ranking spans all of them at once.

    Raises:
        TypeError: for a ``pruning_method`` that is not unstructured.
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    scores = importance_scores or {}
    tensors = [getattr(module, name) for module, name in parameters]
    flat_scores = parameters_to_vector(
        [scores.get((module, name), t) for (module, name), t in zip(parameters, tensors)])
    masks: list[Any] = (
        [getattr(module, name + "_mask", None) if hasattr(module, name + "_mask")
         else _creation.ones_like(t) for (module, name), t in zip(parameters, tensors)])
    flat_masks = parameters_to_vector(masks)
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
    container = PruningContainer(method)
    final = container.compute_mask(flat_scores, flat_masks)
    start = 0
    for (module, name), t in zip(parameters, tensors):
        custom_from_mask(module, name, final[start:start + t.numel()].view_as(t))
        start += t.numel()


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent.

    Raises:
        ValueError: if ``name`` is not pruned.
    """
    method = _pop_method(module, name)
    if method is None:
        raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before "
                         "pruning can be removed")
    method.remove(module)
    return module


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or one of its submodules has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for sub in module.modules() for hook, _ in sub._forward_pre_hooks.values())
