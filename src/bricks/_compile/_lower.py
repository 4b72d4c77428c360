"""Lowered primitives: the NumPy calls of a primitive's forward and backward, as replay lines.

A planned replay (``_plan.py``) calls each primitive's ``forward``/``backward`` method, which
costs a few microseconds of Python around one or two NumPy calls: saving inputs on the node,
checking shapes, choosing thread counts. The shapes of a planned replay never change, so for
the primitives that small models spend their time in (``Linear``, ``Relu``, ``MSELoss``) those
decisions can be taken once, when the replay is built, and the replay keeps only the NumPy
calls. The lines compute exactly what the methods compute, call for call (the same products,
the same order of summation), so a lowered replay equals eager bit for bit; the equality tests
of ``tests/test_compile*.py`` check it.

A node is lowered as a whole: its backward reads its forward's inputs by their names in the
replay (where the method would read what forward saved on the node), so a forward is lowered
only where its backward is too. ``lowering(fn, tracer)`` says whether one applies; the planner
then asks it for the lines of each step (``forward``, ``backward``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .._device import xp
from .._threads import _OPENBLAS_SPLITS_FROM, fit_product
from ..ops.linalg import Linear
from ..ops.nn.loss import MSELoss
from ..ops.unary import _MANY, Relu, masked
from ._tracer import Step, Tracer

__all__ = ["Lowering", "lowering"]

_ndarray = xp.ndarray
_sum = xp.add.reduce  # one object: each ``xp.add.reduce`` is a new bound method


class Target:
    """A result's name, and whether it has a planned buffer to write into (``out=``)."""

    __slots__ = ("name", "planned")

    def __init__(self, name: str, planned: bool) -> None:
        self.name, self.planned = name, planned

    def call(self, function: str, args: str) -> str:
        """The line that computes ``function(args)`` into this result."""
        if self.planned:
            return f"{function}({args}, out={self.name})"
        return f"{self.name} = {function}({args})"


class Lowering:
    """The lines of one node's forward and backward; ``names`` are forward's argument names.

    ``backward_writes_out``: whether backward can write its results into planned buffers;
    ``any_layout``: whether the buffers may have any strides (the lines write with ufuncs).
    """

    backward_writes_out = True
    any_layout = False

    def __init__(self, tracer: Tracer, fixed: Callable[[str], Any], fn: Any, names: list[str],
                 output: str) -> None:
        self.tracer, self.fixed, self.fn, self.names, self.output = tracer, fixed, fn, names, output

    @staticmethod
    def applies(fn: Any, arrays: list[Any]) -> bool:
        """Whether the node's forward, given ``arrays``, is one this lowering repeats exactly."""
        raise NotImplementedError

    def c(self, obj: Any) -> str:
        return self.tracer.const(obj)

    def transposed(self, name: str) -> str:
        """``name.T``, made once where ``name`` is the same array on every replay."""
        array = self.fixed(name)
        return f"{name}.T" if array is None else self.c(array.T)

    def forward(self, out: Target) -> list[str]:
        raise NotImplementedError

    def backward(self, gy: str, outs: list[Target | None]) -> list[str]:
        raise NotImplementedError


class _Linear(Lowering):
    """``Linear.forward``/``backward`` for a matrix input: ``x @ W.T + b`` and its gradients."""

    def fit(self) -> list[str]:
        # fit_product does nothing below this much work: the line is needed only above it
        work = self.fn.work
        return [f"{self.c(fit_product)}({work})"] if work >= _OPENBLAS_SPLITS_FROM else []

    def forward(self, out: Target) -> list[str]:
        x, w, b = self.names[:3]
        lines = self.fit() + [out.call(self.c(xp.dot), f"{x}, {self.transposed(w)}")]
        if self.fn.has_bias:
            lines.append(f"{self.c(xp.add)}({out.name}, {b}, out={out.name})")
        return lines

    def backward(self, gy: str, outs: list[Target | None]) -> list[str]:
        x, w = self.names[:2]
        gx, gw, gb = outs
        lines = self.fit()
        if gx is not None:
            lines.append(gx.call(self.c(xp.dot), f"{gy}, {w}"))
        if gw is not None:
            lines.append(gw.call(self.c(xp.dot), f"{self.transposed(gy)}, {x}"))
        if gb is not None:
            lines.append(gb.call(self.c(_sum), f"{gy}, axis=0"))
        return lines

    @staticmethod
    def applies(fn: Any, arrays: list[Any]) -> bool:
        return arrays[0].ndim == 2


