"""bricks.set_num_threads / get_num_threads: torch's functions, driving OpenBLAS."""

from __future__ import annotations

import pytest
import torch

import bricks


def test_set_num_threads_changes_what_get_num_threads_reports() -> None:
    before = bricks.get_num_threads()
    try:
        for n in (1, 2):
            bricks.set_num_threads(n)
            assert bricks.get_num_threads() == n
    finally:
        bricks.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_set_num_threads_refuses_what_torch_refuses(bad: object) -> None:
    with pytest.raises(RuntimeError) as expected:
        torch.set_num_threads(bad)  # type: ignore[arg-type]  # the point: a bad value
    with pytest.raises(RuntimeError) as got:
        bricks.set_num_threads(bad)  # type: ignore[arg-type]  # the point: a bad value
    assert str(got.value) == str(expected.value)
