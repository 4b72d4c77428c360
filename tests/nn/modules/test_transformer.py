"""Transformer encoder/decoder layers, their stacks and the whole model against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import randn
from test_attention import compare

LAYER_KWARGS = [
    {},
    {"norm_first": True, "activation": "gelu"},
    {"batch_first": True, "bias": False, "layer_norm_eps": 1e-3},
]


def _source(batch_first, length=5, seed=0):
    return randn(2, length, 8, seed=seed) if batch_first else randn(length, 2, 8, seed=seed)


@pytest.mark.parametrize("kwargs", LAYER_KWARGS)
def test_encoder_layer_matches_torch(kwargs):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kwargs)
    expected = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    compare(layer, expected, [_source(kwargs.get("batch_first", False))])


@pytest.mark.parametrize("kwargs", LAYER_KWARGS)
def test_decoder_layer_matches_torch(kwargs):
    layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kwargs)
    expected = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kwargs)
    assert repr(layer) == repr(expected)
    batch_first = kwargs.get("batch_first", False)
    compare(layer, expected, [_source(batch_first, 4), _source(batch_first, 6, seed=1)])


def test_stacks_with_masks_match_torch_in_evaluation():
    mask = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    padding = np.array([[False] * 4 + [True], [False] * 5])
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, nn.LayerNorm(8))
    expected = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                           torch.nn.LayerNorm(8), enable_nested_tensor=False)
    assert repr(encoder) == repr(expected)
    encoder.eval()
    expected.eval()
    compare(encoder, expected, [_source(False)],
            (("mask", mask), ("src_key_padding_mask", padding)))
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 2)
    expected = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16), 2)
    decoder.eval()
    expected.eval()
    compare(decoder, expected, [_source(False), _source(False, 6, seed=1)],
            (("tgt_mask", mask),))


def test_layers_of_a_stack_are_independent_copies():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3)
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    assert len(list(encoder.parameters())) == 3 * len(list(encoder.layers[0].parameters()))


def test_transformer_matches_torch_and_inits_every_matrix_xavier_uniform():
    bricks.manual_seed(0)
    model = nn.Transformer(8, 2, 2, 1, 16, dropout=0.0)
    expected = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0)
    assert repr(model) == repr(expected)
    assert list(model.state_dict()) == list(expected.state_dict())
    weight = model.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6 / (8 + 16))
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(mask.numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4))
    compare(model, expected, [_source(False), _source(False, 4, seed=1)],
            (("tgt_mask", mask.numpy()),), atol=1e-4)


def test_transformer_rejects_mismatched_batch_and_features():
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(bricks.ones(5, 2, 8), bricks.ones(4, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
        model(bricks.ones(5, 2, 8), bricks.ones(4, 2, 6))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
