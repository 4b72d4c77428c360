"""Gluon's ``Block`` and ``HybridBlock``: bricks Modules with Gluon's naming and parameters.

A Block is a ``bricks.nn.Module``: child blocks are its submodules, and the bricks
Parameter behind each Gluon ``Parameter`` attribute is registered under the attribute's
name, so bricks' traversal, ties, ``state_dict`` and optimizers all see the model. Gluon
names come from global counters per class (``dense0_``, ``sequential1_``), or from the
enclosing block's counters inside ``with block.name_scope():``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections import defaultdict
from collections.abc import MutableMapping
from typing import Any, Iterator

import bricks
from bricks import nn

from .. import autograd, initializer, ndarray, npx
from ..._facade import ArrayFacade, compile_facade, unwrap
from .parameter import Parameter, ParameterDict, load_all_or_nothing

__all__ = ["Block", "HybridBlock"]

_GLOBAL_COUNTERS: defaultdict[str, int] = defaultdict(int)
_CURRENT = threading.local()


def _new_name(hint: str) -> str:
    """A fresh global name ``hint<N>`` (MXNet's NameManager)."""
    name = f"{hint}{_GLOBAL_COUNTERS[hint]}"
    _GLOBAL_COUNTERS[hint] += 1
    return name


def _create_scope(prefix: str | None, params: ParameterDict | None,
                  hint: str) -> tuple[str, ParameterDict]:
    """The prefix and ParameterDict of a new block, as MXNet's ``_BlockScope.create``."""
    parent = getattr(_CURRENT, "block", None)
    if parent is None:
        prefix = _new_name(hint) + "_" if prefix is None else prefix
        shared = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
        return prefix, shared
    if prefix is None:
        count = parent._scope_counter[hint]
        parent._scope_counter[hint] += 1
        prefix = f"{hint}{count}_"
    if params is None:
        shared = ParameterDict(parent.params.prefix + prefix, parent.params._shared)
    else:
        shared = ParameterDict(params.prefix, params)
    return parent.prefix + prefix, shared


def wrap_like(like: Any, tensor: bricks.Tensor) -> Any:
    """``tensor`` as the same kind of array as ``like`` (NDArray or np.ndarray)."""
    facade = type(like) if isinstance(like, ArrayFacade) else npx.array_class()
    return facade._wrap(tensor)


class Block(nn.Module):
    """The base class of Gluon layers and models; subclasses write ``forward``.

    Args:
        prefix: the name prefix of the block and its parameters (``dense0_`` by default).
        params: a ParameterDict whose parameters this block shares.

    Example:
        >>> from bricks.compat.mxnet import gluon, nd
        >>> class Twice(gluon.nn.Block):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> Twice()(nd.ones((1,)))
        <BLANKLINE>
        [2.]
        <NDArray 1 @cpu(0)>
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None) -> None:
        super().__init__()
        self._prefix, self._params = _create_scope(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope_counter: defaultdict[str, int] = defaultdict(int)
        self._reg_params: dict[str, Parameter] = {}

    def _alias(self) -> str:
        return type(self).__name__.lower()

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter):
            self._reg_params[name] = value
            self.__dict__.pop(name, None)
            self.register_parameter(name, value.bricks_parameter)
            self.__dict__[name] = value
            return
        super().__setattr__(name, value)

    def __repr__(self) -> str:
        lines = [f"  ({key}): {_indent(repr(block), 2)}" for key, block in self._modules.items()
                 if isinstance(block, Block)]
        return "{}(\n{}\n)".format(type(self).__name__, "\n".join(lines))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        hybrid = self.__dict__.get("_hybrid")
        if hybrid is not None and not kwargs:
            return hybrid(autograd.is_recording(), *args)
        return self._call_imperative(*args, **kwargs)

    def _call_imperative(self, *args: Any, **kwargs: Any) -> Any:
        if autograd.is_recording():
            return super().__call__(*args, **kwargs)
        with bricks.no_grad():
            return super().__call__(*args, **kwargs)

    # ----- names and parameters -----
    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def name(self) -> str:
        return self._name

    @property
    def params(self) -> ParameterDict:
        return self._params

    @contextlib.contextmanager
    def name_scope(self) -> Iterator[None]:
        """A scope in which new blocks are named under this block's prefix."""
        saved = getattr(_CURRENT, "block", None)
        _CURRENT.block = self
        try:
            yield
        finally:
            _CURRENT.block = saved

    @property
    def _children(self) -> _Children:
        """The child blocks by name; ``self._children[name] = block`` adds one (the
        textbook's own ``Sequential`` does), as MXNet 1.x's ordered dict does."""
        return _Children(self)

    def register_child(self, block: Block, name: str | None = None) -> None:
        """Add ``block`` as a child (named by its position unless ``name`` is given)."""
        self.add_module(name if name is not None else str(len(self._modules)), block)

    def collect_params(self, select: str | None = None) -> ParameterDict:
        """This block's and its descendants' parameters, optionally filtered by a regex.

        Args:
            select: a regular expression matched at the start of each full name
                (``'.*weight'``, ``'dense0_weight|dense0_bias'``).
        """
        result = ParameterDict(self._params.prefix)
        if select is None:
            result.update(self._params)
        else:
            pattern = re.compile(select)
            result.update({k: v for k, v in self._params.items() if pattern.match(k)})
        for child in self._modules.values():
            if isinstance(child, Block):
                result.update(child.collect_params(select))
        return result

    def initialize(  # type: ignore[override]  # Gluon's signature, not bricks'
            self, init: Any = initializer.Uniform(), ctx: Any = None, verbose: bool = False,
            force_reinit: bool = False) -> None:
        """Initialize all parameters; those with unknown shapes wait for the first forward.

        Args:
            init: the initializer for parameters without their own (Gluon's default:
                ``Uniform(0.07)``; biases keep their ``'zeros'``).
            force_reinit: initialize again parameters that already are; without it they
                are left alone with a warning each.
        """
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Compile this block's calls with ``bricks.compile`` (``active=False``: imperative).

        The first call runs imperatively (deferred shapes are found), the next captures, and
        later calls replay; what cannot be captured runs imperatively after one warning.
        """
        if not active:
            self.__dict__["_hybrid"] = None
            return

        def call(recording: bool, *args: Any) -> Any:  # recording: a guard of the capture
            self.__dict__["_hybrid_ran"] = True
            return self._call_imperative(*args)

        self.__dict__["_hybrid"] = compile_facade(call, ndarray.NDArray)

    def cast(self, dtype: Any) -> None:
        """Convert all parameters to ``dtype``."""
        for param in self.collect_params().values():
            param.cast(dtype)

    def save_parameters(self, filename: str) -> None:
        """Save the parameters (structural names such as ``0.weight``) to a safetensors file."""
        bricks.save(self.state_dict(), filename)

    def load_parameters(self, filename: str, ctx: Any = None, allow_missing: bool = False,
                        ignore_extra: bool = False) -> None:
        """Load parameters saved by ``save_parameters``, all or nothing; shapes not known yet
        are taken from the file.

        Raises:
            AssertionError: for missing or unexpected names (unless allowed) or wrong shapes,
                all in one message, as MXNet words them; the block is unchanged then.
        """
        loaded = bricks.load(filename)
        load_all_or_nothing(dict(self._structural_params()), loaded, filename, allow_missing,
                            ignore_extra, where="Block")

    def _structural_params(self) -> Iterator[tuple[str, Parameter]]:
        for prefix, module in self.named_modules():
            for attribute, param in getattr(module, "_reg_params", {}).items():
                yield (f"{prefix}.{attribute}" if prefix else attribute), param

    def forward(self, *args: Any) -> Any:
        """Compute the output; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward")


class _Operators:
    """``F`` in ``hybrid_forward``: the array module's functions, plus ``F.np`` and ``F.npx``
    as MXNet's ``mxnet.ndarray`` has them."""

    def __init__(self, module: Any, np_module: Any) -> None:
        self._module = module
        self.np = np_module
        self.npx = npx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


class _Children(MutableMapping):
    """A live view of a block's children: writes go through ``add_module``'s checks."""

    def __init__(self, owner: Block) -> None:
        self._owner = owner

    def __getitem__(self, name: str) -> Any:
        return self._owner._modules[name]

    def __setitem__(self, name: str, block: Any) -> None:
        self._owner.add_module(str(name), block)

    def __delitem__(self, name: str) -> None:
        delattr(self._owner, name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._owner._modules))

    def __len__(self) -> int:
        return len(self._owner._modules)


