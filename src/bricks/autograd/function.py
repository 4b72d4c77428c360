"""``Function``: the base of every differentiable primitive, and the node of the graph.

A primitive subclasses ``Function`` and writes ``forward`` on arrays with ``backward``
directly below it. ``apply`` hands the call to ``record``, the one recording path: it runs
``forward`` and, when some input requires grad and recording is on, makes the instance the
output's ``grad_fn``. ``apply2`` is its specialization for binary arithmetic. bricks.compile's
capture and bricks.profiler watch both through one hook (``_observer``), which chains the
observers that ``add_observer`` installed.
"""

from __future__ import annotations

import threading
import weakref
from functools import partial
from typing import Any, Callable
from weakref import ref as _weakref

from .._device import _BY_ARRAY_TYPE, array_module, same_device_error, xp
from .._quiet import enter_quiet, exit_quiet
from .._tensor import Tensor, version_counter, wrap
from .grad_mode import GRAD_ENABLED

__all__ = ["Function", "link_view", "unbroadcast", "add_observer", "remove_observer"]

_ndarray = xp.ndarray


class Function:
    """A differentiable primitive: ``forward`` on arrays, ``backward`` on gradient arrays.

    Class attributes a primitive may set:
        saves: indices of the inputs whose values ``backward`` reads; modifying one of them
            in place before backward is an error, as in PyTorch.
        saves_for: parallel to ``saves``: the input whose gradient reads that saved input
            (None: any), so that, as in PyTorch, ``x * 3`` does not hold ``x`` to its version.
        saves_output: whether ``backward`` reads the output.
        is_view: whether the output shares memory (and the version counter) with input 0.
        complex_grad: whether ``backward`` follows torch's convention for complex tensors
            (the gradient of a complex value is dL/d(real) + i dL/d(imag)); the engine refuses
            a complex gradient for the others rather than give a wrong one.
    """

    saves: tuple[int, ...] = ()
    saves_for: tuple[int | None, ...] | None = None
    saves_output = False
    is_view = False
    complex_grad = False
    hooks: list | None = None
    needs_input_grad: tuple[bool, ...] = ()
    parents: tuple = ()
    saved_versions: tuple = ()
    freed = False
    # Derived once per class from the attributes above:
    _save_plan: tuple = ()  # (input index, reader) pairs
    saves_anything = False  # whether backward reads a saved input or the output
    # A method run when the engine frees the node after its last backward, for primitives
    # that borrowed scratch buffers (bricks._workspace); None for all others.
    release: Any = None
    dynamic_name = False  # whether ``_name`` depends on the node's config
    torch_name: str  # optional: PyTorch's fixed name of the node (see ``name``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._save_plan = tuple(zip(cls.saves, cls.saves_for or (None,) * len(cls.saves)))
        cls.saves_anything = bool(cls.saves or cls.saves_output)
        cls.dynamic_name = cls._name is not Function._name
        # A user's Function in PyTorch's style (static forward(ctx, ...)) gets its own apply
        if isinstance(cls.__dict__.get("forward"), staticmethod) or "setup_context" in vars(cls):
            from ._custom_function import make_custom

            make_custom(cls)

    def forward(self, *arrays: Any, **config: Any) -> Any:
        raise NotImplementedError

    def backward(self, gy: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **config: Any) -> Any:
        """Run the primitive on Tensors (or plain numbers) and record it when needed.

        Every primitive call goes through ``record`` (below), here or through ``apply2``.
        """
        fn = cls()
        if _observer is not None:  # a capture or a profiler watches the call
            return _observer(fn, inputs, config)
        return record(fn, inputs, config)

    @classmethod
    def apply2(cls, a: Any, b: Any) -> Any:
        """``apply`` for exactly two Tensors and no config: binary arithmetic's hot path.

        A specialization of ``record`` for this one case, kept because it costs a quarter
        less (``benchmarks/dispatch.py``): the same steps unrolled for two tensors, ending
        in the same ``_make_node``; ``tests/autograd/test_recording.py`` checks that both
        record the same graph. No view op comes here (``is_view`` is not consulted).
        """
        fn = cls()
        if _observer is not None:  # a capture or a profiler watches the call
            return _observer(fn, (a, b), _NO_CONFIG)
        token = enter_quiet()
        try:
            y = fn.forward(a._value, b._value)
        except TypeError:  # device arrays refuse other devices' arrays so
            _check_same_device((a._value, b._value))
            raise
        finally:
            exit_quiet(token)
        out = wrap(y if type(y) is _ndarray else _as_array(y, (a,)))
        na = a.requires_grad
        nb = b.requires_grad
        if (na or nb) and GRAD_ENABLED.enabled:
            parents = ((a.grad_fn or a) if na else None, (b.grad_fn or b) if nb else None)
            _make_node(fn, (a, b), (na, nb), parents, out)
        return out

    def name(self) -> str:
        """PyTorch's name of this node, such as ``AddmmBackward0``."""
        return getattr(self, "torch_name", None) or self._name()

    def _name(self) -> str:
        # A primitive whose PyTorch name depends on its arguments overrides this; a fixed
        # name is the class attribute ``torch_name``.
        return f"{type(self).__name__}Backward0"

    def register_hook(self, hook: Any) -> None:
        """Call ``hook(grad)`` on the gradient of this node's output before it flows on."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(hook)

    @property
    def next_functions(self) -> tuple:
        """The nodes this one passes gradients to, as PyTorch's ``((node, 0), ...)``: a
        parent's node, ``AccumulateGrad`` for a leaf, ``None`` for an input without grad."""
        return tuple((_node_of(parent), 0) for parent in self.parents)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


