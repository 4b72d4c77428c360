"""User-defined differentiable functions in PyTorch's style: ``forward(ctx, ...)`` and
``backward(ctx, ...)`` as static methods of a ``bricks.autograd.Function`` subclass.

``Function.__init_subclass__`` sends such a subclass here: it gets the ``apply`` below and a
node class, ``<Name>Backward``, whose instance is both the ``ctx`` that ``forward`` fills
(``save_for_backward``, ``mark_dirty``, ``mark_non_differentiable``, ``needs_input_grad``,
any attribute) and the ``grad_fn`` of the outputs. The engine calls the node's ``backward``
with gradient arrays; the node calls the user's ``backward`` with Tensors. Gradients are
first order, as everywhere in bricks.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .._device import array_module
from .._tensor import Tensor, bump_version, version_counter, wrap
from .function import Function
from .grad_mode import GRAD_ENABLED, no_grad

__all__ = ["FunctionCtx", "once_differentiable", "make_custom"]

_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the "
          "graph are freed when you call .backward() or autograd.grad(). Specify "
          "retain_graph=True if you need to backward through the graph a second time or if "
          "you need to access saved tensors after calling backward.")


def once_differentiable(fn: Callable) -> Callable:
    """Mark a ``backward`` as not differentiable itself: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            return fn(ctx, *args)
    return wrapper


class FunctionCtx:
    """What ``forward`` may call on ``ctx`` (PyTorch's names)."""

    needs_input_grad: tuple[bool, ...]
    _saved: tuple = ()
    _dirty: tuple = ()
    _non_differentiable: tuple = ()
    materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for ``backward``; changing one in place before then is an error."""
        self._saved = tuple((t, None if t is None else version_counter(t)[0])
                            for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``.

        Raises:
            RuntimeError: after backward freed them, or if one was modified in place.
        """
        if getattr(self, "freed", False):
            raise RuntimeError(_FREED)
        for t, version in self._saved:
            if t is not None and version_counter(t)[0] != version:
                raise RuntimeError("one of the variables needed for gradient computation has "
                                   "been modified by an inplace operation: it is at version "
                                   f"{version_counter(t)[0]}; expected version {version} "
                                   "instead.")
        return tuple(t for t, _ in self._saved)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that have no gradient (indices, masks)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True) or None for outputs that got no gradient."""
        self.materialize_grads = value


class _Slots:
    """The gradients of several outputs on their way to one node: merged by ``+``."""

    def __init__(self, parts: dict[int, Any]) -> None:
        self.parts = parts

    def __add__(self, other: _Slots) -> _Slots:
        parts = dict(self.parts)
        for i, g in other.parts.items():
            parts[i] = g if i not in parts else parts[i] + g
        return _Slots(parts)

    def copy(self) -> _Slots:
        return _Slots(dict(self.parts))


class _OutputSlot(Function):
    """The node of output ``index`` of a node with several differentiable outputs."""

    complex_grad = True  # it passes gradients on as they are

    def __init__(self, node: Function, index: int) -> None:
        self.parents = (node,)
        self.needs_input_grad = (True,)
        self.index = index
        self.torch_name = node.name()

    def backward(self, gy: Any) -> Any:
        return (_Slots({self.index: gy}),)


class CustomNode(FunctionCtx, Function):
    """The ``grad_fn`` (and ``ctx``) of a user-defined Function's outputs."""

    _forward_cls: Any  # the user's Function subclass
    _input_shapes: list[tuple | None] = []
    _outputs: tuple = ()  # (shape, dtype) of each output, (None, None) for a non-tensor
    _differentiable: tuple = ()  # the indices of the outputs that carry gradient
    complex_grad = True  # the user's backward decides what a complex gradient means

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.saves_anything = True  # so that the engine frees it after backward, as torch

    def name(self) -> str:
        return f"{self._forward_cls.__name__}Backward"

    def backward(self, gy: Any) -> Any:  # the engine's entry: arrays in, arrays out
        parts = gy.parts if isinstance(gy, _Slots) else {self._differentiable[0]: gy}
        grads: list[Tensor | None] = []  # one per output, as torch passes them
        for index, (shape, dtype) in enumerate(self._outputs):
            g = parts.get(index)
            if g is None and self.materialize_grads and shape is not None:
                grads.append(Tensor._wrap(_zeros(shape, dtype, next(iter(parts.values()), None))))
            else:
                grads.append(None if g is None else wrap(g))
        with no_grad():
            result = self._forward_cls.backward(self, *grads)
        return _check_grads(self, result)


