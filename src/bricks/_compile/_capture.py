"""Capture: run a function once eagerly while recording, as source lines, what it does to arrays.

While a ``Tracer`` is active (in the thread that started it), bricks reports to it whatever
computes or changes arrays: every primitive call, through the observer hook of the one
recording path (``autograd.function.record``; the observer calls it, so the capture records
the graph exactly as eager does), and, swapped in for the capture only, the backward engine's
walk, the optimizer's step and ``zero_grad``, in-place stores, ``.grad`` reads and writes.
Each records one line of Python that repeats its array work; ``_plan.py`` compiles the lines
into one function. Swapping those only during a capture keeps eager code free of checks (the
primitive call's hook is one test of a module global).

Whatever the lines cannot repeat faithfully makes the capture fail with a reason (``fail``):
reading a tensor's value into Python (``.item()``, ``bool(t)``), hooks, random numbers drawn
outside a primitive, a value computed outside the primitives and then used, an in-place
change nothing recorded. The call itself still runs eagerly to its end, so its results are
eager's either way.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from .._device import xp
from .._tensor import Tensor, bump_version, wrap
from ..autograd import engine
from ..autograd import function
from ..autograd.function import Function, _make_node, record
from ..nn import _hooks
from ..nn.module import Module
from ..ops import elementwise, inplace
from ..optim.optimizer import Optimizer
from ._tracer import _CONSTANT_FUNCTIONS, _CONSTANT_MODULES, Tracer, Uncapturable, _local, current

__all__ = ["Tracer", "Uncapturable", "current", "capturing", "trace_backward", "Replayed",
           "attach"]

_ndarray = xp.ndarray


class Replayed(Function):
    """The graph node of a replayed call's output: its backward runs the recorded backward."""

    torch_name = "CompiledFunctionBackward"
    run: Callable[[Any], tuple]  # the recorded backward of one replay

    def backward(self, gy: Any) -> Any:
        return self.run(gy)


def attach(out: Tensor, run: Callable[[Any], tuple], parents: tuple) -> Tensor:
    """Make ``out`` the output of a ``Replayed`` node over ``parents``; return it."""
    node = Replayed()
    node.run = run
    _make_node(node, parents, (True,) * len(parents), parents, out)
    return out


# ----- the recording versions of bricks' entry points -----

def _observe(fn: Function, inputs: tuple, config: dict, proceed: Callable = record) -> Any:
    """Function.apply's observer during a capture: the call is recorded by ``record``, the
    one recording path (through ``proceed``: another observer, such as a profiler, may wrap
    it), and noted as a line of the replay."""
    tracer = current()
    if tracer is None:  # a capture runs in another thread, not in this one
        return proceed(fn, inputs, config)
    args = [tracer.arg(t) for t in inputs]
    # A primitive may change an input in place (batch norm's running statistics); its caller
    # then bumps that tensor's version, which the replay repeats. Any other bump is a change
    # that no recorded line makes.
    tracer.may_bump = {id(t._value) for t in inputs
                       if isinstance(t, Tensor) and type(t._value) is _ndarray}
    tracer.depth += 1  # inside a primitive: its forward may draw random numbers
    try:
        out = proceed(fn, inputs, config)
    finally:
        tracer.depth -= 1
    if out.grad_fn is fn:  # a node of the graph, which a captured backward may walk
        tracer.nodes.add(id(fn))
        tracer.keep.append(fn)
    # A 0-d result may have come from forward as a NumPy scalar, which the replay turns into
    # an array as ``record`` did.
    tracer.forward(fn, args, config, out._value, out._value.ndim > 0)
    return out


def _traced_wrap(cls: type, value: Any) -> Any:
    tracer = current()
    if tracer is not None and tracer.depth == 0 and id(value) not in tracer.slots:
        frame = sys._getframe(1)
        module = frame.f_globals.get("__name__", "")
        allowed = module in _CONSTANT_MODULES or frame.f_code.co_name in _CONSTANT_FUNCTIONS
        tracer.fresh[id(value)] = None if allowed else f"{module}.{frame.f_code.co_name}"
        tracer.keep.append(value)
    return _ORIGINAL["_wrap"](cls, value)


