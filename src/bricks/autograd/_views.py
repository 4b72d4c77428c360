"""In-place changes through views: PyTorch's ``CopySlices`` and the view's new node.

A view (``Function.is_view``: basic indexing, ``view``/``reshape``, ``transpose``, ...) knows
its root base and the chain of view steps from it (``Tensor._view``, set by ``link_view``).
When an in-place op writes through a view that takes part in a graph, the out-of-place op is
recorded on the view's old value (node ``fn``), and then, as in PyTorch:

- the root base's ``grad_fn`` becomes ``CopySlices``: the part of the base's gradient outside
  the view passes unchanged to the base's old node; the part inside goes through ``fn``'s
  backward, whose gradient for the old value goes back into that part, and whose gradients
  for the other operands go to them;
- the view, and every live view of the same base listed on it, get a new ``grad_fn``
  (``AsStridedBackward0``): the chain of view steps applied to the base's new node.

An in-place change of the base itself gives its listed views new nodes too. Nothing here runs
unless an in-place op is recorded.

Views with a creation mark (made in ``no_grad`` mode, outputs of ``split``/``chunk``/``unbind``,
see ``link_view``) refuse recorded in-place changes with PyTorch's errors, and after a change of
their base they get a ``StaleView`` node that raises PyTorch's error when used.
"""

from __future__ import annotations

import re
from typing import Any

from .._device import array_module
from .function import Function
from .grad_mode import GRAD_ENABLED

__all__ = ["CopySlices", "check_inplace_view", "mark_outputs", "rebase"]

_TAILS = {
    "no_grad": " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
               "clarify your code by moving both the view and the inplace either both inside the "
               "no_grad block (if you don't want the inplace to be tracked) or both outside (if "
               "you want the inplace to be tracked).",
    "multi": " This view is the output of a function that returns multiple views. Such functions "
             "do not allow the output views to be modified inplace. You should replace the "
             "inplace operation by an out-of-place one.",
}


def check_inplace_view(self: Any, other_needs_grad: bool, step: Function | None = None) -> None:
    """Refuse, as PyTorch, an in-place change in grad mode of a view with a creation mark (made
    in ``no_grad`` mode, or an output of ``split``, ``chunk``, ``unbind``...), when its base or
    the other operand requires grad (it would be recorded). ``step``: the view step that
    ``x[key] = value`` takes first (PyTorch writes into ``x[key]``, whose node it names)."""
    info = self._view
    if type(info) is tuple and info[3] is not None and (other_needs_grad
                                                        or info[0].requires_grad):
        if type(self.grad_fn) is StaleView:  # PyTorch asks for the node first
            raise RuntimeError(self.grad_fn.message)
        raise RuntimeError(_refusal(self, info, "is being", step))


def _refusal(view: Any, info: tuple, modified: str, step: Function | None = None) -> str:
    """PyTorch's words for a view with a creation mark changed in place (``modified``: "is
    being" for the view itself, else what changed), naming the view's node when it has one."""
    kind, output = info[3]
    if info[2] or step is not None and info[0].requires_grad:  # PyTorch's view has a node
        if step is not None:
            node, output = step.name(), 0
        else:
            node = (view.grad_fn if view.grad_fn is not None else info[1][-1]).name()
        node = re.sub(r"Backward\d*$", "", node)
        if kind == "multi":
            text = f"Output {output} of {node} is a view and {modified} modified inplace."
        else:
            text = (f"Output {output} of {node} is a view of a view which was created in no_grad "
                    f"mode and {modified} modified inplace with grad mode enabled.")
    else:
        text = (f"A view was created in no_grad mode and {modified} modified inplace with grad "
                "mode enabled.")
    return text + _TAILS[kind]


def mark_outputs(views: Any, name: str) -> Any:
    """Mark the views a function returns together (``split``, ``unbind``...) as PyTorch does:
    none of them may then be changed in place in a graph. Their step (and node, when
    recorded) takes the function's node ``name``; returns ``views``."""
    for i, view in enumerate(views):
        info = view._view
        info[1][-1].torch_name = name
        if GRAD_ENABLED.enabled:
            view._view = info[:3] + (("multi", i),) + info[4:]
    return views


def operand(self: Any) -> Any:
    """What the out-of-place op of an in-place change reads as its first input: ``self``
    itself, or for a view, an alias cut from the graph (``CopySlices`` routes its gradient)."""
    info = self._view
    if type(info) is not tuple:
        return self
    alias = type(self)._wrap(self._value)
    alias.requires_grad = info[0].requires_grad
    return alias


