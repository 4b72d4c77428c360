"""Every row of the op table on a CUDA GPU (CuPy): the CPU's numbers and torch's on CUDA.

Marked ``cuda`` and skipped where ``bricks.cuda.is_available()`` is False (no CuPy or no GPU).
"""

from __future__ import annotations

import numpy as np
import pytest
from op_table import OPS, Op, sample
from test_op_table_fake_device import _run

import bricks

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not bricks.cuda.is_available(), reason="needs a CUDA GPU")]


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_op_on_cuda_matches_the_cpu_and_torch_on_cuda(op: Op) -> None:
    import torch

    rng = np.random.default_rng(0)
    arrays = [sample(shape, op.domain, rng) for shape in op.shapes]
    expected = _run(op, arrays, 1)
    bricks.set_default_device("cuda")
    try:
        got = _run(op, arrays, 1)
    finally:
        bricks.set_default_device(None)
    # GPU reductions and atomics sum in another order: float64 agrees to ~1e-10.
    for ours, cpu in zip(got[0] + got[1], expected[0] + expected[1]):
        assert (ours is None) == (cpu is None)
        if cpu is not None:
            np.testing.assert_allclose(ours, cpu, rtol=1e-9, atol=1e-9)
    if torch.cuda.is_available():
        inputs = [torch.tensor(a, device="cuda") for a in arrays]
        theirs = op.torch(*inputs)
        theirs = list(theirs) if isinstance(theirs, (tuple, list)) else [theirs]
        for ours, t in zip(got[0], theirs):
            np.testing.assert_allclose(ours, t.detach().cpu().numpy(), rtol=1e-6, atol=1e-6)
