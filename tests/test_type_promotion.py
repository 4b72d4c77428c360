"""``promote_types``, ``can_cast`` and ``result_type`` against torch's, over every pair of
dtypes bricks has (and Python numbers), and the ops' own promotion agreeing with them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import torch

import bricks

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]
PAIRS = list(itertools.product(DTYPES, DTYPES))


def _name(dtype: Any) -> str:
    return str(dtype).split(".")[-1]


def test_promote_types_matches_torch_for_every_pair() -> None:
    for a, b in PAIRS:
        expected = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert _name(bricks.promote_types(getattr(bricks, a), getattr(bricks, b))) == \
            _name(expected), (a, b)


def test_can_cast_matches_torch_for_every_pair() -> None:
    for a, b in PAIRS:
        assert bricks.can_cast(getattr(bricks, a), getattr(bricks, b)) == \
            torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_python_types_name_their_dtypes_and_other_objects_are_refused() -> None:
    assert bricks.promote_types(bricks.float16, int) == bricks.float16
    assert bricks.can_cast(int, bricks.float32) is torch.can_cast(int, torch.float32)
    with pytest.raises(TypeError):
        bricks.promote_types(bricks.float32, "a")
    with pytest.raises(TypeError):
        bricks.result_type(bricks.tensor([1]), "a")


def _operand(m: Any, kind: str, dtype: str) -> Any:
    if kind == "number":
        return {"bool": True, "int64": 3, "float32": 2.5, "complex64": 1 + 2j}[dtype]
    value = m.ones(2) if kind == "tensor" else m.tensor(1.0)
    return value.to(getattr(m, dtype))


NUMBER_TYPES = ["bool", "int64", "float32", "complex64"]
OPERANDS = ([("tensor", d) for d in DTYPES] + [("scalar", d) for d in DTYPES]
            + [("number", d) for d in NUMBER_TYPES])


def _complex32(first: tuple, second: tuple) -> bool:
    """Whether torch's answer is complex32, which bricks lacks: a float16 tensor meeting a
    complex operand of lower rank."""
    rank = {"tensor": 0, "scalar": 1, "number": 2}
    pairs = [(first, second), (second, first)]
    return any(a[1] == "float16" and b[1].startswith("complex") and rank[a[0]] < rank[b[0]]
               for a, b in pairs)


def test_result_type_matches_torch_for_tensors_0d_tensors_and_numbers() -> None:
    for first, second in itertools.product(OPERANDS, OPERANDS):
        if first[0] == second[0] == "number" or _complex32(first, second):
            continue
        expected = torch.result_type(_operand(torch, *first), _operand(torch, *second))
        got = bricks.result_type(_operand(bricks, *first), _operand(bricks, *second))
        assert _name(got) == _name(expected), (first, second)


def test_result_type_is_the_dtype_addition_gives() -> None:
    for first, second in itertools.product(OPERANDS, OPERANDS):
        if first[0] == second[0] == "number" or "bool" in (first[1], second[1]) \
                or _complex32(first, second):
            continue
        a, b = _operand(bricks, *first), _operand(bricks, *second)
        assert bricks.result_type(a, b) == (a + b).dtype, (first, second)
