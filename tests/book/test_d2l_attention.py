"""The attention and transformer chapters with d2l's blocks: masked softmax, scaled
dot-product and additive attention (bmm), multi-head attention, positional encoding and a
transformer encoder, on the same weights in bricks and torch."""

import numpy as np
import pytest
from _sync import close, copy_weights


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def test_masked_softmax_with_lengths_per_row_or_per_query(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        X = lib.tensor(_rand((2, 2, 4), 0))
        results.append((d2l.masked_softmax(X, lib.tensor([2, 3])),
                        d2l.masked_softmax(X, lib.tensor([[1, 3], [2, 4]])),
                        d2l.masked_softmax(X, None)))
    for ours, theirs in zip(*results):
        close(ours, theirs)
    assert float(results[0][0][0, 0, 2:].sum()) == 0.0


def test_bmm_and_scaled_dot_product_attention(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        Q, K, V = (lib.tensor(_rand(shape, seed)) for shape, seed in
                   (((2, 1, 2), 1), ((2, 10, 2), 2), ((2, 10, 4), 3)))
        attention = d2l.DotProductAttention(dropout=0.5)
        attention.eval()
        out = attention(Q, K, V, lib.tensor([2, 6]))
        results.append((lib.bmm(lib.ones((2, 1, 4)), lib.ones((2, 4, 6))), out,
                        attention.attention_weights))
    for ours, theirs in zip(*results):
        close(ours, theirs)


def _built(d2l_pair, make, inputs):
    """The block made by ``make(lib, d2l)`` in both, with torch's weights in bricks'."""
    blocks = []
    for lib, d2l in d2l_pair:
        block = make(lib, d2l)
        block.eval()
        block(*[lib.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs(lib)])
        blocks.append(block)
    copy_weights(blocks[0], blocks[1])
    return blocks


@pytest.mark.parametrize("name", ["AdditiveAttention", "MultiHeadAttention"])
def test_attention_blocks_give_torch_outputs_and_gradients(d2l_pair, name):
    def make(lib, d2l):
        if name == "AdditiveAttention":
            return d2l.AdditiveAttention(num_hiddens=8, dropout=0.1)
        return d2l.MultiHeadAttention(num_hiddens=8, num_heads=2, dropout=0.1)

    def inputs(lib):
        return [_rand((2, 3, 8), 4), _rand((2, 5, 8), 5), _rand((2, 5, 8), 6),
                lib.tensor([3, 2])]

    blocks = _built(d2l_pair, make, inputs)
    results = []
    for (lib, _), block in zip(d2l_pair, blocks):
        args = [lib.tensor(x) if isinstance(x, np.ndarray) else x for x in inputs(lib)]
        args[0].requires_grad_(True)
        out = block(*args)
        out.sum().backward()
        results.append((out, args[0].grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-4, atol=1e-6)


def test_positional_encoding_and_transformer_encoder(d2l_pair):
    encodings = []
    for lib, d2l in d2l_pair:
        pos_encoding = d2l.PositionalEncoding(32, 0)
        X = pos_encoding(lib.zeros((1, 60, 32)))
        encodings.append((X, pos_encoding.P[:, :60, :]))
    for ours, theirs in zip(*encodings):
        close(ours, theirs)

    def make(lib, d2l):
        return d2l.TransformerEncoder(200, 24, 48, 8, 2, 0.5)

    def inputs(lib):
        return [lib.ones((2, 100), dtype=lib.long), lib.tensor([3, 2])]

    blocks = _built(d2l_pair, make, inputs)
    outputs = [block(*inputs(lib)) for (lib, _), block in zip(d2l_pair, blocks)]
    assert tuple(outputs[0].shape) == (2, 100, 24)
    close(outputs[0], outputs[1], rtol=1e-4, atol=1e-5)
    close(blocks[0].attention_weights[1], blocks[1].attention_weights[1], rtol=1e-4,
          atol=1e-6)


def test_ffn_and_add_norm_shapes(d2l_pair):
    for lib, d2l in d2l_pair:
        ffn = d2l.PositionWiseFFN(4, 8)
        assert tuple(ffn(lib.ones((2, 3, 4))).shape) == (2, 3, 8)
        add_norm = d2l.AddNorm(4, 0.5)
        add_norm.eval()
        assert tuple(add_norm(lib.ones((2, 3, 4)), lib.ones((2, 3, 4))).shape) == (2, 3, 4)


def test_nn_multihead_attention_matches_the_same_weights(d2l_pair):
    layers = [lib.nn.MultiheadAttention(8, 2, batch_first=True) for lib, _ in d2l_pair]
    copy_weights(layers[0], layers[1])
    outs = []
    for (lib, _), layer in zip(d2l_pair, layers):
        x = lib.tensor(_rand((2, 4, 8), 7))
        mask = lib.tensor([[False, False, True, True], [False, False, False, True]])
        outs.append(layer(x, x, x, key_padding_mask=mask))
    close(outs[0][0], outs[1][0], rtol=1e-4, atol=1e-6)
    close(outs[0][1], outs[1][1], rtol=1e-4, atol=1e-6)
