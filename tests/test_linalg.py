"""``bricks.linalg`` beyond the op table: errors as torch's, result types, gradients checked
through torch on a few decompositions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks


def test_singular_and_indefinite_matrices_raise_linalg_error_as_torch():
    for lib in (bricks, torch):
        with pytest.raises(lib.linalg.LinAlgError):
            lib.linalg.inv(lib.zeros(2, 2))
        with pytest.raises(RuntimeError):  # LinAlgError is a RuntimeError in both
            lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]]))
        with pytest.raises(RuntimeError):
            lib.linalg.inv(lib.ones(2, 3))
        with pytest.raises(RuntimeError):
            lib.linalg.det(lib.ones(2, 2, dtype=lib.int64))


def test_results_are_named_tuples_as_torch():
    a = np.random.default_rng(0).standard_normal((3, 3))
    ours, theirs = bricks.tensor(a), torch.tensor(a)
    assert bricks.linalg.slogdet(ours).logabsdet.item() == pytest.approx(
        torch.linalg.slogdet(theirs).logabsdet.item())
    assert bricks.linalg.qr(ours).R.shape == torch.linalg.qr(theirs).R.shape
    assert bricks.linalg.eigh(ours + ours.mT).eigenvalues.shape == (3,)
    np.testing.assert_allclose(bricks.svd(ours).V.numpy() ** 2, torch.svd(theirs).V.numpy() ** 2,
                               atol=1e-12)
    full = bricks.linalg.svd(bricks.tensor(a[:2]))
    assert [tuple(p.shape) for p in full] == [(2, 2), (2,), (3, 3)]


def test_lstsq_solves_least_squares_as_torch():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    ours = bricks.linalg.lstsq(bricks.tensor(a), bricks.tensor(b))
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy(), atol=1e-12)
    assert ours.rank.item() == theirs.rank.item()


def test_norm_dispatch_matches_torch():
    a = np.random.default_rng(2).standard_normal((3, 4))
    for kwargs in ({}, {"ord": "fro"}, {"ord": "nuc"}, {"ord": 1}, {"ord": float("inf")},
                   {"ord": -2}, {"dim": 1}, {"ord": 3, "dim": 0}, {"dim": (0, 1)}):
        ours = bricks.linalg.norm(bricks.tensor(a), **kwargs)
        theirs = torch.linalg.norm(torch.tensor(a), **kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=str(kwargs))


def test_vector_norm_gradient_at_zero_is_zero_as_torch():
    for lib in (bricks, torch):
        x = lib.zeros(3, requires_grad=True)
        lib.linalg.vector_norm(x).backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
