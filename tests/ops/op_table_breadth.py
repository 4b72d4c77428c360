"""Op-table rows of the everyday names (issue 12): more pointwise math, matrix-shaped ops,
writing and reading by index, order statistics, and torch.linalg. Joined to ``OPS`` in
op_table.py."""

from __future__ import annotations

from typing import Any

from op_table import row

_UN = dict(edges=(((0,),), ((),), ((1, 0, 2),)))


def _index(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.int64)


def _specials(a: Any) -> Any:
    """``a`` with some values made +inf, -inf and NaN (no division by zero on the way)."""
    return (a.masked_fill(a > 1.5, float("inf")).masked_fill(a < -1.5, float("-inf"))
            .masked_fill(a.abs() < 0.7, float("nan")))


POINTWISE = [
    row("sinh", lambda m, a: m.sinh(a), (2, 3), **_UN),
    row("cosh", lambda m, a: a.cosh(), (2, 3), **_UN),
    row("tan", lambda m, a: m.tan(a), (2, 3), domain="unit", **_UN),
    row("asin", lambda m, a: m.asin(a), (2, 3), domain="unit", **_UN),
    row("acos", lambda m, a: a.acos(), (2, 3), domain="unit", **_UN),
    row("atan", lambda m, a: m.atan(a), (2, 3), **_UN),
    row("arcsin", lambda m, a: m.arcsin(a), (2, 3), domain="unit"),
    row("asinh", lambda m, a: m.asinh(a), (2, 3)),
    row("acosh", lambda m, a: m.acosh(a + 2), (2, 3), domain="positive"),
    row("atanh", lambda m, a: a.atanh(), (2, 3), domain="unit"),
    row("atan2", lambda m, a, b: m.atan2(a, b), (2, 3), (2, 3), domain="nonzero",
        broadcasts=True, edges=(((0, 3), (3,)), ((), ()), ((2, 1), (1, 3))),
        bad=(((2, 3), (4,)),)),
    row("atan2_method", lambda m, a, b: a.atan2(b), (2, 3), (3,), domain="nonzero"),
    row("expm1", lambda m, a: m.expm1(a), (2, 3), **_UN),
    row("exp2", lambda m, a: m.exp2(a), (2, 3)),
    row("log2", lambda m, a: m.log2(a), (2, 3), domain="positive"),
    row("log10", lambda m, a: a.log10(), (2, 3), domain="positive"),
    row("erf", lambda m, a: m.erf(a), (2, 3), **_UN),
    row("erfc", lambda m, a: a.erfc(), (2, 3)),
    row("lgamma", lambda m, a: m.lgamma(a), (2, 3), domain="positive", **_UN),
    row("lgamma_negative", lambda m, a: m.lgamma(a - 3.3), (2, 3), domain="unit"),
    row("sign", lambda m, a: m.sign(a), (2, 3), domain="nonzero", **_UN),
    row("clip", lambda m, a: m.clip(a, -0.5, 0.5), (3, 4), **_UN),
    row("clip_method", lambda m, a: a.clip(min=0.1), (3, 4)),
    row("nan_to_num", lambda m, a: m.nan_to_num(_specials(a)) * 1e-30, (3, 4), domain="nonzero",
        grad_fn=False),
    row("nan_to_num_values", lambda m, a: _specials(a).nan_to_num(nan=1.0, posinf=2.0,
                                                                  neginf=-2.0),
        (3, 4), domain="nonzero"),
    row("hypot", lambda m, a, b: m.hypot(a, b), (2, 3), (3,), domain="nonzero"),
    row("logaddexp", lambda m, a, b: m.logaddexp(a, b), (2, 3), (2, 3)),
    row("frac", lambda m, a: m.frac(a * 3), (2, 3), grad_fn=False),
    row("deg2rad", lambda m, a: m.deg2rad(a), (2, 3), grad_fn=False),
    row("isnan", lambda m, a: m.isnan(_specials(a)), (2, 3), differentiable=False),
    row("isinf", lambda m, a: _specials(a).isinf(), (2, 3), differentiable=False),
    row("isfinite", lambda m, a: m.isfinite(_specials(a)), (2, 3), differentiable=False),
    row("signbit", lambda m, a: m.signbit(a), (2, 3), differentiable=False),
]