# The observers of primitive calls chained into one callable, or None when there are none:
# bricks.compile's capture (``_compile/_capture.py``) while it runs, bricks.profiler while it
# records. ``apply`` hands the call to it; each observer runs the call with ``proceed`` (the
# next observer, the last one ``record``) around its own notes. One test of a global per call
# when nobody watches, and no second copy of the recording to keep in step with this one
# (such a copy once drifted).
_observer: Callable[[Function, tuple, dict], Any] | None = None
_observers: list[Callable[..., Any]] = []  # in the order installed; the last one is outermost
_observers_lock = threading.Lock()
_NO_CONFIG: dict = {}  # ``apply2``'s config (never changed)


def add_observer(observer: Callable[..., Any]) -> None:
    """Let ``observer(fn, inputs, config, proceed)`` see every primitive call, in every
    thread: it must return ``proceed(fn, inputs, config)`` (which runs the call, through the
    observers installed before it) or what that returned."""
    with _observers_lock:
        _observers.append(observer)
        _chain()


def remove_observer(observer: Callable[..., Any]) -> None:
    """Undo one ``add_observer(observer)``."""
    with _observers_lock:
        _observers.remove(observer)
        _chain()


def _chain() -> None:
    global _observer
    call: Callable[..., Any] = record
    for observer in _observers:
        call = partial(observer, proceed=call)
    _observer = call if _observers else None


