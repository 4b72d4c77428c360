"""Zero-size inputs and positions out of range, as torch: the same values and shapes, the same
gradients, or the same exception with the same message; a failed write changes nothing."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks


def _index(m: Any, values: Any) -> Any:
    return m.tensor(values, dtype=m.int64)


def _set(key: Callable[[Any], Any], value: Callable[[Any], Any],
         shape: tuple = (3, 4)) -> Callable[[Any], Any]:
    def run(m: Any) -> Any:
        x = m.zeros(shape)
        x[key(m)] = value(m)
        return x

    return run


CASES: dict[str, Callable[[Any], Any]] = {
    # gather: the index may be smaller than the input, never larger, never negative
    "gather_empty": lambda m: m.gather(m.zeros(0, 3), 1, _index(m, [[0, 0], [2, 1]])),
    "gather_empty_dim0": lambda m: m.zeros(0, 3).gather(0, _index(m, [[1, 0, 1]])),
    "gather_negative": lambda m: m.gather(m.zeros(2, 3), 1, _index(m, [[0, -1]])),
    "gather_too_big": lambda m: m.gather(m.zeros(2, 3), 1, _index(m, [[0, 4], [5, 0]])),
    "gather_index_larger": lambda m: m.gather(m.zeros(2, 3), 1, _index(m, [[0], [0], [0]])),
    "gather_index_smaller": lambda m: m.gather(m.arange(6.0).reshape(2, 3), 1,
                                               _index(m, [[2, 1, 0, 2]])),
    "gather_empty_index": lambda m: m.gather(m.zeros(2, 3), 1, _index(m, [[]])),
    # index_select
    "index_select_empty": lambda m: m.index_select(m.zeros(0, 4), 0, _index(m, [2, 0])),
    "index_select_negative": lambda m: m.index_select(m.zeros(3), 0, _index(m, [-1])),
    "index_select_too_big": lambda m: m.zeros(3, 2).index_select(0, _index(m, [3])),
    "index_select_nothing": lambda m: m.index_select(m.zeros(0, 2), 0, _index(m, [])),
    # take_along_dim
    "take_along_dim_empty": lambda m: m.take_along_dim(m.zeros(0, 3), _index(m, [[0], [2]]), 1),
    "take_along_dim_flat_empty": lambda m: m.zeros(0, 3).take_along_dim(_index(m, [5, 0])),
    "take_along_dim_broadcast": lambda m: m.take_along_dim(
        m.zeros(2, 3, 4), _index(m, [[[0]], [[1]], [[2]]]), 2),
    # x[key] = value
    "setitem_empty_broadcast": _set(lambda m: slice(0, 2), lambda m: m.zeros(0), (0, 4)),
    "setitem_empty_positions": _set(lambda m: _index(m, [2, 0]), lambda m: m.zeros(0, 4),
                                    (0, 4)),
    "setitem_out_of_range": _set(lambda m: _index(m, [5]), lambda m: 1.0),
    "setitem_negative_out_of_range": _set(lambda m: _index(m, [-5]), lambda m: 1.0),
    "setitem_negative": _set(lambda m: _index(m, [-3]), lambda m: 1.0),
    "setitem_two_positions": _set(lambda m: (_index(m, [0]), _index(m, [9])), lambda m: 1.0),
    "setitem_broadcast": _set(lambda m: slice(0, 2), lambda m: m.zeros(3)),
    "setitem_positions_broadcast": _set(lambda m: _index(m, [0, 1]), lambda m: m.zeros(3, 4)),
    # order statistics of nothing
    "median_empty": lambda m: m.median(m.zeros(0, 4)),
    "median_empty_dim": lambda m: m.median(m.zeros(0, 4), 0),
    "median_empty_other_dim": lambda m: m.zeros(0, 4).median(1),
    "nanmedian_empty_dim": lambda m: m.nanmedian(m.zeros(3, 0), 1),
    "mode_empty_dim": lambda m: m.mode(m.zeros(0, 4), 0),
    "mode_empty_other_dim": lambda m: m.mode(m.zeros(0, 4), 1),
    "quantile_empty": lambda m: m.quantile(m.zeros(0, 4), 0.3),
    "quantile_empty_dim": lambda m: m.zeros(0, 5).quantile(0.5, dim=1),
    "quantile_empty_int": lambda m: m.quantile(m.zeros(0, dtype=m.int64), 0.5),
    "nanquantile_empty": lambda m: m.nanquantile(m.zeros(0, 4), 0.5, dim=1),
    # torch.linalg on empty matrices
    "svd_empty_batch": lambda m: m.linalg.svd(m.zeros(0, 4, 3), full_matrices=False),
    "qr_no_rows": lambda m: m.linalg.qr(m.zeros(0, 3)),
    "qr_empty_batch": lambda m: m.linalg.qr(m.zeros(0, 3, 3)),
    "vector_norm_kept_empty": lambda m: m.linalg.vector_norm(m.zeros(0, 4), 3, dim=1,
                                                             keepdim=True),
    "vector_norm_inf_empty": lambda m: m.linalg.vector_norm(m.zeros(0, 4, 2), math.inf, (0, 2)),
    "vector_norm_minus_inf_later_dim": lambda m: m.linalg.vector_norm(m.zeros(2, 0), -math.inf,
                                                                      (0, 1)),
    "vector_norm_negative_empty": lambda m: m.linalg.vector_norm(m.zeros(0, 2), -0.5, 0),
    "vector_norm_inf_all_empty": lambda m: m.linalg.vector_norm(m.zeros(0, 2), math.inf),
    "vector_norm_inf_other_dim": lambda m: m.linalg.vector_norm(m.zeros(0, 2), math.inf, 1),
    "vector_norm_zero_empty": lambda m: m.linalg.vector_norm(m.zeros(0, 2), 0, 0),
    "norm_dim_empty": lambda m: m.linalg.norm(m.zeros(0, 4), dim=1),
    "matrix_norm_fro_empty": lambda m: m.linalg.matrix_norm(m.zeros(0, 3, 4)),
    "matrix_norm_2_empty": lambda m: m.linalg.norm(m.zeros(0, 4), 2),
    "matrix_norm_nuc_empty": lambda m: m.linalg.matrix_norm(m.zeros(4, 0), "nuc"),
    "matrix_power_not_square": lambda m: m.linalg.matrix_power(m.zeros(0, 3), 3),
    "matrix_power_not_square_zero": lambda m: m.linalg.matrix_power(m.zeros(2, 3), 0),
    "matrix_power_vector": lambda m: m.linalg.matrix_power(m.zeros(3), 2),
    "matrix_power_empty": lambda m: m.linalg.matrix_power(m.zeros(0, 0), 2),
    "matrix_power_empty_batch": lambda m: m.linalg.matrix_power(m.zeros(0, 3, 3), 3),
}


def _outcome(m: Any, f: Callable[[Any], Any]) -> Any:
    try:
        out = f(m)
    except Exception as error:  # noqa: BLE001 - compared with torch's
        return type(error).__name__, str(error)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [(tuple(o.shape), str(o.dtype).split(".")[-1], o.detach().numpy().tolist())
            for o in outs]


@pytest.mark.parametrize("name", CASES)
def test_as_torch(name: str) -> None:
    expected = _outcome(torch, CASES[name])
    got = _outcome(bricks, CASES[name])
    if isinstance(expected, tuple):
        assert got == expected
        return
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g[:2] == e[:2]
        np.testing.assert_array_equal(np.array(g[2]), np.array(e[2]))


GRADIENTS: dict[str, Callable[[Any, Any], Any]] = {
    "median_empty": lambda m, a: m.median(a),
    "median_empty_other_dim": lambda m, a: a.median(1).values,
    "mode_empty_other_dim": lambda m, a: m.mode(a, 1).values,
    "svd_empty_batch": lambda m, a: sum(p.sum() for p in m.linalg.svd(a.reshape(0, 2, 2),
                                                                      full_matrices=False)),
    "qr_no_rows": lambda m, a: sum(p.sum() for p in m.linalg.qr(a)),
    "vector_norm_kept_empty": lambda m, a: m.linalg.vector_norm(a, 3, dim=1, keepdim=True),
    "matrix_norm_nuc": lambda m, a: m.linalg.matrix_norm(a.t(), "nuc"),
    "gather_empty_index": lambda m, a: m.gather(a, 0, _index(m, [[]] * 0).reshape(0, 4)),
    "index_select_nothing": lambda m, a: m.index_select(a, 1, _index(m, [])),
}


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_of_empty_inputs_as_torch(name: str) -> None:
    grads = []
    for m in (torch, bricks):
        a = m.zeros(0, 4, dtype=m.float64, requires_grad=True)
        out = GRADIENTS[name](m, a)
        assert out.requires_grad
        out.sum().backward()
        grads.append(a.grad)
    assert grads[1] is not None and tuple(grads[1].shape) == tuple(grads[0].shape) == (0, 4)


def test_gather_gradient_with_a_smaller_index() -> None:
    a = bricks.randn(3, 4, dtype=bricks.float64, requires_grad=True)
    index = bricks.tensor([[3, 0, 3], [1, 1, 2]])
    assert bricks.autograd.gradcheck(lambda t: bricks.gather(t, 1, index), (a,))
    grads = []
    for m in (torch, bricks):
        x = m.tensor(a.detach().numpy(), requires_grad=True)
        m.gather(x, 1, m.tensor(index.numpy())).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize("key", [[5], [0, 7], [-4]])
def test_a_refused_write_changes_nothing(key: list) -> None:
    x = bricks.arange(3.0)
    version = x._version
    with pytest.raises(IndexError, match="out of bounds"):
        x[bricks.tensor(key)] = bricks.tensor(9.0)
    assert x.tolist() == [0.0, 1.0, 2.0] and x._version == version
    y = bricks.arange(3.0, requires_grad=True) * 1
    with pytest.raises(IndexError, match="out of bounds"):
        y[bricks.tensor(key)] = 9.0
    assert y.tolist() == [0.0, 1.0, 2.0] and y.grad_fn.name() == "MulBackward0"
