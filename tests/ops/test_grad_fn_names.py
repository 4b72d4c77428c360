"""grad_fn names against torch 2.13 for ops whose name depends on the call form or the layout."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks

# Each case gets x of shape (2, 3), y of (2, 3, 4) and z of (2, 1, 3, 1), all requiring grad.
CASES: dict[str, Callable[..., Any]] = {
    "squeeze()": lambda m, x, y, z: z.squeeze(),
    "squeeze(dim)": lambda m, x, y, z: z.squeeze(1),
    "squeeze(dim) of a size that is not 1": lambda m, x, y, z: z.squeeze(0),
    "squeeze(dim=)": lambda m, x, y, z: m.squeeze(z, dim=-1),
    "squeeze(tuple)": lambda m, x, y, z: z.squeeze((1, 3)),
    "squeeze(list)": lambda m, x, y, z: m.squeeze(z, [1]),
    "squeeze_()": lambda m, x, y, z: (z * 1).squeeze_(),
    "squeeze_(dim)": lambda m, x, y, z: (z * 1).squeeze_(1),
    "squeeze_(dim=)": lambda m, x, y, z: (z * 1).squeeze_(dim=3),
    "squeeze_(tuple)": lambda m, x, y, z: (z * 1).squeeze_((1, 3)),
    "unsqueeze_": lambda m, x, y, z: (x * 1).unsqueeze_(0),
    "unsqueeze_(dim=)": lambda m, x, y, z: (x * 1).unsqueeze_(dim=-1),
    "transpose_(dim0=, dim1=)": lambda m, x, y, z: (y * 1).transpose_(dim0=0, dim1=2),
    "reshape of contiguous": lambda m, x, y, z: x.reshape(-1),
    "reshape to the same shape": lambda m, x, y, z: x.reshape(2, 3),
    "view of contiguous": lambda m, x, y, z: x.view(3, 2),
    "t().reshape(-1)": lambda m, x, y, z: x.t().reshape(-1),
    "T.reshape(-1)": lambda m, x, y, z: x.T.reshape(-1),
    "t().reshape that can view": lambda m, x, y, z: x.t().reshape(1, 3, 2),
    "t().view that can view": lambda m, x, y, z: x.t().view(3, 2),
    "t().flatten()": lambda m, x, y, z: x.t().flatten(),
    "t().reshape_as": lambda m, x, y, z: x.t().reshape_as(m.zeros(6)),
    "t().view_as": lambda m, x, y, z: x.t().view_as(m.zeros(3, 2)),
    "t().unflatten": lambda m, x, y, z: x.t().unflatten(0, (3, 1)),
    "t().contiguous()": lambda m, x, y, z: x.t().contiguous(),
    "t().contiguous().view(-1)": lambda m, x, y, z: x.t().contiguous().view(-1),
    "permute().reshape that copies": lambda m, x, y, z: y.permute(1, 0, 2).reshape(3, 8),
    "permute().reshape that can view": lambda m, x, y, z: y.permute(1, 0, 2).reshape(3, 2, 2, 2),
    "transpose().reshape": lambda m, x, y, z: y.transpose(1, 2).reshape(2, 12),
    "movedim().reshape": lambda m, x, y, z: y.movedim(0, 2).reshape(-1),
    "strided slice .reshape": lambda m, x, y, z: x[:, ::2].reshape(-1),
    "select of the last dim .reshape": lambda m, x, y, z: y[..., 0].reshape(-1),
    "select of a middle dim .reshape": lambda m, x, y, z: y[:, 0].reshape(-1),
    "select of the first dim .reshape": lambda m, x, y, z: x[1].reshape(3, 1),
    "expand().reshape that copies": lambda m, x, y, z: x.expand(4, 2, 3).reshape(8, 3),
    "expand().reshape that can view": lambda m, x, y, z: x[None].expand(4, 2, 3).reshape(4, 6),
    "exp of a transpose .reshape": lambda m, x, y, z: x.t().exp().reshape(-1),
    "transposed product .reshape": lambda m, x, y, z: (x.t() * 2).reshape(-1),
    "squeeze of a transpose": lambda m, x, y, z: x.t().squeeze(),
}


def _names(t: Any) -> tuple[str, str]:
    """The node's name and its first parent's (``leaf`` for a leaf)."""
    if isinstance(t, bricks.Tensor):
        parent = t.grad_fn.parents[0]
        return t.grad_fn.name(), parent.name() if hasattr(parent, "name") else "leaf"
    parent = type(t.grad_fn.next_functions[0][0]).__name__
    return type(t.grad_fn).__name__, "leaf" if parent == "AccumulateGrad" else parent


def _no_address(text: str) -> str:
    return text.split(" at 0x")[0]


def _run(m: Any, case: Callable[..., Any]) -> tuple[Any, list]:
    rng = np.random.default_rng(0)
    inputs = [m.tensor(rng.standard_normal(shape), requires_grad=True)
              for shape in ((2, 3), (2, 3, 4), (2, 1, 3, 1))]
    return case(m, *inputs), inputs


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_node_and_parent_names_match_torch(case: Callable[..., Any]) -> None:
    ours, _ = _run(bricks, case)
    theirs, _ = _run(torch, case)
    assert _names(ours) == _names(theirs)
    assert _no_address(repr(ours.grad_fn)) == _no_address(repr(theirs.grad_fn))


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_values_and_gradients_match_torch(case: Callable[..., Any]) -> None:
    ours, ours_in = _run(bricks, case)
    theirs, theirs_in = _run(torch, case)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    weights = np.arange(theirs.numel(), dtype=np.float64).reshape(tuple(theirs.shape))
    (ours * bricks.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for o, t in zip(ours_in, theirs_in):
        assert (o.grad is None) == (t.grad is None)
        if t.grad is not None:
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_reshape_copy_is_not_a_view_and_reshape_view_is() -> None:
    x = bricks.arange(6.0).reshape(2, 3)
    copied = x.t().reshape(-1)
    copied[0] = 100.0
    assert x[0, 0].item() == 0.0
    viewed = x.t().reshape(3, 2)
    viewed[0, 0] = 100.0
    assert x[0, 0].item() == 100.0


def test_view_that_torch_rejects_raises_as_torch() -> None:
    for lib in (bricks, torch):
        x = lib.arange(6.0).reshape(2, 3)
        with pytest.raises(RuntimeError, match="view size is not compatible.*Use .reshape"):
            x.t().view(-1)
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            x[:, ::2].view(4)
        assert x.t().view(3, 2).shape == (3, 2) and x.t().reshape(-1).shape == (6,)


def test_contiguous_copies_only_a_tensor_that_is_not_contiguous() -> None:
    x = bricks.zeros(2, 3)
    assert x.contiguous() is x
    c = x.t().contiguous()
    assert c is not x and c.numpy().flags.c_contiguous
    c[0, 0] = 1.0
    assert x[0, 0].item() == 0.0
