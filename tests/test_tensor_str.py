"""format_tensor must print exactly what repr(torch.Tensor) prints for the same values."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bricks._tensor_str import format_tensor

torch.manual_seed(0)


def _dtype_name(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def _values(tensor: torch.Tensor) -> np.ndarray:
    tensor = tensor.detach()
    # NumPy has no bfloat16; float32 holds its values exactly.
    return (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy()


def bricks_repr(tensor: torch.Tensor, prefix: str = "tensor(") -> str:
    grad_fn = tensor.grad_fn
    return format_tensor(
        _values(tensor),
        dtype_name=_dtype_name(tensor),
        default_dtype=tensor.dtype == torch.get_default_dtype(),
        requires_grad=tensor.requires_grad,
        grad_fn=None if grad_fn is None else type(grad_fn).__name__,
        prefix=prefix,
    )


def assert_same_repr(tensor: torch.Tensor) -> None:
    assert bricks_repr(tensor) == repr(tensor)


NAN = math.nan
INF = math.inf

EDGE_CASES = {
    "scalar_zero": lambda: torch.tensor(0.0),
    "scalar_negative_zero": lambda: torch.tensor(-0.0),
    "scalar_nan": lambda: torch.tensor(NAN),
    "scalar_int": lambda: torch.tensor(7),
    "scalar_bool": lambda: torch.tensor(True),
    "scalar_float64": lambda: torch.tensor(1.5, dtype=torch.float64),
    "integer_valued_floats": lambda: torch.tensor([1.0, 2.0]),
    "four_decimals": lambda: torch.tensor([1.123456, -2.5]),
    "scientific_small": lambda: torch.tensor([1e-5, 1e5]),
    "scientific_large": lambda: torch.tensor([1e9, 2.0]),
    "scientific_integer_valued": lambda: torch.tensor([1.0, 1e4]),
    "ratio_just_under_1000": lambda: torch.tensor([1.0, 999.0]),
    "nonfinite_mixed": lambda: torch.tensor([NAN, 1.5, INF, -INF]),
    "nonfinite_only": lambda: torch.tensor([NAN, INF, -INF]),
    "zero_and_nan": lambda: torch.tensor([0.0, NAN]),
    "negative_zero": lambda: torch.tensor([-0.0, 0.0, 1.0]),
    "negative_zero_fixed": lambda: torch.tensor([-0.0, 0.5]),
    "all_zero": lambda: torch.zeros(2, 3),
    "bool": lambda: torch.tensor([True, False]),
    "int64": lambda: torch.tensor([1, 2, 3]),
    "int64_negative": lambda: torch.tensor([[-100, 2], [3, 40000]]),
    "int32": lambda: torch.tensor([1, 2], dtype=torch.int32),
    "int8": lambda: torch.randint(-128, 127, (30,), dtype=torch.int8),
    "uint8": lambda: torch.randint(0, 255, (4, 5), dtype=torch.uint8),
    "float64": lambda: torch.tensor([1.0, 2.0], dtype=torch.float64),
    "float16": lambda: torch.randn(5, 3).half(),
    "float16_large": lambda: torch.tensor([60000.0, 0.001], dtype=torch.float16),
    "bfloat16": lambda: torch.randn(3, 3).bfloat16(),
    "empty_1d": lambda: torch.tensor([]),
    "empty_2d": lambda: torch.empty(0, 3),
    "empty_3d_bool": lambda: torch.empty(2, 0, 3, dtype=torch.bool),
    "empty_int64": lambda: torch.empty(0, dtype=torch.int64),
    "empty_float64": lambda: torch.empty(0, 4, dtype=torch.float64),
    "summarized_1d": lambda: torch.arange(2000.0),
    "summarized_2d": lambda: torch.randn(40, 40),
    "summarized_int": lambda: torch.arange(1200, dtype=torch.int32),
    "summarized_uint8": lambda: torch.randint(0, 255, (1200,), dtype=torch.uint8),
    "summarized_3d": lambda: torch.randn(12, 12, 12),
    "summarized_short_axis": lambda: torch.randn(2, 600),
    "summarized_float64": lambda: torch.randn(100, 100, dtype=torch.float64),
    "exactly_threshold": lambda: torch.arange(1000.0),
    "long_row_wraps": lambda: torch.randn(50),
    "long_int_row_wraps": lambda: torch.arange(100),
    "long_rows_2d": lambda: torch.randn(3, 20) * 1e-6,
    "four_d": lambda: torch.randn(2, 2, 2, 3),
    "five_d": lambda: torch.arange(32).reshape(2, 2, 2, 2, 2),
    "column": lambda: torch.randn(4, 1),
    "huge_values": lambda: torch.randn(30) * 1e9,
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_case_matches_torch(name):
    assert_same_repr(EDGE_CASES[name]())


def test_requires_grad_is_printed():
    assert_same_repr(torch.tensor([1.0, 2.0], requires_grad=True))
    assert_same_repr(torch.randn(3, 30, dtype=torch.float64, requires_grad=True))


def test_addmm_grad_fn_is_printed():
    weight = torch.randn(1, 3, requires_grad=True)
    output = torch.nn.functional.linear(torch.randn(2, 3), weight, torch.randn(1))
    assert type(output.grad_fn).__name__ == "AddmmBackward0"
    assert_same_repr(output)


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x * 2,
        lambda x: x.sum(),
        lambda x: x.double().exp(),
        lambda x: torch.cat([x] * 40),
        lambda x: (x @ x.T)[:, :1],
    ],
)
def test_grad_fn_from_real_ops_is_printed(make):
    assert_same_repr(make(torch.randn(2, 3, requires_grad=True)))


def test_long_suffixes_wrap_onto_their_own_line():
    row = torch.tensor([[1.2345, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 1.5]], dtype=torch.float64)
    assert_same_repr(row.requires_grad_())
    wide = torch.full((1, 8), -1.5, dtype=torch.float64, requires_grad=True) * 3
    assert "\n       dtype=torch.float64, grad_fn=<MulBackward0>)" in repr(wide)
    assert_same_repr(wide)


def test_parameter_prefix_indents_like_torch():
    parameter = torch.nn.Parameter(torch.randn(3, 2))
    text = bricks_repr(parameter, prefix="Parameter containing:\ntensor(")
    assert text == repr(parameter)


def test_dtype_repr_overrides_the_module_name():
    text = format_tensor(
        np.array([1, 2], dtype=np.int32),
        dtype_name="int32",
        default_dtype=False,
        dtype_repr="bricks.int32",
    )
    assert text == "tensor([1, 2], dtype=bricks.int32)"


def test_float64_default_dtype_hides_float64_and_shows_float32():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for tensor in (torch.tensor([1.5, 2.0]), torch.tensor([1.5], dtype=torch.float32)):
            assert_same_repr(tensor)
        assert_same_repr(torch.empty(0, dtype=torch.float32))
    finally:
        torch.set_default_dtype(previous)


FLOAT_ELEMENTS = st.one_of(
    st.floats(-1e3, 1e3, width=32),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(-50, 50).map(float),
    st.sampled_from([0.0, -0.0, 1e-5, 1e9, NAN, INF]),
)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float32, SHAPES, elements=FLOAT_ELEMENTS))
def test_random_float32_arrays_match_torch(array):
    assert_same_repr(torch.from_numpy(array))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([np.float64, np.float16]).flatmap(
        lambda dtype: hnp.arrays(dtype, SHAPES, elements=st.floats(-1e4, 1e4, width=16))
    ),
    st.booleans(),
)
def test_random_float64_and_float16_arrays_match_torch(array, requires_grad):
    tensor = torch.from_numpy(array)
    if requires_grad and array.size:
        tensor.requires_grad_()
    assert_same_repr(tensor)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from([np.int64, np.int32, np.int8, np.uint8, np.bool_]).flatmap(
        lambda dtype: hnp.arrays(dtype, SHAPES)
    )
)
def test_random_integer_and_bool_arrays_match_torch(array):
    assert_same_repr(torch.from_numpy(array))


@settings(max_examples=20, deadline=None)
@given(
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=40).filter(
        lambda shape: math.prod(shape) > 1000
    ),
    st.sampled_from([1.0, 1e-6, 1e9]),
)
def test_random_summarized_tensors_match_torch(shape, scale):
    assert_same_repr(torch.randn(shape) * scale)