def record(fn: Function, inputs: tuple, config: dict) -> Any:
    """Run ``fn`` on the inputs and record it in the graph when needed: the one recording path.

    1. ``fn.forward`` on the inputs' arrays (numbers as they are), with NumPy's floating-point
       warnings silenced (``log(0)`` is ``-inf`` without a word, as in PyTorch; see
       ``_quiet.py``); a TypeError from arrays of different devices becomes torch's error.
    2. The output: the result as a Tensor (a NumPy scalar from a full reduction becomes a 0-d
       array on the inputs' device); a view (``is_view``) is linked to its base, in any mode.
    3. The node, when grad mode is on and some input requires grad: ``needs_input_grad``,
       ``parents`` (each such input's ``grad_fn``, or the leaf itself), the version of each
       input (or output) that backward reads, and the output's ``grad_fn``.

    Every primitive call comes here (``apply``, bricks.compile's observer), except binary
    arithmetic's, which takes ``apply2``, the specialization of this function for it.
    """
    # The calls most ops make are unrolled, since a loop over ``inputs`` and a call with
    # ``*values`` cost more: one tensor (unary ops, reductions, views) and two operands
    # without config. The others loop here, not in a call of ``_values`` (a call per op:
    # Linear's three inputs, a loss's config).
    n = len(inputs)
    token = enter_quiet()
    try:
        if not config and n == 1:
            y = fn.forward(inputs[0]._value)
        elif not config and n == 2:
            a, b = inputs
            y = fn.forward(a._value if isinstance(a, Tensor) else a,
                           b._value if isinstance(b, Tensor) else b)
        else:
            values = []
            for t in inputs:  # ``_values``, inline
                values.append(t._value if isinstance(t, Tensor) else t)
            y = fn.forward(*values, **config)
    except TypeError:  # device arrays refuse other devices' arrays so
        _check_same_device(_values(inputs))
        raise
    finally:
        exit_quiet(token)
    out = wrap(y if type(y) is _ndarray else _as_array(y, inputs))
    if fn.is_view:
        link_view(inputs[0], out, fn)
    # Whether an input requires grad is asked first: it is cheaper than the (per-thread) grad
    # mode, and usually answers no where nothing is recorded.
    if n == 1:
        x = inputs[0]
        if not x.requires_grad or not GRAD_ENABLED.enabled:
            return out
        needs: tuple = _ONE_NEEDED
        parents: tuple = (x.grad_fn or x,)
    else:
        need_list = []
        parent_list: list[Any] = []
        for t in inputs:
            if isinstance(t, Tensor) and t.requires_grad:
                need_list.append(True)
                parent_list.append(t.grad_fn or t)
            else:
                need_list.append(False)
                parent_list.append(None)
        if True not in need_list or not GRAD_ENABLED.enabled:
            return out
        needs, parents = tuple(need_list), tuple(parent_list)
    _make_node(fn, inputs, needs, parents, out)
    return out


def _make_node(fn: Function, inputs: tuple, needs: tuple, parents: tuple, out: Any) -> None:
    """Make ``fn`` the node of ``out`` in the graph, with the versions of what it saved."""
    fn.needs_input_grad = needs
    fn.parents = parents
    if fn.saves_anything:
        fn.saved_versions = _versions(type(fn), inputs, needs, out)
    out.requires_grad = True
    out.grad_fn = fn


_ONE_NEEDED = (True,)


def _values(inputs: tuple) -> list:
    """What ``forward`` takes: the arrays of the Tensors among ``inputs``, numbers as they are."""
    values = []
    for t in inputs:  # a plain loop: for two or three inputs, a third of a comprehension's cost
        values.append(t._value if isinstance(t, Tensor) else t)
    return values


class AccumulateGrad:
    """The node that accumulates a leaf's gradient into ``variable.grad`` (as PyTorch shows
    it in ``next_functions``; bricks' engine does that work itself)."""

    next_functions: tuple = ()

    def __init__(self, variable: Any) -> None:
        self._variable = weakref.ref(variable)  # weak: the cache below must not keep it alive

    @property
    def variable(self) -> Any:
        """The leaf tensor whose ``.grad`` this node fills."""
        return self._variable()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


# id(leaf) -> its AccumulateGrad, dropped when the leaf dies. Keyed by id, not by a weak
# key: a WeakKeyDictionary compares keys with ==, which a Tensor answers elementwise.
_ACCUMULATORS: dict[int, AccumulateGrad] = {}


def _node_of(parent: Any) -> Any:
    if parent is None or isinstance(parent, Function):
        return parent
    if inherits_grad(parent):  # a view made in no_grad mode has no AccumulateGrad
        return None
    node = _ACCUMULATORS.get(id(parent))
    if node is None or node.variable is not parent:
        node = _ACCUMULATORS[id(parent)] = AccumulateGrad(parent)
        weakref.finalize(parent, _ACCUMULATORS.pop, id(parent), None)
    return node