class _Relu(Lowering):
    """``max(x, 0)``; the gradient passes where the output is not 0 (NaN included).

    As ``Relu.backward`` chooses: ``where`` on few elements (a new array), else ``masked``'s
    bitwise AND, which here writes into planned buffers: its mask, the mask as integers and the
    result are made once, not page-faulted in on every step (LeNet's are 1.2 MB each).
    """

    any_layout = True

    @property
    def backward_writes_out(self) -> bool:  # type: ignore[override]
        gy = self.fn.y  # the gradient is the output's shape and dtype
        return gy.size >= _MANY and type(gy) is _ndarray and gy.dtype.kind == "f"

    @functools.cached_property
    def zero_array(self) -> str:
        return self.c(xp.zeros((), self.fn.y.dtype))

    def zero(self, dtype: Any = None) -> str:
        """0 as a 0-d array of the output's dtype: the same values as eager's Python 0, which
        NumPy converts on every call (1.4 against 0.4 us for maximum on 16 elements)."""
        if dtype is not None and dtype != self.fn.y.dtype:
            return "0"  # a result of another dtype: the Python number, as eager
        return self.zero_array

    def forward(self, out: Target) -> list[str]:
        return [out.call(self.c(xp.maximum), f"{self.names[0]}, {self.zero()}")]

    def backward(self, gy: str, outs: list[Target | None]) -> list[str]:
        (gx,) = outs
        assert gx is not None
        y = self.output
        if not self.backward_writes_out:
            zero = self.zero(self.tracer.arrays[gy].dtype)
            return [f"{gx.name} = {self.c(xp.where)}({y}, {gy}, {zero})"]
        if not gx.planned:
            return [f"{gx.name} = {self.c(masked)}({gy}, {self.c(xp.not_equal)}({y}, 0))"]
        y_array = self.fn.y
        bits = xp.dtype(f"i{y_array.itemsize}")
        keep = xp.empty_like(y_array, dtype=bool)  # in the output's layout, as eager's
        ones = xp.empty_like(y_array, dtype=bits)  # keep as all-ones or all-zeros integers
        return [f"{self.c(xp.not_equal)}({y}, {self.zero()}, out={self.c(keep)})",
                f"{self.c(xp.negative)}({self.c(keep)}, dtype={self.c(bits)}, out={self.c(ones)})",
                f"{self.c(xp.bitwise_and)}({self.viewed(gy, bits)}, {self.c(ones)}, "
                f"out={self.viewed(gx.name, bits)})"]

    def viewed(self, name: str, bits: Any) -> str:
        """``name`` viewed as integers of its width, made once where the array is fixed."""
        array = self.fixed(name)
        return f"{name}.view({self.c(bits)})" if array is None else self.c(array.view(bits))

    @staticmethod
    def applies(fn: Any, arrays: list[Any]) -> bool:
        return arrays[0].dtype.kind == "f"


class _MSELoss(Lowering):
    """``(x - t)^2`` summed or averaged, with its difference kept in a buffer for backward."""

    def __init__(self, tracer: Tracer, fixed: Callable[[str], Any], fn: Any, names: list[str],
                 output: str) -> None:
        super().__init__(tracer, fixed, fn, names, output)
        self.diff = self.c(xp.empty_like(fn.diff))

    def forward(self, out: Target) -> list[str]:
        x, t = self.names[:2]
        squared = self.c(xp.empty_like(self.fn.diff))
        total = f"{self.c(_sum)}({squared}, axis=None)"
        if self.fn.reduction == "mean":
            total = f"{total} / {self.fn.diff.size}"
        return [f"{self.c(xp.subtract)}({x}, {t}, out={self.diff})",
                f"{self.c(xp.multiply)}({self.diff}, {self.diff}, out={squared})",
                f"{out.name} = {self.c(xp.asarray)}({total})"]

    def backward(self, gy: str, outs: list[Target | None]) -> list[str]:
        gx, gt = outs
        scale = 2 / self.fn.diff.size if self.fn.reduction == "mean" else 2
        g = gx or Target(self.tracer.new_name("m"), False)
        factor = f"{gy} * {scale!r}"
        if _is_root(self.tracer, gy):  # a gradient of ones: the product is known now
            factor = self.c(xp.ones((), self.fn.diff.dtype) * scale)
        lines = [g.call(self.c(xp.multiply), f"{self.diff}, {factor}")]
        if gt is not None:
            lines.append(gt.call(self.c(xp.negative), g.name))
        return lines

    @staticmethod
    def applies(fn: Any, arrays: list[Any]) -> bool:
        same = fn.shapes[0] == fn.shapes[1] == fn.diff.shape  # unbroadcast does nothing
        return same and fn.reduction in ("mean", "sum") and fn.diff.flags.c_contiguous


def _is_root(tracer: Tracer, name: str) -> bool:
    """Whether ``name`` is a root gradient (refilled with ones on every replay)."""
    return any(isinstance(item, Step) and item.kind == "ones" and item.targets[0] == name
               for item in tracer.body)


_LOWERINGS: dict[type, type[Lowering]] = {Linear: _Linear, Relu: _Relu, MSELoss: _MSELoss}


def lowering(tracer: Tracer, fixed: Callable[[str], Any], fn: Any, names: list[str],
             output: str) -> Lowering | None:
    """The lowering of node ``fn`` whose forward read ``names`` and made ``output``, or None.

    ``fixed(name)``: the array ``name`` is on every replay, or None where it may change.
    """
    kind = _LOWERINGS.get(type(fn))
    if kind is None:
        return None
    arrays = [tracer.namespace.get(n, tracer.arrays.get(n)) for n in names]
    if not all(type(a) is _ndarray or a is None for a in arrays) or arrays[0] is None:
        return None
    if not kind.applies(fn, arrays):
        return None
    return kind(tracer, fixed, fn, names, output)
