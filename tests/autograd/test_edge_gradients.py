"""The edge points of the issue, one by one, against torch: exact values and no warnings.

The op tables run every op on a fixed set of edge inputs (tests/edge_values.py); these are the
cases that were wrong before, named so that a regression says what broke.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import bricks
import bricks.nn.functional as F


def _grad_both(f: Callable[[Any, Any, Any], Any], values: list) -> tuple:
    results = []
    for lib, functional in ((bricks, F), (torch, TF)):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        out = f(lib, functional, x)
        out.sum().backward() if out.ndim else out.backward()
        results.append((out.detach().numpy(), x.grad.numpy()))
    return results


CASES = {
    "bce_with_logits_at_0_hard_targets": (
        lambda m, F, x: F.binary_cross_entropy_with_logits(
            x, m.tensor([1.0, 0.0, 1.0, 0.0], dtype=m.float64)), [0.0, 0.0, -0.0, 1.0]),
    "bce_with_logits_saturated": (
        lambda m, F, x: F.binary_cross_entropy_with_logits(
            x, m.tensor([1.0, 0.0, 0.0, 1.0], dtype=m.float64)), [800.0, -800.0, 800.0, -800.0]),
    "norm_of_zero_vector": (lambda m, F, x: x.norm(), [0.0, 0.0, 0.0]),
    "norm_p3_of_zero_vector": (lambda m, F, x: m.norm(x, p=3), [0.0, 0.0]),
    "std_of_constant": (lambda m, F, x: x.std(), [2.0, 2.0, 2.0]),
    "pow_0_at_0": (lambda m, F, x: x ** 0, [0.0, -0.0, 1.0]),
    "pow_tensor_exponent_at_0": (lambda m, F, x: m.zeros(2, dtype=m.float64) ** x, [0.0, 2.0]),
    "bce_on_saturated_sigmoid": (
        lambda m, F, x: F.binary_cross_entropy(m.sigmoid(x), m.tensor([1.0, 0.0, 0.0, 1.0],
                                                                     dtype=m.float64)),
        [50.0, -50.0, 50.0, -50.0]),
    "maximum_of_equal_inputs": (lambda m, F, x: m.maximum(x, x.detach()), [1.0, 0.0]),
    "max_with_ties": (lambda m, F, x: x.max(), [3.0, 1.0, 3.0]),
    "amax_dim_with_ties": (lambda m, F, x: x.reshape(2, 2).amax(1), [1.0, 1.0, 0.0, 2.0]),
    "clamp_at_its_bounds": (lambda m, F, x: x.clamp(-1.0, 1.0), [-1.0, 1.0, 0.0]),
    "relu_at_0": (lambda m, F, x: F.relu(x), [0.0, -0.0]),
    "abs_at_0": (lambda m, F, x: x.abs(), [0.0, -0.0]),
    "prod_with_zeros": (lambda m, F, x: x.prod(), [0.0, 2.0, 3.0]),
    "sqrt_at_0": (lambda m, F, x: x.sqrt(), [0.0]),
    "log_at_0": (lambda m, F, x: x.log(), [0.0]),
    "exp_overflow": (lambda m, F, x: x.exp(), [1000.0]),
    "inf_minus_inf": (lambda m, F, x: x - x.detach(), [np.inf]),
    "one_over_0": (lambda m, F, x: 1 / x, [0.0, -0.0]),
    "sum_of_empty": (lambda m, F, x: x.sum(), []),
}


@pytest.mark.parametrize("name", CASES)
def test_edge_point_matches_torch_without_warnings(name: str) -> None:
    f, values = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        (ours, ours_grad), (theirs, theirs_grad) = _grad_both(f, values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=0, equal_nan=True)
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-8, atol=0, equal_nan=True)


def test_bce_with_logits_at_logit_0_is_sigmoid_minus_target() -> None:
    x = bricks.zeros(2, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, bricks.tensor([1.0, 0.0])).backward()
    assert x.grad.tolist() == [-0.25, 0.25]  # (sigmoid(0) - t) / N


def test_clip_grad_norm_of_inf_gives_torchs_nan_silently() -> None:
    results = []
    for lib in (bricks, torch):
        p = lib.nn.Parameter(lib.ones(3))
        p.grad = lib.tensor([float("inf"), 1.0, 1.0])
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            norm = lib.nn.utils.clip_grad_norm_([p], 1.0)
        results.append((float(norm), p.grad.numpy()))
    assert results[0][0] == results[1][0] == float("inf")
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_integer_floor_divide_by_zero_raises_torchs_error() -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([1]) // torch.tensor([0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        bricks.tensor([1]) // bricks.tensor([0])