def _zeros(shape: tuple, dtype: Any, like: Any) -> Any:
    """Zeros on the device of ``like`` (another output's gradient)."""
    return array_module(like).zeros(shape, dtype)


def _check_grads(node: CustomNode, result: Any) -> tuple:
    result = result if isinstance(result, tuple) else (result,)
    expected = len(node.parents)
    if len(result) != expected:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {expected}, got {len(result)})")
    arrays: list[Any] = []
    for i, (g, parent) in enumerate(zip(result, node.parents)):
        if g is None or parent is None:
            arrays.append(None)
            continue
        value = g._value if isinstance(g, Tensor) else g
        shape = node._input_shapes[i]
        if tuple(value.shape) != shape:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index "
                               f"{i} - got {list(value.shape)} but expected shape compatible "
                               f"with {list(shape or ())}")
        arrays.append(value)
    return tuple(arrays)


def make_custom(cls: type) -> None:
    """Give a PyTorch-style Function subclass its node class and ``apply``."""
    cls._backward_cls = type(f"{cls.__name__}Backward", (CustomNode,),  # type: ignore[attr-defined]
                             {"_forward_cls": cls, "__module__": cls.__module__})
    cls.apply = classmethod(_apply)  # type: ignore[attr-defined]


def _apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``cls.forward`` without recording, then make one node for its outputs."""
    node = cls._backward_cls()
    node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    parents = tuple((a.grad_fn or a) if needs else None
                    for a, needs in zip(args, node.needs_input_grad))
    with no_grad():
        if _has_setup_context(cls):
            output = cls.forward(*args, **kwargs)
            cls.setup_context(node, args, output)
        else:
            output = cls.forward(node, *args, **kwargs)
    record = GRAD_ENABLED[0] and any(node.needs_input_grad)
    outputs = output if isinstance(output, tuple) else (output,)
    outputs = tuple(_own(out, args, node) for out in outputs)
    if record:
        _connect(node, args, parents, outputs)
    return outputs if isinstance(output, tuple) else outputs[0]


def _has_setup_context(cls: type) -> bool:
    return any("setup_context" in k.__dict__ for k in cls.__mro__ if k is not Function)


def _own(out: Any, args: tuple, node: CustomNode) -> Any:
    """An output as torch gives it: a returned input that was not modified becomes a new
    tensor sharing its memory; a modified one (``mark_dirty``) is counted as changed."""
    if not isinstance(out, Tensor):
        return out
    if any(out is d for d in node._dirty):
        bump_version(out)
        return out
    if any(out is a for a in args):
        alias = wrap(out._value)
        alias._counter = version_counter(out)
        return alias
    return out


def _connect(node: CustomNode, args: tuple, parents: tuple, outputs: tuple) -> None:
    node.parents = parents
    node._input_shapes = [tuple(a._value.shape) if isinstance(a, Tensor) else None
                          for a in args]
    differentiable = [(i, out) for i, out in enumerate(outputs) if isinstance(out, Tensor)
                      and out._value.dtype.kind in "fc"
                      and not any(out is n for n in node._non_differentiable)]
    node._outputs = tuple((tuple(out._value.shape), out._value.dtype)
                          if isinstance(out, Tensor) else (None, None) for out in outputs)
    node._differentiable = tuple(i for i, _ in differentiable)
    for i, out in differentiable:
        if out.grad_fn is None and out.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an "
                               "in-place operation.")
        out.requires_grad = True
        out.grad_fn = node if len(differentiable) == 1 else _OutputSlot(node, i)
