"""In-place changes through views of a leaf that requires grad: torch's error, or, inside
no_grad, the change and a version bump seen by the leaf."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks

CHANGES: dict[str, Callable[[Any], Any]] = {
    "slice_add_": lambda w: w[0:1].add_(1),
    "t_mul_": lambda w: w.t().mul_(2),
    "view_zero_": lambda w: w.view(-1).zero_(),
    "column_fill_": lambda w: w[:, 0].fill_(0),
    "row_setitem": lambda w: w[0].__setitem__(0, 5.0),
    "row_iadd": lambda w: w[0].__iadd__(1),
    "view_of_view_sub_": lambda w: w[0][1:].sub_(1),
    "transpose_clamp_": lambda w: w.transpose(0, 1).clamp_(0, 0.5),
    "row_unsqueeze_": lambda w: w[0].unsqueeze_(0),
}


def _leaf(lib: Any) -> Any:
    return lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)


@pytest.mark.parametrize("name", CHANGES)
def test_in_place_through_a_view_of_a_leaf_raises_torchs_error_and_changes_nothing(
        name: str) -> None:
    change = CHANGES[name]
    with pytest.raises(RuntimeError, match="a view of a leaf Variable") as theirs:
        change(_leaf(torch))
    w = _leaf(bricks)
    version = w._version
    with pytest.raises(RuntimeError) as ours:
        change(w)
    assert str(ours.value).startswith(str(theirs.value))
    assert w.tolist() == np.arange(6.0).reshape(2, 3).tolist()
    assert w._version == version


@pytest.mark.parametrize("name", CHANGES)
def test_in_place_through_a_view_inside_no_grad_works_and_bumps_the_version(name: str) -> None:
    change = CHANGES[name]
    results = []
    for lib in (bricks, torch):
        w = _leaf(lib)
        with lib.no_grad():
            change(w)
        assert w._version > 0
        assert w.requires_grad and w.grad_fn is None
        results.append(w.detach().numpy().copy())
    np.testing.assert_array_equal(*results)


def test_in_place_on_a_copy_or_a_detached_view_is_allowed_as_in_torch() -> None:
    for lib in (bricks, torch):
        w = _leaf(lib)
        w[[0, 1]].add_(1)  # advanced indexing copies
        w.detach()[0].add_(1)  # a detached view shares memory but not the graph
        assert w.detach().numpy()[0].tolist() == [1.0, 2.0, 3.0]


def test_saved_view_modified_under_no_grad_fails_backward_as_in_torch() -> None:
    w = bricks.ones(3, requires_grad=True)
    y = (w * w).sum()
    with bricks.no_grad():
        w[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
