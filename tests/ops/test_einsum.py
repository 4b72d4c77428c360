"""einsum beyond the op table: equations torch rejects, dtypes, grad_fn names, saved operands."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import bricks

BAD_EQUATIONS = [
    ("ij->ik", [(2, 3)]),  # output subscript not in any operand
    ("ij->ii", [(2, 3)]),  # output subscript repeated
    ("ij,jk->ik", [(2, 3)]),  # fewer operands than terms
    ("ij", [(2, 3), (3,)]),  # more operands than terms
    ("ijk->ij", [(2, 3)]),  # more subscripts than dimensions
    ("i", [()]),
    ("...ijk", [(2, 3)]),
    ("ii", [(2, 3)]),  # repeated subscript of two sizes
    ("i2", [(2,)]),  # not a letter
    ("ij->j->i", [(2, 3)]),
    ("i..j", [(2, 3)]),  # a dot outside an ellipsis
    ("......", [(2, 3)]),  # two ellipses in one operand
    ("ij->i.", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 3, 4)]),  # ellipsis sizes do not broadcast
    ("ii,i->i", [(3, 3), (2,)]),
]


def _both(shapes: list, seed: int = 0) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    return [bricks.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _raised(f: Any) -> type | None:
    try:
        f()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return type(error)
    return None


@pytest.mark.parametrize("equation,shapes", BAD_EQUATIONS, ids=[e for e, _ in BAD_EQUATIONS])
def test_bad_equation_raises_runtime_error_as_torch(equation: str, shapes: list) -> None:
    ours, theirs = _both(shapes)
    assert _raised(lambda: torch.einsum(equation, *theirs)) is RuntimeError
    with pytest.raises(RuntimeError, match=r"einsum\(\)"):
        bricks.einsum(equation, *ours)


def test_error_names_what_was_expected_and_got() -> None:
    with pytest.raises(RuntimeError, match=r"subscript j has size 4 for operand 1 .* size 3"):
        bricks.einsum("ij,jk->ik", bricks.ones(2, 3), bricks.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"subscripts in the equation \(3\) .* dimensions \(2\)"):
        bricks.einsum("ijk->ij", bricks.ones(2, 3))
    with pytest.raises(RuntimeError, match="index 1 in the equation string"):
        bricks.einsum("i2", bricks.ones(2))


@pytest.mark.parametrize("call", [
    lambda m: m.einsum("ij"),  # no operand: ValueError
    lambda m: m.einsum("ij", 5),  # an operand that is not a tensor: TypeError
    lambda m: m.einsum(5, m.ones(2)),  # an equation that is not a string: TypeError
    lambda m: m.einsum("ij,jk", [m.ones(2, 3)], m.ones(3, 3)),  # a list among operands
    lambda m: m.einsum("ij,jk", m.ones(2, 3), m.ones(3, 2, dtype=m.float64)),  # two dtypes
], ids=["no_operand", "number_operand", "number_equation", "list_and_tensor", "two_dtypes"])
def test_bad_call_raises_torch_exception_type(call: Any) -> None:
    expected = _raised(lambda: call(torch))
    assert expected is not None
    with pytest.raises(expected):
        call(bricks)


@pytest.mark.parametrize("equation,shapes,dtype", [
    ("ij,jk->ik", [(2, 3), (3, 2)], "int32"), ("ij->j", [(2, 3)], "int32"),
    ("ij->j", [(2, 3)], "bool"), ("ij->ji", [(2, 3)], "int64"), ("i,i->i", [(3,), (3,)], "int64"),
])
def test_integer_operands_give_torch_dtype_and_values(equation: str, shapes: list,
                                                       dtype: str) -> None:
    # One operand summed goes through torch's sum, which gives int64 for bools and integers.
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 3, shape).astype(dtype) for shape in shapes]
    ours = bricks.einsum(equation, *[bricks.tensor(a) for a in arrays])
    theirs = torch.einsum(equation, *[torch.tensor(a) for a in arrays])
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert ours.tolist() == theirs.tolist() and not ours.requires_grad


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]), ("ij", [(2, 3)]), ("ij->j", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]), ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("i,j,k->ijk", [(2,), (3,), (4,)]),
])
def test_grad_fn_name_is_the_node_torch_ends_with(equation: str, shapes: list) -> None:
    # torch's einsum decomposes: one operand ends with a sum (SumBackward1) or a permute,
    # several end with a view after a contraction or with a multiplication (MulBackward0).
    ours, theirs = _both(shapes)
    for t in ours + theirs:
        t.requires_grad_(True)
    o, t = bricks.einsum(equation, *ours), torch.einsum(equation, *theirs)
    assert repr(o.grad_fn).split(" at 0x")[0] == repr(t.grad_fn).split(" at 0x")[0]


def test_large_operands_match_torch_through_the_optimized_path() -> None:
    shapes = [(50, 60), (60, 70), (70, 30), (30,)]
    ours, theirs = _both(shapes, seed=2)
    for t in ours + theirs:
        t.requires_grad_(True)
    bricks.einsum("ij,jk,kl,l->i", *ours).sum().backward()
    torch.einsum("ij,jk,kl,l->i", *theirs).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_operand_modified_in_place_before_backward_is_an_error() -> None:
    a = bricks.randn(2, 3, requires_grad=True)
    b = bricks.randn(3, 4)
    y = bricks.einsum("ij,jk->ik", a, b)
    b.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_only_operands_that_require_grad_get_a_gradient() -> None:
    a = bricks.randn(2, 3, requires_grad=True)
    b = bricks.randn(3, 4)
    bricks.einsum("ij,jk->ik", a, b).sum().backward()
    assert a.grad is not None and b.grad is None


@pytest.mark.parametrize("equation", ["ij->ji", "ii->i", "ij->ij", "...ii->...i"])
def test_a_result_that_sums_nothing_is_a_view_as_torchs(equation: str) -> None:
    # Writes through it reach the operand, and in a graph they give torch's gradients.
    results = []
    for m in (torch, bricks):
        x = m.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
        y = x * 1
        v = m.einsum(equation, y)
        view = (v._is_view(), v._base is y, v.grad_fn.name())
        v.mul_(m.arange(1.0, v.shape[-1] + 1.0))
        (y * y).sum().backward()
        plain = m.arange(9.0).reshape(3, 3)
        with m.no_grad():
            m.einsum(equation, plain)[..., 0] = 100.0
        results.append((view, x.grad.numpy().copy(), plain.numpy().copy()))
    assert results[1][0] == results[0][0]
    np.testing.assert_array_equal(results[1][1], results[0][1])
    np.testing.assert_array_equal(results[1][2], results[0][2])


def test_einsum_is_exported_but_not_a_tensor_method() -> None:
    assert "einsum" in bricks.__all__
    assert not hasattr(bricks.Tensor, "einsum") and not hasattr(torch.Tensor, "einsum")