def _traced_root_grads(tensors: list, grad_tensors: Any) -> list:
    result = _ORIGINAL["_root_grads"](tensors, grad_tensors)
    tracer = current()
    if tracer is not None:
        for t, g in zip(tensors, result):
            like = tracer.ref(t._value, t)
            if not (g == 1).all() or g.shape != t._value.shape:
                tracer.fail("backward() is given a gradient (only scalar losses are captured)")
            tracer.array_step("ones", tracer.bind(g, tracer.new_name("r")), like)
    return result


def _traced_propagate(roots: Any, root_grads: Any, retain_graph: bool, leaves: Any) -> None:
    # The engine's own walk runs, recording through the steps swapped in below.
    tracer = current()
    if tracer is not None and (leaves is not None or _post_hooked(roots)):
        tracer.fail("it calls autograd.grad or has post-accumulate-grad hooks")
    return _ORIGINAL["_propagate"](roots, root_grads, retain_graph, leaves)


def _traced_node_backward(node: Function, gy: Any, shared: dict) -> Any:
    tracer = current()
    if tracer is None:
        return _ORIGINAL["_node_backward"](node, gy, shared)
    if id(node) not in tracer.nodes:
        if tracer.collect is not None:  # the graph goes on before the call: an input's node
            _collect(tracer, node, gy)
            return ()
        tracer.fail("backward() reaches a graph built before the compiled call")
    if node.hooks:
        tracer.fail("a tensor hook runs during backward")
    name = tracer.ref(gy)
    tracer.walked.add(id(node))
    grads = _ORIGINAL["_node_backward"](node, gy, shared)
    tracer.backward(node, name, grads)
    return grads


def _traced_sum(previous: Any, g: Any) -> Any:
    tracer = current()
    return previous + g if tracer is None else _add(tracer, previous, g)


def _traced_copy(g: Any) -> Any:
    tracer = current()
    return g.copy() if tracer is None else _copy(tracer, g, g.copy())


def _traced_free(node: Function) -> None:
    tracer = current()
    if tracer is None or id(node) not in tracer.nodes:
        return _ORIGINAL["_free"](node)
    if type(node).saves_anything:
        node.freed = True  # as eager frees it; the replay keeps what backward reads
        if type(node).release is not None:  # scratch buffers go back, as eager's do
            tracer.line(f"{tracer.const(node.release)}()")
            node.release()
    return None


def _post_hooked(roots: Any) -> bool:
    """Whether a leaf this backward reaches has post-accumulate-grad hooks."""
    if not engine._post_hooks:
        return False
    return any(id(parent) in engine._post_hooks
               for node in engine._topological_order(roots) for parent in node.parents)


def _collect(tracer: Tracer, parent: Any, g: Any) -> None:
    """Sum ``g`` into the gradient the recorded backward returns for ``parent``."""
    assert tracer.collect is not None
    previous = tracer.collect.get(id(parent))
    if previous is None:
        tracer.ref(g)
        tracer.collect[id(parent)] = (parent, g)
        tracer.keep.append(parent)
    else:
        tracer.collect[id(parent)] = (parent, _add(tracer, previous[1], g))


def trace_backward(tracer: Tracer, output: Tensor) -> str:
    """Record the backward from ``output`` to the call's leaves as a nested function's source.

    For a call whose result needs a backward later (a compiled module's forward): the lines
    run when the engine reaches the replayed output's node. Runs the backward once now on a
    gradient of ones, keeping the graph.
    """
    tracer.collect = {}
    forward_body, tracer.body = tracer.body, []
    gy = xp.ones_like(output._value)
    tracer.bind(gy, "gy")
    root = output.grad_fn
    assert root is not None  # ``_output`` chose a result with a graph
    with capturing(tracer):
        engine._propagate([root], [gy], True, None)
    lines = tracer.render(tracer.body, fresh_nodes=True)
    tracer.body = forward_body
    grads = [tracer.ref(g) for _, g in tracer.collect.values()]
    tracer.leaves = [parent for parent, _ in tracer.collect.values()]
    return "\n".join(["def _backward(gy):"] + ["    " + line for line in lines]
                     + [f"    return ({', '.join(grads)},)"])


