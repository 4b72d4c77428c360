"""Module backward hooks: identity nodes around a hooked call's inputs and outputs.

As PyTorch's ``BackwardHook``: when a module has backward hooks, the tensors going into and
coming out of each call pass through an identity node, so that the gradients w.r.t. all the
outputs, and later w.r.t. all the inputs, arrive in one place, where the hooks run.

A node of the graph has one output, so the identity for n tensors is n ``_Pass`` nodes above
one shared ``_Join`` node. Each ``_Pass`` keeps its tensor's gradient in a slot and sends a
zero scalar down; the engine runs ``_Join`` after every ``_Pass`` that got a gradient (it is
their parent), and ``_Join.backward`` reads the slots, runs the hooks and hands the gradients
on to the original tensors. The engine needs no change.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from .._device import array_module
from .._tensor import Tensor, version_counter
from ..autograd import Function, is_grad_enabled

__all__ = ["BackwardCall"]

_NO_INPUT_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


class _Join(Function):
    """The one node below a group of ``_Pass`` nodes: runs ``on_backward`` once per backward."""

    def forward(self, *arrays: Any, on_backward: Callable[[], tuple]) -> Any:
        self.on_backward = on_backward
        return array_module(arrays[0] if arrays else None).zeros(())

    def backward(self, gy: Any) -> tuple:
        return self.on_backward()


class _Pass(Function):
    """One wrapped tensor: its array passes unchanged (a view); its gradient goes to a slot."""

    torch_name = "BackwardHookFunctionBackward"

    def forward(self, joined: Any, value: Any, slots: list, index: int) -> Any:
        self.slots, self.index = slots, index
        return value

    def backward(self, gy: Any) -> Any:
        self.slots[self.index] = gy
        return array_module(gy).zeros(())


def _route(tensors: list[Tensor], on_backward: Callable[[], tuple]) -> tuple[list, list]:
    """Pass ``tensors`` through one identity node; return the new tensors and their slots."""
    slots: list = [None] * len(tensors)
    joined = _Join.apply(*tensors, on_backward=on_backward)
    routed = []
    for index, tensor in enumerate(tensors):
        out = _Pass.apply(joined, value=tensor._value, slots=slots, index=index)
        out._counter = version_counter(tensor)  # a view: an in-place change is seen through both
        routed.append(out)
    return routed, slots


def _tensor_or_none(g: Any) -> Tensor | None:
    return None if g is None else Tensor._wrap(g)


def _array_or_none(g: Any) -> Any:
    return g._value if isinstance(g, Tensor) else g


def _check_like(hook: Callable, new: tuple, old: tuple) -> None:
    """Refuse replacement gradients whose shape or dtype differ, with PyTorch's message."""
    name = getattr(hook, "__name__", type(hook).__name__)
    for g_new, g_old in zip(new, old):
        if g_new is None or g_old is None:
            continue
        if tuple(g_new.shape) != tuple(g_old.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if g_new.dtype != g_old.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"{g_old.dtype} got {g_new.dtype})")


