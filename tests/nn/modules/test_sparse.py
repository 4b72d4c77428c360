"""Embedding against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import bricks
from bricks import nn

from _layer_check import check_same, randn


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


BAG_INDICES = np.array([1, 2, 4, 5, 4, 3, 2, 9])
BAG_OFFSETS = np.array([0, 2, 2, 5])  # the second bag is empty


@pytest.mark.parametrize("kwargs, per_sample", [
    ({}, False), ({"mode": "sum"}, True), ({"mode": "max"}, False),
    ({"mode": "sum", "padding_idx": 4}, False), ({"mode": "mean", "max_norm": 1.0}, False),
])
def test_embedding_bag_matches_torch(kwargs, per_sample):
    layer, expected = nn.EmbeddingBag(10, 3, **kwargs), torch.nn.EmbeddingBag(10, 3, **kwargs)
    assert repr(layer) == repr(expected)
    weights = randn(8, seed=2) if per_sample else None
    for lib, bag in ((bricks, layer), (torch, expected)):
        if lib is torch:
            bag.load_state_dict({"weight": torch.tensor(layer.weight.detach().numpy())})
        args = [lib.tensor(BAG_INDICES), lib.tensor(BAG_OFFSETS)]
        if per_sample:
            args.append(lib.tensor(weights))
        bag.out = bag(*args)
        bag.out.backward(lib.tensor(randn(4, 3, seed=5)))
    np.testing.assert_allclose(layer.out.detach().numpy(), expected.out.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.detach().numpy(), expected.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)  # max_norm renormalized the same rows


def test_embedding_bag_2d_input_is_fixed_length_bags_and_rejects_offsets():
    layer = nn.EmbeddingBag(10, 3, mode="sum")
    index = bricks.tensor(BAG_INDICES.reshape(2, 4))
    np.testing.assert_allclose(layer(index).detach().numpy(),
                               layer.weight.detach().numpy()[BAG_INDICES.reshape(2, 4)].sum(1),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="offsets has to be None"):
        layer(index, bricks.tensor([0, 1]))
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        nn.EmbeddingBag(10, 3)(index, per_sample_weights=bricks.ones(2, 4))


def test_embedding_rejects_negative_and_out_of_range_indices_as_torch():
    layer = nn.Embedding(5, 2)
    for index in ([-1], [5]):
        with pytest.raises(IndexError, match="index out of range in self"):
            layer(bricks.tensor(index))
        with pytest.raises(IndexError, match="index out of range in self"):
            torch.nn.Embedding(5, 2)(torch.tensor(index))


def test_embedding_sizes_that_are_not_ints_raise_type_error():
    with pytest.raises(TypeError, match="argument 'num_embeddings' must be an int"):
        nn.Embedding(5.5, 2)
    with pytest.raises(RuntimeError, match="embedding_dim must be non-negative"):
        nn.EmbeddingBag(5, -2)
