"""The backward engine: walks the graph from an output in reverse topological order.

Gradients are plain arrays while they flow. A node's incoming gradients are summed; a leaf
gets its first gradient assigned (copied only when the array may be shared) and later ones
added in place.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Sequence

from .._device import array_module, xp
from .._quiet import quiet
from .._tensor import Tensor as _TensorType
from .._tensor import wrap as _wrap
from . import anomaly
from .anomaly import ANOMALY
from .function import Function, inherits_grad

__all__ = ["backward", "grad", "run_backward", "queue_callback"]

_ndarray = xp.ndarray

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from ``roots``, each after every node that feeds gradient into it."""
    order: list[Function] = []
    seen: set[Function] = set()  # nodes hash by identity
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen and isinstance(parent, Function):
                    seen.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def complex_grad_missing(node: Any) -> NotImplementedError:
    """The error for a complex gradient reaching a node whose backward does not follow torch's
    complex convention (``Function.complex_grad`` is False); the engine and bricks.compile's
    capture both raise it."""
    return NotImplementedError(f"bricks: the gradient of {node.name()} for complex tensors "
                               "is not implemented")


def _raise_modified(node: Function, current: int, saved: int) -> None:
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: output of {node.name()} is at version {current}; "
        f"expected version {saved} instead. Hint: replace the in-place operation "
        "(such as +=, add_ or x[i] = ...) by its out-of-place form."
    )


def run_backward(roots: Sequence[Function], root_grads: Sequence[Any], retain_graph: bool,
                 leaves: dict[int, Any] | None = None) -> None:
    """Propagate ``root_grads`` from ``roots``; accumulate into leaves (or into ``leaves``).

    Then run the callbacks that ``queue_callback`` queued during this backward, in order.
    """
    stack = _callback_stack()
    callbacks: list[Callable[[], None]] = []
    stack.append(callbacks)
    try:
        # NumPy's floating-point warnings are silenced for the whole pass, as PyTorch is silent.
        with quiet():
            _propagate(roots, root_grads, retain_graph, leaves)
        i = 0
        while i < len(callbacks):  # a callback may queue another
            callbacks[i]()
            i += 1
    finally:
        stack.pop()


def _propagate(roots: Sequence[Function], root_grads: Sequence[Any], retain_graph: bool,
               leaves: dict[int, Any] | None) -> None:
    pending: dict[Function, Any] = {}
    for node, g in zip(roots, root_grads):
        previous = pending.get(node)
        pending[node] = g if previous is None else _sum(previous, g)
    # Arrays pass from node to node uncopied, and a leaf keeps its first gradient array as
    # ``.grad`` and adds later ones into it in place. So a leaf may keep only an array nobody
    # else holds: ``owned`` has the arrays leaves keep, ``shared`` those that went to a node or
    # a hook; each side copies what the other holds. Both map id to the array itself, which
    # keeps it alive for the walk: the id of a freed array is reused by the next allocation,
    # and a set of bare ids made the engine copy gradients that nobody else held.
    owned: dict[int, Any] = {}
    shared: dict[int, Any] = {}
    order = _topological_order(roots)
    # Post-accumulate-grad hooks (see ``add_post_accumulate_grad_hook``): nothing when none.
    countdown = _hooked_edges(order) if _post_hooks and leaves is None else None
    for node in order:
        gy = pending.pop(node, None)
        if gy is None:
            continue
        grads = _node_backward(node, gy, shared)
        if type(grads) is not tuple:
            grads = (grads,)
        if ANOMALY[0]:
            anomaly.check(node, grads)
        for parent, g in zip(node.parents, grads):
            if parent is None or g is None:
                continue
            if isinstance(parent, Function):
                previous = pending.get(parent)
                if previous is not None:
                    pending[parent] = _sum(previous, g)
                    continue
                if id(g) in owned:
                    g = _copy(g)
                shared[id(g)] = g
                pending[parent] = g
            else:
                view = parent._view  # ``inherits_grad``, inline: a view made in no_grad mode
                if type(view) is tuple and view[4]:  # has no accumulator, as in torch
                    continue
                _accumulate_leaf(parent, g, owned, shared, leaves)
                if countdown is not None:
                    countdown.arrived(parent)
        if not retain_graph:
            _free(node)
    if countdown is not None:
        countdown.finish()


# The walk's array operations, by name: bricks.compile's capture (_compile/_capture.py) stands
# in for these three, ``_accumulate_leaf`` and ``_free`` to record what the walk does.
def _node_backward(node: Function, gy: Any, shared: dict[int, Any]) -> Any:
    """``node``'s backward of its summed gradient ``gy``: its hooks first, then the checks."""
    if node.hooks:
        gy = _run_hooks(node.hooks, gy, shared)
    if node.freed:
        raise RuntimeError(_FREED)
    for counter, version in node.saved_versions:
        if counter[0] != version:
            _raise_modified(node, counter[0], version)
    if not node.complex_grad and gy.dtype.kind == "c":
        raise complex_grad_missing(node)
    return node.backward(gy)


