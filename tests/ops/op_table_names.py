"""Op-table rows of the names of feat-names: writing into a copy by place
(``select_scatter``, ``slice_scatter``, ``diagonal_scatter``, ``masked_scatter``, ``put``,
``index_reduce`` and the in-place methods, through a copy so the leaf stays a leaf),
``block_diag``, ``combinations``, ``chain_matmul`` and ``Tensor.sum_to_size``. Joined to
``OPS`` in op_table.py."""

from __future__ import annotations

from typing import Any

from op_table import row


def _index(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.int64)


def _mask(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.bool)


_REDUCE_INDEX = [0, 2, 0, 2]


def _index_reduce(reduce: str, include_self: bool) -> Any:
    # ``s * 1.01``: no value of ``s`` equals one of ``a`` by chance, where torch's amax/amin
    # gradient shares with self even when self is excluded (matched on the edge values).
    return row(f"index_reduce_{reduce}{'' if include_self else '_exclude_self'}",
               lambda m, a, s: m.index_reduce(a, 0, _index(m, _REDUCE_INDEX), s * 1.01, reduce,
                                              include_self=include_self),
               (3, 2), (4, 2), domain="distinct" if reduce.startswith("am") else "real")


SCATTERS = [
    row("select_scatter", lambda m, a, s: m.select_scatter(a, s, 1, -1), (3, 4), (3,),
        edges=(((0, 4), (0,)),), bad=(((3, 4), (4,)),)),
    row("select_scatter_method", lambda m, a, s: a.select_scatter(s, 0, 1), (3, 4), (4,)),
    row("slice_scatter", lambda m, a, s: m.slice_scatter(a, s, 1, 0, None, 2), (3, 4), (3, 2),
        edges=(((0, 4), (0, 2)),), bad=(((3, 4), (3, 3)),)),
    row("slice_scatter_start", lambda m, a, s: a.slice_scatter(s, start=1), (4, 3), (3, 3)),
    row("slice_scatter_past_end", lambda m, a, s: m.slice_scatter(a, s, -1, -10, 100), (2, 3),
        (2, 3)),
    row("diagonal_scatter", lambda m, a, s: m.diagonal_scatter(a, s, 1), (3, 4), (3,),
        edges=(((0, 4), (0,)),), bad=(((3, 4), (4,)),)),
    row("diagonal_scatter_dims", lambda m, a, s: a.diagonal_scatter(s, -1, 0, 2), (3, 2, 3),
        (2, 2)),
    row("masked_scatter", lambda m, a, s: m.masked_scatter(
        a, _mask(m, [True, False, True, True]), s), (3, 4), (10,), bad=(((3, 4), (8,)),)),
    row("masked_scatter_broadcast", lambda m, a, s: a.masked_scatter(
        _mask(m, [[True, False, True], [False, True, True]]), s), (3,), (2, 3)),
    row("masked_scatter_", lambda m, a, s: (a * 1).masked_scatter_(
        _mask(m, [[True], [False], [True]]), s), (3, 4), (2, 5), grad_fn=False),
    row("put", lambda m, a, s: m.put(a, _index(m, [0, -1, 5]), s), (3, 4), (3,),
        edges=(((1, 6), (3,)),), bad=(((3, 4), (4,)),)),
    row("put_accumulate", lambda m, a, s: a.put(_index(m, [[0, 0], [5, -1]]), s,
                                                accumulate=True), (3, 4), (2, 2)),
    row("put_", lambda m, a, s: (a * 1).put_(_index(m, [2, 7]), s), (3, 4), (2,),
        grad_fn=False),
    _index_reduce("prod", True),
    _index_reduce("prod", False),
    _index_reduce("mean", True),
    _index_reduce("mean", False),
    _index_reduce("amax", True),
    _index_reduce("amax", False),
    _index_reduce("amin", True),
    _index_reduce("amin", False),
    row("index_reduce_dim1", lambda m, a, s: a.index_reduce(1, _index(m, [1, 1, 0]), s, "prod"),
        (2, 3), (2, 3), bad=(((2, 3), (2, 2)),)),
    row("index_reduce_", lambda m, a, s: (a * 1).index_reduce_(
        0, _index(m, [1, 1]), s * 1.01, "amax", include_self=False), (3, 2), (2, 2),
        domain="distinct", grad_fn=False),
    row("fill_diagonal_", lambda m, a: (a * 1).fill_diagonal_(0.5), (3, 4), grad_fn=False,
        bad=(((3,),),)),
    row("fill_diagonal_wrap", lambda m, a: (a * 1).fill_diagonal_(-2, wrap=True), (7, 3),
        grad_fn=False),
    row("fill_diagonal_3d", lambda m, a: (a * 1).fill_diagonal_(1), (2, 2, 2), grad_fn=False,
        bad=(((2, 2, 3),),)),
]

STRUCTURE = [
    row("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), (2, 3), (), (4,),
        edges=(((0, 2), (), (1,)),), bad=(((2, 2, 2), (), (1,)),)),
    row("block_diag_one", lambda m, a: m.block_diag(a), (3, 2)),
    row("combinations", lambda m, a: m.combinations(a), (4,), edges=(((0,),), ((1,),)),
        bad=(((2, 2),),)),
    row("combinations_r3", lambda m, a: m.combinations(a, 3), (4,)),
    row("combinations_with_replacement", lambda m, a: m.combinations(a, 2, True), (3,)),
    row("chain_matmul", lambda m, a, b, c: m.chain_matmul(a, b, c), (2, 3), (3, 4), (4, 2),
        grad_fn=False, bad=(((2, 3), (2, 4), (4, 2)),)),
    row("chain_matmul_two", lambda m, a, b: m.chain_matmul(a, b), (2, 3), (3, 4),
        grad_fn=False),
    row("chain_matmul_four", lambda m, a, b, c, d: m.chain_matmul(a, b, c, d), (2, 5), (5, 1),
        (1, 4), (4, 3), grad_fn=False),
    row("sum_to_size", lambda m, a: a.sum_to_size(1, 4), (3, 4), bad=(((3, 5),),)),
    row("sum_to_size_leading", lambda m, a: a.sum_to_size((2, 1)), (3, 2, 4), grad_fn=False),
]

NAMES = SCATTERS + STRUCTURE
