"""The strong-Wolfe line search of ``LBFGS``: torch's port of minFunc, on flat arrays.

``evaluate(t)`` returns the loss and the flat gradient at ``x + t d``. Scalars stay in the
parameters' precision (NumPy scalars), as torch keeps them in 0-d tensors, so that both take
the same steps.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .._device import xp

__all__ = ["cubic_interpolate", "strong_wolfe"]


def cubic_interpolate(x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any,
                      bounds: tuple[Any, Any] | None = None) -> Any:
    """The minimizer of the cubic through two points with their slopes, within ``bounds``."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square) if isinstance(d2_square, float) else xp.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, low), high)


class _Point:
    """A trial step ``t`` with its loss, flat gradient and directional derivative."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t: Any, f: float, g: Any, gtd: Any) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate: Callable[[Any], tuple[float, Any]], t: Any, d: Any, f: float,
                 g: Any, gtd: Any, c1: float = 1e-4, c2: float = 0.9,
                 tolerance_change: float = 1e-9, max_ls: int = 25) -> tuple[float, Any, Any, int]:
    """A step ``t`` along ``d`` from a point with loss ``f``, gradient ``g`` and slope ``gtd``
    that meets the strong Wolfe conditions (sufficient decrease, small slope).

    Returns:
        ``(loss, flat_grad, t, evaluations)`` at the chosen step.
    """
    start = _Point(0, f, g.copy(), gtd)
    search = _Search(evaluate, d, start, c1, c2, max_ls)
    bracket, done = search.bracket(t)
    low = 0 if bracket[0].f <= bracket[-1].f else 1
    if not done:
        low = search.zoom(bracket, low, float(xp.abs(d).max()), tolerance_change)
    best = bracket[low]
    return best.f, best.g, best.t, search.evals


class _Search:
    """The shared counters of the two phases: evaluations and line-search iterations."""

    def __init__(self, evaluate: Callable, d: Any, start: _Point, c1: float, c2: float,
                 max_ls: int) -> None:
        self.evaluate, self.d, self.start = evaluate, d, start
        self.c1, self.c2, self.max_ls = c1, c2, max_ls
        self.evals = 0
        self.iters = 0

    def point(self, t: Any) -> _Point:
        f_new, g_new = self.evaluate(t)
        self.evals += 1
        return _Point(t, f_new, g_new, g_new.dot(self.d))

    def sufficient_decrease(self, new: _Point) -> bool:
        return not new.f > self.start.f + self.c1 * new.t * self.start.gtd

    def bracket(self, t: Any) -> tuple[list[_Point], bool]:
        """Grow the step until an interval holds a Wolfe point, or one is met (done)."""
        start, prev, new = self.start, self.start, self.point(t)
        while self.iters < self.max_ls:
            if not self.sufficient_decrease(new) or (self.iters > 1 and new.f >= prev.f):
                return [prev, new], False
            if abs(new.gtd) <= -self.c2 * start.gtd:
                return [new], True
            if new.gtd >= 0:
                return [prev, new], False
            bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10)
            t = cubic_interpolate(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, bounds)
            prev, new = new, self.point(t)
            self.iters += 1
        return [start, new], False

    def zoom(self, bracket: list[_Point], low: int, d_norm: float,
             tolerance_change: float) -> int:
        """Shrink the interval until a Wolfe point is met; the index of the best end."""
        high = 1 - low
        insufficient_progress = False
        while self.iters < self.max_ls:
            if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
                break
            t, insufficient_progress = self._interpolate(bracket, insufficient_progress)
            new = self.point(t)
            self.iters += 1
            if not self.sufficient_decrease(new) or new.f >= bracket[low].f:
                bracket[high] = new
                low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
                continue
            done = abs(new.gtd) <= -self.c2 * self.start.gtd
            if not done and new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
            if done:
                break
        return low

    @staticmethod
    def _interpolate(bracket: list[_Point], insufficient_progress: bool) -> tuple[Any, bool]:
        """The next trial step inside the interval, kept away from its ends."""
        a, b = bracket
        t = cubic_interpolate(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) >= eps:
            return t, False
        if not (insufficient_progress or t >= top or t <= bottom):
            return t, True
        t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
        return t, False
