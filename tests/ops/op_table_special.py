"""Op-table rows of ``torch.special``'s functions new to bricks (and digamma, now
differentiable). Joined to ``OPS`` in op_table.py."""

from __future__ import annotations

from typing import Any

from op_table import row

_UN = dict(edges=(((0,),), ((),), ((1, 0, 2),)))
_BIN = dict(broadcasts=True, edges=(((0, 3), (3,)), ((), ()), ((2, 1), (1, 3))),
            bad=(((2, 3), (4,)),))


def _zeta(m: Any, q: Any) -> Any:
    """Hurwitz zeta at s = 2.5, differentiable in q (torch has no gradient in s)."""
    return m.special.zeta(m.full((), 2.5, dtype=q.dtype), q)


def _gammainc(m: Any, x: Any, upper: bool = False) -> Any:
    """The incomplete gamma functions at shape 2.5, differentiable in x (torch has no gradient
    in the shape)."""
    shape = m.full((), 2.5, dtype=x.dtype)
    return m.special.gammaincc(shape, x) if upper else m.special.gammainc(shape, x)


# torch evaluates these in float32 for float32 input and overflows (i0, i1 near 1000) or loses
# the left tail (log_ndtr's gradient) where bricks evaluates in float64 and rounds once: they
# meet only the finite edge sets; test_special.py checks their inf and NaN in float64.
FLOAT32_TAILS_DIFFER = {"special_i0", "special_i1", "special_log_ndtr"}

SPECIAL = [
    row("special_i0", lambda m, a: m.special.i0(a * 3), (2, 3), **_UN),
    row("special_i0e", lambda m, a: m.special.i0e(a * 3), (2, 3), domain="nonzero", **_UN),
    row("special_i1", lambda m, a: m.special.i1(a * 3), (2, 3), **_UN),
    row("special_i1e", lambda m, a: m.special.i1e(a * 3), (2, 3), domain="nonzero", **_UN),
    row("special_erfcx", lambda m, a: m.special.erfcx(a * 3), (2, 3), **_UN),
    row("special_log_ndtr", lambda m, a: m.special.log_ndtr(a * 4), (2, 3), **_UN),
    row("special_ndtr", lambda m, a: m.special.ndtr(a), (2, 3)),
    row("special_ndtri", lambda m, a: m.special.ndtri(a * 0.5 + 0.5), (2, 3), domain="unit",
        **_UN),
    row("special_logit", lambda m, a: m.special.logit(a * 0.5 + 0.5), (2, 3), domain="unit"),
    row("special_logit_eps", lambda m, a: m.special.logit(a * 0.5 + 0.5, eps=0.3), (2, 3),
        domain="unit"),
    row("special_sinc", lambda m, a: m.special.sinc(a), (2, 3), domain="nonzero", **_UN),
    row("special_entr", lambda m, a: m.special.entr(a), (2, 3), domain="positive", **_UN),
    row("special_zeta", _zeta, (2, 3), domain="positive", **_UN),
    row("special_gammainc", _gammainc, (2, 3), domain="positive", **_UN),
    row("special_gammaincc", lambda m, x: _gammainc(m, x, upper=True), (2, 3),
        domain="positive", **_UN),
    row("special_polygamma1", lambda m, a: m.special.polygamma(1, a), (2, 3),
        domain="positive"),
    row("special_polygamma3", lambda m, a: m.special.polygamma(3, a), (2, 3),
        domain="positive"),
    row("digamma", lambda m, a: m.digamma(a), (2, 3), domain="positive", **_UN),
    row("special_multigammaln", lambda m, a: m.special.multigammaln(a + 1.5, 3), (2, 3),
        domain="positive"),
    row("special_xlogy", lambda m, a, b: m.special.xlogy(a, b), (2, 3), (2, 3),
        domain="positive", **_BIN),
    row("special_xlog1py", lambda m, a, b: m.special.xlog1py(a, b), (2, 3), (3,),
        domain="positive", **_BIN),
]
