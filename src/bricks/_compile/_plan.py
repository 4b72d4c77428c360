"""Buffers planned once: a replay whose primitives write their results into arrays of their own.

A replay of a whole training step (nothing of it runs after the call) computes the same
shapes every time, so each array a recorded step makes gets one buffer, allocated when the
replay is built, and the step writes into it: primitives whose ``forward`` or ``backward``
take ``out=`` (NumPy's convention: the array to write the result into, ``None`` for a new
one) are given their buffers, gradients are summed with ``np.add(..., out=)``, root gradients
refilled, and an in-place update ``p -= lr * g`` is written straight into ``p``. No array is
allocated for an intermediate result during the replay.

A buffer is planned only for an array that the step made itself (not a view, not an array it
was given) and that no result of the call is, or is a view of: results are made fresh on
every call, as eager does. Gradients assigned to ``.grad`` are planned: each replay writes
the new gradients into the arrays that the previous replay's ``.grad`` tensors hold, as
``zero_grad(set_to_none=False)`` does in eager (a ``.grad`` kept from an earlier call changes).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections import Counter
from typing import Any

from .._device import xp
from ._fuse import scaled_gradients
from ._lower import Lowering, Target, lowering
from ._tracer import Step, Tracer

__all__ = ["planned_lines"]

_NAME = re.compile(r"\b[a-z]+\d+\b")  # the names of the replay's arrays and constants
_ndarray = xp.ndarray


@functools.lru_cache(maxsize=None)
def _takes_out(method: Any) -> bool:
    """Whether a primitive's ``forward`` or ``backward`` function accepts ``out=``."""
    try:
        return "out" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def planned_lines(tracer: Tracer, output: str) -> list[str]:
    """The replay's body with planned buffers, ending with its ``.grad`` assignments.

    ``output``: the expression of the call's result (read, not planned).
    """
    planner = _Planner(tracer, tracer.final_grad_lines() + [output])
    return planner.lines() + tracer.final_grad_lines(planner.planned)