def _sum(previous: Any, g: Any) -> Any:
    return previous + g


def _copy(g: Any) -> Any:
    return g.copy()


def _run_hooks(hooks: list, gy: Any, shared: dict[int, Any]) -> Any:
    # A hook may keep the tensor it is given or return one it keeps: both count as shared.
    for hook in hooks:
        shared[id(gy)] = gy
        result = hook(_wrap(gy))
        if result is not None:
            gy = result._value
    shared[id(gy)] = gy
    return gy


def _accumulate_leaf(leaf: Any, g: Any, owned: dict[int, Any], shared: dict[int, Any],
                     leaves: dict[int, Any] | None) -> None:
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g, shared)
    if leaves is not None:
        if id(leaf) in leaves:
            previous = leaves[id(leaf)]
            leaves[id(leaf)] = g if previous is None else previous + g
        return
    grad = leaf.grad
    if grad is not None:
        grad._value += g
        return
    # Assign instead of zeros-then-add; copy (or cast) only what someone else may hold.
    key = id(g)
    dtype = leaf._value.dtype
    if (key in owned or key in shared or g.base is not None
            or not getattr(g.flags, "writeable", True)  # CuPy's flags have no writeable
            or g.dtype != dtype):
        g = g.astype(dtype)
    owned[id(g)] = g
    leaf.grad = _wrap(g)


# ----- hooks after a leaf's gradient is complete, callbacks at the end of backward -----
# Both exist for DistributedDataParallel: it starts reducing a bucket of gradients as soon as
# every gradient in it is final, and waits for the reductions when backward ends.

_post_hooks: dict[int, list] = {}  # id(leaf) -> its post-accumulate-grad hooks
_local = threading.local()