MATRIX = [
    row("tril", lambda m, a: m.tril(a), (3, 4), edges=(((0, 3),), ((2, 3, 3),)),
        bad=(((3,),),)),
    row("tril_offset", lambda m, a: a.tril(-1), (4, 3)),
    row("triu", lambda m, a: m.triu(a, 1), (3, 4), edges=(((2, 3, 3),),), bad=(((3,),),)),
    row("triu_method", lambda m, a: a.triu(), (4, 3)),
    row("diagonal", lambda m, a: m.diagonal(a), (3, 4), edges=(((0, 3),),),
        bad=(((3,),),)),
    row("diagonal_offset_dims", lambda m, a: a.diagonal(1, 0, 2), (3, 2, 4)),
    row("diagonal_negative_offset", lambda m, a: m.diagonal(a, -1), (4, 3)),
    row("diag_vector", lambda m, a: m.diag(a), (3,), edges=(((0,),),), bad=(((2, 2, 2),),)),
    row("diag_vector_offset", lambda m, a: m.diag(a, 1), (3,)),
    row("diag_matrix", lambda m, a: m.diag(a), (3, 4), grad_fn=False),
    row("diag_embed", lambda m, a: m.diag_embed(a), (2, 3)),
    row("trace", lambda m, a: m.trace(a), (3, 4), edges=(((0, 0),),), bad=(((3,),),)),
    row("mv", lambda m, a, b: m.mv(a, b), (3, 4), (4,), bad=(((3, 4), (3,)), ((3,), (3,)))),
    row("cross", lambda m, a, b: m.cross(a, b, dim=1), (2, 3), (2, 3),
        bad=(((2, 4), (2, 4)),)),
    row("kron", lambda m, a, b: m.kron(a, b), (2, 3), (3, 2), grad_fn=False),
    row("kron_vectors", lambda m, a, b: m.kron(a, b), (2,), (3,), grad_fn=False),
    row("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([1, 2], [0, 1])), (2, 3, 4),
        (3, 4, 5), grad_fn=False, bad=(((2, 3, 4), (4, 3, 5)),)),
    row("tensordot_int", lambda m, a, b: m.tensordot(a, b, 1), (2, 3), (3, 4), grad_fn=False),
    row("cdist", lambda m, a, b: m.cdist(a, b), (4, 3), (5, 3), bad=(((4, 3), (5, 2)),)),
    row("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), (2, 4, 3), (2, 5, 3)),
    row("meshgrid", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), (3,), (4,), grad_fn=False),
    row("meshgrid_xy", lambda m, a, b, c: m.meshgrid(a, b, c, indexing="xy"), (3,), (4,),
        (2,), grad_fn=False),
]

