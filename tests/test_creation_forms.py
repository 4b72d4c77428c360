"""``range``, ``scalar_tensor``, ``asarray``, ``frombuffer`` and ``empty_strided`` against
torch's: values, dtypes, shared memory and errors."""

from __future__ import annotations

import array
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import bricks


def _same(ours: Any, theirs: Any) -> None:
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def _same_error(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(bricks)


@pytest.mark.parametrize("args,options", [
    ((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.3), {}), ((4, 1, -1), {}), ((1, 1), {}),
    ((1, 4), {"dtype": "int64"}), ((1.5, 4), {"requires_grad": True}),
    ((0, 2, 0.1), {"dtype": "float64"})])
def test_range_includes_its_end_as_torch(args: tuple, options: dict) -> None:
    def make(m: Any) -> Any:
        given = {k: getattr(m, v) if k == "dtype" else v for k, v in options.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return m.range(*args, **given)

    _same(make(bricks), make(torch))


def test_range_warns_that_it_is_deprecated_and_refuses_bad_steps() -> None:
    with pytest.warns(UserWarning, match="deprecated"):
        bricks.range(0, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(lambda m: m.range(1, 4, 0))
        _same_error(lambda m: m.range(4, 1))
        _same_error(lambda m: m.range(5))


@pytest.mark.parametrize("value,options", [
    (3, {}), (True, {}), (3.5, {"dtype": "float64", "requires_grad": True}),
    (-2, {"dtype": "int32"}), (np.float64(1.25), {})])
def test_scalar_tensor_matches_torch(value: Any, options: dict) -> None:
    def make(m: Any) -> Any:
        return m.scalar_tensor(value, **{k: getattr(m, v) if k == "dtype" else v
                                         for k, v in options.items()})

    _same(make(bricks), make(torch))


def test_scalar_tensor_errors_match_torch() -> None:
    _same_error(lambda m: m.scalar_tensor("a"))
    _same_error(lambda m: m.scalar_tensor(2 + 1j))


def test_asarray_shares_memory_with_arrays_and_tensors() -> None:
    a = np.arange(3.0)
    ours = bricks.asarray(a)
    ours[0] = 9
    assert a[0] == 9 and ours.dtype == bricks.float64
    t = bricks.tensor([1.0, 2.0])
    assert bricks.asarray(t) is t
    copied = bricks.asarray(a, copy=True)
    copied[1] = 7
    assert a[1] == 1
    buffer = bytearray(np.arange(3, dtype=np.float32).tobytes())
    view = bricks.asarray(buffer)
    view[2] = 5
    assert np.frombuffer(buffer, np.float32).tolist() == [0.0, 1.0, 5.0]


@pytest.mark.parametrize("make", [
    lambda m: m.asarray([1.5, 2]), lambda m: m.asarray([[1, 2], [3, 4]], dtype=m.float64),
    lambda m: m.asarray(3), lambda m: m.asarray(3.0, requires_grad=True),
    lambda m: m.asarray(np.float64(2.0)), lambda m: m.asarray([m.tensor(1.0), m.tensor(2.0)]),
    lambda m: m.asarray(np.arange(4, dtype=np.int32), dtype=m.float32),
    lambda m: m.asarray(m.tensor([1.0, 2.0]), dtype=m.float64),
    lambda m: m.asarray(m.tensor([1.0, 2.0]), requires_grad=True),
    lambda m: m.asarray(m.tensor([1.0, 2.0], requires_grad=True) * 2),
    lambda m: m.asarray(m.tensor([1.0, 2.0], requires_grad=True), copy=True),
    lambda m: m.asarray(m.tensor([1.0, 2.0], requires_grad=True), copy=True, requires_grad=False),
    lambda m: m.asarray(m.tensor([1.0, 2.0], requires_grad=True), dtype=m.float64),
    lambda m: m.asarray(m.tensor([1.0, 2.0], requires_grad=True) * 2, requires_grad=False),
    lambda m: m.asarray(m.ones(2), copy=True, requires_grad=True),
    lambda m: m.asarray(array.array("d", [1.0, 2.5]), dtype=m.float64)])
def test_asarray_values_dtypes_and_grad_match_torch(make: Any) -> None:
    _same(make(bricks), make(torch))


@pytest.mark.parametrize("call", [
    lambda m: m.asarray(m.tensor([1.0]), dtype=m.float64, copy=False),
    lambda m: m.asarray(np.arange(3.0), dtype=m.float32, copy=False),
    lambda m: m.asarray([1, 2], copy=False), lambda m: m.asarray([1, 2], requires_grad=True),
    lambda m: m.asarray("abc")])
def test_asarray_errors_match_torch(call: Any) -> None:
    _same_error(call)


def test_asarray_keeps_the_graph_unless_told_and_leaves_the_callers_tensor_alone() -> None:
    x = bricks.tensor([1.0, 2.0], requires_grad=True)
    (bricks.asarray(x * 2, dtype=bricks.float64).sum()).backward()
    assert x.grad.tolist() == [2.0, 2.0]
    # torch flips ``requires_grad`` of the tensor it was given; bricks returns an alias.
    leaf = bricks.tensor([1.0, 2.0], requires_grad=True)
    alias = bricks.asarray(leaf, requires_grad=False)
    assert leaf.requires_grad and not alias.requires_grad
    alias[0] = 5
    assert leaf.tolist() == [5.0, 2.0]


def _buffer() -> bytearray:
    return bytearray(np.arange(6, dtype=np.float32).tobytes())


@pytest.mark.parametrize("options", [
    {"dtype": "float32"}, {"dtype": "float32", "count": 2, "offset": 8},
    {"dtype": "int16", "count": -1, "offset": 2}, {"dtype": "uint8", "count": 3},
    {"dtype": "float32", "requires_grad": True}])
def test_frombuffer_reads_like_torch(options: dict) -> None:
    def make(m: Any) -> Any:
        given = {k: getattr(m, v) if k == "dtype" else v for k, v in options.items()}
        return m.frombuffer(_buffer(), **given)

    _same(make(bricks), make(torch))


def test_frombuffer_shares_the_buffer() -> None:
    data = _buffer()
    t = bricks.frombuffer(data, dtype=bricks.float32, count=2, offset=8)
    t[0] = 42
    assert np.frombuffer(data, np.float32).tolist() == [0.0, 1.0, 42.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize("options", [
    {"count": 10}, {"offset": 30}, {"offset": -1}, {"count": 0},
    {"offset": 4, "dtype": "float64"}])
def test_frombuffer_errors_match_torch(options: dict) -> None:
    def call(m: Any) -> Any:
        given = {"dtype": "float32", **options}
        given["dtype"] = getattr(m, given["dtype"])
        return m.frombuffer(_buffer(), **given)

    _same_error(call)
    _same_error(lambda m: m.frombuffer(bytearray(), dtype=m.float32))
    _same_error(lambda m: m.frombuffer([1, 2], dtype=m.float64))


@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((0, 3), (3, 1)),
                                         ((2, 3), (0, 1)), ((4,), (2,)), ((), ())])
def test_empty_strided_has_torch_shape_and_strides(size: tuple, stride: tuple) -> None:
    ours = bricks.empty_strided(size, stride, dtype=bricks.int32)
    theirs = torch.empty_strided(size, stride, dtype=torch.int32)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == bricks.int32
    assert ours.stride() == theirs.stride()
    ours.fill_(3)
    assert (ours.numpy() == 3).all()


def test_empty_strided_errors_match_torch() -> None:
    _same_error(lambda m: m.empty_strided((2, 3), (1,)))
    _same_error(lambda m: m.empty_strided((2, 3), (-1, 1)))