def _add(tracer: Tracer, previous: Any, g: Any) -> Any:
    if previous is None:
        return g
    total = previous + g
    operands = tracer.ref(previous), tracer.ref(g)
    tracer.array_step("add", tracer.bind(total, tracer.new_name("s")), *operands)
    return total


def _copy(tracer: Tracer, g: Any, copy: Any) -> Any:
    source, dtype = tracer.ref(g), tracer.const(copy.dtype)
    tracer.array_step("copy", tracer.bind(copy, tracer.new_name("c")), source, dtype)
    return copy


def _traced_accumulate_leaf(leaf: Any, g: Any, owned: Any, shared: Any, leaves: Any) -> None:
    tracer = current()
    if tracer is None or leaves is not None:
        return _ORIGINAL["_accumulate_leaf"](leaf, g, owned, shared, leaves)
    if tracer.collect is not None:  # a backward recorded for later: its leaves' gradients
        return _collect(tracer, leaf, g)
    if leaf._hooks:
        tracer.fail("a tensor hook runs during backward")
        g = engine._run_hooks(leaf._hooks, g, shared)
    grad = leaf.grad
    if grad is not None:
        total = tracer.ref(grad._value, grad)  # not ``+=``: that would rebind a planned name
        tracer.line(f"_add({total}, {tracer.ref(g)}, out={total})")
        grad._value += g
        return
    dtype = leaf._value.dtype
    if (id(g) in owned or id(g) in shared or g.base is not None or not g.flags.writeable
            or g.dtype != dtype or id(g) not in tracer.slots):
        g = _copy(tracer, g, g.astype(dtype))
    owned[id(g)] = g
    leaf.grad = wrap(g)


def _traced_step(self: Optimizer, closure: Callable[[], Any] | None = None) -> Any:
    tracer = current()
    if tracer is None or closure is not None:
        if tracer is not None:
            tracer.fail("optimizer.step is given a closure")
        return _ORIGINAL["step"](self, closure)
    optimizer = tracer.const(self)
    groups, state = tracer.new_name("pg"), tracer.new_name("st")
    tracer.line(f"{groups} = {optimizer}.param_groups")
    tracer.line(f"{state} = {optimizer}.state")
    if id(self) not in tracer.optimizers:
        tracer.optimizers[id(self)] = self
        tracer.entry_guards.append(f"len({optimizer}.param_groups) == {len(self.param_groups)}")
        for i, group in enumerate(self.param_groups):
            tracer.entry_guards.append(
                f"{optimizer}.param_groups[{i}]['params'] is {tracer.const(group['params'])}")
    update = tracer.const(self._update)
    for i, group in enumerate(self.param_groups):
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            param = tracer.tensor(p)
            tracer.line(f"{update}({tracer.ref(p._value, p)}, {tracer.ref(grad._value, grad)}, "
                        f"{state}[{param}], {groups}[{i}])")
            tracer.line(tracer.bump(p))
            self._update(p._value, grad._value, self.state[p], group)
            _ORIGINAL["bump_version"](p)
    return None


def _traced_zero_grad(original: Callable, params: Callable[[Any], Any]) -> Callable:
    def zero_grad(self: Any, set_to_none: bool = True) -> None:
        tracer = current()
        if tracer is not None and not set_to_none:
            for p in params(self):
                grad = p.grad
                if grad is not None:
                    tracer.line(f"{tracer.ref(grad._value, grad)}.fill(0)")
        return original(self, set_to_none)

    return zero_grad


def _optimizer_params(optimizer: Optimizer) -> list:
    return [p for group in optimizer.param_groups for p in group["params"]]


def _traced_store(self: Tensor, value: Any) -> None:
    tracer = current()
    if tracer is not None:
        tracer.array_step("store", None, tracer.ref(self._value, self), tracer.ref(value))
        tracer.may_bump = {id(self._value)}
    _ORIGINAL["_store"](self, value)


