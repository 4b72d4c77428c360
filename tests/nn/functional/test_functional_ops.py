"""Generic checks driven by functional_table.ROWS: forward and backward against torch in
float32 and float64, and gradcheck in float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from edge_values import check_every_set, edge_arrays, run_edge
from functional_table import ROWS, Row, sample

import bricks
import bricks.nn.functional as F
from bricks.autograd import gradcheck


def _inputs(row: Row, dtype: str, seed: int = 0) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    arrays = [sample(shape, row.domain, rng).astype(dtype) for shape in row.shapes]
    ours = [bricks.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_forward_and_backward_match_torch(row: Row, dtype: str) -> None:
    ours, theirs = _inputs(row, dtype)
    out, expected = _first(row.f(F, *ours)), _first(row.f(TF, *theirs))
    tol = dict(atol=row.atol32, rtol=1e-4) if dtype == "float32" else dict(atol=1e-10, rtol=1e-8)
    assert out.dtype.name == str(expected.dtype).removeprefix("torch.")
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), **tol)
    weights = np.random.default_rng(1).standard_normal(tuple(expected.shape)).astype(dtype)
    (out * bricks.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours, theirs):
        if reference.grad is None:
            assert mine.grad is None or not mine.grad.numpy().any()
        else:
            np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), **tol)


@pytest.mark.parametrize("row", [r for r in ROWS if r.exact_gradient], ids=repr)
def test_gradients_match_central_differences(row: Row) -> None:
    ours, _ = _inputs(row, "float64", seed=2)
    assert gradcheck(lambda *xs: _first(row.f(F, *xs)), ours, n_directions=row.directions)


@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_output_is_recorded_in_the_graph_only_when_needed(row: Row) -> None:
    ours, _ = _inputs(row, "float64")
    assert _first(row.f(F, *ours)).grad_fn is not None
    with bricks.no_grad():
        out = _first(row.f(F, *ours))
    assert out.grad_fn is None and not out.requires_grad


# Rows left off the infinite sets, where torch is the questionable side:
# - gelu (float32): torch's vectorized float32 kernel gives NaN for gelu(inf); bricks gives inf,
#   the limit (torch's float64 gives inf too, and bricks matches that).
# - adaptive_avg_pool2d_none, batch_norm_eval: inf meets -inf or 0 in an order of evaluation
#   that differs (bricks sums windows by running sums; torch folds the affine transform into
#   one scale and shift), so which results are inf and which NaN differs; finite values and
#   NaN inputs are compared.
INF_ORDER_DEPENDENT = {("gelu", "float32"), ("adaptive_avg_pool2d_none", "float32"),
                       ("adaptive_avg_pool2d_none", "float64"), ("batch_norm_eval", "float32"),
                       ("batch_norm_eval", "float64")}


# Edge sets left off where torch's own kernels disagree with each other, so no answer is torch's:
# - relu6, hardtanh (float64): torch's float32 kernel passes the gradient of a NaN input, its
#   float64 kernel zeroes it; bricks does as float32 (the default dtype) in both.
# - conv_transpose1d (float32): torch's float32 kernel spreads NaN and inf in its input gradient
#   differently from its float64 kernel, which bricks matches.
# - scaled_dot_product_attention rows (saturation): scores near 1e6 saturate the softmax; the
#   ~1e-10 gradients left are rounding noise that differs in sign between implementations.
_SDPA = ("scaled_dot_product_attention", "scaled_dot_product_attention_causal",
         "scaled_dot_product_attention_bool_mask", "scaled_dot_product_attention_float_mask")
# - hardshrink, softshrink (float64): torch's vectorized float64 loop zeroes the gradient of a
#   NaN input, its scalar loop (tensors shorter than a vector, and every float32 size) passes
#   it; bricks passes it, as float32.
# - conv_transpose3d (float32): as conv_transpose1d.
SETS_TORCH_DISAGREES_ON = {
    ("relu6", "float64"): ("nan",), ("hardtanh", "float64"): ("nan",),
    ("conv_transpose1d", "float32"): ("infinities", "nan"),
    ("hardshrink", "float64"): ("nan",), ("softshrink", "float64"): ("nan",),
    ("conv_transpose3d", "float32"): ("infinities", "nan"),
    # grid_sample: torch's CPU backward crashes the process (segmentation fault) on grids
    # with inf or NaN coordinates, so those sets cannot be compared
    **{(name, dtype): ("infinities", "nan") for name in (
        "grid_sample", "grid_sample_border_align_corners", "grid_sample_reflection",
        "grid_sample_reflection_align_corners", "grid_sample_nearest", "spatial_transformer")
       for dtype in ("float32", "float64")},
    **{(name, dtype): ("saturation",) for name in _SDPA for dtype in ("float32", "float64")},
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_edge_values_match_torch(row: Row, dtype: str) -> None:
    """Every row on the fixed edge inputs of tests/edge_values.py: values, NaNs, gradients."""
    tol = dict(atol=row.atol32, rtol=1e-4) if dtype == "float32" else dict(atol=1e-10, rtol=1e-8)

    def run(name: str, values: list) -> None:
        run_edge(lambda *xs: _first(row.f(F, *xs)), lambda *xs: _first(row.f(TF, *xs)),
                 edge_arrays(values, row.shapes, dtype), True, tol)

    check_every_set(run, lambda name: (name == "infinities"
                                       and (row.name, dtype) in INF_ORDER_DEPENDENT)
                    or name in SETS_TORCH_DISAGREES_ON.get((row.name, dtype), ()))
