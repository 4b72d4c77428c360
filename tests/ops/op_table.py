"""The table of ops that drives the generic checks of test_op_table.py.

Each row names an op, gives its bricks and torch callables (built from one function of the
library module, so that both sides run the same program), sample input shapes with their
domain, the dtypes, the tolerances, edge shapes, and inputs torch rejects. Adding an op
means adding a row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

import bricks

Shapes = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Op:
    """One row: how to call the op in bricks and in torch, and on what."""

    name: str
    bricks: Callable[..., Any]
    torch: Callable[..., Any]
    shapes: Shapes
    domain: str = "real"
    dtypes: tuple[str, ...] = ("float32", "float64")
    atol: float = 1e-5
    rtol: float = 1e-4
    differentiable: bool = True
    broadcasts: bool = False
    scalars: bool = False
    edges: tuple[Shapes, ...] = ()
    bad: tuple[Shapes, ...] = ()
    grad_fn: bool = True

    def __repr__(self) -> str:
        return self.name


def row(name: str, f: Callable[..., Any], *shapes: tuple[int, ...], **options: Any) -> Op:
    """A row whose bricks and torch callables are ``f`` applied to each library module."""
    return Op(name, functools.partial(f, bricks), functools.partial(f, torch), shapes,
              **options)


def sample(shape: tuple[int, ...], domain: str, rng: np.random.Generator) -> np.ndarray:
    """Random float64 values of ``shape`` inside ``domain``, away from kinks and poles."""
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "distinct":
        # Distinct values: no ties for max/min/sort, so the gradient is unambiguous.
        size = int(np.prod(shape))
        return (rng.permutation(size) / max(size, 1) + 0.01).reshape(shape) * 2 - 1
    return rng.standard_normal(shape)


def _index(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.int64)


def _mask(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.bool)


_BIN = dict(broadcasts=True, scalars=True, edges=(((0, 3), (3,)), ((), ()), ((2, 1), (1, 3))),
            bad=(((2, 3), (4,)),))
_UN = dict(edges=(((0,),), ((),), ((1, 0, 2),)))

ARITHMETIC = [
    row("add", lambda m, a, b: m.add(a, b), (2, 3), (2, 3), **_BIN),
    row("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), (2, 3), (3,), broadcasts=True),
    row("radd", lambda m, a: 2.5 + a, (2, 3)),
    row("sub", lambda m, a, b: a - b, (2, 3), (2, 3), **_BIN),
    row("rsub", lambda m, a: 1.5 - a, (2, 3)),
    row("mul", lambda m, a, b: a * b, (2, 3), (2, 3), **_BIN),
    row("rmul", lambda m, a: 3 * a, (4,)),
    row("div", lambda m, a, b: a / b, (2, 3), (2, 3), domain="nonzero", **_BIN),
    row("rdiv", lambda m, a: 2.0 / a, (2, 3), domain="nonzero"),
    row("floor_divide", lambda m, a, b: a // b, (2, 3), (2, 3), domain="nonzero",
        differentiable=False, **_BIN),
    row("rfloordiv", lambda m, a: 5 // a, (3,), domain="nonzero", differentiable=False),
    row("remainder", lambda m, a, b: a % b, (2, 3), (2, 3), domain="nonzero", **_BIN),
    row("rmod", lambda m, a: 5.0 % a, (3,), domain="nonzero", differentiable=False),
    row("pow", lambda m, a, b: a ** b, (2, 3), (2, 3), domain="positive", **_BIN),
    row("pow_scalar", lambda m, a: a ** 3, (2, 3)),
    row("pow_half", lambda m, a: a ** 0.5, (2, 3), domain="positive"),
    row("rpow", lambda m, a: 2.0 ** a, (2, 3)),
    row("neg", lambda m, a: -a, (2, 3), **_UN),
    row("maximum", lambda m, a, b: m.maximum(a, b), (2, 3), (2, 3), broadcasts=True,
        edges=_BIN["edges"], bad=_BIN["bad"]),
    row("minimum", lambda m, a, b: m.minimum(a, b), (2, 3), (3,), broadcasts=True,
        edges=_BIN["edges"], bad=_BIN["bad"]),
]

COMPARISONS = [
    row(name, f, (2, 3), (2, 3), differentiable=False, **_BIN)
    for name, f in [
        ("eq", lambda m, a, b: a == b), ("ne", lambda m, a, b: a != b),
        ("lt", lambda m, a, b: a < b), ("le", lambda m, a, b: a <= b),
        ("gt", lambda m, a, b: m.gt(a, b)), ("ge", lambda m, a, b: m.ge(a, b)),
    ]
]

def _ints(v: Any) -> Any:
    """A float sample as small int64 values (so that bitwise ops apply); others unchanged."""
    is_float = isinstance(v, (torch.Tensor, bricks.Tensor)) and v.is_floating_point()
    return (v * 4).long() if is_float else v


def _ior(m: Any, a: Any, b: Any) -> Any:
    out = _ints(a)
    out |= _ints(b)
    return out


_BITS = dict(differentiable=False, **_BIN)

BITWISE = [
    row("bitwise_and", lambda m, a, b: _ints(a) & _ints(b), (2, 3), (2, 3), **_BITS),
    row("bitwise_or", lambda m, a, b: m.bitwise_or(_ints(a), _ints(b)), (2, 3), (2, 3), **_BITS),
    row("bitwise_xor", lambda m, a, b: _ints(a).bitwise_xor(_ints(b)), (2, 3), (2, 3), **_BITS),
    row("bitwise_not", lambda m, a: ~_ints(a), (2, 3), differentiable=False, **_UN),
    row("bitwise_not_bool", lambda m, a: m.bitwise_not(a > 0), (2, 3), differentiable=False),
    row("bool_and", lambda m, a, b: (a > 0) & (b > 0), (2, 3), (2, 3), differentiable=False,
        broadcasts=True, edges=_BIN["edges"], bad=_BIN["bad"]),
    row("bool_or", lambda m, a, b: (a > 0) | (b > 0), (2, 3), (3,), differentiable=False),
    row("bool_xor", lambda m, a, b: (a > 0) ^ (b > 0), (2, 3), (2, 3), differentiable=False),
    row("bool_invert", lambda m, a: ~(a > 0), (2, 3), differentiable=False),
    row("bool_or_int", lambda m, a, b: (a > 0) | _ints(b), (2, 3), (2, 3), differentiable=False),
    row("int32_and_int64", lambda m, a, b: _ints(a).int() & _ints(b), (2, 3), (2, 3),
        differentiable=False),
    row("uint8_xor_int8", lambda m, a, b: _ints(a).to(m.uint8) ^ _ints(b).to(m.int8), (2, 3),
        (2, 3), differentiable=False),
    row("ior", _ior, (2, 3), (2, 3), differentiable=False, bad=(((2,), (2, 3)),)),
    row("bitwise_and_", lambda m, a, b: _ints(a).bitwise_and_(_ints(b)), (2, 3), (3,),
        differentiable=False),
    row("logical_and", lambda m, a, b: m.logical_and(a > 0, b), (2, 3), (2, 3),
        differentiable=False, broadcasts=True, edges=_BIN["edges"], bad=_BIN["bad"]),
    row("logical_or", lambda m, a, b: (a > 0).logical_or(b < 0), (2, 3), (3,),
        differentiable=False, broadcasts=True, edges=_BIN["edges"], bad=_BIN["bad"]),
    row("logical_xor", lambda m, a, b: m.logical_xor(_ints(a), b > 0), (2, 3), (2, 3),
        differentiable=False, broadcasts=True, edges=_BIN["edges"], bad=_BIN["bad"]),
    row("logical_and_", lambda m, a, b: (a * 1).logical_and_(b > 0), (2, 3), (2, 3),
        differentiable=False),
    row("logical_not_", lambda m, a: (a > 0).logical_not_(), (2, 3), differentiable=False),
]

UNARY = [
    row("abs", lambda m, a: m.abs(a), (2, 3), domain="nonzero", **_UN),
    row("exp", lambda m, a: m.exp(a), (2, 3), **_UN),
    row("log", lambda m, a: m.log(a), (2, 3), domain="positive", **_UN),
    row("log1p", lambda m, a: m.log1p(a), (2, 3), domain="positive", **_UN),
    row("sqrt", lambda m, a: m.sqrt(a), (2, 3), domain="positive", **_UN),
    row("rsqrt", lambda m, a: m.rsqrt(a), (2, 3), domain="positive", **_UN),
    row("sin", lambda m, a: m.sin(a), (2, 3), **_UN),
    row("cos", lambda m, a: m.cos(a), (2, 3), **_UN),
    row("tanh", lambda m, a: m.tanh(a), (2, 3), **_UN),
    row("sigmoid", lambda m, a: m.sigmoid(a), (2, 3), **_UN),
    row("relu", lambda m, a: m.relu(a), (2, 3), domain="nonzero", **_UN),
    row("square", lambda m, a: m.square(a), (2, 3), **_UN),
    row("reciprocal", lambda m, a: m.reciprocal(a), (2, 3), domain="nonzero", **_UN),
    row("clamp", lambda m, a: m.clamp(a, -0.5, 0.5), (3, 4), **_UN),
    row("clamp_min", lambda m, a: a.clamp(min=0.1), (3, 4), **_UN),
    row("clamp_max", lambda m, a: a.clamp(max=0.1), (3, 4), **_UN),
    row("where", lambda m, a, b: m.where(a > 0, a, b), (2, 3), (2, 3), broadcasts=True,
        edges=_BIN["edges"], bad=_BIN["bad"]),
    row("where_scalar", lambda m, a: m.where(a > 0, a, 0.0), (2, 3)),
]

LINALG = [
    row("matmul", lambda m, a, b: a @ b, (2, 4), (4, 3),
        edges=(((4,), (4,)), ((4,), (4, 3)), ((2, 4), (4,)), ((0, 4), (4, 3)), ((2, 0), (0, 3))),
        bad=(((2, 4), (5, 8)), ((), (3,)))),
    row("matmul_batched", lambda m, a, b: m.matmul(a, b), (5, 2, 4), (5, 4, 3),
        edges=(((3, 1, 2, 4), (5, 4, 3)), ((2, 4), (5, 4, 3)), ((5, 2, 4), (4,)),
               ((4,), (5, 4, 3))),
        bad=(((2, 2, 4), (3, 4, 3)),)),
    row("mm", lambda m, a, b: m.mm(a, b), (2, 4), (4, 3), bad=(((2, 4), (5, 8)), ((4,), (4, 3)))),
    row("bmm", lambda m, a, b: m.bmm(a, b), (3, 2, 4), (3, 4, 5),
        bad=(((3, 2, 4), (2, 4, 5)), ((2, 4), (4, 5)))),
    row("addmm", lambda m, c, a, b: m.addmm(c, a, b), (3,), (2, 4), (4, 3),
        edges=(((2, 3), (2, 4), (4, 3)), ((1, 3), (2, 4), (4, 3))), bad=(((3,), (2, 4), (5, 3)),)),
    row("addmm_scaled", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
        (2, 3), (2, 4), (4, 3)),
    row("linear", lambda m, x, w, b: m.nn.functional.linear(x, w, b) if m is torch
        else bricks.ops.linear(x, w, b), (2, 4), (3, 4), (3,),
        edges=(((5, 2, 4), (3, 4), (3,)), ((4,), (3, 4), (3,))), bad=(((2, 5), (3, 4), (3,)),)),
    row("linear_nobias", lambda m, x, w: m.nn.functional.linear(x, w) if m is torch
        else bricks.ops.linear(x, w), (2, 4), (3, 4)),
    row("dot", lambda m, a, b: m.dot(a, b), (5,), (5,)),
    row("outer", lambda m, a, b: m.outer(a, b), (3,), (4,)),
]


def _einsum(equation: str) -> Callable[..., Any]:
    return lambda m, *operands: m.einsum(equation, *operands)


EINSUM = [
    row("einsum_mm", _einsum("ij,jk->ik"), (2, 3), (3, 4),
        edges=(((0, 4), (4, 3)), ((2, 0), (0, 3)), ((2, 1), (3, 4))),
        bad=(((2, 3), (4, 5)), ((2, 3, 1), (3, 4)))),
    row("einsum_bmm", _einsum("bij,bjk->bik"), (5, 2, 3), (5, 3, 4),
        edges=(((1, 2, 3), (5, 3, 4)),), bad=(((2, 2, 3), (3, 3, 4)),)),
    row("einsum_trace", _einsum("ii"), (3, 3), edges=(((0, 0),), ((1, 1),)), bad=(((2, 3),),)),
    row("einsum_diagonal", _einsum("ii->i"), (3, 3), bad=(((3, 3, 3),),)),
    row("einsum_batched_diagonal", _einsum("...ii->...i"), (4, 3, 3), edges=(((3, 3),),)),
    row("einsum_transpose", _einsum("ij->ji"), (2, 3), edges=(((0, 3),),)),
    row("einsum_sum", _einsum("ijk->j"), (2, 3, 4), edges=(((2, 0, 4),),)),
    row("einsum_implicit", _einsum("jk,ij"), (3, 4), (2, 3)),
    row("einsum_ellipsis", _einsum("...ij,...jk->...ik"), (2, 2, 3), (3, 4),
        edges=(((3, 1, 2, 3), (5, 3, 4)), ((2, 3), (3, 4))), bad=(((2, 2, 3), (3, 3, 4)),)),
    row("einsum_ellipsis_summed", _einsum("i...->..."), (2, 3, 4)),
    row("einsum_outer", _einsum("i,j->ij"), (2,), (3,), edges=(((0,), (3,)),)),
    row("einsum_broadcast_one", _einsum("i,i->i"), (1,), (3,), bad=(((2,), (3,)),)),
    row("einsum_scalars", _einsum(",i->i"), (), (3,)),
    row("einsum_repeated_and_contracted", _einsum("iij,jk->ki"), (3, 3, 2), (2, 4)),
    row("einsum_summed_alone", _einsum("ij,k->k"), (2, 3), (4,)),
    row("einsum_three", _einsum("ij,jk,kl->il"), (2, 3), (3, 4), (4, 5),
        bad=(((2, 3), (3, 4), (5, 5)),)),
    row("einsum_four_outer", _einsum("i,j,k,l->lkji"), (2,), (3,), (1,), (2,)),
    row("einsum_list", lambda m, a, b: m.einsum("ij,kj->ik", [a, b]), (2, 3), (4, 3)),
    row("einsum_attention", _einsum("bhqd,bhkd->bhqk"), (2, 3, 4, 5), (2, 3, 6, 5)),
]

_RED = dict(edges=(((),), ((0, 3),)))

REDUCTIONS = [
    row("sum", lambda m, a: a.sum(), (3, 4), **_RED),
    row("sum_dim", lambda m, a: m.sum(a, 1), (3, 4, 2), bad=(((3,),),)),
    row("sum_tuple_keepdim", lambda m, a: a.sum((0, 2), keepdim=True), (3, 4, 2)),
    row("sum_neg_dim", lambda m, a: a.sum(dim=-1), (3, 4), edges=(((0, 3),), ((3, 0),))),
    row("mean", lambda m, a: a.mean(), (3, 4), edges=(((),),)),
    row("mean_dim", lambda m, a: m.mean(a, (0, 1)), (3, 4, 2)),
    row("mean_keepdim", lambda m, a: a.mean(1, keepdim=True), (3, 4)),
    row("prod", lambda m, a: a.prod(), (3, 4), domain="nonzero", **_RED),
    row("prod_dim", lambda m, a: m.prod(a, 1, keepdim=True), (3, 4), domain="nonzero"),
    row("var", lambda m, a: a.var(), (3, 4)),
    row("var_dim", lambda m, a: m.var(a, 1, keepdim=True), (3, 4)),
    row("var_biased", lambda m, a: a.var(0, unbiased=False), (3, 4)),
    row("var_correction", lambda m, a: m.var(a, (0, 1), correction=0), (3, 4, 2)),
    row("std", lambda m, a: a.std(), (3, 4)),
    row("std_dim", lambda m, a: m.std(a, dim=0), (3, 4)),
    row("norm", lambda m, a: a.norm(), (3, 4)),
    row("norm_dim", lambda m, a: m.norm(a, dim=1), (3, 4)),
    row("norm_p1", lambda m, a: m.norm(a, p=1, dim=1), (3, 4), domain="nonzero"),
    row("norm_p3", lambda m, a: m.norm(a, p=3), (3, 4), domain="nonzero"),
    row("logsumexp", lambda m, a: m.logsumexp(a, 1), (3, 4), edges=(((2, 0),),)),
    row("logsumexp_tuple", lambda m, a: a.logsumexp((0, 1), keepdim=True), (3, 4)),
    row("max", lambda m, a: a.max(), (3, 4), domain="distinct", edges=(((),),), bad=(((0,),),)),
    row("min", lambda m, a: m.min(a), (3, 4), domain="distinct", edges=(((),),)),
    row("max_dim", lambda m, a: m.max(a, 1), (3, 4), domain="distinct",
        edges=(((0, 3),),), bad=(((3, 0),),)),
    row("max_dim_keepdim", lambda m, a: a.max(dim=0, keepdim=True), (3, 4), domain="distinct"),
    row("min_dim", lambda m, a: a.min(-1), (3, 4), domain="distinct"),
    row("amax", lambda m, a: m.amax(a, (0, 1)), (3, 4, 2), domain="distinct"),
    row("amin", lambda m, a: a.amin(1), (3, 4), domain="distinct"),
    row("argmax", lambda m, a: a.argmax(), (3, 4), domain="distinct", differentiable=False),
    row("argmax_dim", lambda m, a: m.argmax(a, 1, keepdim=True), (3, 4), domain="distinct",
        differentiable=False),
    row("argmin", lambda m, a: m.argmin(a, dim=0), (3, 4), domain="distinct",
        differentiable=False),
    row("all", lambda m, a: (a > 0).all(), (3, 4), differentiable=False, edges=(((0,),),)),
    row("all_dim", lambda m, a: m.all(a > 0, 1), (3, 4), differentiable=False),
    row("any", lambda m, a: (a > 0).any(), (3, 4), differentiable=False, edges=(((0,),),)),
    row("any_dim", lambda m, a: (a > 0).any(dim=0, keepdim=True), (3, 4), differentiable=False),
    row("softmax", lambda m, a: m.softmax(a, 1), (3, 4), edges=(((0, 4),), ((4, 1),))),
    row("softmax_dim0", lambda m, a: a.softmax(0), (3, 4)),
    row("log_softmax", lambda m, a: m.log_softmax(a, -1), (3, 4), edges=(((0, 4),), ((4, 1),))),
    row("log_softmax_dim0", lambda m, a: a.log_softmax(dim=0), (3, 4, 2)),
]

SHAPE = [
    row("reshape", lambda m, a: a.reshape(4, -1), (2, 3, 2), edges=(((0, 3),),),
        bad=(((2, 3),),)),
    row("reshape_tuple", lambda m, a: m.reshape(a, (3, 4)), (2, 6)),
    row("view", lambda m, a: a.view(-1), (2, 3)),
    row("view_scalar", lambda m, a: a.view(1, 1), ()),
    row("flatten", lambda m, a: a.flatten(), (2, 3, 2), edges=(((),),)),
    row("flatten_range", lambda m, a: m.flatten(a, 1, 2), (2, 3, 2, 2)),
    row("squeeze", lambda m, a: a.squeeze(), (2, 1, 3, 1)),
    row("squeeze_dim", lambda m, a: m.squeeze(a, 1), (2, 1, 3)),
    row("squeeze_dim_noop", lambda m, a: a.squeeze(0), (2, 1, 3)),
    row("unsqueeze", lambda m, a: a.unsqueeze(1), (2, 3), edges=(((0,),),), bad=(((),),)),
    row("unsqueeze_neg", lambda m, a: m.unsqueeze(a, -1), (2, 3)),
    row("transpose", lambda m, a: a.transpose(0, 2), (2, 3, 4), bad=(((2, 3),),)),
    row("t", lambda m, a: a.t(), (2, 3)),
    row("T", lambda m, a: a.T, (2, 3)),
    row("permute", lambda m, a: a.permute(2, 0, 1), (2, 3, 4)),
    row("permute_tuple", lambda m, a: m.permute(a, (1, 0, 2)), (2, 3, 4)),
    row("expand", lambda m, a: a.expand(2, 3, 4), (3, 1), bad=(((3, 2),),)),
    row("expand_keep", lambda m, a: a.expand(-1, 4), (3, 1)),
    row("expand_as", lambda m, a, b: a.expand_as(b), (1, 3), (2, 3)),
    row("repeat", lambda m, a: a.repeat(2, 3), (2, 3)),
    row("repeat_more_dims", lambda m, a: a.repeat(2, 1, 3), (2, 3), bad=(((2, 3, 4, 5),),)),
    row("cat", lambda m, a, b: m.cat([a, b]), (2, 3), (4, 3), bad=(((2, 3), (2, 4)),)),
    row("cat_dim", lambda m, a, b, c: m.cat((a, b, c), dim=1), (2, 3), (2, 1), (2, 2)),
    row("stack", lambda m, a, b: m.stack([a, b], 1), (2, 3), (2, 3), bad=(((2, 3), (3, 2)),)),
    row("split", lambda m, a: m.split(a, 2), (5, 3), edges=(((0, 3),),)),
    row("split_sizes", lambda m, a: a.split([1, 2], dim=1), (4, 3), bad=(((4, 4),),)),
    row("chunk", lambda m, a: a.chunk(3, 1), (2, 7)),
    row("chunk_dim0", lambda m, a: m.chunk(a, 2), (5, 3)),
    row("unbind", lambda m, a: a.unbind(1), (2, 3)),
    row("movedim", lambda m, a: m.movedim(a, 0, 2), (2, 3, 4)),
    row("movedim_several", lambda m, a: a.movedim((0, -1), [2, 0]), (2, 3, 4),
        bad=(((2, 3),),)),
    row("moveaxis", lambda m, a: m.moveaxis(a, 1, 0), (2, 3, 4)),
    row("swapaxes", lambda m, a: a.swapaxes(0, 2), (2, 3, 4), bad=(((2, 3),),)),
    row("reversed", lambda m, a: reversed(a), (3, 2), edges=(((0, 2),), ((1,),))),
    row("swapdims", lambda m, a: m.swapdims(a, -1, 0), (2, 3, 4)),
    row("split_with_sizes", lambda m, a: a.split_with_sizes([2, 0, 1], 1), (4, 3),
        bad=(((4, 4),),)),
    row("tensor_split", lambda m, a: m.tensor_split(a, 3, 1), (2, 7), edges=(((2, 0),),)),
    row("tensor_split_indices", lambda m, a: a.tensor_split([1, 5, 2, -1]), (6, 2)),
    row("tensor_split_tensor", lambda m, a: m.tensor_split(a, _index(m, [2]), dim=1), (2, 5)),
    row("hsplit", lambda m, a: m.hsplit(a, 2), (3, 4), bad=(((3, 3),),)),
    row("vsplit", lambda m, a: a.vsplit([1]), (3, 4), bad=(((3,),),)),
    row("dsplit", lambda m, a: m.dsplit(a, 2), (2, 1, 4), bad=(((2, 4),),)),
    row("unfold", lambda m, a: a.unfold(1, 2, 2), (3, 4), bad=(((3, 1),),)),
    row("unfold_overlapping", lambda m, a: a.unfold(-1, 3, 1), (2, 5), edges=(((2, 3),),)),
    row("as_strided", lambda m, a: m.as_strided(a, (2, 2), (1, 2)), (3, 4)),
    row("as_strided_overlapping", lambda m, a: a.as_strided((3, 3), (1, 1), 2), (3, 4)),
    row("as_strided_of_a_slice", lambda m, a: a[1:].as_strided((2, 3), (2, 1)), (3, 4)),
    row("squeeze_", lambda m, a: (a * 1).squeeze_(), (2, 1, 3)),
    row("squeeze__dim", lambda m, a: (a * 1).squeeze_(1), (2, 1, 3)),
    row("squeeze__dims", lambda m, a: (a * 1).squeeze_((1, 3)), (2, 1, 3, 1)),
    row("reshape_transposed", lambda m, a: a.t().reshape(-1), (2, 3)),
    row("reshape_permuted_view", lambda m, a: a.permute(1, 0, 2).reshape(3, 2, 2, 2),
        (2, 3, 4), bad=(((2, 3, 5),),)),
    row("reshape_permuted_copy", lambda m, a: m.reshape(a.permute(2, 0, 1), (4, 6)), (2, 3, 4),
        bad=(((2, 3, 5),),)),
    row("contiguous_transposed", lambda m, a: a.t().contiguous(), (2, 3)),
    row("view_of_contiguous_copy", lambda m, a: a.t().contiguous().view(-1), (2, 3)),
]

INDEX = [
    row("gather", lambda m, a: m.gather(a, 1, _index(m, [[0, 0], [2, 1]])), (2, 3)),
    row("gather_dim0", lambda m, a: a.gather(0, _index(m, [[1, 0, 1]])), (2, 3)),
    row("index_select", lambda m, a: m.index_select(a, 0, _index(m, [2, 0, 2])), (3, 4)),
    row("index_select_dim1", lambda m, a: a.index_select(1, _index(m, [1, 1])), (3, 4)),
    row("masked_fill", lambda m, a: a.masked_fill(_mask(m, [[True, False, True]]), 0.5), (2, 3)),
    row("masked_fill_tensor", lambda m, a: m.masked_fill(a, a > 0, m.tensor(-1.0)), (2, 3)),
    row("masked_fill_value_grad", lambda m, a, v: m.masked_fill(a, a > 0, v), (2, 3), (),
        edges=(((0, 3), ()), ((), ())), bad=(((2, 3), (1,)),)),
    row("masked_fill_broadcast", lambda m, a, v: a.masked_fill(
        _mask(m, [[True, False, True], [False, False, True]]), v), (3,), (),
        bad=(((4,), ()),)),
    row("masked_fill__value_grad", lambda m, a, v: (a * 1).masked_fill_(a > 0, v), (2, 3), (),
        bad=(((2, 3), (2,)),)),
    row("fill__value_grad", lambda m, a, v: (a * 1).fill_(v), (2, 3), (), edges=(((0,), ()),),
        bad=(((2, 3), (2,)),)),
    row("fill__value_grad_only", lambda m, a, v: m.zeros_like(a).fill_(v), (2, 3), ()),
    row("getitem_int", lambda m, a: a[1], (3, 4), bad=(((),),)),
    row("getitem_neg", lambda m, a: a[-1, 2], (3, 4)),
    row("getitem_slice", lambda m, a: a[1:, ::2], (3, 4)),
    row("getitem_none_ellipsis", lambda m, a: a[None, ..., 1], (3, 4, 2)),
    row("getitem_mask", lambda m, a: a[a > 0], (3, 4)),
    row("getitem_mask_rows", lambda m, a: a[_mask(m, [True, False, True])], (3, 4)),
    row("getitem_tensor", lambda m, a: a[_index(m, [0, 2, 0])], (3, 4)),
    row("getitem_list", lambda m, a: a[[0, 2, 2]], (3, 4)),
    row("getitem_pair", lambda m, a: a[_index(m, [0, 1]), _index(m, [3, 3])], (3, 4)),
    row("getitem_mixed", lambda m, a: a[1:, _index(m, [0, 2])], (3, 4)),
]


def _setitem(key: Any) -> Callable[..., Any]:
    def f(m: Any, a: Any, v: Any) -> Any:
        out = a * 1
        out[key(m)] = v
        return out

    return f


SETITEM = [
    row("setitem_int", _setitem(lambda m: 1), (3, 4), (4,)),
    row("setitem_slice", _setitem(lambda m: (slice(None), slice(1, 3))), (3, 4), (3, 2)),
    row("setitem_broadcast", _setitem(lambda m: slice(0, 2)), (3, 4), (4,)),
    row("setitem_mask", _setitem(lambda m: _mask(m, [True, False, True])), (3, 4), (1, 4)),
    row("setitem_tensor", _setitem(lambda m: _index(m, [2, 0])), (3, 4), (2, 4)),
    row("setitem_ellipsis", _setitem(lambda m: (Ellipsis, 0)), (3, 4), (3,)),
]

ORDERING = [
    row("sort", lambda m, a: m.sort(a), (3, 4), domain="distinct", edges=(((),), ((0, 2),))),
    row("sort_descending", lambda m, a: a.sort(dim=0, descending=True), (3, 4),
        domain="distinct"),
    row("argsort", lambda m, a: a.argsort(1), (3, 4), domain="distinct", differentiable=False,
        bad=(((3,),),)),
    row("topk", lambda m, a: m.topk(a, 2), (3, 4), domain="distinct", bad=(((3, 1),),)),
    row("topk_smallest", lambda m, a: a.topk(2, dim=0, largest=False), (3, 4),
        domain="distinct"),
    row("cumsum", lambda m, a: m.cumsum(a, 1), (3, 4), edges=(((0, 2),),), bad=(((3,),),)),
    row("cumsum_dim0", lambda m, a: a.cumsum(dim=0), (3, 4), edges=(((),),)),
    row("flip", lambda m, a: m.flip(a, (0, 1)), (3, 4), edges=(((0, 2),),), bad=(((3,),),)),
    row("flip_one", lambda m, a: a.flip(1), (3, 4)),
    row("unsqueeze_", lambda m, a: (a * 1).unsqueeze_(0), (3, 4)),
    row("nonzero", lambda m, a: (a > 0).nonzero(), (3, 4), differentiable=False,
        edges=(((),), ((0, 2),))),
    row("nonzero_tuple", lambda m, a: m.nonzero(a > 0, as_tuple=True), (3, 4),
        differentiable=False),
    row("isclose", lambda m, a, b: m.isclose(a, a + b * 1e-6), (3, 4), (3, 4),
        differentiable=False),
]

from op_table_breadth import BREADTH  # noqa: E402  (its rows are made with ``row`` above)
from op_table_complex import COMPLEX_AND_FFT  # noqa: E402  (the same)
from op_table_special import SPECIAL  # noqa: E402  (the same)
from op_table_torch_names import TORCH_NAMES  # noqa: E402  (the same)
from op_table_names import NAMES  # noqa: E402  (the same)

OPS = (ARITHMETIC + COMPARISONS + BITWISE + UNARY + LINALG + EINSUM + REDUCTIONS + SHAPE + INDEX
       + SETITEM + ORDERING + BREADTH + COMPLEX_AND_FFT + SPECIAL + TORCH_NAMES + NAMES)
BINARY = [op for op in OPS if op.broadcasts]