def _watched_bump(t: Tensor) -> None:
    tracer = current()
    if tracer is not None:
        if id(t._value) in tracer.may_bump:
            if id(t._value) not in tracer.slots or tracer.slots[id(t._value)][0] in "ei":
                tracer.line(tracer.bump(t))
        else:
            tracer.fail("it changes a tensor in place in a way compile does not capture")
    _ORIGINAL["bump_version"](t)


def _traced_module_call(self: Module, *args: Any, **kwargs: Any) -> Any:
    tracer = current()
    if tracer is not None and id(self) not in tracer.modules:
        tracer.modules[id(self)] = self
        tracer.entry_guards.append(f"{tracer.const(self)}.training is {self.training}")
    return _ORIGINAL["module_call"](self, *args, **kwargs)


def _refuse(what: str, original: Callable) -> Callable:
    def refused(*args: Any, **kwargs: Any) -> Any:
        tracer = current()
        if tracer is not None:
            tracer.fail(f"it calls {what} (a Python value or side effect a replay cannot repeat)")
        return original(*args, **kwargs)

    refused.__name__ = getattr(original, "__name__", what)
    return refused


def _refuse_views(original: Callable) -> Callable:
    # An in-place change through a view (or of a base that has views) rewires the graph with
    # CopySlices nodes (autograd/_views.py), which a replay does not repeat: run eagerly.
    def rebase(self: Any, fn: Any, requires_grad: bool) -> Any:
        tracer = current()
        if tracer is not None and self._view:
            tracer.fail("it changes a view (or a tensor that has views) in place")
        return original(self, fn, requires_grad)

    return rebase


class _WatchedRandom:
    """Stands for the default generator's NumPy generator during a capture."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        tracer = current()
        if tracer is not None and tracer.depth == 0:
            tracer.fail("it draws random numbers outside a primitive (only dropout is replayed)")
        return getattr(self.real, name)


_ORIGINAL: dict[str, Any] = {}


def _grad_property() -> property:
    slot = _ORIGINAL["grad"]

    def get(t: Any) -> Any:
        grad = slot.__get__(t, type(t))
        tracer = current()
        if tracer is not None:
            tracer.read_grad(t, grad)
        return grad

    def set_(t: Any, value: Any) -> None:
        try:
            slot.__get__(t, type(t))
        except AttributeError:  # a tensor being made: its first ``grad = None`` is no change
            slot.__set__(t, value)
            return
        slot.__set__(t, value)
        tracer = current()
        if tracer is not None:
            tracer.write_grad(t, value)

    return property(get, set_)


def _operator_forms() -> dict[str, Any]:
    """Tensor's operator shortcuts and the forms that go through primitives, by method name.

    ``a + b`` (``_operator`` in ops/elementwise.py) and ``a += b`` (``_fast`` in
    ops/inplace.py) compute with one NumPy call when nothing is recorded; during a capture
    every operation must go through a primitive (and ``_store``), so their general forms
    (``named``, ``slow``) stand in: the same arithmetic, recorded.
    """
    codes = {elementwise._operator(Function, xp.add, xp.add).__code__: "named",
             inplace._fast(xp.add, xp.add).__code__: "slow"}
    forms = {}
    for name, method in list(vars(Tensor).items()):
        code = getattr(method, "__code__", None)
        if code in codes:
            cells = dict(zip(code.co_freevars, (c.cell_contents for c in method.__closure__)))
            general = cells[codes[code]]
            forms[name] = lambda self, other, general=general: general(self, other)
    return forms


_lock = threading.Lock()
_active = [0]


def _swap_everywhere(original: Any, replacement: Any) -> list[tuple[dict, str]]:
    """Replace ``original`` under every name bricks' modules import it by; return the places."""
    places = []
    for name, module in list(sys.modules.items()):
        if not (name == "bricks" or name.startswith("bricks.")) or module is None:
            continue
        namespace = module.__dict__
        for key, value in list(namespace.items()):
            if value is original:
                namespace[key] = replacement
                places.append((namespace, key))
    return places