def _callback_stack() -> list:
    stack = getattr(_local, "callbacks", None)
    if stack is None:
        stack = _local.callbacks = []
    return stack


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` when the backward pass now running ends (after every leaf's grad).

    PyTorch's ``Variable._execution_engine.queue_callback``; call it from a hook.

    Raises:
        RuntimeError: outside a backward pass.
    """
    stack = _callback_stack()
    if not stack:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    stack[-1].append(callback)


class _PostHookHandle:
    """What ``register_post_accumulate_grad_hook`` returns: ``remove()`` takes the hook away."""

    def __init__(self, key: int, hook: Callable) -> None:
        self.key = key
        self.hook: Callable | None = hook

    def remove(self) -> None:
        hooks = _post_hooks.get(self.key)
        if hooks is not None and self.hook is not None and self.hook in hooks:
            hooks.remove(self.hook)
            if not hooks:
                del _post_hooks[self.key]
        self.hook = None  # release the function (and what its closure holds) now


def add_post_accumulate_grad_hook(tensor: Any, hook: Callable) -> _PostHookHandle:
    """Call ``hook(tensor)`` once per backward, after the leaf ``tensor``'s ``.grad`` is final.

    A leaf used several times (a tied weight) gets its hook once, after its last gradient.
    """
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    key = id(tensor)
    hooks = _post_hooks.get(key)
    if hooks is None:
        hooks = _post_hooks[key] = []
        # The entry goes with the tensor, so that a later object with the same id gets none.
        weakref.finalize(tensor, _post_hooks.pop, key, None)
    hooks.append(hook)
    return _PostHookHandle(key, hook)


def _fire_post_hooks(leaf: Any) -> None:
    for hook in list(_post_hooks.get(id(leaf), ())):
        hook(leaf)


class _Countdown:
    """Per hooked leaf, the graph edges into it whose gradient has not arrived yet."""

    def __init__(self, left: dict[int, int]) -> None:
        self.left = left
        self.waiting: dict[int, Any] = {}  # leaves that got a gradient, hooks not yet run

    def arrived(self, leaf: Any) -> None:
        key = id(leaf)
        left = self.left.get(key)
        if left is None:
            return
        if left > 1:
            self.left[key] = left - 1
            self.waiting[key] = leaf
            return
        self.left[key] = 0
        self.waiting.pop(key, None)
        _fire_post_hooks(leaf)

    def finish(self) -> None:
        # Edges that carried no gradient (a branch that needed none) never arrived.
        for leaf in list(self.waiting.values()):
            _fire_post_hooks(leaf)
        self.waiting.clear()


def _hooked_edges(order: list[Function]) -> _Countdown:
    left: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            key = id(parent)  # ids of live objects are distinct: no type test needed
            if key in _post_hooks:
                left[key] = left.get(key, 0) + 1
    return _Countdown(left)


def _free(node: Function) -> None:
    # Drop what backward saved, as PyTorch frees saved tensors. A node that declares no saved
    # input or output (add, sum, reshape, ...) keeps its few shapes and can run again.
    cls = type(node)
    if cls.saves_anything:
        if cls.release is not None:
            node.release()  # the node hands back scratch buffers only it could read
        state = node.__dict__
        name = state.get("torch_name") or (node._name() if cls.dynamic_name else None)
        state.clear()  # the name may be computed from the config that this drops: kept above
        node.freed = True
        if name is not None:
            node.torch_name = name


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Compute the gradients of ``tensors`` with respect to the graph leaves.

    Args:
        tensors: a Tensor or a sequence of Tensors to differentiate.
        grad_tensors: the gradient of each with respect to itself; may be omitted for scalars.
        retain_graph: keep the graph so that backward can run again through it.
        create_graph: not supported (first-order gradients only).
        inputs: not supported yet: gradients go to every leaf.

    Raises:
        RuntimeError: for a non-scalar without ``grad_tensors``, a tensor that does not
            require grad, or a graph already freed.
    """
    if create_graph:
        raise NotImplementedError("bricks computes first-order gradients only: create_graph=True "
                                  "(higher-order derivatives) is not supported")
    tensors = [tensors] if isinstance(tensors, _TensorType) else list(tensors)
    grads = _root_grads(tensors, grad_tensors)
    roots, root_grads = [], []
    for t, g in zip(tensors, grads):
        if t.grad_fn is None:
            with quiet():
                _accumulate_leaf(t, g, {}, {}, None)
            if id(t) in _post_hooks:
                _fire_post_hooks(t)
        else:
            roots.append(t.grad_fn)
            root_grads.append(g)
    if roots:
        run_backward(roots, root_grads, bool(retain_graph))


def _root_grads(tensors: list, grad_tensors: Any) -> list:
    if grad_tensors is None or isinstance(grad_tensors, _TensorType):
        grad_tensors = [grad_tensors] * len(tensors)
    result = []
    for t, g in zip(tensors, grad_tensors):
        if not t.requires_grad or inherits_grad(t):
            raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                               "grad_fn: call requires_grad_() on the leaf tensors first")
        if g is None:
            if t._value.dtype.kind == "c":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {t.dtype}")
            if t._value.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: got an output of "
                    f"shape {tuple(t.shape)}; pass gradient= with that shape to backward()")
            result.append(xp.ones_like(t._value))
        else:
            g = g._value if isinstance(g, _TensorType) else array_module(t._value).asarray(g)
            if g.shape != t._value.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{tuple(g.shape)} and output[0] has a shape of "
                                   f"{tuple(t.shape)}.")
            result.append(g.astype(t._value.dtype, copy=True))
    return result


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of stored.

    Args:
        outputs: a Tensor or sequence of Tensors.
        inputs: a Tensor or sequence of Tensors (leaves or intermediate results).
        grad_outputs: gradients of the outputs; may be omitted for scalars.
        retain_graph: keep the graph for another backward.
        create_graph: not supported.
        allow_unused: return None for an input the outputs do not depend on instead of raising.

    Returns:
        A tuple with one gradient Tensor (or None) per input.
    """
    if create_graph:
        raise NotImplementedError("bricks computes first-order gradients only: create_graph=True "
                                  "(higher-order derivatives) is not supported")
    outputs = [outputs] if isinstance(outputs, _TensorType) else list(outputs)
    inputs = [inputs] if isinstance(inputs, _TensorType) else list(inputs)
    root_grads = _root_grads(outputs, grad_outputs)
    captured: dict[int, Any] = {}
    hooks = _capture_intermediates(inputs, captured)
    captured.update({id(t): None for t in inputs if t.grad_fn is None})
    try:
        run_backward([t.grad_fn for t in outputs if t.grad_fn is not None],
                     [g for t, g in zip(outputs, root_grads) if t.grad_fn is not None],
                     bool(retain_graph), leaves=captured)
    finally:
        for node_hooks, hook in hooks:
            node_hooks.remove(hook)
    return _collect(outputs, inputs, root_grads, captured, allow_unused)


def _capture_intermediates(inputs: list, captured: dict[int, Any]) -> list:
    hooks = []
    for t in inputs:
        if t.grad_fn is None:
            continue
        key = id(t)
        captured[key] = None

        def hook(g: Any, key: int = key) -> None:
            previous = captured[key]
            captured[key] = g._value if previous is None else previous + g._value

        t.grad_fn.register_hook(hook)
        # Keep the list itself: freeing the node after backward drops its attributes.
        hooks.append((t.grad_fn.hooks, hook))
    return hooks


def _collect(outputs: list, inputs: list, root_grads: list, captured: dict, allow_unused: Any):
    for t, g in zip(outputs, root_grads):
        if t.grad_fn is None and id(t) in captured:
            previous = captured[id(t)]
            captured[id(t)] = g if previous is None else previous + g
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                               "used in the graph. Set allow_unused=True if this is the desired "
                               "behavior.")
        result.append(None if g is None else _TensorType._wrap(g.copy()))
    return tuple(result)
