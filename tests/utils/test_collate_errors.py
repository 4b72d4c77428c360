"""Collation errors name the field and the shapes, with torch's exception types."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate as torch_collate

import bricks
from bricks.utils.data import DataLoader, default_collate

CASES = {
    "tensor_and_list": (lambda m: [{"x": m.ones(2)}, {"x": [1.0, 2.0]}], ["['x']", "[2]", "list"]),
    "unequal_shapes": (lambda m: [{"image": m.ones(2, 3)}, {"image": m.ones(2, 4)}],
                       ["['image']", "[2, 3]", "[2, 4]"]),
    "unequal_in_tuple": (lambda m: [(m.ones(2), 1), (m.ones(3), 2)], ["[0]", "[2]", "[3]"]),
    "nested_field": (lambda m: [{"a": {"x": m.ones(2)}}, {"a": {"x": [1, 2]}}],
                     ["['a']['x']", "list"]),
    "unequal_arrays": (lambda m: [np.ones(2), np.ones(3)], ["[2]", "[3]"]),
    "number_and_string": (lambda m: [{"y": 1}, {"y": "one"}], ["['y']", "str"]),
    "missing_key": (lambda m: [{"x": m.ones(2)}, {"y": m.ones(2)}], ["['x']", "sample 1"]),
}


@pytest.mark.parametrize("name", CASES)
def test_collation_error_names_the_field_and_shapes_with_torchs_type(name: str) -> None:
    make, words = CASES[name]
    with pytest.raises(Exception) as theirs:
        torch_collate(make(torch))
    with pytest.raises(type(theirs.value)) as ours:
        default_collate(make(bricks))
    message = str(ours.value)
    missing = [word for word in words if word not in message]
    assert not missing, message


def test_unequal_lengths_name_the_field() -> None:
    with pytest.raises(RuntimeError, match=r"field \['seq'\], sample 0 has 2 elements and "
                                           r"sample 1 has 1"):
        default_collate([{"seq": [1, 2]}, {"seq": [1]}])


def test_a_dataloader_reports_the_field() -> None:
    data = [{"x": bricks.ones(3)}, {"x": bricks.ones(4)}]
    with pytest.raises(RuntimeError, match=r"\['x'\]"):
        next(iter(DataLoader(data, batch_size=2)))