class _Planner:
    def __init__(self, tracer: Tracer, extra: list[str]) -> None:
        self.tracer = tracer
        self.uses = _uses(tracer.body, extra)
        self.planned: set[str] = set()
        self.written_into: set[str] = set()  # results written straight into a tensor's array
        self.lowered = _lowerings(tracer, self.fixed)
        self.fusion = scaled_gradients(tracer, self.uses, self.plannable, self.writes_out)
        self.views = {} if self.fusion is None else dict(self.fusion.views)

    def plannable(self, name: str | None, any_layout: bool = False) -> bool:
        """Whether ``name``'s array can be a buffer: made by its step, whole, not a result.

        ``any_layout``: the step writes with ufuncs only, so the buffer may keep the strides
        of the array it stands for (``empty_like``); BLAS products need C order.
        """
        if name is None or not self.tracer.made_here(name):
            return False
        array = self.tracer.arrays[name]
        return (type(array) is _ndarray and array.base is None
                and (any_layout or array.flags.c_contiguous)
                and array.flags.writeable and id(array) not in self.tracer.escaping)

    def fixed(self, name: str) -> Any:
        """The array ``name`` is on every replay (a planned buffer, a checked load), or None."""
        if name in self.planned:
            return self.tracer.namespace[name]
        return self.tracer.arrays[name] if name in self.tracer.fixed else None

    def plan(self, name: str | None, any_layout: bool = False) -> bool:
        """Give ``name`` a buffer if its array can be one; return whether it has one."""
        if not self.plannable(name, any_layout):
            return False
        assert name is not None
        view = self.views.get(name)
        self.tracer.namespace[name] = xp.empty_like(self.tracer.arrays[name]) \
            if view is None else view
        self.planned.add(name)
        return True

    def writes_out(self, index: int) -> bool:
        """Whether the step at ``index`` writes its results into the buffers planned for them."""
        step = self.tracer.body[index]
        if step.fn is None:
            return step.kind in ("add", "copy")
        low = self.lowered.get(id(step.fn))
        if low is not None:
            return step.kind == "backward" and low.backward_writes_out
        return step.kind == "backward" and _takes_out(step.fn.backward)

    def lines(self) -> list[str]:
        lines: list[str] = []
        body = self.tracer.body
        fusion = self.fusion
        for i, item in enumerate(body):
            if fusion is not None and i == fusion.at:
                lines.append(fusion.line)
                self.plan(item.targets[0])
            elif fusion is not None and i in fusion.skipped:
                self.plan(item.targets[0])
            elif isinstance(item, str):
                lines.append(item)
            elif item.fn is not None:
                lines += self.call(item, body[i + 1] if i + 1 < len(body) else None)
            elif item.kind == "store" and item.args[1] in self.written_into:
                continue  # the value was written into the destination itself (``call``)
            else:
                lines.append(self.engine_step(item))
        return lines

    def call(self, step: Step, following: Any) -> list[str]:
        low = self.lowered.get(id(step.fn))
        if low is not None:
            return self.lower(low, step)
        method = step.fn.forward if step.kind == "forward" else step.fn.backward
        if not _takes_out(method) or (step.kind == "forward" and not step.flag):
            return self.tracer.render_call(step, False)
        if step.kind == "forward":
            return self.forward(step, following)
        planned = [self.plan(t) for t in step.targets]
        if not any(planned):
            return self.tracer.render_call(step, False)
        outs = [t if has else "None" for t, has in zip(step.targets, planned)]
        out = f"({', '.join(outs)},)" if step.flag else outs[0]
        rest = [None if has else t for t, has in zip(step.targets, planned)]  # still assigned
        return self.tracer.render_call(Step(step.kind, step.fn, step.args, rest, step.flag),
                                       False, out)

    def lower(self, low: Lowering, step: Step) -> list[str]:
        """The lines of a lowered step (``_lower.py``), with the buffers planned for them."""
        if step.kind == "forward":
            target = step.targets[0]
            return low.forward(Target(target, step.flag and self.plan(target, low.any_layout)))
        outs = [None if t is None else
                Target(t, low.backward_writes_out and self.plan(t, low.any_layout))
                for t in step.targets]
        return low.backward(step.args[0], outs)

    def forward(self, step: Step, following: Any) -> list[str]:
        target = step.targets[0]
        into = self.destination(step, target, following)
        if into is not None:
            self.written_into.add(target)
        elif self.plan(target):
            into = target
        else:
            return self.tracer.render_call(step, False)
        ufunc = _ufunc(step.fn)
        if ufunc is not None and id(step.fn) not in self.tracer.nodes:
            # Outside the graph nothing reads what forward keeps: the ufunc alone does it.
            return [f"{self.tracer.const(ufunc)}({', '.join(step.args)}, out={into})"]
        return self.tracer.render_call(Step("forward", step.fn, step.args, [None], True), False,
                                       into)

    def destination(self, step: Step, target: str, following: Any) -> str | None:
        """The tensor array a forward may write into directly: ``p -= lr * g``'s ``p``.

        When the next step stores this result in place and nothing else reads it, and the
        primitive may write over its own inputs (its forward is one ufunc: ``_ufunc``).
        """
        if not (isinstance(following, Step) and following.kind == "store"
                and following.args[1] == target and self.uses[target] == 1):
            return None
        destination = following.args[0]
        array = self.tracer.arrays.get(target)
        into = self.tracer.arrays.get(destination)
        if array is None or into is None or (into.shape, into.dtype) != (array.shape, array.dtype):
            return None
        if destination in step.args and _ufunc(step.fn) is None:
            return None
        return destination

    def engine_step(self, step: Step) -> str:
        args, target = step.args, step.targets[0]
        if step.kind == "store" or not self.plan(target):
            return step.plain()
        if step.kind == "ones":
            return f"{target}.fill(1)"
        if step.kind == "add":
            return f"_add({args[0]}, {args[1]}, out={target})"
        return f"_copyto({target}, {args[0]})"


def _lowerings(tracer: Tracer, fixed: Any) -> dict[int, Lowering]:
    """The lowering of each node whose forward the step runs, where one applies, by node id."""
    found: dict[int, Lowering] = {}
    for item in tracer.body:
        if isinstance(item, Step) and item.kind == "forward" and id(item.fn) not in found:
            low = lowering(tracer, fixed, item.fn, item.args, item.targets[0])
            if low is not None:
                found[id(item.fn)] = low
    return found


def _ufunc(fn: Any) -> Any:
    """The ufunc that a primitive's forward is (``ufunc`` on its class), or None."""
    return getattr(type(fn), "ufunc", None)


def _uses(body: list, extra: list[str]) -> Counter:
    """How many times each name is read by the body's steps and by ``extra`` lines."""
    uses: Counter = Counter()
    for item in body:
        texts = [item] if isinstance(item, str) else item.args
        for text in texts:
            uses.update(_NAME.findall(text))
    for text in extra:
        uses.update(_NAME.findall(text))
    return uses
