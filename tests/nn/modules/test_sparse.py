"""Embedding against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import bricks
from bricks import nn

from _layer_check import check_same


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -1},
                                    {"max_norm": 1.0}])
def test_embedding_matches_torch_outputs_and_weight_gradient(kwargs):
    layer, expected = nn.Embedding(10, 3, **kwargs), torch.nn.Embedding(10, 3, **kwargs)
    assert repr(layer) == repr(expected)
    index = np.array([[0, 2, 9], [2, 2, 5]], dtype=np.int64)
    check_same(layer, expected, index, grad_inputs=False)


def test_embedding_padding_row_starts_zero_and_gets_no_gradient():
    layer = nn.Embedding(5, 4, padding_idx=2)
    assert not layer.weight.detach().numpy()[2].any()
    layer(bricks.tensor([2, 2, 1])).sum().backward()
    assert not layer.weight.grad.numpy()[2].any()
    assert layer.weight.grad.numpy()[1].tolist() == [1.0] * 4


def test_embedding_default_init_is_standard_normal():
    bricks.manual_seed(0)
    values = nn.Embedding(1000, 50).weight.detach().numpy().ravel()
    assert stats.kstest(values, "norm").pvalue > 1e-3


def test_embedding_repr_and_state_dict_match_torch():
    for kwargs in [{}, {"padding_idx": 1, "max_norm": 1.0}, {"norm_type": 1.0}]:
        layer, expected = nn.Embedding(7, 2, **kwargs), torch.nn.Embedding(7, 2, **kwargs)
        assert repr(layer) == repr(expected)
        assert list(layer.state_dict()) == list(expected.state_dict())


def test_embedding_from_pretrained_uses_the_weights_and_freezes_them():
    weights = bricks.tensor([[1.0, 2.0], [3.0, 4.0]])
    layer = nn.Embedding.from_pretrained(weights)
    assert layer(bricks.tensor([1])).tolist() == [[3.0, 4.0]]
    assert not layer.weight.requires_grad
    assert nn.Embedding.from_pretrained(weights, freeze=False).weight.requires_grad


def test_embedding_rejects_padding_idx_out_of_range_and_float_input():
    with pytest.raises(AssertionError):
        torch.nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(RuntimeError, match=r"Embedding\(5, 2\): expected an input of integer"):
        nn.Embedding(5, 2)(bricks.ones(3))
