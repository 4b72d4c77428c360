"""``CompiledFunction``: a cache of captured replays, their guards, and the eager fallback."""

from __future__ import annotations

import functools
import warnings
import weakref
from typing import Any, Callable

from .._device import xp
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ..nn.module import Module
from ._capture import Tracer, attach, capturing, current, trace_backward
from ._plan import planned_lines

__all__ = ["CompiledFunction"]

_MISS = object()  # what a replay returns when its guards do not hold
_SIMPLE = (int, float, str, bool, type(None), bytes, complex)


def _is_simple(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_is_simple(v) for v in value)
    return isinstance(value, _SIMPLE)


class CompiledFunction:
    """Calls ``fn`` through captured replays: the first call runs eagerly, the second captures.

    The first call is a warm-up (deferred parameters take their shapes, optimizers make their
    state); later calls replay a capture whose guards hold, or capture anew (at most
    ``cache_size_limit`` captures, as torch's recompile limit). A capture that fails makes
    ``fn`` run eagerly from then on, after one warning that says why.
    """

    cache_size_limit = 8
    instances: weakref.WeakSet[CompiledFunction] = weakref.WeakSet()  # for compiler.reset()

    def __init__(self, fn: Callable[..., Any], fullgraph: bool = False) -> None:
        self.fn = fn
        self.fullgraph = fullgraph
        self.reset()
        functools.update_wrapper(self, fn, updated=())
        CompiledFunction.instances.add(self)

    def reset(self) -> None:
        """Forget every capture and the reason to run eagerly: the next call warms up again."""
        self.replays: list[Callable[[tuple, dict], Any]] = []
        self.warmed_up = False
        self.eager_reason: str | None = None
        self.sources: list[str] = []  # the source of each replay, for reading

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.eager_reason is not None or current() is not None:
            return self.fn(*args, **kwargs)  # inside another capture: be captured by it
        for replay in self.replays:
            result = replay(args, kwargs)
            if result is not _MISS:
                return result
        if not self.warmed_up:
            self.warmed_up = True
            return self.fn(*args, **kwargs)
        if len(self.replays) >= self.cache_size_limit:
            self._run_eagerly(f"its guards failed {self.cache_size_limit} times (inputs, "
                              "modes or parameters keep changing)")
            return self.fn(*args, **kwargs)
        return self._capture(args, kwargs)

    def _run_eagerly(self, reason: str) -> None:
        self.eager_reason = reason
        self.replays.clear()
        name = getattr(self.fn, "__qualname__", None) or type(self.fn).__name__
        warnings.warn(f"bricks.compile: {name} runs eagerly from now on: {reason}",
                      UserWarning, stacklevel=3)

    def _capture(self, args: tuple, kwargs: dict) -> Any:
        tracer = Tracer(self.fullgraph)
        header = _arguments(tracer, args, kwargs)
        tracer.entry_guards.append(f"_grad_enabled() is {is_grad_enabled()}")
        owner = getattr(self.fn, "__self__", None)  # a module's forward (Module.compile)
        if isinstance(owner, Module):
            tracer.entry_guards.append(f"{tracer.const(owner)}.training is {owner.training}")
        with capturing(tracer):
            result = self.fn(*args, **kwargs)
        output = _output(tracer, result)
        backward = None
        if tracer.problem is None and tracer.graph_output is not None:
            backward = trace_backward(tracer, tracer.graph_output)
            parents = [_parent(tracer, leaf) for leaf in tracer.leaves]
            output = output.replace("_GRAPH_OUTPUT", f"_attach(_wrap({tracer.graph_slot}), "
                                    f"_backward, ({''.join(p + ', ' for p in parents)}))")
        if tracer.problem is not None:
            self._run_eagerly(tracer.problem)
            return result
        source = _source(tracer, header, output, backward)
        namespace = dict(tracer.namespace, _MISS=_MISS, _grad_enabled=is_grad_enabled,
                         _attach=attach, _add=xp.add, _copyto=xp.copyto)
        exec(compile(source, f"<bricks.compile replay {len(self.replays)}>", "exec"), namespace)
        self.replays.append(namespace["replay"])
        self.sources.append(source)
        return result


