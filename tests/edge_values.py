"""The fixed set of edge inputs that every row of the op tables runs on, against torch.

Input k of a row takes a set's values rolled by k and repeated to its shape, so that binary
ops meet inf - inf, 0 * inf, 0 / 0 and equal operands. Forward values (with and without a
graph), gradients and the positions of their NaNs must equal torch's.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks

EDGE_VALUES = {
    "zeros": [0.0],
    "ties": [1.0],  # ties in max/min/sort/median, equal inputs of maximum/minimum
    "signed_zeros": [0.0, -0.0, 1.0, -1.0],
    "boundaries": [0.5, -0.5, 0.1, 0.0, 1.0, -1.0],  # the tables' clamp bounds, ties with them
    "saturation": [30.0, -30.0, 1000.0, -1000.0, 0.0],  # sigmoid/tanh saturate, exp overflows
    "infinities": [np.inf, -np.inf, 1.0, 0.0],
    "nan": [np.nan, 1.0, -1.0],
}
NON_FINITE = ("saturation", "infinities", "nan")


def edge_arrays(values: list, shapes: Any, dtype: str) -> list[np.ndarray]:
    """One array per shape, made of ``values`` rolled by the input's position."""
    arrays = []
    for k, shape in enumerate(shapes):
        rolled = np.roll(np.array(values, dtype), k)
        arrays.append(np.resize(rolled, shape).astype(dtype))
    return arrays


def _outputs(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _same(ours: Any, theirs: Any, tolerance: dict, what: str) -> None:
    np.testing.assert_allclose(ours, theirs, equal_nan=True, err_msg=what, **tolerance)


def _builtin_type(error: BaseException) -> type:
    for cls in type(error).__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def run_edge(ours_f: Callable[..., Any], torch_f: Callable[..., Any], arrays: list,
             differentiable: bool, tolerance: dict, values_only: bool = False) -> None:
    """``ours_f`` and ``torch_f`` on ``arrays``: equal values, NaN positions and gradients.

    With ``values_only``, integer outputs (indices among ties) and gradients are not compared.
    """
    ours = [bricks.tensor(a, requires_grad=differentiable) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=differentiable) for a in arrays]
    try:
        expected = _outputs(torch_f(*theirs))
    except Exception as error:  # noqa: BLE001 - then bricks must fail the same way
        with pytest.raises(_builtin_type(error)):
            ours_f(*ours)
        return
    compared = [not (values_only and not t.is_floating_point()) for t in expected]
    got = _outputs(ours_f(*ours))
    assert len(got) == len(expected)
    for o, t, check in zip(got, expected, compared):
        assert tuple(o.shape) == tuple(t.shape)
        if check:
            _same(o.detach().numpy(), t.detach().numpy(), tolerance, "forward")
    with bricks.no_grad(), torch.no_grad():  # the paths that record no graph, same values
        plain = _outputs(torch_f(*theirs))
        for o, t, check in zip(_outputs(ours_f(*ours)), plain, compared):
            # a view of an input that requires grad requires grad, as torch's
            assert o.requires_grad == t.requires_grad, "requires_grad under no_grad"
            if check:
                _same(o.detach().numpy(), t.detach().numpy(), tolerance, "forward under no_grad")
    if differentiable and not values_only:
        _check_gradients(ours, theirs, got, expected, tolerance)


def _check_gradients(ours: list, theirs: list, got: list, expected: list,
                     tolerance: dict) -> None:
    loss_ours: Any = 0
    loss_theirs: Any = 0
    for i, (o, t) in enumerate(zip(got, expected)):
        if t.requires_grad:
            assert o.requires_grad
            w = np.resize(np.array([1.0, -2.0, 0.5]), tuple(t.shape)) * (i + 1)
            w = w.astype(str(t.dtype).removeprefix("torch."))
            loss_ours = (o * bricks.tensor(w)).sum() + loss_ours
            loss_theirs = (t * torch.tensor(w)).sum() + loss_theirs
    if isinstance(loss_theirs, int):
        return
    loss_ours.backward()
    loss_theirs.backward()
    for k, (x, y) in enumerate(zip(ours, theirs)):
        if y.grad is None:
            assert x.grad is None or not x.grad.numpy().any(), f"gradient of input {k}"
            continue
        assert x.grad is not None, f"gradient of input {k}"
        _same(x.grad.numpy(), y.grad.numpy(), tolerance, f"gradient of input {k}")


def check_every_set(run: Callable[[str, list], None], skip: Callable[[str], bool]) -> None:
    """``run(name, values)`` for every edge set not skipped; fail with every mismatch."""
    failures = []
    for name, values in EDGE_VALUES.items():
        if skip(name):
            continue
        try:
            run(name, values)
        except AssertionError as error:
            failures.append(f"--- {name} {values}:\n{error}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
