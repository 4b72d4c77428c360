"""Gluon's ``Parameter`` and ``ParameterDict`` over bricks Parameters.

A Gluon ``Parameter`` is a view over one bricks ``Parameter`` (an ``UninitializedParameter``
while its shape has unknown sizes, written 0 as in Gluon) and keeps no state machine of its
own: "initialized" is the bricks parameter's ``_bricks_initialized`` field on a materialized
parameter, and a deferred initializer is recorded in its ``_bricks_pending_init`` field, as
``Module.initialize`` records one for bricks' lazy layers. ``initialize`` either fills it now
or records the initializer; the layer's first forward pass sets the shape, materializes the
bricks parameter and runs the recorded initializer then.
"""

from __future__ import annotations

import re
import warnings
from collections import OrderedDict
from typing import Any, Iterator

import numpy

import bricks
from bricks import nn
from bricks.nn.parameter import is_uninitialized

from ..._facade import unwrap
from .. import autograd, initializer, npx

__all__ = ["Parameter", "ParameterDict", "DeferredInitializationError", "MXNetError"]


class MXNetError(Exception):
    """The error MXNet raises for failed operations."""


class DeferredInitializationError(MXNetError):
    """A parameter's values were asked for before its deferred initialization ran."""


def _known(shape: tuple) -> bool:
    return all(size > 0 for size in shape)


class Parameter:
    """A Gluon parameter: a name, a shape (0 = not known yet) and its bricks Parameter.

    Args:
        name: the full name, such as ``dense0_weight``.
        grad_req: ``'write'`` (each backward overwrites the gradient), ``'add'`` or ``'null'``.
        shape: the shape; 0 (or None) marks a size inferred at the first forward pass.
        dtype: the dtype, printed as given (``'float32'`` or ``numpy.float32``).
        init: this parameter's own initializer (overrides the one given to ``initialize``).
        allow_deferred_init: whether ``initialize`` may wait for the shape.
    """

    def __init__(self, name: str = "weight", grad_req: str = "write", shape: Any = None,
                 dtype: Any = numpy.float32, lr_mult: float = 1.0, wd_mult: float = 1.0,
                 init: Any = None, allow_deferred_init: bool = False,
                 differentiable: bool = True, stype: str = "default",
                 grad_stype: str = "default") -> None:
        self.name = name
        self.dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.init = init
        self.allow_deferred_init = allow_deferred_init
        self._shape = _as_shape(shape)
        bricks_dtype = getattr(bricks, numpy.dtype(dtype).name)
        if _known(self._shape):
            self._var = nn.Parameter(bricks.zeros(self._shape, dtype=bricks_dtype))
        else:
            self._var = nn.UninitializedParameter(dtype=bricks_dtype)
        self._var._bricks_name = name
        self.grad_req = grad_req if differentiable else "null"

    # ----- metadata -----
    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def bricks_parameter(self) -> nn.Parameter:
        """The bricks Parameter holding the values (what optimizers and ``bricks.save`` use)."""
        return self._var

    @property
    def shape(self) -> tuple:
        return self._shape

    @shape.setter
    def shape(self, new_shape: Any) -> None:
        new_shape = _as_shape(new_shape)
        old = self._shape
        if len(old) != len(new_shape) or any(o not in (0, n) for o, n in zip(old, new_shape)):
            raise ValueError(f"Expected shape {new_shape} is incompatible with given shape "
                             f"{old} for Parameter {self.name!r}.")
        self._shape = new_shape

    @property
    def grad_req(self) -> str:
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got "
                             f"{req!r}")
        self._grad_req = req
        self._var.requires_grad = req != "null"
        if req == "write":
            autograd.write_grad(self._var)
        else:
            autograd._WRITE_GRADS.discard(self._var)

    # ----- initialization: a view over the bricks parameter's fields -----
    @property
    def _initialized(self) -> bool:
        """Whether the values are set (by ``initialize`` or a load)."""
        return not is_uninitialized(self._var) and self._var._bricks_initialized

    @property
    def _deferred_init(self) -> tuple:
        """``(initializer,)`` while an initializer waits for the shape, else ``()``."""
        pending = self._var._bricks_pending_init
        return () if pending is None else (pending.init,)

    def _record_init(self, chosen: Any) -> None:
        self._var._bricks_pending_init = _GluonInit(chosen, self.name)

    def _drop_pending_init(self) -> None:
        self._var.__dict__.pop("_bricks_pending_init", None)  # back to the declared None

    def initialize(self, init: Any = None, ctx: Any = None,
                   default_init: Any = initializer.Uniform(), force_reinit: bool = False) -> None:
        """Fill the parameter now, or at the first forward pass if its shape is not known.

        Raises:
            ValueError: if the shape is not known and deferred initialization is not allowed.
        """
        if self._initialized and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. Set "
                          "force_reinit=True to re-initialize.", UserWarning, stacklevel=2)
            return
        chosen = init if init is not None else (self.init if self.init is not None
                                                else default_init)
        self._record_init(chosen)
        if _known(self._shape):
            self._finish_deferred_init()
        elif not self.allow_deferred_init:
            self._drop_pending_init()
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has "
                             f"invalid shape: {self._shape}.")

    def _finish_deferred_init(self) -> None:
        """Allocate (once the shape is known) and run the recorded initializer."""
        if not self._deferred_init:
            return
        if not _known(self._shape):
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has "
                             f"invalid shape: {self._shape}. Please specify in_units, "
                             "in_channels, etc for `Block`s.")
        pending = self._var._bricks_pending_init
        self._drop_pending_init()
        if is_uninitialized(self._var):
            self._var.materialize(self._shape)
        with autograd.pause(), bricks.no_grad():
            self._var.detach().zero_()
            pending(self._var)
        self._var.grad = bricks.zeros_like(self._var)
        self._var._bricks_initialized = True

    def _check_initialized(self) -> None:
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization "
                "was deferred. Actual initialization happens during the first forward pass. "
                "Please pass one batch of data through the network before accessing "
                "Parameters. You can also avoid deferred initialization by specifying "
                "in_units, num_features, etc., for network layers.")
        if not self._initialized:
            raise RuntimeError(
                f"Parameter '{self.name}' has not been initialized. Note that you should "
                "initialize parameters and create Trainer with Block.collect_params() instead "
                "of Block.params because the later does not include Parameters of nested "
                "child Blocks")

    # ----- values -----
    def data(self, ctx: Any = None) -> Any:
        """The values (an array sharing memory with the parameter).

        Raises:
            DeferredInitializationError: before the first forward pass fixed the shape.
            RuntimeError: if the parameter was never initialized.
        """
        self._check_initialized()
        return npx.array_class()._wrap(self._var)

    def list_data(self) -> list:
        """The values on each context (one: the CPU)."""
        return [self.data()]

    def grad(self, ctx: Any = None) -> Any:
        """The gradient (zeros before the first backward pass).

        Raises:
            RuntimeError: if ``grad_req`` is ``'null'`` or the parameter is not initialized.
        """
        if self._grad_req == "null":
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' "
                               "because grad_req='null'")
        self._check_initialized()
        if self._var.grad is None:
            self._var.grad = bricks.zeros_like(self._var)
        return npx.array_class()._wrap(self._var.grad)

    def list_grad(self) -> list:
        """The gradient on each context (one: the CPU)."""
        return [self.grad()]

    def set_data(self, data: Any) -> None:
        """Copy ``data`` into the parameter's values (in place).

        A parameter whose initialization waits for its shape takes the shape from ``data``
        and is initialized with it now, as MXNet does at the first forward pass.
        """
        if self._deferred_init and not self._initialized:
            self.shape = tuple(unwrap(data).shape)
            self._finish_deferred_init()
        self._check_initialized()
        target = self._var.detach()
        target[...] = unwrap(data).detach() if hasattr(unwrap(data), "detach") else data

    def zero_grad(self) -> None:
        """Set the gradient to zeros."""
        if self._var.grad is not None:
            self._var.grad.detach().zero_()

    def list_ctx(self) -> list:
        """The contexts holding the parameter (one: the CPU)."""
        from ..ndarray import cpu

        return [cpu()]

    def reset_ctx(self, ctx: Any) -> None:
        """Accepted for MXNet compatibility: only the CPU exists."""

    def cast(self, dtype: Any) -> None:
        """Convert the values (and gradient) to ``dtype``."""
        self.dtype = dtype
        if self._initialized:
            bricks_dtype = getattr(bricks, numpy.dtype(dtype).name)
            self._var.data = self._var.detach().to(bricks_dtype)
            self._var.grad = bricks.zeros_like(self._var)


