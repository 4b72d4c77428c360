"""Window functions (``bricks.*_window``, ``bricks.signal.windows``) against torch's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import bricks


def _same(ours: Any, theirs: Any) -> None:
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    # torch computes in the window's dtype, bricks in float64 then rounds: float32 differs in
    # the last bits, float64 agrees to rounding.
    tolerance = {"float64": 1e-12, "float32": 2e-6, "float16": 1e-3}[ours.dtype.name]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=tolerance,
                               rtol=tolerance)


WINDOWS = [("hann_window", {}), ("hamming_window", {}), ("blackman_window", {}),
           ("bartlett_window", {}), ("kaiser_window", {}), ("kaiser_window", {"beta": 3.5}),
           ("hamming_window", {"alpha": 0.5, "beta": 0.3})]


@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("name,options", WINDOWS)
def test_windows_match_torch(name: str, options: dict, periodic: bool, length: int) -> None:
    for dtype in ("float32", "float64"):
        _same(getattr(bricks, name)(length, periodic, dtype=getattr(bricks, dtype), **options),
              getattr(torch, name)(length, periodic, dtype=getattr(torch, dtype), **options))


def test_window_positional_parameters_and_requires_grad_match_torch() -> None:
    _same(bricks.hamming_window(6, False, 0.6, 0.4), torch.hamming_window(6, False, 0.6, 0.4))
    _same(bricks.kaiser_window(6, True, 2.0), torch.kaiser_window(6, True, 2.0))
    _same(bricks.hann_window(4, dtype=bricks.float64, requires_grad=True),
          torch.hann_window(4, dtype=torch.float64, requires_grad=True))
    _same(bricks.hann_window(5, dtype=bricks.float16), torch.hann_window(5, dtype=torch.float16))


@pytest.mark.parametrize("call", [lambda m: m.hann_window(-1),
                                  lambda m: m.blackman_window(4, dtype=m.int64),
                                  lambda m: m.bartlett_window(4.0)])
def test_window_errors_match_torch(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(bricks)


SIGNAL = [("hann", {}), ("hamming", {}), ("blackman", {}), ("bartlett", {}), ("nuttall", {}),
          ("kaiser", {}), ("kaiser", {"beta": 2.0}), ("cosine", {}), ("gaussian", {}),
          ("gaussian", {"std": 2.5}), ("exponential", {}), ("exponential", {"tau": 3.0}),
          ("general_hamming", {"alpha": 0.6}), ("general_cosine", {"a": [0.4, 0.3, 0.2, 0.1]})]


@pytest.mark.parametrize("M", [0, 1, 2, 7, 10])
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("name,options", SIGNAL)
def test_signal_windows_match_torch(name: str, options: dict, sym: bool, M: int) -> None:
    for dtype in ("float32", "float64"):
        _same(getattr(bricks.signal.windows, name)(M, sym=sym, dtype=getattr(bricks, dtype),
                                                   **options),
              getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype),
                                                  **options))


def test_periodic_exponential_with_a_center_matches_torch() -> None:
    for M in (1, 5):
        _same(bricks.signal.windows.exponential(M, center=1.5, sym=False),
              torch.signal.windows.exponential(M, center=1.5, sym=False))


@pytest.mark.parametrize("call", [
    lambda m: m.signal.windows.hann(-1), lambda m: m.signal.windows.hann(4, dtype=m.float16),
    lambda m: m.signal.windows.general_cosine(4, a=[]),
    lambda m: m.signal.windows.general_cosine(4, a=0.5),
    lambda m: m.signal.windows.kaiser(4, beta=-1.0), lambda m: m.signal.windows.gaussian(4, std=0),
    lambda m: m.signal.windows.exponential(4, tau=0),
    lambda m: m.signal.windows.exponential(4, center=1.0)])
def test_signal_window_errors_match_torch(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(bricks)