class BackwardCall:
    """One call of a module with backward hooks: routes its tensors and runs the hooks.

    Args:
        module: the module called.
        hooks: ``hook(module, grad_input, grad_output)`` callables, run once the gradients
            w.r.t. the inputs are known.
        pre_hooks: ``hook(module, grad_output)`` callables, run once the gradients w.r.t.
            the outputs are known.
        full: whether ``hooks`` are full backward hooks (a tensor input that needs no
            gradient gets zeros in ``grad_input``, as PyTorch's) or old-style ones (None).
    """

    def __init__(self, module: Any, hooks: list, pre_hooks: list, full: bool) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.full = full
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.input_index: list[int] | None = None  # positions routed; None: no input needs grad
        self.input_specs: dict[int, tuple] = {}  # position -> (shape, dtype, array module)
        self.input_slots: list = []
        self.n_outputs = 0
        self.output_index: list[int] = []
        self.output_slots: list = []

    def setup_inputs(self, args: tuple) -> tuple:
        """Route the positional tensor inputs that require grad; return the new ``args``."""
        self.n_inputs = len(args)
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not index or not is_grad_enabled():
            return args
        self.input_specs = {i: (a._value.shape, a._value.dtype, array_module(a._value))
                            for i, a in enumerate(args) if isinstance(a, Tensor)}
        routed, self.input_slots = _route([args[i] for i in index], self._inputs_backward)
        self.input_index = index
        new_args = list(args)
        for i, tensor in zip(index, routed):
            new_args[i] = tensor
        return tuple(new_args)

    def setup_outputs(self, result: Any) -> Any:
        """Route the output tensors that require grad; return the result, same structure."""
        outputs = result if isinstance(result, tuple) else (result,)
        self.n_outputs = len(outputs)
        index = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        if not index or not is_grad_enabled():
            return result
        routed, self.output_slots = _route([outputs[i] for i in index], self._outputs_backward)
        self.output_index = index
        new_outputs = list(outputs)
        for i, tensor in zip(index, routed):
            new_outputs[i] = tensor
        if not isinstance(result, tuple):
            return new_outputs[0]
        return tuple(new_outputs) if type(result) is tuple else type(result)(*new_outputs)

    def _outputs_backward(self) -> tuple:
        grads = self.output_slots[:]
        self.output_slots[:] = [None] * len(grads)
        packed: list = [None] * self.n_outputs
        for i, g in zip(self.output_index, grads):
            packed[i] = _tensor_or_none(g)
        grad_outputs = tuple(packed)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(result)}, but expected {len(grad_outputs)}")
            _check_like(hook, result, grad_outputs)
            grad_outputs = tuple(result)
        self.grad_outputs = grad_outputs
        if self.input_index is None:
            self._run_without_input_grad()
        return tuple(_array_or_none(grad_outputs[i]) for i in self.output_index)

    def _run_without_input_grad(self) -> None:
        # No input needs a gradient, so the hooks fire now, with None for every grad_input.
        if self.full or self.pre_hooks:
            warnings.warn(_NO_INPUT_GRAD, stacklevel=2)
        grad_input = (None,) * self.n_inputs
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None and not all(g is None for g in result):
                raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                   "should always return None or None for all gradients.")
        self.grad_outputs = None

    def _inputs_backward(self) -> tuple:
        grads = self.input_slots[:]
        self.input_slots[:] = [None] * len(grads)
        assert self.input_index is not None  # this node exists only for routed inputs
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing the outputs: no hook runs.
            return tuple(grads)
        if not self.hooks:
            self.grad_outputs = None
            return tuple(grads)
        grad_input = tuple(self._pack_inputs(grads))
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_input):
                raise RuntimeError(self._count_error(hook, len(result), len(grad_input)))
            _check_like(hook, result, grad_input)
            grad_input = tuple(result)
        self.grad_outputs = None
        return tuple(_array_or_none(grad_input[i]) for i in self.input_index)

    def _pack_inputs(self, grads: list) -> list:
        """One entry per positional argument, as PyTorch's grad_input."""
        assert self.input_index is not None
        packed: list = [None] * self.n_inputs
        for i, g in zip(self.input_index, grads):
            packed[i] = g
        if self.full:
            # PyTorch's identity node hands zeros to a tensor input no gradient reached.
            for i, (shape, dtype, module) in self.input_specs.items():
                if packed[i] is None:
                    packed[i] = module.zeros(shape, dtype=dtype)
        return [_tensor_or_none(g) for g in packed]

    def _count_error(self, hook: Callable, got: int, expected: int) -> str:
        if self.full:
            return (f"Backward hook returned an invalid number of grad_input, got {got}, but "
                    f"expected {expected}")
        name = getattr(hook, "__name__", type(hook).__name__)
        return (f"hook '{name}' has returned an incorrect number of values (got {got}, but "
                f"expected {expected})")