def rebase(self: Any, fn: Function | None, requires_grad: bool) -> None:
    """Rewire the graph after an in-place op wrote into ``self``; ``fn`` is the node of the
    out-of-place op (recorded on ``operand(self)``), ``requires_grad`` its result's flag."""
    info = self._view
    if type(info) is not tuple:
        self.grad_fn, self.requires_grad = fn, requires_grad
        if info:  # the views of this base see the new values: new nodes for them
            _refresh(self, info, None)
        return
    root, chain = info[0], info[1]
    needs_root = root.requires_grad
    saving = fn is not None and type(fn).saves_anything
    node = _CopySlicesSaving() if saving else CopySlices()
    node.fn, node.chain = fn, chain
    rest_parents = fn.parents[1:] if fn is not None else ()
    rest_needs = fn.needs_input_grad[1:] if fn is not None else ()
    node.parents = ((root.grad_fn or root) if needs_root else None,) + tuple(rest_parents)
    node.needs_input_grad = (needs_root,) + tuple(rest_needs)
    if fn is not None:
        node.saved_versions = fn.saved_versions
        fn.parents = (None,) + tuple(rest_parents)  # the alias: CopySlices routes its gradient
    root.grad_fn, root.requires_grad = node, True
    _view_node(self, root, chain)
    views = root._view
    if views:
        _refresh(root, views, self)


def _refresh(root: Any, views: list, done: Any) -> None:
    live = []
    for ref in views:
        view = ref()
        if view is None:
            continue
        live.append(ref)
        info = view._view
        if view is not done and type(info) is tuple and info[0] is root:
            if info[3] is not None and root.requires_grad:
                _stale_node(view, root, info)
            else:
                _view_node(view, root, info[1])
    views[:] = live


def _view_node(view: Any, root: Any, chain: tuple) -> None:
    if not root.requires_grad:
        view.grad_fn, view.requires_grad = None, False
        return
    node = AsStridedView()
    node.chain = chain
    node.parents = (root.grad_fn or root,)
    node.needs_input_grad = (True,)
    view.grad_fn, view.requires_grad = node, True


def _stale_node(view: Any, root: Any, info: tuple) -> None:
    # PyTorch refuses to use such a view in a graph again once its base changed in place.
    old = view.grad_fn
    if type(old) is StaleView:
        return
    node = StaleView()
    node.torch_name = old.name() if old is not None else "AsStridedBackward0"
    node.message = _refusal(view, info, "its base or another view of its base has been")
    node.parents = (root.grad_fn or root,)
    node.needs_input_grad = (True,)
    view.grad_fn, view.requires_grad = node, True


class StaleView(Function):
    """The node of a marked view (see ``link_view``) after its base changed in place. PyTorch
    raises when such a view's node is asked for; here, when an op records it as a parent
    (``t.grad_fn or t`` asks for its truth: a free check on the hot path), and in backward."""

    is_view = True
    message: str

    def __bool__(self) -> bool:
        raise RuntimeError(self.message)

    def backward(self, gy):
        raise RuntimeError(self.message)


class AsStridedView(Function):
    """The node of a view after an in-place change of its base: the view steps' backward."""

    is_view = True
    torch_name = "AsStridedBackward0"
    chain: tuple  # the view steps from the base

    def backward(self, gy):
        for step in reversed(self.chain):
            gy = step.backward(gy)
        return gy


class CopySlices(Function):
    """The root base's node after an in-place op through a view (PyTorch's ``CopySlices``)."""

    torch_name = "CopySlices"
    fn: Function | None  # the in-place op's out-of-place node, recorded on the view
    chain: tuple  # the view steps from the base to the view

    def backward(self, gy):
        g = gy.copy()  # C-contiguous and owned: the view steps give a view into it
        part = _replay(self.chain, g)
        fn = self.fn
        grads = fn.backward(part.copy()) if fn is not None else (None,)
        if type(grads) is not tuple:
            grads = (grads,)
        if not self.needs_input_grad[0]:
            return (None,) + grads[1:]
        first = grads[0]
        value = 0 if first is None else first
        if _owner(part) is g:
            part[...] = value
        else:  # a step copied (a reshape of an unusual layout): write through positions
            module = array_module(g)
            where = _replay(self.chain, module.arange(g.size).reshape(g.shape))
            g.reshape(-1)[where] = value
        return (g,) + grads[1:]


class _CopySlicesSaving(CopySlices):
    """``CopySlices`` over an op that saved values: freed after backward, as that op is."""

    saves_output = True


def _replay(chain: tuple, x: Any) -> Any:
    for step in chain:
        x = step.view_again(x)
    return x


def _owner(x: Any) -> Any:
    while x.base is not None:
        x = x.base
    return x