def link_view(base: Any, out: Any, fn: Function) -> None:
    """Make ``out`` a view of ``base`` made by ``fn``: it shares the version counter, and knows
    its root base and the chain of view steps from it, so that an in-place change through the
    view can update the root's graph (``autograd/_views.py``). In grad mode, the view is also
    listed (weakly) on its root, whose in-place changes give it a new ``grad_fn``; not the
    views of a leaf that requires grad, which no recorded in-place change may touch.

    The third item says whether PyTorch's view has a node: made in grad mode, of a base that
    requires grad. The fourth is the view's creation mark (PyTorch's ``CreationMeta``), which
    forbids in-place changes in a graph: ``NO_GRAD_VIEW`` for a view made in ``no_grad`` mode,
    else its base's (a view of such a view is one too, as output 0); ``split`` and friends mark
    their outputs (``autograd/_views.mark_outputs``). The fifth says whether the view requires
    grad only through its base: made in ``no_grad`` mode of a base that requires grad, it
    requires grad, as PyTorch's, but is a leaf that no gradient reaches (``inherits_grad``);
    listed on a base in the graph, it refuses use once the base changes in place."""
    counter = base._counter  # version_counter(base), inline
    if counter is None:
        counter = base._counter = [0]
    out._counter = counter
    info = base._view
    if type(info) is tuple:
        root = info[0]
        chain = info[1] + (fn,)
        mark = info[3]
    else:
        root = base
        chain = (fn,)
        mark = None
    grad = GRAD_ENABLED.enabled
    inherits = False
    if not grad:
        mark = NO_GRAD_VIEW
        if root.requires_grad:
            out.requires_grad = inherits = True
    elif mark is not None and mark[1]:
        mark = (mark[0], 0)
    out._view = (root, chain, grad and root.requires_grad, mark, inherits)
    if root.grad_fn is not None or grad and not root.requires_grad:
        views = root._view
        if views is None:
            views = root._view = []
        views.append(_weakref(out))
        n = len(views)
        if n >= 32 and not n & (n - 1):  # now and then, forget the views that died
            views[:] = [r for r in views if r() is not None]


# A view's creation mark (see link_view): its kind and PyTorch's output number.
NO_GRAD_VIEW = ("no_grad", 0)


def inherits_grad(t: Any) -> bool:
    """Whether ``t`` is a view made in ``no_grad`` mode that requires grad only through its
    base (see ``link_view``): PyTorch gives such a leaf no gradient accumulator, so gradients
    stop there (``.grad`` stays None, ``backward()`` from it is refused)."""
    info = t._view
    return type(info) is tuple and info[4]


def _as_array(y: Any, inputs: tuple) -> Any:
    """An op's result as an array: a device array as it is, a NumPy scalar (from a full
    reduction) as a 0-d array of the module of the first array input."""
    if type(y) in _BY_ARRAY_TYPE:
        return y
    for t in inputs:
        value = t._value if isinstance(t, Tensor) else t
        if type(value) is _ndarray or type(value) in _BY_ARRAY_TYPE:
            return array_module(value).asarray(y)
    return xp.asarray(y)  # host: no array input to follow


def _check_same_device(values: Any) -> None:
    """Raise torch's error when an op's inputs live on different devices."""
    error = same_device_error(values)
    if error is not None:
        raise error from None


def rename(out: Any, name: str) -> Any:
    """Give ``out``'s node PyTorch's name for the composite op that made it; return ``out``."""
    if out.grad_fn is not None:
        out.grad_fn.torch_name = name
    return out


def _versions(cls: type[Function], inputs: tuple, needs: tuple, out: Any) -> tuple:
    pairs = []
    for i, reader in cls._save_plan:
        t = inputs[i]
        if (reader is None or needs[reader]) and isinstance(t, Tensor):
            counter = t._counter  # version_counter(t), inline: this runs for every saved input
            if counter is None:
                counter = t._counter = [0]
            pairs.append((counter, counter[0]))
    if cls.saves_output:
        counter = version_counter(out)
        pairs.append((counter, counter[0]))
    return tuple(pairs)


def unbroadcast(g: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient back to ``shape``: the one helper every op uses for that."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


# PyTorch's torch.autograd.function names for user-defined Functions (they subclass the above)
from ._custom_function import FunctionCtx as FunctionCtx  # noqa: E402
from ._custom_function import once_differentiable as once_differentiable  # noqa: E402