INDEXING = [
    # torch's backward fails for a source larger than the index: sources fit here.
    row("scatter", lambda m, a, b: m.scatter(a, 0, _index(m, [[1, 0, 2]]), b), (3, 3),
        (1, 3), bad=(((3,), (1, 3)),)),
    row("scatter_value", lambda m, a: a.scatter(1, _index(m, [[0], [2]]), 1.5), (2, 3)),
    row("scatter_add", lambda m, a, b: m.scatter_add(a, 0, _index(m, [[1, 0, 1]]), b),
        (3, 3), (1, 3)),
    row("scatter_add_method", lambda m, a, b: a.scatter_add(1, _index(m, [[0, 0], [2, 0]]), b),
        (2, 3), (2, 2)),
    row("scatter_", lambda m, a, b: (a * 1).scatter_(0, _index(m, [[1, 0]]), b), (3, 2),
        (1, 2), grad_fn=False),
    row("scatter_reduce_sum", lambda m, a, b: m.scatter_reduce(
        a, 0, _index(m, [[1, 0, 1], [2, 2, 1]]), b, "sum"), (3, 3), (2, 3),
        bad=(((3,), (2, 3)),)),
    row("scatter_reduce_mean", lambda m, a, b: a.scatter_reduce(
        1, _index(m, [[0, 0], [2, 0]]), b, "mean", include_self=False), (2, 3), (2, 2)),
    row("scatter_reduce_prod", lambda m, a, b: a.scatter_reduce(
        0, _index(m, [[1, 0, 1], [1, 2, 1]]), b, "prod"), (3, 3), (2, 3)),
    row("scatter_reduce_prod_exclusive", lambda m, a, b: a.scatter_reduce(
        0, _index(m, [[1, 0, 1]]), b, "prod", include_self=False), (3, 3), (1, 3)),
    # distinct values, src scaled so that none equals one of self's (no ties across them)
    row("scatter_reduce_amax", lambda m, a, b: m.scatter_reduce(
        a, 0, _index(m, [[1, 0, 1], [1, 2, 1]]), b * 1.001, "amax"), (3, 3), (2, 3),
        domain="distinct"),
    row("scatter_reduce_amin", lambda m, a, b: a.scatter_reduce(
        0, _index(m, [[1, 0, 1], [1, 2, 1]]), b * 1.001, "amin", include_self=False), (3, 3),
        (2, 3), domain="distinct"),
    row("scatter_reduce_", lambda m, a, b: (a * 1).scatter_reduce_(
        0, _index(m, [[1, 0]]), b, "sum"), (3, 2), (1, 2), grad_fn=False),
    row("index_put", lambda m, a, b: m.index_put(a, (_index(m, [2, 0]),), b), (3, 4),
        (2, 4), bad=(((3, 4), (3, 4)),)),
    row("index_put_accumulate", lambda m, a, b: a.index_put(
        (_index(m, [0, 2, 0]), _index(m, [1, 1, 1])), b, accumulate=True), (3, 4), (3,)),
    row("index_put_broadcast", lambda m, a, b: a.index_put((_index(m, [1]),), b), (3, 4),
        (4,)),
    row("index_put_", lambda m, a, b: (a * 1).index_put_(
        (_index(m, [1, 1]),), b, accumulate=True), (3, 2), (2, 2), grad_fn=False),
    row("index_add", lambda m, a, b: m.index_add(a, 0, _index(m, [0, 2, 0]), b), (3, 4),
        (3, 4), bad=(((3, 4), (2, 4)),)),
    row("index_add_alpha", lambda m, a, b: a.index_add(1, _index(m, [1, 1]), b, alpha=2.0),
        (3, 4), (3, 2)),
    row("index_add_", lambda m, a, b: (a * 1).index_add_(0, _index(m, [1]), b), (3, 2),
        (1, 2), grad_fn=False),
    row("index_copy", lambda m, a, b: m.index_copy(a, 0, _index(m, [2, 0]), b), (3, 4),
        (2, 4)),
    row("index_copy_", lambda m, a, b: (a * 1).index_copy_(1, _index(m, [0]), b), (3, 2),
        (3, 1), grad_fn=False),
    row("index_fill", lambda m, a: a.index_fill(1, _index(m, [0, 2]), -1.0), (2, 3)),
    row("take_along_dim", lambda m, a: m.take_along_dim(a, _index(m, [[0], [2]]), 1),
        (2, 3)),
    row("take_along_dim_broadcast", lambda m, a: m.take_along_dim(a, _index(m, [[2, 0]]), 1),
        (3, 3)),
    row("take_along_dim_flat", lambda m, a: a.take_along_dim(_index(m, [5, 0, 2])), (2, 3)),
    row("roll", lambda m, a: m.roll(a, 1, 0), (3, 4), edges=(((0, 2),),)),
    row("roll_flat", lambda m, a: a.roll(-2), (3, 4)),
    row("roll_dims", lambda m, a: m.roll(a, (1, -1), (0, 1)), (3, 4), bad=(((3,),),)),
    row("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2), (2, 3), grad_fn=False),
    row("repeat_interleave_dim", lambda m, a: a.repeat_interleave(3, dim=1), (2, 3)),
    row("repeat_interleave_tensor", lambda m, a: m.repeat_interleave(
        a, _index(m, [1, 0, 2]), dim=0), (3, 2), bad=(((2, 2),),)),
    row("narrow", lambda m, a: a.narrow(1, 1, 2), (3, 4), grad_fn=False, bad=(((3, 2),),)),
    row("select", lambda m, a: m.select(a, 1, -1), (3, 4), grad_fn=False),
]

STATS = [
    row("median", lambda m, a: m.median(a), (3, 4), domain="distinct"),
    row("median_dim", lambda m, a: a.median(1), (3, 4), domain="distinct",
        bad=(((3,),),)),
    row("median_dim_keepdim", lambda m, a: m.median(a, 0, keepdim=True), (4, 3),
        domain="distinct"),
    row("mode", lambda m, a: m.mode(m.round(a * 2)), (3, 6), differentiable=False),
    row("mode_grad", lambda m, a: m.mode(a, 0), (3, 4), domain="distinct"),
    row("quantile", lambda m, a: m.quantile(a, 0.3), (3, 4), domain="distinct", grad_fn=False),
    row("quantile_dim", lambda m, a: a.quantile(m.tensor([0.25, 0.5, 1.0], dtype=a.dtype),
                                                dim=1, keepdim=True),
        (3, 5), domain="distinct", grad_fn=False),
    row("quantile_lower", lambda m, a: m.quantile(a, 0.4, dim=0, interpolation="lower"),
        (5, 2), domain="distinct", grad_fn=False),
    row("quantile_midpoint", lambda m, a: m.quantile(a, 0.4, dim=0, interpolation="midpoint"),
        (5, 2), domain="distinct", grad_fn=False),
    row("nanquantile", lambda m, a: m.nanquantile(_specials(a * 2), 0.5, dim=1), (3, 4),
        domain="distinct", differentiable=False),
    row("cumprod", lambda m, a: m.cumprod(a, 1), (3, 4), domain="nonzero",
        edges=(((0, 2),),), bad=(((3,),),)),
    row("cumprod_zero", lambda m, a: (a * (a > -0.5)).cumprod(0), (4, 3), grad_fn=False),
    row("histc", lambda m, a: m.histc(a, bins=5, min=-1, max=1), (20,), differentiable=False),
    row("histc_range_of_data", lambda m, a: a.histc(4), (20,), differentiable=False),
    row("count_nonzero", lambda m, a: m.count_nonzero(a > 0, dim=1), (3, 4),
        differentiable=False),
]

def _spd(a: Any) -> Any:
    """A symmetric positive-definite matrix made from ``a``."""
    return a @ a.mT + a.shape[-1] * 1.0


def _sym(a: Any) -> Any:
    return a + a.mT


def _well(a: Any) -> Any:
    """``a`` pushed away from singular: its diagonal gets 3 added."""
    return a + 3 * a.new_tensor([[1.0 if i == j else 0.0 for j in range(a.shape[-1])]
                                 for i in range(a.shape[-1])])


_LA = dict(grad_fn=False)

LINALG_BREADTH = [
    row("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), (4, 3), (1, 3)),
    row("linalg_inv", lambda m, a: m.linalg.inv(_well(a)), (3, 3), bad=(((2, 3),),), **_LA),
    row("inverse_batched", lambda m, a: m.inverse(_well(a)), (2, 3, 3), **_LA),
    row("linalg_det", lambda m, a: m.linalg.det(a), (3, 3), **_LA),
    row("det_batched", lambda m, a: a.det(), (2, 3, 3), **_LA),
    row("linalg_slogdet", lambda m, a: m.linalg.slogdet(a), (3, 3), **_LA),
    row("logdet", lambda m, a: m.logdet(_spd(a)), (3, 3), **_LA),
    row("linalg_solve", lambda m, a, b: m.linalg.solve(_well(a), b), (3, 3), (3, 2),
        bad=(((3, 3), (4, 2)),), **_LA),
    row("linalg_solve_vector", lambda m, a, b: m.linalg.solve(_well(a), b), (3, 3), (3,),
        **_LA),
    row("linalg_solve_batched", lambda m, a, b: m.linalg.solve(_well(a), b), (2, 3, 3),
        (3, 1), **_LA),
    row("linalg_cholesky", lambda m, a: m.linalg.cholesky(_spd(a)), (3, 3), **_LA),
    row("cholesky_upper", lambda m, a: m.linalg.cholesky(_spd(a), upper=True), (2, 3, 3),
        **_LA),
    row("linalg_eigh_values", lambda m, a: m.linalg.eigvalsh(_sym(a)), (3, 3), **_LA),
    # eigenvectors are defined up to sign: compare a sign-free function of them
    row("linalg_eigh_vectors", lambda m, a: m.linalg.eigh(_sym(a)).eigenvectors ** 2,
        (3, 3), **_LA),
    row("linalg_svdvals", lambda m, a: m.linalg.svdvals(a), (4, 3), **_LA),
    row("linalg_svd_wide", lambda m, a: [p ** 2 for p in m.linalg.svd(a, full_matrices=False)],
        (2, 4), **_LA),
    row("linalg_svd_tall", lambda m, a: [p ** 2 for p in m.linalg.svd(a, full_matrices=False)],
        (2, 4, 3), **_LA),
    row("linalg_qr", lambda m, a: m.linalg.qr(a), (4, 3), **_LA),
    row("linalg_qr_square", lambda m, a: m.linalg.qr(a), (3, 3), **_LA),
    row("linalg_pinv", lambda m, a: m.linalg.pinv(a), (4, 3), **_LA),
    row("linalg_lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, (5, 3), (5, 2), **_LA),
    row("linalg_vector_norm", lambda m, a: m.linalg.vector_norm(a), (3, 4),
        edges=(((0,),), ((),))),
    row("linalg_vector_norm_dim", lambda m, a: m.linalg.vector_norm(a, 3, dim=1, keepdim=True),
        (3, 4), domain="nonzero"),
    row("linalg_vector_norm_inf", lambda m, a: m.linalg.vector_norm(a, float("inf"), (0, 2)),
        (3, 4, 2), domain="distinct", grad_fn=False),
    row("linalg_vector_norm_l1", lambda m, a: m.linalg.vector_norm(a, 1, -1), (3, 4),
        domain="nonzero"),
    row("linalg_norm", lambda m, a: m.linalg.norm(a), (3, 4), grad_fn=False),
    row("linalg_norm_dim", lambda m, a: m.linalg.norm(a, dim=1), (3, 4), grad_fn=False),
    row("linalg_matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), (2, 3, 4),
        grad_fn=False),
    row("linalg_matrix_norm_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), (3, 4),
        grad_fn=False),
    row("linalg_matrix_norm_1", lambda m, a: m.linalg.matrix_norm(a, 1), (3, 4),
        domain="distinct", grad_fn=False),
    row("linalg_matrix_norm_2", lambda m, a: m.linalg.norm(a, 2), (3, 4), grad_fn=False),
    row("linalg_matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), (3, 3), grad_fn=False),
    row("linalg_matrix_exp", lambda m, a: m.linalg.matrix_exp(a), (3, 3),
        edges=(((0, 0),), ((2, 0, 0),), ((1, 1),)), bad=(((2, 3),), ((3,),))),
    row("linalg_matrix_exp_batched_large", lambda m, a: m.linalg.matrix_exp(a * 4), (2, 4, 4),
        grad_fn=False),
    row("linalg_householder_product", lambda m, a, t: m.linalg.householder_product(a, t),
        (4, 3), (3,), bad=(((3, 4), (3,)), ((4, 3), (4,)), ((2, 4, 3), (3, 3)))),
    row("linalg_householder_product_batched_fewer", lambda m, a, t:
        m.linalg.householder_product(a, t), (2, 5, 3), (2, 2)),
]

EXTRAS = [
    row("hstack", lambda m, a, b: m.hstack([a, b]), (2, 3), (2, 1)),
    row("vstack", lambda m, a, b: m.vstack((a, b)), (3,), (2, 3)),
    row("dstack", lambda m, a, b: m.dstack([a, b]), (2, 3), (2, 3)),
    row("column_stack", lambda m, a, b: m.column_stack([a, b]), (3,), (3, 2)),
    row("tile", lambda m, a: m.tile(a, (2, 1, 2)), (2, 3)),
    row("broadcast_to", lambda m, a: m.broadcast_to(a, (4, 2, 3)), (2, 1)),
    row("masked_select", lambda m, a: m.masked_select(a, a > 0), (3, 4), grad_fn=False),
    row("take", lambda m, a: m.take(a, _index(m, [[0, 5], [-1, 2]])), (2, 3), grad_fn=False),
    row("rot90", lambda m, a: m.rot90(a, 1, (0, 1)), (2, 3)),
    row("rot90_k3", lambda m, a: a.rot90(3, (1, 2)), (2, 3, 4)),
    row("fliplr", lambda m, a: m.fliplr(a), (2, 3)),
    row("fmod", lambda m, a, b: m.fmod(a * 3, b), (2, 3), (2, 3), domain="nonzero",
        grad_fn=False),
    row("fmax", lambda m, a, b: m.fmax(a, b), (2, 3), (2, 3), domain="distinct",
        differentiable=False),
    row("lerp", lambda m, a, b: m.lerp(a, b, 0.3), (2, 3), (2, 3)),
    row("lerp_tensor_weight", lambda m, a, b, w: a.lerp(b, w), (2, 3), (2, 3), (3,)),
    row("erfinv", lambda m, a: m.erfinv(a), (2, 3), domain="unit", grad_fn=False),
    row("dist", lambda m, a, b: m.dist(a, b), (2, 3), (2, 3)),
    row("dist_p1", lambda m, a, b: a.dist(b, 1), (2, 3), (3,), grad_fn=False),
    row("nansum", lambda m, a: m.nansum(_specials(a).masked_fill(a.abs() > 1.5, 0.0)),
        (3, 4), grad_fn=False),
    row("nanmean_dim", lambda m, a: m.nanmean(a.masked_fill(a > 1, float("nan")), 1), (3, 4),
        grad_fn=False),
    row("std_mean", lambda m, a: m.std_mean(a, 1), (3, 4), grad_fn=False),
    row("var_mean", lambda m, a: m.var_mean(a, 0, correction=0, keepdim=True), (3, 4),
        grad_fn=False),
    row("inner", lambda m, a, b: m.inner(a, b), (2, 3), (4, 3), grad_fn=False),
    row("inner_vectors", lambda m, a, b: m.inner(a, b), (3,), (3,), grad_fn=False),
    row("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, beta=0.5, alpha=2.0), (2, 2, 4),
        (2, 2, 3), (2, 3, 4), grad_fn=False),
    row("kthvalue", lambda m, a: m.kthvalue(a, 2, 1), (3, 4), domain="distinct"),
    row("cummax", lambda m, a: m.cummax(a, 1), (3, 4), domain="distinct"),
    row("cummin", lambda m, a: a.cummin(0), (3, 4), domain="distinct"),
]

BREADTH = POINTWISE + MATRIX + INDEXING + STATS + LINALG_BREADTH + EXTRAS
