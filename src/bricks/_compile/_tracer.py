"""``Tracer``: what one capture records, as source lines over named arrays, and its guards.

``_capture.py`` swaps bricks' entry points for versions that report to the tracer of the
current thread (``current()``); ``_compiled.py`` turns a finished tracer into a replay.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .._device import xp
from .._tensor import Tensor, bump_version, wrap
from ..autograd.function import Function
from ..nn.module import Module
from ..optim.optimizer import Optimizer

__all__ = ["Tracer", "Uncapturable", "current"]

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
        self.body: list[Any] = []  # lines, and calls rendered at the end (``render``)
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
            self.keep.append(array)
        return name

    def tensor(self, t: Any) -> str:
        """An expression for the tensor object ``t`` in the replay."""
        return self.tensor_names.get(id(t)) or self.const(t)

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

    def final_grad_lines(self) -> list[str]:
        lines = []
        for t, grad in self.grad_final.values():
            if grad is None:
                value = "None"
            elif id(grad._value) in self.slots:
                value = f"_wrap({self.slots[id(grad._value)]})"
            else:
                value = self.const(grad)
            lines.append(f"{self.tensor(t)}.grad = {value}")
        return lines

    # ----- recorded calls -----
    def forward(self, fn: Function, args: list[str], config: dict, out: Any,
                was_array: bool) -> None:
        # Rendered at the end (``render``), when it is known whether backward runs later, out of
        # the replay: then each graph node is a new instance per replay, as eager makes one.
        call = ", ".join(args + [f"{k}={self.const(v)}" for k, v in config.items()])
        self.body.append(("forward", fn, call, self.bind(out, self.new_name("v")), was_array))

    def backward(self, node: Function, gy: str, grads: Any) -> None:
        if type(grads) is not tuple:
            self.body.append(("backward", node, gy, self.bind(grads, self.new_name("g")), False))
            return
        targets = []
        for g in grads:
            targets.append("_" if g is None else self.bind(g, self.new_name("g")))
        self.body.append(("backward", node, gy, ", ".join(targets) + ",", True))

    def render(self, items: list, fresh_nodes: bool) -> list[str]:
        """The lines of ``items``; with ``fresh_nodes``, graph nodes are made per replay."""
        lines = []
        for item in items:
            if isinstance(item, str):
                lines.append(item)
                continue
            kind, fn, call, target, flag = item
            node = fresh_nodes and id(fn) in self.nodes
            name = self.node_names.get(id(fn)) or self.node_names.setdefault(
                id(fn), self.new_name("n"))
            if kind == "forward":
                if node:
                    lines.append(f"{name} = {self.const(type(fn))}()")
                    lines.append(f"{name}.needs_input_grad = {self.const(fn.needs_input_grad)}")
                method = f"{name}.forward" if node else self.const(fn.forward)
                expression = f"{method}({call})"
                lines.append(f"{target} = {expression if flag else f'_asarray({expression})'}")
            else:
                method = f"{name}.backward" if node else self.const(fn.backward)
                lines.append(f"{target} = {method}({call})")
        return lines

    def line(self, text: str) -> None:
        self.body.append(text)
