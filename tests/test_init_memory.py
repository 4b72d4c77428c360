"""Random initialization peaks at ~1.1x the result's size (measured with tracemalloc in a
fresh process), draws the same values as one whole draw, and removed hooks release their
function at ``remove()``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import weakref

import numpy as np

import bricks
from bricks import nn

_SCRIPT = textwrap.dedent("""
    import tracemalloc
    import bricks
    from bricks import nn
    from bricks.nn import init

    N = 1024

    def empty():
        return bricks.empty(N, N)

    CASES = {
        "randn": lambda: bricks.randn(N, N),
        "rand": lambda: bricks.rand(N, N),
        "randn_float16": lambda: bricks.randn(N, N, dtype=bricks.float16),
        "normal_": lambda: init.normal_(empty(), 0.0, 0.02),
        "uniform_": lambda: init.uniform_(empty(), -0.1, 0.1),
        "kaiming_uniform_": lambda: init.kaiming_uniform_(empty()),
        "kaiming_normal_": lambda: init.kaiming_normal_(empty()),
        "xavier_uniform_": lambda: init.xavier_uniform_(empty()),
        "xavier_normal_": lambda: init.xavier_normal_(empty()),
        "Tensor.uniform_": lambda: empty().uniform_(),
        "Tensor.normal_": lambda: empty().normal_(),
        "Linear": lambda: list(nn.Linear(N, N).parameters()),
        "Embedding": lambda: list(nn.Embedding(N, N).parameters()),
        "Conv2d": lambda: list(nn.Conv2d(64, 256, 8).parameters()),
    }

    for name, make in CASES.items():
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        result = make()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        tensors = result if isinstance(result, list) else [result]
        size = sum(t.detach().numpy().nbytes for t in tensors)
        print(name, peak / size)
""")


def test_random_initialization_peaks_at_most_1_2x_the_result() -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    ratios = {line.split()[0]: float(line.split()[1]) for line in result.stdout.splitlines()}
    assert len(ratios) == 14
    over = {name: ratio for name, ratio in ratios.items() if ratio > 1.2}
    assert not over, over


def test_chunked_draws_equal_one_whole_draw() -> None:
    bricks.manual_seed(7)
    ours = bricks.randn(300, 700)
    bricks.manual_seed(7)
    whole = bricks.default_generator.numpy.standard_normal((300, 700)).astype(np.float32)
    np.testing.assert_array_equal(ours.numpy(), whole)
    w = bricks.empty(500, 300)
    bricks.manual_seed(3)
    nn.init.uniform_(w, -2.0, 3.0)
    bricks.manual_seed(3)
    expected = bricks.default_generator.numpy.uniform(-2.0, 3.0, (500, 300)).astype(np.float32)
    np.testing.assert_array_equal(w.numpy(), expected)


def _hook_holding(payload: object):
    def hook(*args, **kwargs):
        payload.__class__  # noqa: B018 - the closure holds the payload
    return hook


class _Payload:
    pass


def test_removed_hooks_release_their_function_at_remove() -> None:
    registrations = {
        "tensor": lambda m, h: m.weight.register_hook(h),
        "post_accumulate_grad": lambda m, h: m.weight.register_post_accumulate_grad_hook(h),
        "forward": lambda m, h: m.register_forward_hook(h),
        "forward_pre": lambda m, h: m.register_forward_pre_hook(h, with_kwargs=True),
        "full_backward": lambda m, h: m.register_full_backward_hook(h),
    }
    kept = []
    for name, register in registrations.items():
        payload = _Payload()
        alive = weakref.ref(payload)
        model = nn.Linear(2, 2)
        handle = register(model, _hook_holding(payload))
        del payload
        model(bricks.ones(1, 2)).sum().backward()
        handle.remove()
        if alive() is not None:
            kept.append(name)
        handle.remove()  # twice is harmless
    assert not kept
