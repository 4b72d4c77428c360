"""Creation functions, dtype inference, random generators and legacy constructors vs torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import bricks


def _name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.").removeprefix("bricks.")


DATA = [3, 2.5, True, [1, 2], [1.0, 2], [[True, False]], [], [[1, 2], [3, 4]],
        np.float64(1.5), np.int32(3), np.array([1, 2], dtype=np.int16),
        np.array([1.0], dtype=np.float64), np.array([0.5], dtype=np.float16),
        np.array([True]), np.array(2.0, dtype=np.float32)]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_the_dtype_torch_infers(data: Any) -> None:
    ours, theirs = bricks.tensor(data), torch.tensor(data)
    assert _name(ours.dtype) == _name(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _lists_of_tensors(m: Any) -> list:
    return [[m.tensor(1.0, dtype=m.float64)], [m.tensor(1, dtype=m.int32)], [m.tensor([True])],
            [m.tensor(1), 2.5], [m.tensor([1.0]), m.tensor([2.0])],
            [[m.tensor(1.0)], [m.tensor(2.0)]], [m.tensor(1, dtype=m.int32), m.tensor(2)],
            [m.tensor([[1.0]])], (m.tensor([3]),), [m.tensor(1.0, dtype=m.float64), 2.5],
            [m.tensor(1, dtype=m.uint8), True], [m.tensor(1, dtype=m.int32), 2],
            [m.tensor(1.5, dtype=m.float16), 2]]


@pytest.mark.parametrize("index", range(len(_lists_of_tensors(torch))))
def test_tensor_of_a_list_of_tensors_reads_each_as_one_number(index: int) -> None:
    """As torch: ``tensor([t1, t2])`` takes each one-element tensor as a number (a (1,)
    tensor adds no dimension), and its dtype joins the promotion."""
    ours = bricks.tensor(_lists_of_tensors(bricks)[index])
    theirs = torch.tensor(_lists_of_tensors(torch)[index])
    assert _name(ours.dtype) == _name(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert bricks.as_tensor(_lists_of_tensors(bricks)[index]).tolist() == theirs.tolist()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_explicit_dtypes_are_kept(dtype: str) -> None:
    t = bricks.tensor([1, 0, 2], dtype=getattr(bricks, dtype))
    assert t.dtype is getattr(bricks, dtype) and repr(t.dtype) == f"bricks.{dtype}"
    assert bricks.zeros(2, dtype=getattr(bricks, dtype)).dtype is getattr(bricks, dtype)


CALLS = [
    ("arange(4)", lambda m: m.arange(4)),
    ("arange(1, 4)", lambda m: m.arange(1, 4)),
    ("arange(0, 1, 0.25)", lambda m: m.arange(0, 1, 0.25)),
    ("arange(5.0)", lambda m: m.arange(5.0)),
    ("arange(4, dtype=float64)", lambda m: m.arange(4, dtype=m.float64)),
    ("zeros(2, 3)", lambda m: m.zeros(2, 3)),
    ("zeros((2, 3))", lambda m: m.zeros((2, 3))),
    ("zeros([])", lambda m: m.zeros([])),
    ("ones(0)", lambda m: m.ones(0)),
    ("ones(size)", lambda m: m.ones(m.zeros(2, 1).shape)),
    ("full int", lambda m: m.full((2, 2), 7)),
    ("full float", lambda m: m.full((2,), 1.5)),
    ("full bool", lambda m: m.full((2,), True)),
    ("eye(3)", lambda m: m.eye(3)),
    ("eye(2, 3)", lambda m: m.eye(2, 3)),
    ("linspace", lambda m: m.linspace(0, 1, 5)),
    ("zeros_like int", lambda m: m.zeros_like(m.tensor([1, 2]))),
    ("ones_like dtype", lambda m: m.ones_like(m.tensor([1, 2]), dtype=m.float64)),
    ("full_like", lambda m: m.full_like(m.zeros(2, 2), 3)),
    ("empty shape", lambda m: m.empty(2, 3).fill_(0)),
    ("empty_like", lambda m: m.empty_like(m.zeros(3, dtype=m.int64)).fill_(1)),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_creation_functions_match_torch(name: str, call: Any) -> None:
    ours, theirs = call(bricks), call(torch)
    assert _name(ours.dtype) == _name(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_arange_of_an_int_is_int64() -> None:
    assert bricks.arange(4).dtype is bricks.int64


BAD = [lambda m: m.zeros(-1, 2), lambda m: m.arange(0, 3, 0),
       lambda m: m.tensor([1, 2], requires_grad=True),
       lambda m: m.zeros(2, dtype=m.int64).requires_grad_(), lambda m: m.tensor("text"),
       lambda m: m.tensor([m.tensor([1.0, 2.0])]), lambda m: m.tensor([[m.zeros(2, 2)]])]


@pytest.mark.parametrize("call", BAD)
def test_bad_creation_raises_the_exception_type_torch_raises(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    assert type(expected.value).__module__ == "builtins"
    with pytest.raises(type(expected.value)):
        call(bricks)


@pytest.mark.parametrize("factory", ["rand", "randn"])
def test_random_tensors_have_the_requested_shape_dtype_and_range(factory: str) -> None:
    t = getattr(bricks, factory)(1000, 3)
    assert t.shape == (1000, 3) and t.dtype is bricks.float32
    values = t.numpy()
    if factory == "rand":
        assert values.min() >= 0 and values.max() < 1 and abs(values.mean() - 0.5) < 0.05
    else:
        assert abs(values.mean()) < 0.1 and abs(values.std() - 1) < 0.1
    assert getattr(bricks, factory)(2, dtype=bricks.float64).dtype is bricks.float64


def test_randint_randperm_and_normal() -> None:
    r = bricks.randint(0, 5, (100,))
    assert r.dtype is bricks.int64 and 0 <= r.min().item() and r.max().item() < 5
    assert bricks.randint(3, (2, 2)).shape == (2, 2)
    assert sorted(bricks.randperm(6).tolist()) == list(range(6))
    n = bricks.normal(2.0, 0.5, size=(2000,))
    assert abs(n.mean().item() - 2) < 0.05 and abs(n.std().item() - 0.5) < 0.05
    assert bricks.normal(bricks.zeros(3, 2), 1.0).shape == (3, 2)


def test_manual_seed_makes_draws_reproducible() -> None:
    bricks.manual_seed(123)
    first = [bricks.rand(3), bricks.randn(2, 2), bricks.randint(0, 9, (4,)),
             bricks.empty(3).uniform_(-1, 1), bricks.empty(2).normal_()]
    bricks.manual_seed(123)
    again = [bricks.rand(3), bricks.randn(2, 2), bricks.randint(0, 9, (4,)),
             bricks.empty(3).uniform_(-1, 1), bricks.empty(2).normal_()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert bricks.initial_seed() == 123
    g = bricks.Generator().manual_seed(7)
    x = bricks.rand(4, generator=g)
    g.manual_seed(7)
    np.testing.assert_array_equal(x.numpy(), bricks.rand(4, generator=g).numpy())


def test_from_numpy_and_as_tensor_share_memory_tensor_copies() -> None:
    array = np.zeros(3, dtype=np.float64)
    shared, alias, copied = bricks.from_numpy(array), bricks.as_tensor(array), bricks.tensor(array)
    array[0] = 5
    assert shared[0].item() == 5 and alias[0].item() == 5 and copied[0].item() == 0
    assert shared.dtype is bricks.float64
    shared[1] = 7
    assert array[1] == 7
    with pytest.raises(TypeError, match="expected np.ndarray"):
        bricks.from_numpy([1, 2])


LEGACY = [
    ("FloatTensor(2, 3)", lambda m: m.FloatTensor(2, 3).zero_()),
    ("FloatTensor(data)", lambda m: m.FloatTensor([1, 2])),
    ("LongTensor(data)", lambda m: m.LongTensor([1, 2])),
    ("LongTensor(3)", lambda m: m.LongTensor(3).zero_()),
    ("DoubleTensor(data)", lambda m: m.DoubleTensor([[1.5]])),
    ("IntTensor(data)", lambda m: m.IntTensor([3])),
    ("BoolTensor(data)", lambda m: m.BoolTensor([True, False])),
    ("Tensor(2)", lambda m: m.Tensor(2).zero_()),
    ("Tensor(data)", lambda m: m.Tensor([1, 2])),
]


@pytest.mark.parametrize("name,call", LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_constructors_match_torch(name: str, call: Any) -> None:
    ours, theirs = call(bricks), call(torch)
    assert _name(ours.dtype) == _name(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_default_dtype_can_be_changed_and_restored() -> None:
    bricks.set_default_dtype(bricks.float64)
    try:
        assert bricks.tensor([1.5]).dtype is bricks.float64 and bricks.zeros(1).dtype is \
            bricks.float64
    finally:
        bricks.set_default_dtype(bricks.float32)
    assert bricks.get_default_dtype() is bricks.float32
    with pytest.raises(TypeError):
        bricks.set_default_dtype(bricks.int64)