class _GluonInit:
    """A Gluon initializer recorded on a bricks parameter: called with it, fills it."""

    def __init__(self, init: Any, name: str) -> None:
        self.init = init
        self.name = name

    def __call__(self, var: nn.Parameter) -> None:
        data = npx.array_class()._wrap(var)
        initializer.create(self.init)._init_weight(initializer.InitDesc(self.name), data)


def _as_shape(shape: Any) -> tuple:
    if shape is None:
        return ()
    if isinstance(shape, int):
        return (shape,)
    return tuple(0 if size is None else int(size) for size in shape)


class ParameterDict:
    """Gluon's ordered dict of Parameters under a name prefix, printed as Gluon prints it.

    Args:
        prefix: the prefix of the names it creates (``dense0_``).
        shared: a ParameterDict whose parameters ``get`` returns instead of creating new ones.
    """

    def __init__(self, prefix: str = "", shared: ParameterDict | None = None) -> None:
        self._prefix = prefix
        self._params: OrderedDict[str, Parameter] = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        name = f"{self._prefix} " if self._prefix else ""
        content = "\n".join(f"  {value!r}" for value in self.values())
        return f"{name}(\n{content}\n)"

    @property
    def prefix(self) -> str:
        return self._prefix

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key: str) -> bool:
        return key in self._params

    def keys(self) -> Any:
        """The full parameter names."""
        return self._params.keys()

    def values(self) -> Any:
        """The Parameters."""
        return self._params.values()

    def items(self) -> Any:
        """(name, Parameter) pairs."""
        return self._params.items()

    def _lookup(self, name: str) -> Parameter | None:
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name: str, **kwargs: Any) -> Parameter:
        """The parameter ``prefix + name``: found (also in the shared dict) or created.

        Raises:
            ValueError: if an existing parameter's shape conflicts with ``shape``.
        """
        full = self._prefix + name
        param = self._lookup(full)
        if param is None:
            param = Parameter(full, **kwargs)
            self._params[full] = param
        elif "shape" in kwargs and kwargs["shape"] is not None:
            merged = [max(a, b) for a, b in zip(param.shape, _as_shape(kwargs["shape"]))]
            param.shape = tuple(merged)
        return param

    def update(self, other: Any) -> None:
        """Add ``other``'s parameters (a name shared by two different ones is an error).

        Raises:
            ValueError: if a name already maps to a different Parameter.
        """
        for name, value in other.items():
            if name in self._params and self._params[name] is not value:
                raise ValueError(f"Cannot update self with other because they have different "
                                 f"Parameters with the same name '{name}'")
        for name, value in other.items():
            self._params.setdefault(name, value)

    def initialize(self, init: Any = initializer.Uniform(), ctx: Any = None,
                   verbose: bool = False, force_reinit: bool = False) -> None:
        """Initialize every parameter: its own ``init`` if it has one, else ``init``."""
        for value in self.values():
            value.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        """Set every gradient to zeros."""
        for value in self.values():
            value.zero_grad()

    def reset_ctx(self, ctx: Any) -> None:
        """Accepted for MXNet compatibility: only the CPU exists."""

    def setattr(self, name: str, value: Any) -> None:
        """Set attribute ``name`` (e.g. ``'grad_req'``) of every parameter."""
        for param in self.values():
            setattr(param, name, value)

    def select(self, pattern: str) -> ParameterDict:
        """The parameters whose names match the regular expression (from the start)."""
        matcher = re.compile(pattern)
        chosen = ParameterDict(self._prefix)
        chosen.update({k: v for k, v in self.items() if matcher.match(k)})
        return chosen

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Save the values to a safetensors file, under names without ``strip_prefix``."""
        arrays = {}
        for name, param in self.items():
            param._check_initialized()
            key = name[len(strip_prefix):] if name.startswith(strip_prefix) else name
            arrays[key] = param._var.detach()
        bricks.save(arrays, filename)

    def load(self, filename: str, ctx: Any = None, allow_missing: bool = False,
             ignore_extra: bool = False, restore_prefix: str = "") -> None:
        """Load values saved by ``save`` (names get ``restore_prefix`` back): all or nothing.

        Raises:
            AssertionError: for missing or extra names (unless allowed) or shapes that differ,
                all of them in one message, as MXNet words them; nothing is changed then.
        """
        loaded = {restore_prefix + k: v for k, v in bricks.load(filename).items()}
        load_all_or_nothing(dict(self._params), loaded, filename, allow_missing, ignore_extra,
                            where="this ParameterDict")


def load_all_or_nothing(params: dict[str, Parameter], loaded: dict, filename: Any,
                        allow_missing: bool, ignore_extra: bool, where: str) -> None:
    """Check every name and shape of ``loaded`` against ``params``, then assign them all.

    Parameters whose shape is not known yet take the file's shape (MXNet's deferred
    initialization, finished by the load). A failed check changes nothing.

    Raises:
        AssertionError: listing every problem, in MXNet's words.
    """
    problems = []
    if not allow_missing:
        problems += [f"Parameter '{name}' is missing in file '{filename}', which contains "
                     f"parameters: {sorted(loaded)}" for name in params if name not in loaded]
    if not ignore_extra:
        problems += [f"Parameter '{name}' loaded from file '{filename}' is not present in "
                     f"{where}, which contains parameters: {sorted(params)}"
                     for name in loaded if name not in params]
    for name, value in loaded.items():
        param = params.get(name)
        saved = tuple(value.shape)
        if param is not None and not _compatible(param.shape, saved):
            problems.append(f"Failed loading Parameter '{name}' from saved params: shape "
                            f"incompatible expected {param.shape} vs saved {saved}")
    if problems:
        raise AssertionError("\n".join(problems))
    for name, value in loaded.items():
        param = params.get(name)
        if param is None:
            continue
        param.shape = tuple(value.shape)
        if not param._initialized:
            param._record_init(initializer.Zero())
            param._finish_deferred_init()
        param.set_data(value)


def ready(*params: Parameter | None) -> None:
    """Finish each parameter's deferred initialization (its shape is known by now) and check
    that it is initialized; None entries (a layer without bias) are skipped.

    Raises:
        DeferredInitializationError: for a parameter whose shape is still not known.
        RuntimeError: for a parameter that was never initialized.
    """
    for param in params:
        if param is not None:
            param._finish_deferred_init()
            param._check_initialized()


def _compatible(expected: tuple, saved: tuple) -> bool:
    # 0 in a Gluon shape is a size not known yet: any saved size fills it.
    return len(expected) == len(saved) and all(e in (0, s) for e, s in zip(expected, saved))