class capturing:
    """Context manager: ``tracer`` records everything this thread does with bricks."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer
        self.undo: list[Callable[[], None]] = []

    def __enter__(self) -> Tracer:
        with _lock:
            if _active[0] == 0:
                self._install()
            _active[0] += 1
        _local.tracer = self.tracer
        from .._creation import default_generator

        self.generator = default_generator
        self.random = default_generator.numpy
        default_generator.numpy = _WatchedRandom(self.random)
        return self.tracer

    def __exit__(self, *exc: object) -> None:
        _local.tracer = None
        if isinstance(self.generator.numpy, _WatchedRandom):
            self.generator.numpy = self.random
        with _lock:
            _active[0] -= 1
            if _active[0] == 0:
                for undo in reversed(_UNDO):
                    undo()
                _UNDO.clear()

    @staticmethod
    def _install() -> None:
        _ORIGINAL.update(_wrap=Tensor.__dict__["_wrap"].__func__,
                         _root_grads=engine._root_grads, _propagate=engine._propagate,
                         _accumulate_leaf=engine._accumulate_leaf, _free=engine._free,
                         _node_backward=engine._node_backward,
                         step=Optimizer.step,
                         _store=inplace._store, bump_version=bump_version,
                         module_call=Module.__call__, grad=Tensor.__dict__["grad"])
        function.add_observer(_observe)
        _UNDO.append(lambda: function.remove_observer(_observe))
        _set_attr(Tensor, "_wrap", classmethod(_traced_wrap))
        _set_attr(Tensor, "grad", _grad_property())
        _set_attr(Optimizer, "step", _traced_step)
        _set_attr(Optimizer, "zero_grad",
                  _traced_zero_grad(Optimizer.zero_grad, _optimizer_params))
        _set_attr(Module, "zero_grad", _traced_zero_grad(Module.zero_grad,
                                                         lambda m: list(m.parameters())))
        _set_attr(Module, "__call__", _traced_module_call)
        for name, general in _operator_forms().items():
            _set_attr(Tensor, name, general)
        for name in ("item", "tolist", "__bool__", "__float__", "__int__", "__index__",
                     "numpy", "__array__"):
            _set_attr(Tensor, name, _refuse(f"Tensor.{name}", getattr(Tensor, name)))
        _set_attr(_hooks, "call_with_hooks", _refuse("module hooks", _hooks.call_with_hooks))
        _set_attr(inplace, "rebase", _refuse_views(inplace.rebase))
        for module_name, attribute in _SWAPPED:
            original = getattr(sys.modules[module_name], attribute)
            _swap(original, _REPLACEMENTS.get(attribute) or _refuse(attribute, original))


_UNDO: list[Callable[[], None]] = []


def _set_attr(owner: Any, name: str, value: Any) -> None:
    had = name in vars(owner)
    old = vars(owner).get(name)
    setattr(owner, name, value)
    _UNDO.append(lambda: setattr(owner, name, old) if had else delattr(owner, name))


def _swap(original: Any, replacement: Any) -> None:
    places = _swap_everywhere(original, replacement)

    def undo() -> None:
        for namespace, key in places:
            namespace[key] = original

    _UNDO.append(undo)


_REPLACEMENTS: dict[str, Any] = {"_root_grads": _traced_root_grads,
                                 "_propagate": _traced_propagate,
                                 "_node_backward": _traced_node_backward,
                                 "_sum": _traced_sum, "_copy": _traced_copy,
                                 "_free": _traced_free,
                                 "_accumulate_leaf": _traced_accumulate_leaf,
                                 "_store": _traced_store, "bump_version": _watched_bump}
_SWAPPED = [("bricks.autograd.engine", "_root_grads"), ("bricks.autograd.engine", "_propagate"),
            ("bricks.autograd.engine", "_node_backward"), ("bricks.autograd.engine", "_sum"),
            ("bricks.autograd.engine", "_copy"), ("bricks.autograd.engine", "_free"),
            ("bricks.autograd.engine", "_accumulate_leaf"), ("bricks.ops.inplace", "_store"),
            ("bricks._tensor", "bump_version"),
            ("bricks.nn.utils.clip_grad", "clip_grad_norm_"),
            ("bricks.nn.utils.clip_grad", "clip_grad_value_"),
            ("bricks.nn.utils.clip_grad", "clip_grads_with_norm_")]
