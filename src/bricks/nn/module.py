"""``Module``: the base of every layer and model.

The core only: attribute routing, registration, the one traversal (``named_modules``)
that every listing is built on, calling with hooks, modes and dtype moves. The state dict
lives in ``_state_dict.py``, printing in ``_repr.py``, hooks in ``_hooks.py``, Gluon-style
``initialize``/``collect_params`` in ``_initialize.py`` and lazy layers in ``_lazy.py``.
See ``README.md`` in this folder for the design in one screen.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .. import _creation, _device, _dtypes
from .._tensor import Tensor
from ..autograd import no_grad
from . import _hooks, _initialize, _repr, _state_dict
from .parameter import Buffer, Parameter, is_uninitialized

if TYPE_CHECKING:
    from typing_extensions import Self  # typing's from Python 3.11

__all__ = ["Module"]


def _typename(value: Any) -> str:
    return "bricks." + type(value).__name__ if isinstance(value, Tensor) else type(value).__name__


class Module:
    """Base class for all neural-network modules; subclass it and write ``forward``.

    Assigning a ``Parameter`` to an attribute registers it, assigning a ``Module``
    registers a submodule; both then appear in ``parameters()``, ``state_dict()`` and the
    printed structure.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> class Scale(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.weight = nn.Parameter(bricks.ones(2))
        ...     def forward(self, x):
        ...         return x * self.weight
        >>> [name for name, _ in Scale().named_parameters()]
        ['weight']
    """

    training: bool
    _version: int = 1
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: "
                            f"{args!r} {kwargs!r}")
        state = self.__dict__
        state["training"] = True
        state["_parameters"] = _Members()
        state["_buffers"] = {}
        state["_non_persistent_buffers_set"] = set()
        state["_modules"] = _Members()
        state["_forward_pre_hooks"] = OrderedDict()
        state["_forward_hooks"] = OrderedDict()
        state["_backward_hooks"] = OrderedDict()
        state["_backward_pre_hooks"] = OrderedDict()
        state["_is_full_backward_hook"] = None

    # Declared as any callable, so that subclasses may give forward their own signature
    # (mypy then reads the def below as a redefinition).
    forward: Callable[..., Any]

    def forward(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        """Compute the output; every subclass overrides this."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Lean path: four dict-truth tests, then forward (the small-model benchmark pays this).
        # One __dict__ read and four subscripts cost less than three attribute lookups do.
        state = self.__dict__
        try:
            hooked = (state["_forward_pre_hooks"] or state["_forward_hooks"]
                      or state["_backward_hooks"] or state["_backward_pre_hooks"])
        except KeyError as missing:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute {missing}: "
                                 "call super().__init__() first in __init__") from None
        if hooked:
            return _hooks.call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ----- registration -----
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a ``None`` placeholder) under ``name``.

        Raises:
            TypeError: if ``name`` is not a string or ``param`` not a Parameter or None.
            KeyError: if ``name`` is empty, dotted, or an existing non-parameter attribute.
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(bricks.nn.Parameter or None required)")
        if param is not None and param._bricks_name is None and is_uninitialized(param):
            param._bricks_name = f"{type(self).__name__}.{name}"
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: a tensor that is state but not a parameter (e.g. running means).

        Args:
            name: the attribute name.
            tensor: the buffer, or None.
            persistent: whether it goes into ``state_dict``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(bricks.Tensor or None required)")
        if isinstance(tensor, Buffer):
            persistent = tensor.persistent
            tensor = Tensor._wrap(tensor._value)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (any string without a dot, e.g. ``'block 0'``).

        Raises:
            TypeError: if ``module`` is not a Module or None, or ``name`` not a string.
            KeyError: if ``name`` is empty, dotted, or an existing non-module attribute.
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: Any, kind: str, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name not in registry and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    # ----- attribute routing -----
    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if isinstance(value, Parameter):
            _forget(state, name, keep="_parameters")
            self.register_parameter(name, value)
        elif "_parameters" in state and name in state["_parameters"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(bricks.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            _forget(state, name, keep="_modules")
            self.add_module(name, value)
        elif "_modules" in state and name in state["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(bricks.nn.Module or None expected)")
            state["_modules"][name] = None
        elif isinstance(value, Buffer):
            _forget(state, name, keep="_buffers")
            self.register_buffer(name, value)
        elif "_buffers" in state and name in state["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(bricks.Tensor or None expected)")
            state["_buffers"][name] = value
        else:
            if name in _MEMBER_REGISTRIES:
                _STRUCTURE[0] += 1  # a registry replaced whole: cached listings are stale
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Runs for every self.weight in a forward pass: parameters are looked up first, inline.
        state = self.__dict__
        parameters = state.get("_parameters")
        if parameters is not None and name in parameters:
            return parameters[name]
        for registry in ("_buffers", "_modules"):
            members = state.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        names.update(self._parameters, self._buffers, self._modules)
        return sorted(name for name in names if not name[:1].isdigit())

    # ----- the one traversal -----
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted_name, module)`` for this module and every descendant, pre-order.

        A module reachable along several paths is yielded once unless
        ``remove_duplicate=False``. Every other listing (parameters, buffers, state dict,
        ``apply``) is built on this walk.
        """
        return _walk(self, memo, prefix, remove_duplicate, postorder=False)

    def modules(self) -> Iterator[Module]:
        """Yield every module of the tree once, this one first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct children, each module once."""
        memo: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Yield the direct children, each module once."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, members_of: Callable[[Module], dict], prefix: str,
                       recurse: bool, remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        memo: set[int] = set()
        for module_prefix, module in modules:
            for name, value in members_of(module).items():
                if value is None or id(value) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(value))
                yield (module_prefix + "." + name if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)``; a tied parameter once, under its first name."""
        return self._named_members(_parameters_of, prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter once (what an optimizer takes)."""
        if not recurse:
            return iter(_unique_parameters([self]))
        # Training loops call this every step: the list is kept until a registry anywhere
        # changes (see _Members), which makes it one check instead of a walk of the tree.
        cached = self.__dict__.get("_parameters_cache")
        if cached is None or cached[0] != _STRUCTURE[0]:
            cached = _list_parameters(self)
        return iter(cached[1])

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted_name, buffer)`` for every buffer."""
        return self._named_members(_buffers_of, prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer once."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], Any]) -> Self:
        """Call ``fn`` on every submodule (children first) and then on this module.

        A module used in several places is visited once. Returns ``self``.
        """
        for _, module in _walk(self, None, "", True, postorder=True):
            fn(module)
        return self

    def tied_parameters(self) -> list[list[str]]:
        """The groups of dotted names that share one Parameter (each group of 2 or more).

        Example:
            >>> from bricks import nn
            >>> shared = nn.Linear(2, 2)
            >>> nn.Sequential(shared, shared).tied_parameters()
            [['0.weight', '1.weight'], ['0.bias', '1.bias']]
        """
        groups: dict[int, list[str]] = {}
        for name, param in self.named_parameters(remove_duplicate=False):
            groups.setdefault(id(param), []).append(name)
        return [names for names in groups.values() if len(names) > 1]

    def get_submodule(self, target: str) -> Module:
        """The submodule at dotted path ``target`` (``''`` is this module).

        Raises:
            AttributeError: naming the first path element that does not exist.
        """
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not isinstance(module, Module) or item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` such as ``'0.block 1.2.bias'``."""
        return self._get_member(target, "_parameters", "nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target``."""
        return self._get_member(target, "_buffers", "buffer")

    def _get_member(self, target: str, registry: str, kind: str) -> Any:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        members = getattr(module, registry)
        if name not in members:
            if hasattr(module, name):
                raise AttributeError(f"`{name}` is not an {kind}")
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return members[name]

    # ----- state dict (see _state_dict.py) -----
    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name (all names of a tied one).

        Values are detached tensors sharing memory with the model unless ``keep_vars``.
        """
        if args:
            raise TypeError("state_dict() takes keyword arguments only (destination=, prefix=, "
                            "keep_vars=)")
        return _state_dict.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict: Any, strict: bool = True,
                        assign: bool = False) -> _state_dict.IncompatibleKeys:
        """Copy values from ``state_dict``, after checking every key, shape and dtype first.

        Returns:
            ``(missing_keys, unexpected_keys)`` as a named tuple.

        Raises:
            RuntimeError: listing every problem; the model is then left unchanged.
        """
        return _state_dict.load_state_dict(self, state_dict, strict, assign)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict,
                              strict: bool, missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        """Override to rewrite this module's entries (``prefix + name``) before a load.

        The usual use is migrating old key names: move ``state_dict[prefix + "old"]`` to
        ``prefix + "new"`` and call ``super()._load_from_state_dict(...)``. ``load_state_dict``
        calls it on a copy of the given dict, for every module, parents first; then it checks
        everything and copies, all or nothing. So this base does nothing; an override may
        also append messages to ``error_msgs`` (the load then fails, changing nothing).
        """

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile this module's forward in place with ``bricks.compile`` (torch's
        ``Module.compile``): the keys of the state dict stay, hooks run around the replay."""
        from .._compile import compile  # bricks.compile sits above nn; needed only here

        self.forward = compile(self.forward, *args, **kwargs)

    # ----- modes, gradients, dtypes -----
    def train(self, mode: bool = True) -> Self:
        """Set training mode (``mode=True``) or evaluation mode on every module; return self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Self:
        """Set evaluation mode (dropout off, batch norm uses running stats); return self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set ``requires_grad`` of every parameter (freeze with False); return self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default) or to zeros in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad._value[...] = 0

    def to(self, *args: Any, **kwargs: Any) -> Self:
        """Move parameters and buffers to a device and/or cast floating ones to a dtype, in place.

        Forms as torch's: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``,
        each with ``non_blocking=``. Each Parameter object keeps its identity (its array is
        replaced), so ties and the references an optimizer holds survive.
        """
        device = kwargs.get("device")
        dtype = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("tensor")]:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, _dtypes.dtype):
                dtype = arg
            elif isinstance(arg, (str, _device.device, int)) and not isinstance(arg, bool):
                device = arg
        if dtype is not None:
            dtype = _dtypes.to_dtype(dtype)
            if not dtype.is_floating_point:
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got "
                                f"desired dtype={dtype}")
        if device is not None:
            self._move(_device.canonical(device))
        if dtype is not None:
            self._cast(dtype.numpy)
        return self

    def _move(self, device: _device.device) -> None:
        for tensor in list(self.parameters()) + list(self.buffers()):
            if is_uninitialized(tensor):  # materialized there at the first forward
                tensor._bricks_device = device
                continue
            tensor._value = _device.to_device(tensor._value, device)
            if tensor.grad is not None:
                tensor.grad._value = _device.to_device(tensor.grad._value, device)

    def share_memory(self) -> Self:
        """Move every parameter, gradient and buffer into shared memory
        (``Tensor.share_memory_``), so that processes it is sent to change this very model."""
        for tensor in list(self.parameters()) + list(self.buffers()):
            if is_uninitialized(tensor):
                continue
            tensor.share_memory_()
            if tensor.grad is not None:
                tensor.grad.share_memory_()
        return self

    def to_empty(self, *, device: Any, recurse: bool = True) -> Self:
        """Give every parameter, buffer and gradient fresh uninitialized memory on ``device``
        (``None``: where it is), keeping each object; initialize the values afterwards."""
        for tensor in list(self.parameters(recurse)) + list(self.buffers(recurse)):
            for target in (tensor, tensor.grad):
                if target is not None:
                    target._value = _creation.empty_like(target, device=device)._value
        return self

    def _cast(self, numpy_dtype: Any) -> None:
        for tensor in list(self.parameters()) + list(self.buffers()):
            if is_uninitialized(tensor) or tensor._value.dtype.kind != "f":
                continue
            with no_grad():
                tensor._value = tensor._value.astype(numpy_dtype, copy=False)
                if tensor.grad is not None:
                    tensor.grad._value = tensor.grad._value.astype(numpy_dtype, copy=False)

    def float(self) -> Self:
        """Cast floating parameters and buffers to float32; return self."""
        return self.to(_dtypes.float32)

    def double(self) -> Self:
        """Cast floating parameters and buffers to float64; return self."""
        return self.to(_dtypes.float64)

    def half(self) -> Self:
        """Cast floating parameters and buffers to float16; return self."""
        return self.to(_dtypes.float16)

    def cpu(self) -> Self:
        """Move every parameter and buffer to host memory, in place; return self."""
        return self.to(_device.CPU)

    def cuda(self, device: Any = None) -> Self:
        """Move every parameter and buffer to a CUDA device (default: the current), in place."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int) and not isinstance(device, bool):
            device = _device.device("cuda", device)
        return self.to(device)

    def type(self, dst_type: Any) -> Self:
        """Cast parameters and buffers to ``dst_type``; return self."""
        return self.to(dst_type)

    # ----- hooks (see _hooks.py and _backward_hooks.py) -----
    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; it may return replacement args."""
        return _hooks.add(self._forward_pre_hooks, hook, prepend, (hook, with_kwargs))

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; it may replace the output.

        Args:
            hook: the callable; ``hook(module, args, kwargs, output)`` with ``with_kwargs``.
            prepend: run it before the hooks already registered.
            with_kwargs: also pass the keyword arguments of the call.
            always_call: run it even when the call raises (the error then propagates).

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Example:
            >>> from bricks import nn, tensor
            >>> layer = nn.ReLU()
            >>> handle = layer.register_forward_hook(lambda m, args, out: print(out),
            ...                                      always_call=True)
            >>> _ = layer(tensor([-1.0, 2.0]))
            tensor([0., 2.])
        """
        entry = (hook, with_kwargs, always_call)
        return _hooks.add(self._forward_hooks, hook, prepend, entry)

    def register_full_backward_pre_hook(self, hook: Callable,
                                        prepend: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients w.r.t. the outputs are known.

        Args:
            hook: gets one entry per output (None for non-Tensors and unused outputs) and
                may return a tuple of the same length to use instead.
            prepend: run it before the backward pre-hooks already registered.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Example:
            >>> from bricks import nn, ones
            >>> layer, x = nn.ReLU(), ones(2, requires_grad=True)
            >>> _ = layer.register_full_backward_pre_hook(lambda m, grads: (grads[0] * 3,))
            >>> layer(x).sum().backward()
            >>> x.grad
            tensor([3., 3.])
        """
        return _hooks.add(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable,
                                    prepend: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once per backward through each call.

        Args:
            hook: gets the gradients w.r.t. the positional inputs (zeros for a Tensor that
                needs none, None for non-Tensors) and the outputs; may return a tuple that
                replaces ``grad_input``. When no input requires grad, it fires with the
                output gradients and must return None.
            prepend: run it before the backward hooks already registered.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Raises:
            RuntimeError: if the module already has ``register_backward_hook`` hooks.

        Example:
            >>> from bricks import nn, ones
            >>> layer = nn.Linear(3, 1)
            >>> handle = layer.register_full_backward_hook(
            ...     lambda module, grad_input, grad_output: print(grad_input[0].shape))
            >>> layer(ones(2, 3, requires_grad=True)).sum().backward()
            bricks.Size([2, 3])
            >>> handle.remove()
        """
        return _hooks.add_backward_hook(self, hook, prepend, full=True)

    def register_backward_hook(self, hook: Callable) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)``, old style; prefer the full hook.

        The gradients are w.r.t. the positional inputs (None where there is none) and the
        outputs: PyTorch's values when forward is one op on its inputs (ReLU, as in guided
        backprop). Otherwise PyTorch passes its last op's gradients, parameters included, and
        warns; bricks warns the same (FutureWarning) for a layer with parameters.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Raises:
            RuntimeError: if the module already has full backward hooks.
        """
        return _hooks.add_backward_hook(self, hook, False, full=False)

    # ----- Gluon-style parameter management (see _initialize.py) -----
    def initialize(self, init: Any = None, *, select: str | None = None,
                   force_reinit: bool = False) -> Self:
        """Initialize parameters with an initializer object, as Gluon's ``initialize``.

        Args:
            init: a ``bricks.nn.init`` initializer (``Normal(0.01)``, ``XavierUniform()``)
                or any callable ``init(tensor)``; None re-runs each layer's default
                ``reset_parameters()``.
            select: a regular expression; only parameters whose dotted name matches
                (``re.search``) are initialized.
            force_reinit: re-initialize parameters an earlier ``initialize`` already set.
                Without it they are left alone, with one warning.

        Uninitialized (lazy) parameters record the initializer and get it at the first
        forward pass, once their shape is known. Returns ``self``.
        """
        _initialize.initialize(self, init, select, force_reinit)
        return self

    def collect_params(self, select: str | None = None) -> Any:
        """A ``ParameterDict`` of the parameters whose dotted names match ``select``.

        The dict shares the Parameter objects: ``collect_params('.*weight').initialize(...)``,
        ``.requires_grad_(False)`` and ``.zero_grad()`` act on the model; pass
        ``.parameters()`` (or the dict itself) to an optimizer.
        """
        return _initialize.collect_params(self, select)

    # ----- printing (see _repr.py) -----
    def extra_repr(self) -> str:
        """The configuration printed inside this module's parentheses; layers override it."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return _repr.module_repr(self)

    def __deepcopy__(self, memo: dict) -> Module:
        """A deep copy with fresh arrays; ties inside the copy are kept (one memo)."""
        import copy

        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            clone.__dict__[key] = copy.deepcopy(value, memo)
        return clone

    def __reduce_ex__(self, protocol: Any) -> Any:
        from multiprocessing import context

        if context.get_spawning_popen() is not None:
            # Sent, in memory, to a child process being started (spawn, forkserver), as
            # torch's Hogwild examples do: as any object, its parameters by the tensor
            # reducer of bricks.multiprocessing (shared memory after share_memory()).
            return object.__reduce_ex__(self, protocol)
        raise TypeError("bricks never pickles modules: save model.state_dict() with "
                        "bricks.save (safetensors)")


def _parameters_of(module: Module) -> dict:
    return module._parameters


def _buffers_of(module: Module) -> dict:
    return module._buffers



def _forget(state: dict, name: str, keep: str) -> None:
    """Remove ``name`` from the other registries before it is registered as ``keep``.

    The ``keep`` registry is left alone so that a replaced member keeps its position.
    """
    state.pop(name, None)
    for registry in ("_parameters", "_buffers", "_modules"):
        if registry != keep:
            state.get(registry, {}).pop(name, None)
    if keep != "_buffers":
        state.get("_non_persistent_buffers_set", set()).discard(name)


class _Members(dict):
    """A module's ``_parameters`` or ``_modules``: every change bumps ``_STRUCTURE``.

    ``parameters()`` keeps its result while ``_STRUCTURE`` stands still, so each way of
    changing the dict (subclasses such as the seeds' ``MySequential`` fill it directly)
    goes through here.
    """

    __slots__ = ()

    # Each change bumps the counter after it is made, so that a listing built in between
    # (another thread) carries the old count and is rebuilt at its next use.
    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self, key, value)
        _STRUCTURE[0] += 1

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        _STRUCTURE[0] += 1

    def __ior__(self, other: Any) -> _Members:  # type: ignore[misc]  # |= keeps the class, | not
        dict.__ior__(self, other)
        _STRUCTURE[0] += 1
        return self

    # A decorator for the class body (deleted below), so it takes no self: mypy's [misc].
    def _changing(method: Callable) -> Callable:  # type: ignore[misc]  # noqa: N805
        def changed(self: _Members, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            finally:
                _STRUCTURE[0] += 1

        changed.__name__ = method.__name__
        return changed

    pop = _changing(dict.pop)
    popitem = _changing(dict.popitem)
    clear = _changing(dict.clear)
    update = _changing(dict.update)
    setdefault = _changing(dict.setdefault)
    del _changing


# How many times any module's registry has changed; parameter listings cache against it.
_STRUCTURE = [0]
_MEMBER_REGISTRIES = ("_parameters", "_modules")


def _list_parameters(module: Module) -> tuple[int, list[Parameter]]:
    """``(_STRUCTURE, parameters)`` for ``module``'s tree, cached on it when it may be."""
    version = _STRUCTURE[0]
    owners = [owner for _, owner in module.named_modules()]
    result = (version, _unique_parameters(owners))
    if all(type(owner.__dict__.get(name)) is _Members
           for owner in owners for name in _MEMBER_REGISTRIES):
        module.__dict__["_parameters_cache"] = result
    return result


def _unique_parameters(owners: list[Module]) -> list[Parameter]:
    found: dict[int, Parameter] = {}
    for owner in owners:
        for param in owner._parameters.values():
            if param is not None:
                found.setdefault(id(param), param)
    return list(found.values())


def _walk(module: Module, memo: set | None, prefix: str, remove_duplicate: bool,
          postorder: bool) -> Iterator[tuple[str, Module]]:
    """The one traversal: ``(dotted_name, module)`` pairs, pre- or post-order.

    Collected eagerly into a list (plain recursion is ~3x faster than nested generators,
    and a caller may then change the tree while iterating).
    """
    found: list[tuple[str, Module]] = []
    _collect(module, set() if memo is None else memo, prefix, remove_duplicate, postorder,
             found)
    return iter(found)


def _collect(module: Module, memo: set, prefix: str, remove_duplicate: bool, postorder: bool,
             found: list) -> None:
    if remove_duplicate:
        if module in memo:
            return
        memo.add(module)
    if not postorder:
        found.append((prefix, module))
    for name, child in module._modules.items():
        if child is not None:
            child_prefix = prefix + "." + name if prefix else name
            _collect(child, memo, child_prefix, remove_duplicate, postorder, found)
    if postorder:
        found.append((prefix, module))
