"""torch.testing.assert_close and make_tensor: bricks raises what torch raises, word for word."""

from __future__ import annotations

import math

import pytest
import torch

import bricks

INF, NAN = math.inf, math.nan


def _outcome(lib, actual, expected, **kwargs):
    """The error type and message (library prefix removed), or None when the values are close."""
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except Exception as error:  # noqa: BLE001 - the type is part of what is compared
        text = str(error)
        for prefix in ("torch.", "bricks.", "_tensor."):
            text = text.replace(prefix, "")
        return type(error).__name__, text
    return None


def _both(make):
    return make(torch), make(bricks)


PAIRS = [
    ([1.0, 2.0, 3.0], [1.0, 2.5, 3.1], {}),
    ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]], {}),
    (1.0, 2.0, {}),
    ([1.0, INF], [1.0, -INF], {}),
    ([NAN, 1.0], [NAN, 1.0], {}),
    ([NAN, 1.0], [NAN, 1.0], {"equal_nan": True}),
    ([1.0, 2.0], [1.0, 2.0 + 1e-7], {}),
    ([1.0], [2.0], {"msg": "custom"}),
    ([1.0], [2.0], {"rtol": 1e-3}),
    ([1.0], [1.01], {"rtol": 0.1, "atol": 0.0}),
    ([1.0, 5.0], [1.0, 5.001], {"rtol": 0.0, "atol": 1e-4}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("actual,expected,kwargs", PAIRS)
def test_float_tensors_match_torch(actual, expected, kwargs, dtype):
    a = _both(lambda m: m.tensor(actual, dtype=getattr(m, dtype)))
    e = _both(lambda m: m.tensor(expected, dtype=getattr(m, dtype)))
    assert _outcome(bricks, a[1], e[1], **kwargs) == _outcome(torch, a[0], e[0], **kwargs)


@pytest.mark.parametrize("actual,expected", [([1, 2], [1, 3]), ([True], [False]),
                                             ([[1, 2], [3, 4]], [[1, 2], [3, 4]])])
def test_integer_and_bool_tensors_compare_for_equality(actual, expected):
    a, e = _both(lambda m: m.tensor(actual)), _both(lambda m: m.tensor(expected))
    assert _outcome(bricks, a[1], e[1]) == _outcome(torch, a[0], e[0])


@pytest.mark.parametrize("make", [
    lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0]), {}),
    lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0], dtype=m.float64), {}),
    lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.1], dtype=m.float64),
               {"check_dtype": False}),
    lambda m: (m.tensor([1.0]), [1.0], {}),
    lambda m: ([m.tensor([1.0])], [m.tensor([2.0])], {}),
    lambda m: ({"a": m.tensor([1.0])}, {"a": m.tensor([2.0])}, {}),
    lambda m: ({"a": 1.0}, {"b": 1.0}, {}),
    lambda m: ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    lambda m: ((1.0, 2.0), [1.0, 2.0], {}),
    lambda m: (1.0, 1.1, {}),
    lambda m: (1, 2, {}),
    lambda m: (1, 1.0, {}),
    lambda m: (m.tensor([1.0]), m.tensor([2.0]), {"msg": lambda text: "X" + text[:9]}),
    lambda m: (m.tensor(3.0), m.tensor(3.5), {}),
    lambda m: (m.tensor([1.0]), m.tensor([1.0]).requires_grad_(), {}),
])
def test_attributes_containers_and_scalars_match_torch(make):
    (ta, te, kwargs), (ba, be, bkwargs) = make(torch), make(bricks)
    assert _outcome(bricks, ba, be, **bkwargs) == _outcome(torch, ta, te, **kwargs)


def test_numpy_arrays_are_tensor_likes():
    import numpy as np

    a, e = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    assert _outcome(bricks, a, e) == _outcome(torch, a, e)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_make_tensor_shape_dtype_and_range(dtype):
    t = bricks.testing.make_tensor(3, 4, dtype=getattr(bricks, dtype), device="cpu")
    ref = torch.testing.make_tensor(3, 4, dtype=getattr(torch, dtype), device="cpu")
    assert tuple(t.shape) == tuple(ref.shape) and str(t.dtype)[7:] == str(ref.dtype)[6:]
    values = t.numpy().astype(float)
    low = {"uint8": 0, "bool": 0}.get(dtype, -9)
    assert values.min() >= low and values.max() < 10


def test_make_tensor_low_high_exclude_zero_and_grad():
    t = bricks.testing.make_tensor((50,), dtype=bricks.int64, device="cpu", low=-1, high=2,
                                   exclude_zero=True)
    assert set(t.tolist()) <= {-1, 1}
    f = bricks.testing.make_tensor(2, dtype=bricks.float64, device="cpu", low=0.5, high=0.75,
                                   requires_grad=True)
    assert f.requires_grad and ((f >= 0.5) & (f < 0.75)).all()
    with pytest.raises(ValueError):
        bricks.testing.make_tensor(2, dtype=bricks.float32, device="cpu", low=2.0, high=1.0)
