"""MultiheadAttention against torch: outputs, attention weights, gradients, masks, repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import copy_weights, randn


def compare(layer, expected, arrays, masks=(), rtol=1e-4, atol=1e-5, **kwargs):
    """Run both on the same inputs (masks fixed, by keyword); compare outputs and gradients."""
    copy_weights(layer, expected)
    results = []
    for lib, module in ((bricks, layer), (torch, expected)):
        inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        extra = {name: lib.tensor(value) for name, value in masks}
        outputs = [o for o in module(*inputs, **extra, **kwargs) if o is not None] \
            if isinstance(module, (nn.MultiheadAttention, torch.nn.MultiheadAttention)) \
            else [module(*inputs, **extra, **kwargs)]
        total = sum((o * lib.tensor(randn(*o.shape, seed=9))).sum() for o in outputs)
        total.backward()
        results.append([o.detach().numpy() for o in outputs]
                       + [t.grad.numpy() for t in inputs]
                       + [p.grad.numpy() for p in module.parameters()])
    assert len(results[0]) == len(results[1])
    for mine, theirs in zip(*results):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=atol)


_rng = np.random.default_rng(0)
PADDING = np.array([[False, False, True, False, True], [False, True, False, False, False]])
BLOCKED = _rng.random((4, 5)) > 0.7
BLOCKED[:, 0] = False  # every query sees at least one key
BLOCKED_PER_HEAD = _rng.random((4, 4, 5)) > 0.7
BLOCKED_PER_HEAD[..., 0] = False


@pytest.mark.parametrize("kwargs, forward, masks", [
    ({}, {}, ()),
    ({"bias": False}, {"average_attn_weights": False}, ()),
    ({"batch_first": True}, {}, (("key_padding_mask", PADDING),)),
    ({"kdim": 3, "vdim": 7}, {}, (("attn_mask", BLOCKED),)),
    ({"add_bias_kv": True, "add_zero_attn": True}, {},
     (("attn_mask", BLOCKED), ("key_padding_mask", PADDING))),
    ({}, {"need_weights": False}, (("attn_mask", BLOCKED_PER_HEAD),)),
])
def test_multihead_attention_matches_torch(kwargs, forward, masks):
    layer = nn.MultiheadAttention(6, 2, **kwargs)
    expected = torch.nn.MultiheadAttention(6, 2, **kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    batch_first = kwargs.get("batch_first", False)
    q_shape = (2, 4, 6) if batch_first else (4, 2, 6)
    k_shape = (2, 5) if batch_first else (5, 2)
    arrays = [randn(*q_shape), randn(*k_shape, kwargs.get("kdim", 6), seed=1),
              randn(*k_shape, kwargs.get("vdim", 6), seed=2)]
    compare(layer, expected, arrays, masks, **forward)


def test_multihead_attention_float_mask_and_unbatched_input_match_torch():
    layer, expected = nn.MultiheadAttention(4, 2), torch.nn.MultiheadAttention(4, 2)
    compare(layer, expected, [randn(3, 4), randn(5, 4, seed=1), randn(5, 4, seed=2)],
            (("attn_mask", randn(3, 5, seed=3)),))


def test_multihead_attention_init_and_errors_match_torch():
    bricks.manual_seed(0)
    layer = nn.MultiheadAttention(64, 4)
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform_ of the packed (192, 64) projection
    weight = layer.in_proj_weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.95 * bound
    assert not layer.in_proj_bias.detach().numpy().any()
    assert not layer.out_proj.bias.detach().numpy().any()
    assert type(layer.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        nn.MultiheadAttention(0, 2)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        x = bricks.ones(3, 1, 64)
        layer(x, x, x, is_causal=True)
