"""Scratch buffers are reused safely, and importing bricks leaves the process's allocator alone."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import torch

import bricks
from bricks import _workspace, nn


def _conv_step(conv, x, retain_graph=False):
    out = conv(x)
    out.sum().backward(retain_graph=retain_graph)
    return out


def test_take_returns_a_given_array_of_the_same_shape_dtype_and_kind():
    bricks.empty_cache()
    like = np.zeros(3, np.float32)
    first = _workspace.take(like, (4, 5), np.dtype(np.float32))
    _workspace.give(first)
    assert _workspace.cached_bytes() == first.nbytes
    assert _workspace.take(like, (4, 5), np.dtype(np.float32)) is first
    assert _workspace.take(like, (4, 5), np.dtype(np.float64)) is not first
    bricks.empty_cache()
    assert _workspace.cached_bytes() == 0


def test_the_cache_is_bounded_and_drops_the_oldest_first(monkeypatch):
    bricks.empty_cache()
    monkeypatch.setattr(_workspace, "MAX_BYTES", 100)
    like = np.zeros(1, np.uint8)
    old, new = np.zeros(60, np.uint8), np.zeros(70, np.uint8)
    _workspace.give(old)
    _workspace.give(new)
    assert _workspace.cached_bytes() == 70
    assert _workspace.take(like, (70,), np.dtype(np.uint8)) is new
    _workspace.give(np.zeros(101, np.uint8))  # larger than the whole cache: not kept
    assert _workspace.cached_bytes() == 0
    bricks.empty_cache()


def test_conv_reuses_its_im2col_buffer_after_the_last_backward():
    bricks.empty_cache()
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = bricks.randn(2, 2, 5, 5, requires_grad=True)
    out = conv(x)
    cols = out.grad_fn.cols
    out.sum().backward()
    again = conv(x)
    assert again.grad_fn.cols is cols  # handed back by the freed node, taken again


def test_retained_graphs_keep_their_buffers_and_give_torchs_gradients():
    bricks.empty_cache()
    weights = np.random.default_rng(0).standard_normal((3, 2, 3, 3)).astype(np.float32)
    data = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
    conv.weight.data[...] = bricks.from_numpy(weights)
    x = bricks.from_numpy(data).requires_grad_()
    out = conv(x)
    out.sum().backward(retain_graph=True)
    _conv_step(conv, x * 2)  # a second step in between may not take the retained buffer
    out.sum().backward()
    reference = torch.nn.Conv2d(2, 3, 3, padding=1, bias=False)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(weights))
    tx = torch.from_numpy(data).requires_grad_()
    reference(tx).sum().backward(retain_graph=True)
    reference(tx * 2).sum().backward()
    reference(tx).sum().backward()
    np.testing.assert_allclose(conv.weight.grad.numpy(), reference.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_inference_hands_its_buffers_back_at_once():
    bricks.empty_cache()
    conv = nn.Conv2d(1, 2, 3)
    with bricks.no_grad():
        conv(bricks.randn(1, 1, 6, 6))
    assert _workspace.cached_bytes() > 0


def test_threads_share_the_cache_safely():
    conv = nn.Conv2d(2, 4, 3, padding=1).requires_grad_(False)  # nothing recorded, no grad mode
    x = bricks.randn(4, 2, 8, 8)
    expected = conv(x).numpy()
    errors = []

    def work():
        try:
            for _ in range(50):
                np.testing.assert_allclose(conv(x).numpy(), expected, rtol=1e-6)
        except Exception as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_importing_bricks_does_not_touch_the_allocator():
    # An audit hook sees every symbol looked up through ctypes: mallopt must not be one.
    program = (
        "import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda event, args: seen.append(args[1]) "
        "if event == 'ctypes.dlsym' else None)\n"
        "import bricks, bricks.nn\n"
        "print([name for name in seen if 'mallopt' in str(name)])\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"
    # The explicit call does use it: the audit hook would have seen it.
    program = program.replace("import bricks, bricks.nn\n",
                              "import bricks.utils\nbricks.utils.tune_malloc()\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=120, check=True)
    assert "mallopt" in result.stdout
