"""Bitwise and logical ops beyond the op table: promotion, Python scalars, errors, in place."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest
import torch

import bricks

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64"]
OPERATORS = [operator.and_, operator.or_, operator.xor]


def _pair(dtype: str, shape: tuple[int, ...] = (2, 3), seed: int = 0) -> tuple[Any, Any]:
    values = np.random.default_rng(seed).integers(-100, 100, shape).astype(dtype)
    return bricks.tensor(values), torch.tensor(values)


def _same(ours: Any, theirs: Any) -> None:
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert ours.tolist() == theirs.tolist()
    assert not ours.requires_grad


@pytest.mark.parametrize("op", OPERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("left", DTYPES)
@pytest.mark.parametrize("right", DTYPES)
def test_tensor_operands_promote_as_torch(op: Any, left: str, right: str) -> None:
    a, ta = _pair(left)
    b, tb = _pair(right, seed=1)
    _same(op(a, b), op(ta, tb))


@pytest.mark.parametrize("op", OPERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", [True, False, 1, 2, 300, -1])
def test_python_scalars_on_either_side_promote_and_wrap_as_torch(op: Any, dtype: str,
                                                                  scalar: Any) -> None:
    a, ta = _pair(dtype)
    _same(op(a, scalar), op(ta, scalar))
    _same(op(scalar, a), op(scalar, ta))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_dim_tensor_does_not_promote_its_category(dtype: str) -> None:
    a, ta = _pair(dtype)
    for value in (3, True):
        _same(a | bricks.tensor(value), ta | torch.tensor(value))
        _same(bricks.tensor(value) ^ a, torch.tensor(value) ^ ta)


@pytest.mark.parametrize("dtype", DTYPES)
def test_invert_is_bitwise_not(dtype: str) -> None:
    a, ta = _pair(dtype)
    _same(~a, ~ta)
    _same(a.bitwise_not(), ta.bitwise_not())


@pytest.mark.parametrize("call", [
    lambda m: m.ones(3) | m.ones(3),
    lambda m: m.ones(3, dtype=m.int64) & m.ones(3),
    lambda m: m.ones(3, dtype=m.bool) ^ 1.5,
    lambda m: 2.5 | m.ones(3, dtype=m.int32),
    lambda m: m.bitwise_and(m.ones(3, dtype=m.float64), 1),
    lambda m: m.bitwise_not(m.ones(3)),
    lambda m: m.ones(3, requires_grad=True) | m.ones(3, requires_grad=True),
], ids=["float_float", "int_float", "bool_python_float", "python_float_int", "double_int",
        "bitwise_not_float", "requires_grad"])
def test_float_operand_raises_not_implemented_error_as_torch(call: Any) -> None:
    with pytest.raises(NotImplementedError):
        call(torch)
    with pytest.raises(NotImplementedError, match="not implemented for"):
        call(bricks)


def test_invert_of_float_raises_type_error_as_torch() -> None:
    with pytest.raises(TypeError):
        ~torch.ones(2)
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~bricks.ones(2)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("left,right", [("float32", "float32"), ("int64", "float64"),
                                        ("bool", "int32"), ("uint8", "bool")])
def test_logical_ops_take_any_dtype_and_give_bool(name: str, left: str, right: str) -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(-1, 2, (2, 3)).astype(left)
    b = rng.integers(-1, 2, (3,)).astype(right)
    ours = getattr(bricks, name)(bricks.tensor(a), bricks.tensor(b))
    _same(ours, getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
    _same(getattr(bricks.tensor(a), name)(bricks.tensor(b)),
          getattr(torch.tensor(a), name)(torch.tensor(b)))


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_of_tensors_that_require_grad_do_not(name: str) -> None:
    x = bricks.tensor([1.0, 0.0, 2.0], requires_grad=True)
    out = getattr(bricks, name)(x, x)
    assert out.dtype is bricks.bool and not out.requires_grad and out.grad_fn is None


@pytest.mark.parametrize("other", [1, True])
def test_logical_op_with_a_number_raises_type_error_as_torch(other: Any) -> None:
    with pytest.raises(TypeError):
        torch.logical_and(torch.ones(2, dtype=torch.bool), other)
    with pytest.raises(TypeError, match="must be Tensor"):
        bricks.logical_and(bricks.ones(2, dtype=bricks.bool), other)


@pytest.mark.parametrize("name,other", [("__ior__", "int64"), ("__iand__", "int32"),
                                        ("__ixor__", "bool"), ("bitwise_or_", "uint8")])
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64"])
def test_in_place_keeps_the_dtype_or_raises_as_torch(name: str, other: str, dtype: str) -> None:
    a, ta = _pair(dtype)
    b, tb = _pair(other, seed=1)
    try:
        expected = getattr(ta, name)(tb)
    except RuntimeError:
        version = a._version_number
        with pytest.raises(RuntimeError, match="can't be cast"):
            getattr(a, name)(b)
        assert a._version_number == version
        return
    out = getattr(a, name)(b)
    assert out is a
    _same(a, expected)


def test_in_place_operator_writes_into_the_same_tensor() -> None:
    mask = bricks.tensor([True, False, True])
    alias = mask
    mask |= bricks.tensor([False, True, False])
    mask &= bricks.tensor([True, True, False])
    mask ^= bricks.tensor([False, False, True])
    assert mask is alias and mask.tolist() == [True, True, True]


def test_methods_are_tensor_methods_as_in_torch() -> None:
    names = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and",
             "logical_or", "logical_xor", "bitwise_and_", "bitwise_or_", "bitwise_xor_",
             "bitwise_not_", "logical_and_", "logical_or_", "logical_xor_", "logical_not_",
             "__and__", "__rand__", "__iand__", "__or__", "__ror__", "__ior__", "__xor__",
             "__rxor__", "__ixor__"]
    for name in names:
        assert hasattr(torch.Tensor, name) and hasattr(bricks.Tensor, name), name
    for name in names[:7]:
        assert name in bricks.__all__ and hasattr(torch, name)


def test_two_numbers_raise_type_error() -> None:
    with pytest.raises(TypeError):
        torch.bitwise_and(3, 5)
    with pytest.raises(TypeError, match="expected a Tensor"):
        bricks.bitwise_and(3, 5)
