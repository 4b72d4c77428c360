"""Every row of the op table on the fake device: same values as on the CPU, nothing on the host.

The fake device (tests/fake_device.py) refuses host arrays as CuPy does, so an op that makes a
buffer with NumPy instead of its input's array module fails here, on a CPU-only machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fake_device import FakeArray, fake_device
from op_table import OPS, Op, sample

import bricks


@pytest.fixture(scope="module")
def fake():
    with fake_device() as backend:
        yield backend


def _outputs(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _run(op: Op, arrays: list, weights_seed: int) -> tuple[list, list]:
    """Outputs and input gradients (as host arrays) of ``op`` on the default device."""
    inputs = [bricks.tensor(a, requires_grad=op.differentiable) for a in arrays]
    outputs = _outputs(op.bricks(*inputs))
    device = bricks.get_default_device()
    for out in outputs:
        assert out.device == device, f"{op.name} gave an output on {out.device}"
        if device.type == "fake":
            assert type(out._value) is FakeArray
    loss = None
    rng = np.random.default_rng(weights_seed)
    for out in outputs:
        if out.requires_grad:
            w = bricks.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype)
            term = (out * w).sum()
            loss = term if loss is None else loss + term
    grads = []
    if loss is not None:
        loss.backward()
        for t in inputs:
            if t.grad is not None:
                assert t.grad.device == device, f"{op.name}: a gradient on {t.grad.device}"
            grads.append(None if t.grad is None else t.grad.cpu().numpy())
    return [o.detach().cpu().numpy() for o in outputs], grads


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_op_on_the_fake_device_matches_the_cpu(op: Op, fake) -> None:
    rng = np.random.default_rng(0)
    arrays = [sample(shape, op.domain, rng) for shape in op.shapes]
    expected = _run(op, arrays, 1)
    bricks.set_default_device("fake")
    try:
        got = _run(op, arrays, 1)
    finally:
        bricks.set_default_device(None)
    for ours, cpu in zip(got[0], expected[0]):
        np.testing.assert_allclose(ours, cpu, rtol=1e-12, atol=1e-12)
    for ours, cpu in zip(got[1], expected[1]):
        assert (ours is None) == (cpu is None)
        if cpu is not None:
            np.testing.assert_allclose(ours, cpu, rtol=1e-12, atol=1e-12)