class HybridBlock(Block):
    """A Block that may also define ``hybrid_forward(F, x, **params)``.

    ``F`` is ``mxnet.nd`` (``mxnet.np`` after ``npx.set_np()``), and the block's parameters
    are passed by attribute name as arrays.
    """

    def forward(self, x: Any, *args: Any) -> Any:
        if type(self).hybrid_forward is HybridBlock.hybrid_forward:
            raise NotImplementedError(f"{type(self).__name__} must implement forward or "
                                      "hybrid_forward")
        values = {name: param.data() for name, param in self._reg_params.items()}
        from .. import numpy as mx_np

        module = mx_np if npx.is_np_array() else ndarray
        return self.hybrid_forward(_Operators(module, mx_np), x, *args, **values)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the output with the operators of ``F``; subclasses override this."""
        raise NotImplementedError

    def export(self, path: str, epoch: int = 0, remove_amp_cast: bool = True) -> None:
        """Save the parameters as MXNet's ``export`` names them, in bricks' safe format.

        ``path-%04d.params`` (``epoch``) holds ``arg:<name>`` for each parameter and
        ``aux:<name>`` for running statistics, as MXNet writes them, in a safetensors file that
        ``bricks.load`` (and the ``safetensors`` library) read; never a pickle.
        ``path-symbol.json`` is NOT an MXNet symbol graph (bricks has none): it records the
        block as printed and each parameter's name, kind, shape and dtype, so the files say
        what they hold.

        Raises:
            RuntimeError: before ``hybridize()`` and one forward pass, as MXNet.
        """
        if self.__dict__.get("_hybrid") is None or not self.__dict__.get("_hybrid_ran"):
            raise RuntimeError("Please first call block.hybridize() and then run forward with "
                               "this block at least once before calling export.")
        arrays, described = {}, {}
        for name, param in self.collect_params().items():
            kind = "aux" if name.endswith(("running_mean", "running_var")) else "arg"
            value = param.data()
            arrays[f"{kind}:{name}"] = unwrap(value).detach()
            described[name] = {"kind": kind, "shape": list(value.shape),
                               "dtype": str(unwrap(value).dtype).replace("bricks.", "")}
        bricks.save(arrays, f"{path}-{epoch:04d}.params")
        summary = {"format": "bricks Gluon export (parameters only; not an MXNet symbol graph)",
                   "block": repr(self), "parameters": described}
        with open(f"{path}-symbol.json", "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def bricks_tensor(value: Any) -> bricks.Tensor:
    """The bricks tensor behind an array argument."""
    return unwrap(value)
