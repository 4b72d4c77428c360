"""``Tensor.type`` in all torch's forms, against torch: no argument (the type's name), a
dtype, a type name as ``'torch.IntTensor'`` (the textbook's code and older tutorials write
``x.type('torch.LongTensor')``), a legacy constructor as ``torch.IntTensor``, and the errors
for names and objects that are no type."""

import pytest
import torch

import bricks

_NAMES = ["torch.FloatTensor", "torch.DoubleTensor", "torch.HalfTensor", "torch.LongTensor",
          "torch.IntTensor", "torch.ShortTensor", "torch.CharTensor", "torch.ByteTensor",
          "torch.BoolTensor", "torch.ComplexFloatTensor", "torch.ComplexDoubleTensor"]
_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
           "complex64", "complex128"]


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("dtype", _DTYPES)
def test_type_without_argument_names_the_type(dtype):
    assert bricks.ones(2, dtype=getattr(bricks, dtype)).type() == \
        torch.ones(2, dtype=getattr(torch, dtype)).type()


@pytest.mark.parametrize("name", _NAMES)
@pytest.mark.parametrize("source", ["float32", "int64"])
def test_type_name_casts_as_torch(name, source):
    ours = bricks.tensor([0, 1, 2], dtype=getattr(bricks, source))
    theirs = torch.tensor([0, 1, 2], dtype=getattr(torch, source))
    cast, expected = ours.type(name), theirs.type(name)
    assert _dtype_name(cast) == _dtype_name(expected)
    assert cast.tolist() == expected.tolist()
    assert (cast is ours) == (expected is theirs)  # itself when nothing changes
    assert cast.type() == name


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "BoolTensor"])
def test_legacy_constructor_as_the_type(name):
    ours, theirs = bricks.ones(2), torch.ones(2)
    cast, expected = ours.type(getattr(bricks, name)), theirs.type(getattr(torch, name))
    assert _dtype_name(cast) == _dtype_name(expected)
    assert (cast is ours) == (expected is theirs)


def test_dtype_keyword_and_non_blocking():
    for lib in (bricks, torch):
        x = lib.ones(2)
        assert x.type(dtype="torch.IntTensor").dtype == lib.int32
        assert x.type(lib.float32, non_blocking=True) is x
        assert x.type(dtype=lib.int64).dtype == lib.int64


def test_cast_by_name_is_differentiable():
    grads = []
    for lib in (bricks, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.type("torch.DoubleTensor")
        assert y.requires_grad and y.dtype == lib.float64
        (y * y).sum().backward()
        grads.append((x.grad.tolist(), _dtype_name(x.grad)))
    assert grads[0] == grads[1]


@pytest.mark.parametrize("name", ["torch.float32", "float", "IntTensor", "", "torch.foo.IntTensor",
                                  "torch.a.cuda.IntTensor", "tensorflow.IntTensor"])
def test_names_of_no_type_are_value_errors(name):
    with pytest.raises(ValueError) as theirs:
        torch.ones(2).type(name)
    x = bricks.ones(2)
    with pytest.raises(ValueError) as ours:
        x.type(name)
    assert str(ours.value) == str(theirs.value) == f"invalid type: '{name}'"
    assert x.dtype == bricks.float32


@pytest.mark.parametrize("value", [5, 1.5, [1], object()], ids=["int", "float", "list", "object"])
def test_objects_of_no_type_are_type_errors(value):
    with pytest.raises(TypeError) as theirs:
        torch.ones(2).type(value)
    with pytest.raises(TypeError) as ours:
        bricks.ones(2).type(value)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.skipif(bricks.cuda.is_available(), reason="checks the CPU-only error")
def test_cuda_names_need_cuda():
    with pytest.raises(RuntimeError):
        bricks.ones(2).type("torch.cuda.FloatTensor")
