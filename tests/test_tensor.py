"""The Tensor surface: promotion, metadata, conversion, memory sharing, in-place ops, repr."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import torch

import bricks

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.").removeprefix("bricks.")


def _ones(m: Any, dtype: str, shape: tuple) -> Any:
    return m.ones(shape, dtype=getattr(m, dtype))


@pytest.mark.parametrize("op", ["add", "mul", "truediv", "eq"])
@pytest.mark.parametrize("dims", [((2,), (2,)), ((), (2,)), ((2,), ())], ids=str)
def test_type_promotion_of_tensor_pairs_follows_torch(op: str, dims: tuple) -> None:
    ufunc = getattr(__import__("operator"), op)
    for a, b in itertools.product(DTYPES, DTYPES):
        expected = ufunc(_ones(torch, a, dims[0]), _ones(torch, b, dims[1])).dtype
        got = ufunc(_ones(bricks, a, dims[0]), _ones(bricks, b, dims[1])).dtype
        assert _name(got) == _name(expected), (a, b)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("op", ["add", "mul", "truediv", "sub"])
def test_type_promotion_with_python_scalars_follows_torch(op: str, scalar: Any) -> None:
    ufunc = getattr(__import__("operator"), op)
    for dtype in DTYPES:
        for swap in (False, True):
            def run(m: Any) -> Any:
                t = _ones(m, dtype, (2,))
                return ufunc(scalar, t) if swap else ufunc(t, scalar)

            try:
                expected = run(torch).dtype
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    run(bricks)
                continue
            assert _name(run(bricks).dtype) == _name(expected), (dtype, swap)


def test_size_prints_like_torch_and_is_a_tuple() -> None:
    t = bricks.zeros(8, 4)
    assert repr(t.shape) == "bricks.Size([8, 4])" and t.shape == (8, 4)
    assert t.size() == t.shape and t.size(1) == 4 and t.size(-2) == 8
    assert t.shape.numel() == 32 and isinstance(t.shape, tuple)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(2)


def test_metadata() -> None:
    t = bricks.zeros(2, 3, 4)
    assert t.dim() == t.ndim == 3 and t.numel() == 24 and len(t) == 2
    assert t.dtype is bricks.float32 and t.is_floating_point()
    assert t.device == bricks.device("cpu") and str(t.device) == "cpu"
    assert bricks.tensor(3.5).item() == 3.5 and bricks.tensor([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(RuntimeError):
        t.item()
    with pytest.raises(TypeError):
        len(bricks.tensor(1.0))


def test_numpy_shares_memory_and_refuses_tensors_that_require_grad() -> None:
    t = bricks.zeros(3)
    t.numpy()[0] = 4
    assert t[0].item() == 4
    w = bricks.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        w.numpy()
    w.detach().numpy()[1] = 2
    assert w[1].item() == 2


CONVERSIONS = [
    ("float", lambda t: t.float()), ("double", lambda t: t.double()),
    ("half", lambda t: t.half()), ("long", lambda t: t.long()), ("int", lambda t: t.int()),
    ("bool", lambda t: t.bool()), ("short", lambda t: t.short()), ("char", lambda t: t.char()),
    ("byte", lambda t: t.abs().byte()), ("to", lambda t: t.to(torch.float64 if isinstance(
        t, torch.Tensor) else bricks.float64)),
    ("to_device", lambda t: t.to("cpu")),
    ("type_as", lambda t: t.type_as(t.long())),
]


@pytest.mark.parametrize("name,convert", CONVERSIONS, ids=[c[0] for c in CONVERSIONS])
def test_conversions_match_torch(name: str, convert: Any) -> None:
    values = [[1.7, -2.2], [0.0, 3.5]]
    ours, theirs = convert(bricks.tensor(values)), convert(torch.tensor(values))
    assert _name(ours.dtype) == _name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_type_names_and_type_conversion() -> None:
    assert bricks.zeros(1).type() == "torch.FloatTensor"
    assert bricks.zeros(1).type(bricks.int64).dtype is bricks.int64


def test_float_conversion_is_differentiable_and_same_dtype_is_identity() -> None:
    x = bricks.tensor([1.0, 2.0], requires_grad=True)
    assert x.float() is x
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is bricks.float32 and x.grad.tolist() == [2.0, 4.0]


def test_clone_detach_contiguous() -> None:
    x = bricks.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not c.is_leaf
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    d = x.detach()
    assert d.is_leaf and not d.requires_grad
    d[0] = 9.0
    assert x[0].item() == 9.0
    assert x.contiguous() is x


def test_data_shares_memory_with_the_tensor() -> None:
    w = bricks.zeros(2, 2, requires_grad=True)
    w.data[:] += 1
    w.data[0, 0] = 42
    assert w.tolist() == [[42.0, 1.0], [1.0, 1.0]]
    assert not w.data.requires_grad and w.requires_grad
    w.data = bricks.ones(2, 2)
    assert w.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_is_leaf_and_requires_grad() -> None:
    x = bricks.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert bricks.ones(2).is_leaf
    with pytest.raises(RuntimeError):
        y.requires_grad_(False)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "clamp_", "zero_", "fill_",
                                "copy_", "iadd", "isub", "imul", "itruediv"])
@pytest.mark.parametrize("target", ["whole", "slice", "view"])
def test_inplace_ops_on_tensors_slices_and_views_match_torch(op: str, target: str) -> None:
    results = []
    for m in (bricks, torch):
        base = m.arange(12, dtype=m.float32).reshape(3, 4)
        t = {"whole": base, "slice": base[1:, ::2], "view": base.view(4, 3)[1]}[target]
        other = m.full(tuple(t.shape), 2.0)
        if op == "clamp_":
            t.clamp_(2, 6)
        elif op == "zero_":
            t.zero_()
        elif op == "fill_":
            t.fill_(-1)
        elif op == "copy_":
            t.copy_(other)
        elif op.startswith("i"):
            symbol = {"iadd": "+=", "isub": "-=", "imul": "*=", "itruediv": "/="}[op]
            exec(f"t {symbol} other")  # noqa: S102 - the augmented assignment itself is tested
        else:
            getattr(t, op)(other)
        results.append(base.numpy().copy())
    np.testing.assert_array_equal(results[0], results[1])


def test_augmented_assignment_on_a_slice_of_a_tensor() -> None:
    for m in (bricks, torch):
        x = m.zeros(3, 3)
        x[1:, 1:] += 1
        x[0] *= 5
        x[:, 0] -= 2
        assert x.tolist() == [[-2.0, 0.0, 0.0], [-2.0, 1.0, 1.0], [-2.0, 1.0, 1.0]]


def test_random_inplace_fills() -> None:
    t = bricks.empty(2000).uniform_(-2, 3)
    assert t.min().item() >= -2 and t.max().item() < 3
    t.normal_(1.0, 0.1)
    assert abs(t.mean().item() - 1) < 0.02


def test_inplace_ops_bump_the_version_counter() -> None:
    x = bricks.zeros(3)
    before = x._version_number
    x.add_(1)
    x[0] = 2
    x += 1
    assert x._version_number == before + 3


def test_failed_inplace_op_changes_nothing() -> None:
    x = bricks.zeros(2, 3)
    with pytest.raises(RuntimeError):
        x.add_(bricks.ones(4))
    with pytest.raises(RuntimeError):
        x.copy_(bricks.ones(4))
    i = bricks.zeros(2, dtype=bricks.int64)
    with pytest.raises(RuntimeError):
        i.add_(1.5)
    assert x.tolist() == [[0.0] * 3] * 2 and i.tolist() == [0, 0]


def _repr_programs() -> list:
    return [
        lambda m: m.tensor([1.0, 2.0], requires_grad=True),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda m: m.tensor([[1.0, 2.0]], dtype=m.float64, requires_grad=True).sum(),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True).exp()[0],
        lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(4, 3, requires_grad=True),
                                         m.ones(4)) if m is torch else
        bricks.ops.linear(m.ones(2, 3), m.ones(4, 3, requires_grad=True), m.ones(4)),
        lambda m: m.arange(3) + 1,
    ]


@pytest.mark.parametrize("program", _repr_programs())
def test_repr_with_requires_grad_and_grad_fn_equals_torch(program: Any) -> None:
    ours, theirs = program(bricks), program(torch)
    assert repr(ours) == repr(theirs).replace("torch.", "bricks.")


def test_linear_with_bias_is_an_addmm_node() -> None:
    out = bricks.ops.linear(bricks.ones(2, 3), bricks.ones(4, 3, requires_grad=True),
                            bricks.ones(4))
    assert out.grad_fn.name() == "AddmmBackward0"
    assert repr(out.grad_fn) == f"<AddmmBackward0 object at {id(out.grad_fn):#x}>"


def test_error_messages_for_common_mistakes() -> None:
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x4 and 5x8\)"):
        bricks.ones(2, 4) @ bricks.ones(5, 8)
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        bricks.ones(2, 3) + bricks.ones(4)
    with pytest.raises(IndexError, match="out of bounds|out of range"):
        bricks.ones(3)[5]
    with pytest.raises(IndexError, match="index out of range"):
        bricks.ones(3, 2).index_select(0, bricks.tensor([3]))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor"):
        bool(bricks.ones(2))


def test_iteration_and_bool_of_one_element() -> None:
    rows = list(bricks.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert bool(bricks.tensor([1.0])) and int(bricks.tensor(3.7)) == 3
    assert f"{bricks.tensor(2.5):.2f}" == "2.50"


def test_allclose_equal_and_isclose_match_torch() -> None:
    for m in (bricks, torch):
        a = m.tensor([1.0, 2.0, float("nan")])
        assert not m.allclose(a, a) and m.allclose(a, a, equal_nan=True)
        assert a[:2].allclose(m.tensor([1.0, 2.0 + 1e-7]))
        assert m.equal(a[:2], m.tensor([1.0, 2.0])) and not m.equal(a[:2], m.tensor([1.0]))
        assert m.isclose(a, a).tolist() == [True, True, False]


def test_shape_changing_inplace_ops_keep_memory_and_record_the_graph() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        same = y.unsqueeze_(0)
        assert same is y and tuple(y.shape) == (1, 2)
        y.t_()
        assert tuple(y.shape) == (2, 1)
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x.unsqueeze_(0)
        plain = m.zeros(3)
        view = plain.unsqueeze_(1)
        view[0, 0] = 5
        assert plain[0, 0].item() == 5 and tuple(plain.shape) == (3, 1)


def test_comparing_with_none_is_false_as_in_torch():
    for lib in (bricks, torch):
        t = lib.ones(2)
        assert (t == None) is False  # noqa: E711 - the operator is what is tested
        assert (t != None) is True  # noqa: E711
        assert t not in [None, "a"]
        with pytest.raises(TypeError):
            lib.eq(t, None)


def test_is_contiguous_follows_the_layout_as_torch():
    for lib in (bricks, torch):
        x = lib.ones(2, 3)
        assert x.is_contiguous() and not x.t().is_contiguous()
        assert x.t().contiguous().is_contiguous()
        assert not x[:, ::2].is_contiguous() and x[0].is_contiguous()


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("a, b", [(3, 4), (2.5, 2), (7, 0.5), (True, 2), (False, True)])
def test_arithmetic_on_two_plain_numbers_gives_a_tensor_as_torch(op, a, b):
    try:
        theirs = getattr(torch, op)(a, b)
    except RuntimeError:  # torch refuses bool subtraction
        with pytest.raises(RuntimeError):
            getattr(bricks, op)(a, b)
        return
    ours = getattr(bricks, op)(a, b)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.item() == pytest.approx(theirs.item())


@pytest.mark.parametrize("op", ["pow", "remainder", "maximum"])
def test_other_ops_on_two_plain_numbers_raise_type_error_as_torch(op):
    for lib in (bricks, torch):
        with pytest.raises(TypeError):
            getattr(lib, op)(3, 4)


def test_version_counts_in_place_changes_through_views_as_torch():
    for lib in (bricks, torch):
        x = lib.zeros(3)
        view = x[1:]
        assert x._version == 0
        x.add_(1)
        view.mul_(2)
        x[0] = 5
        assert x._version == view._version == 3
        assert x.detach()._version == 3 and x.clone()._version == 0
