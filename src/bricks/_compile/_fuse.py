"""One multiply for every ``lr * p.grad`` of a hand-written SGD step.

``p -= lr * p.grad`` for each parameter records, per parameter, a multiply and a subtraction.
When every gradient the step assigns to ``.grad`` is scaled by the same number, one after the
other once the backward is done, the planned buffers of those gradients are laid out in one
array (an arena) and the products in another with the same layout, so that one multiply
over the arena computes them all. Each subtraction then reads its product as before. The
values are those of eager: the same products of the same numbers, computed a little earlier,
before any gradient could change.
"""

from __future__ import annotations

from typing import Any

from .._device import xp
from ._tracer import Step, Tracer

__all__ = ["Fusion", "scaled_gradients"]

_ALIGN = 16  # elements: each gradient starts on a 64-byte boundary (float32)


class Fusion:
    """Where the arena's multiply goes (``at``), the steps it replaces, and the buffers."""

    def __init__(self, at: int, skipped: set[int], line: str, views: dict[str, Any]) -> None:
        self.at, self.skipped, self.line, self.views = at, skipped, line, views


def scaled_gradients(tracer: Tracer, uses: Any, plannable: Any, writes_out: Any) -> Fusion | None:
    """The fusion of the step's gradient scalings, or None where it does not apply.

    ``plannable(name)``: whether a name can have a buffer; ``writes_out(index)``: whether
    the step at that index writes its results into buffers it is given.
    """
    grads = _final_gradients(tracer, plannable)
    body = tracer.body
    producers = _producers(body, grads, writes_out)
    if not grads or producers is None:
        return None
    scalings = {i: step for i, step in enumerate(body)
                if _is_scaling(tracer, step, grads, uses) and plannable(step.targets[0])}
    if sorted(step.args[0] for step in scalings.values()) != sorted(grads):
        return None
    if len({step.args[1] for step in scalings.values()}) != 1:
        return None
    first, last = min(scalings), max(scalings)
    if max(producers) > first or not _only_updates(body[first:last + 1], grads):
        return None
    arrays = [tracer.arrays[name] for name in grads]
    if len({a.dtype for a in arrays}) != 1:
        return None
    offsets, total = [], 0
    for a in arrays:
        offsets.append(total)
        total += -(-a.size // _ALIGN) * _ALIGN
    arena = xp.zeros(total, arrays[0].dtype)  # zeros: the gaps scale to 0, never overflow
    products = xp.zeros_like(arena)
    views: dict[str, Any] = {}
    where = {name: (offset, a) for name, offset, a in zip(grads, offsets, arrays)}
    for step in scalings.values():
        offset, a = where[step.args[0]]
        views[step.args[0]] = arena[offset:offset + a.size].reshape(a.shape)
        views[step.targets[0]] = products[offset:offset + a.size].reshape(a.shape)
    # The number as the arena's dtype, as NumPy casts a Python number: one cast less per replay
    factor = tracer.const(arena.dtype.type(tracer.namespace[step.args[1]]))
    line = (f"{tracer.const(xp.multiply)}({tracer.const(arena)}, {factor}, "
            f"out={tracer.const(products)})")
    return Fusion(first, set(scalings) - {first}, line, views)


def _final_gradients(tracer: Tracer, plannable: Any) -> list[str]:
    """The names of the arrays the step assigns to ``.grad``, if all can have buffers."""
    names = []
    for _, grad in tracer.grad_final.values():
        name = None if grad is None else tracer.slots.get(id(grad._value))
        if name is None or not plannable(name):
            return []
        names.append(name)
    return names if len(set(names)) == len(names) else []


def _producers(body: list, grads: list[str], writes_out: Any) -> list[int] | None:
    """The indices of the steps that make ``grads``; None if one cannot write into a buffer."""
    found = {}
    for i, item in enumerate(body):
        if isinstance(item, Step):
            for target in item.targets:
                if target in grads:
                    found[target] = i
    if len(found) != len(grads) or not all(writes_out(i) for i in found.values()):
        return None
    return list(found.values())


def _is_scaling(tracer: Tracer, step: Any, grads: list[str], uses: Any) -> bool:
    """Whether ``step`` is ``number * grad`` outside the graph, read once after."""
    return (isinstance(step, Step) and step.kind == "forward"
            and getattr(type(step.fn), "ufunc", None) is xp.multiply
            and id(step.fn) not in tracer.nodes and len(step.args) == 2
            and step.args[0] in grads and uses[step.targets[0]] == 1
            and type(tracer.namespace.get(step.args[1])) in (float, int))


def _only_updates(items: list, grads: list[str]) -> bool:
    """Whether ``items`` only scale gradients and update tensors other than the gradients."""
    for item in items:
        if isinstance(item, str):
            if not (item.startswith("_bump(") or item.endswith("._counter[0] += 1")):
                return False
        elif item.kind == "store":
            if item.args[0] in grads:
                return False
        elif not (item.kind == "forward" and getattr(type(item.fn), "ufunc", None) is not None):
            return False
    return True