def _arguments(tracer: Tracer, args: tuple, kwargs: dict) -> list[str]:
    """Lines that unpack and check the call's arguments; tensors become t0, i0 (its array)."""
    lines = [f"if len(args) != {len(args)} or kwargs.keys() != {tracer.const(set(kwargs))}:",
             "    return _MISS"]
    items = [(f"args[{i}]", value) for i, value in enumerate(args)]
    items += [(f"kwargs[{key!r}]", value) for key, value in sorted(kwargs.items())]
    for i, (where, value) in enumerate(items):
        if isinstance(value, Tensor):
            tracer.tensor_names[id(value)] = f"t{i}"
            if value.grad_fn is not None:
                tracer.input_nodes[id(value.grad_fn)] = f"t{i}"
            tracer.bind(value._value, f"i{i}")
            tracer.keep.append(value)
            lines += [f"t{i} = {where}",
                      f"if type(t{i}) is not {tracer.const(type(value))}:", "    return _MISS",
                      f"i{i} = t{i}._value"]
            tracer.entry_guards.append(  # the array's type is its device (NumPy, CuPy)
                f"type(i{i}) is {tracer.const(type(value._value))} and "
                f"i{i}.shape == {tracer.const(value._value.shape)} and "
                f"i{i}.dtype == {tracer.const(value._value.dtype)} and "
                f"t{i}.requires_grad is {value.requires_grad}")
        elif _is_simple(value):
            tracer.entry_guards.append(f"type({where}) is {tracer.const(type(value))} and "
                                       f"{where} == {tracer.const(value)}")
        else:
            tracer.entry_guards.append(f"{where} is {tracer.const(value)}")
    return lines


def _output(tracer: Tracer, value: Any) -> str:
    """The expression that rebuilds the result of a call from the replay's arrays."""
    if isinstance(value, Tensor):
        if id(value) in tracer.tensor_names:
            return tracer.tensor_names[id(value)]
        fn = value.grad_fn
        if value.requires_grad and fn is not None and id(fn) not in tracer.walked:
            # A backward runs later, outside: the replay gives this output a node that runs
            # the recorded backward (one such output per call).
            if tracer.graph_output is not None or id(value._value) not in tracer.slots:
                tracer.fail("more than one of its results needs a backward outside the call")
            tracer.graph_output = value
            tracer.graph_slot = tracer.slots[id(value._value)]
            return "_GRAPH_OUTPUT"
        if id(value._value) in tracer.slots:
            tracer.escaping.add(id(_root(value._value)))
            return f"_wrap({tracer.slots[id(value._value)]})"
        if tracer.fresh.get(id(value._value)) is not None:  # argmax, a comparison, ...
            tracer.fail(f"it returns a value computed outside bricks' primitives "
                        f"(in {tracer.fresh[id(value._value)]})")
        return tracer.const(value)
    if isinstance(value, (list, tuple)):
        items = [_output(tracer, v) for v in value]
        if type(value) is list:
            return f"[{', '.join(items)}]"
        if type(value) is tuple:
            return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
        return f"{tracer.const(type(value))}({', '.join(items)})"  # a named tuple
    if type(value) is dict:
        pairs = [f"{tracer.const(k)}: {_output(tracer, v)}" for k, v in value.items()]
        return "{" + ", ".join(pairs) + "}"
    return tracer.const(value)


def _root(array: Any) -> Any:
    """The array that owns the memory ``array`` views."""
    while getattr(array, "base", None) is not None:
        array = array.base
    return array


def _parent(tracer: Tracer, leaf: Any) -> str:
    """The expression of a recorded backward's parent in the replay: a tensor or its node."""
    if isinstance(leaf, Tensor):
        name = tracer.tensor(leaf)
        return f"({name}.grad_fn or {name})"
    argument = tracer.input_nodes.get(id(leaf))
    if argument is None:
        tracer.fail("its graph reaches tensors computed outside the call that are not arguments")
        return "None"
    return f"({argument}.grad_fn or {argument})"


def _source(tracer: Tracer, header: list[str], output: str, backward: str | None) -> str:
    lines = ["def replay(args, kwargs):"]
    lines += ["    " + line for line in header]
    lines.append(f"    if not ({' and '.join(tracer.entry_guards)}):")
    lines.append("        return _MISS")
    lines += ["    " + line for line in tracer.loads]
    if tracer.load_guards:
        lines.append(f"    if not ({' and '.join(tracer.load_guards)}):")
        lines.append("        return _MISS")
    if backward is None:  # the whole step: its arrays can be planned once
        body = planned_lines(tracer, output)
    else:
        body = tracer.render(tracer.body, True) + tracer.final_grad_lines()
    lines += ["    " + line for line in body]
    if backward is not None:
        lines += ["    " + line for line in backward.splitlines()]
    lines.append(f"    return {output}")
    return "\n".join(lines) + "\n"
