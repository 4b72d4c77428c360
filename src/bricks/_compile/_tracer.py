"""``Tracer``: what one capture records, as source lines over named arrays, and its guards.

``_capture.py`` swaps bricks' entry points for versions that report to the tracer of the
current thread (``current()``); ``_compiled.py`` turns a finished tracer into a replay.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Collection

from .._device import xp
from .._tensor import Tensor, bump_version, wrap
from ..autograd.function import Function
from ..nn.module import Module
from ..optim.optimizer import Optimizer

__all__ = ["Tracer", "Step", "Uncapturable", "current"]

_ndarray = xp.ndarray
_local = threading.local()


class Uncapturable(RuntimeError):
    """Raised (with ``fullgraph=True``) where a compiled function does what cannot be captured."""


def current() -> Tracer | None:
    """The tracer recording in this thread, or None."""
    return getattr(_local, "tracer", None)


# Sites allowed to make a tensor from a new array during a capture: factories make constants,
# and numbers become 0-d tensors. A tensor made anywhere else holds a value computed outside
# the primitives (argmax, a comparison, a copy), which a replay would not recompute.
_CONSTANT_MODULES = {"bricks._creation", "bricks._tensor", "bricks.nn.parameter"}
_CONSTANT_FUNCTIONS = {"_operands", "_numbers_as_tensor"}


class Step:
    """One recorded array operation: a primitive's forward or backward, or an engine step.

    ``kind``: "forward", "backward" (``fn`` is the primitive; ``flag``: forward returned an
    array / backward returned a tuple), or an engine step with ``fn`` None (``plain`` renders
    it): "ones" (a root gradient), "add" (gradients summed), "copy" (a gradient cast or
    copied), "store" (an in-place copy into a tensor: ``args`` = destination, value).
    ``args`` are expressions; ``targets`` the names of the results (None: no result).
    """

    __slots__ = ("kind", "fn", "args", "targets", "flag")

    def __init__(self, kind: str, fn: Any, args: list[str], targets: list, flag: bool) -> None:
        self.kind, self.fn, self.args, self.targets, self.flag = kind, fn, args, targets, flag

    def plain(self) -> str:
        """The line of an engine step that makes a new array (or stores one)."""
        args, target = self.args, self.targets[0]
        if self.kind == "ones":
            return f"{target} = _ones_like({args[0]})"
        if self.kind == "add":
            return f"{target} = {args[0]} + {args[1]}"
        if self.kind == "copy":
            return f"{target} = {args[0]}.astype({args[1]})"
        return f"{args[0]}[...] = {args[1]}"


class Tracer:
    """Records one call: source lines over named arrays, with the guards they depend on."""

    def __init__(self, fullgraph: bool) -> None:
        self.fullgraph = fullgraph
        self.problem: str | None = None
        self.names = itertools.count()
        self.namespace: dict[str, Any] = {"_wrap": wrap, "_bump": bump_version,
                                          "_asarray": xp.asarray, "_ones_like": xp.ones_like}
        self.constants: dict[int, str] = {}
        self.slots: dict[int, str] = {}  # id(array) -> the name it has in the replay
        self.keep: list[Any] = []  # everything named stays alive, so that ids stay unique
        self.tensor_names: dict[int, str] = {}  # id(tensor) -> expression (inputs: t0, ...)
        self.entry_guards: list[str] = []
        self.loads: list[str] = []  # arrays of tensors from before the call, read at replay
        self.load_guards: list[str] = []
        self.body: list[Any] = []  # lines, and steps rendered at the end (``render``)
        self.arrays: dict[str, Any] = {}  # name -> the array it had in the capture
        self.fixed: set[str] = set()  # loaded arrays that a replay checks are the same objects
        self.escaping: set[int] = set()  # ids of the arrays the call's results are views of
        self.fresh: dict[int, str | None] = {}  # id(array) of tensors made here -> bad site
        self.grad_seen: set[int] = set()  # tensors whose .grad was read or written
        self.grad_owner: dict[int, Any] = {}  # id(grad tensor from before) -> its tensor
        self.grad_final: dict[int, tuple[Any, Any]] = {}
        self.modules: dict[int, Module] = {}
        self.optimizers: dict[int, Optimizer] = {}
        self.may_bump: set[int] = set()  # ids of the arrays the latest recorded call may change
        self.nodes: set[int] = set()  # ids of graph nodes made during the capture
        self.walked: set[int] = set()  # ids of the nodes a recorded backward went through
        self.depth = 0  # > 0 inside a primitive's forward (which may draw random numbers)
        self.collect: dict[int, tuple[Any, Any]] | None = None  # see trace_backward
        self.leaves: list[Any] = []
        self.node_names: dict[int, str] = {}
        self.graph_output: Tensor | None = None  # the result whose backward runs later
        self.graph_slot = ""
        self.input_nodes: dict[int, str] = {}  # id(an argument's grad_fn) -> the argument

    # ----- failing -----
    def fail(self, reason: str) -> None:
        """Mark the capture unusable (or raise, with fullgraph=True)."""
        if self.fullgraph:
            raise Uncapturable(f"bricks.compile(fullgraph=True): {reason}")
        if self.problem is None:
            self.problem = reason

    # ----- names -----
    def new_name(self, prefix: str) -> str:
        return f"{prefix}{next(self.names)}"

    def const(self, obj: Any) -> str:
        """A name in the replay's namespace bound to ``obj`` itself."""
        name = self.constants.get(id(obj))
        if name is None:
            name = self.constants[id(obj)] = self.new_name("k")
            self.namespace[name] = obj
        return name

    def bind(self, array: Any, name: str) -> str:
        """Name ``array`` (made by a recorded line) ``name`` unless it already has a name."""
        if id(array) not in self.slots:
            self.slots[id(array)] = name
            self.arrays[name] = array
            self.keep.append(array)
        return name

    def made_here(self, name: str) -> bool:
        """Whether ``name`` is an array of its own, first made by the line that assigns it."""
        array = self.arrays.get(name)
        return array is not None and self.slots.get(id(array)) == name

    def tensor(self, t: Any) -> str:
        """An expression for the tensor object ``t`` in the replay."""
        return self.tensor_names.get(id(t)) or self.const(t)

    def bump(self, t: Any) -> str:
        """The line that counts an in-place change of tensor ``t`` (``bump_version``).

        A tensor that the replay names as a constant already has its version counter (the
        capture bumped it), which is never replaced: the line counts in it directly.
        """
        name = self.tensor(t)
        if id(t) in self.tensor_names:  # an argument: a new tensor on every call
            return f"_bump({name})"
        return f"{name}._counter[0] += 1"

    def ref(self, array: Any, owner: Any = None) -> str:
        """An expression for ``array`` in the replay; ``owner`` is the tensor holding it."""
        name = self.slots.get(id(array))
        if name is not None:
            return name
        if id(array) in self.fresh:
            site = self.fresh[id(array)]
            if site is not None:
                self.fail(f"it uses a value computed outside bricks' primitives (in {site})")
            return self.const(array)
        if owner is None:
            if isinstance(array, _ndarray) and array.ndim:
                self.fail("it passes an array computed outside bricks' primitives to one")
            return self.const(array)
        name = self.bind(array, self.new_name("e"))
        grad_of = self.grad_owner.get(id(owner))
        if grad_of is not None:  # a gradient from before the call: read it at replay
            self.loads.append(f"{name} = {self.tensor(grad_of)}.grad._value")
            self.load_guards.append(f"{name}.shape == {self.const(array.shape)} and "
                                    f"{name}.dtype == {self.const(array.dtype)}")
        else:
            self.loads.append(f"{name} = {self.tensor(owner)}._value")
            self.load_guards.append(f"{name} is {self.const(array)}")
            self.fixed.add(name)
        return name

    def arg(self, value: Any) -> str:
        if isinstance(value, Tensor):
            return self.ref(value._value, value)
        if isinstance(value, _ndarray):
            return self.ref(value)
        return self.const(value)

    # ----- .grad -----
    def read_grad(self, t: Any, grad: Any) -> None:
        if id(t) in self.grad_seen:
            return
        self.grad_seen.add(id(t))
        self.keep.append(t)
        test = "is None" if grad is None else "is not None"
        self.entry_guards.append(f"{self.tensor(t)}.grad {test}")
        if grad is not None:
            self.grad_owner[id(grad)] = t
            self.keep.append(grad)

    def write_grad(self, t: Any, grad: Any) -> None:
        self.grad_seen.add(id(t))
        self.keep.append(t)
        self.grad_final[id(t)] = (t, grad)

    def final_grad_lines(self, planned: Collection[str] = ()) -> list[str]:
        """The ``.grad`` assignments that end the replay; ``planned``: names with a buffer.

        A gradient in a planned buffer is the same tensor on every replay (``_plan.py``).
        """
        lines = []
        for t, grad in self.grad_final.values():
            name = self.slots.get(id(grad._value)) if grad is not None else None
            if grad is None:
                value = "None"
            elif name is None:
                value = self.const(grad)
            elif name in planned:
                value = self.const(wrap(self.namespace[name]))
            else:
                value = f"_wrap({name})"
            lines.append(f"{self.tensor(t)}.grad = {value}")
        return lines

    # ----- recorded calls -----
    def forward(self, fn: Function, args: list[str], config: dict, out: Any,
                was_array: bool) -> None:
        # Rendered at the end (``render``), when it is known whether backward runs later, out of
        # the replay: then each graph node is a new instance per replay, as eager makes one.
        keywords = [f"{k}={self.const(v)}" for k, v in config.items()]
        self.body.append(Step("forward", fn, args + keywords,
                              [self.bind(out, self.new_name("v"))], was_array))

    def backward(self, node: Function, gy: str, grads: Any) -> None:
        if type(grads) is not tuple:
            self.body.append(Step("backward", node, [gy], [self.bind(grads, self.new_name("g"))],
                                  False))
            return
        targets = [None if g is None else self.bind(g, self.new_name("g")) for g in grads]
        self.body.append(Step("backward", node, [gy], targets, True))

    def array_step(self, kind: str, target: str | None, *args: str) -> None:
        """Record an array operation of the engine or of an in-place store (``Step``)."""
        self.body.append(Step(kind, None, list(args), [target], True))

    def render(self, items: list, fresh_nodes: bool) -> list[str]:
        """The lines of ``items``; with ``fresh_nodes``, graph nodes are made per replay."""
        lines = []
        for item in items:
            if isinstance(item, str):
                lines.append(item)
            elif item.fn is None:
                lines.append(item.plain())
            else:
                lines += self.render_call(item, fresh_nodes and id(item.fn) in self.nodes)
        return lines

    def node_name(self, fn: Function) -> str:
        name = self.node_names.get(id(fn))
        if name is None:
            name = self.node_names[id(fn)] = self.new_name("n")
        return name

    def render_call(self, step: Step, node: bool, out: str = "") -> list[str]:
        """The lines of a primitive's forward or backward; ``node``: a new node per replay.

        ``out``, when given, is the call's ``out=`` argument (``_plan.py``), and ``step.targets``
        then names only the results that are not written there ("_" for the others).
        """
        fn, lines = step.fn, []
        name = self.node_name(fn)
        if step.kind == "forward":
            if node:
                lines.append(f"{name} = {self.const(type(fn))}()")
                lines.append(f"{name}.needs_input_grad = {self.const(fn.needs_input_grad)}")
            method = f"{name}.forward" if node else self.const(fn.forward)
        else:
            method = f"{name}.backward" if node else self.const(fn.backward)
        call = f"{method}({', '.join(step.args + ([f'out={out}'] if out else []))})"
        if step.kind == "forward" and not step.flag:
            call = f"_asarray({call})"
        targets = [t or "_" for t in step.targets]
        if all(t == "_" for t in targets):
            lines.append(call)
        elif step.flag and step.kind == "backward":
            lines.append(f"{', '.join(targets)}, = {call}")
        else:
            lines.append(f"{targets[0]} = {call}")
        return lines

    def line(self, text: str) -> None:
        self.body.append(text)
