"""Behaviour of nn.functional beyond the op table: randomness, in-place forms, running
statistics, indices, ties and NaN, compared with torch where torch defines the answer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import bricks
import bricks.nn.functional as F


def _pair(array: np.ndarray, grad: bool = False) -> tuple:
    return (bricks.tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad))


def test_dropout_zeroes_a_fraction_p_and_scales_survivors() -> None:
    bricks.manual_seed(0)
    n, p = 100_000, 0.3
    x = bricks.ones(n, requires_grad=True)
    y = F.dropout(x, p=p)
    values = y.detach().numpy()
    dropped = float((values == 0).mean())
    assert abs(dropped - p) < 4 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(values[values != 0], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)


def test_dropout_is_identity_in_eval_or_with_p_zero_and_zero_with_p_one() -> None:
    x = bricks.randn(5, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).numpy().any()


def test_dropout_inplace_overwrites_its_input() -> None:
    x = bricks.ones(1000)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.numpy())) == {0.0, 2.0}


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu"])
def test_inplace_activations_overwrite_input_and_match_torch(name: str) -> None:
    ours, theirs = _pair(np.random.default_rng(0).standard_normal((3, 4)))
    out = getattr(F, name)(ours, inplace=True)
    getattr(TF, name)(theirs, inplace=True)
    assert out is ours
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)


def test_relu_underscore_is_in_place() -> None:
    x = bricks.tensor([-1.0, 2.0])
    assert F.relu_(x) is x and x.tolist() == [0.0, 2.0]


def test_batch_norm_updates_running_statistics_like_torch() -> None:
    rng = np.random.default_rng(0)
    ours = [bricks.zeros(3, dtype=bricks.float64), bricks.ones(3, dtype=bricks.float64)]
    theirs = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    for _ in range(3):
        x = rng.standard_normal((6, 3, 2)) * 2 + 1
        F.batch_norm(bricks.tensor(x), *ours, training=True, momentum=0.3)
        TF.batch_norm(torch.tensor(x), *theirs, training=True, momentum=0.3)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-12)


def test_max_pool2d_indices_match_torch_with_padding_dilation_and_ties() -> None:
    rng = np.random.default_rng(0)
    for x in (rng.standard_normal((2, 3, 9, 8)), np.ones((1, 2, 6, 6))):
        ours, theirs = _pair(x)
        kw = dict(kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(1, 2),
                  ceil_mode=True, return_indices=True)
        out, idx = F.max_pool2d(ours, **kw)
        ref, ref_idx = TF.max_pool2d(theirs, **kw)
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
        np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
        assert idx.dtype == bricks.int64


def test_max_pool2d_sends_a_tied_gradient_to_the_first_maximum_like_torch() -> None:
    ours, theirs = _pair(np.ones((1, 1, 4, 4)), grad=True)
    F.max_pool2d(ours, 3, 1).sum().backward()
    TF.max_pool2d(theirs, 3, 1).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_max_pool2d_propagates_nan_like_torch() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    ours, theirs = _pair(x)
    np.testing.assert_array_equal(F.max_pool2d(ours, 2).numpy(), TF.max_pool2d(theirs, 2).numpy())


def test_conv2d_same_padding_keeps_the_spatial_size() -> None:
    x, w = bricks.randn(2, 3, 7, 6), bricks.randn(4, 3, 4, 3)
    assert tuple(F.conv2d(x, w, padding="same", dilation=(1, 2)).shape) == (2, 4, 7, 6)


def test_conv2d_unbatched_input_gives_unbatched_output() -> None:
    x, w = bricks.randn(3, 7, 6), bricks.randn(4, 3, 3, 3)
    assert tuple(F.conv2d(x, w).shape) == (4, 5, 4)


def test_one_hot_matches_torch() -> None:
    index = np.array([[0, 3], [2, 1]])
    for num_classes in (-1, 6):
        ours = F.one_hot(bricks.tensor(index), num_classes)
        theirs = TF.one_hot(torch.tensor(index), num_classes)
        assert ours.dtype == bricks.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_embedding_max_norm_renormalises_looked_up_rows_like_torch() -> None:
    weight = np.random.default_rng(0).standard_normal((5, 3)) * 3
    ours, theirs = _pair(weight)
    index = np.array([0, 2, 2])
    out = F.embedding(bricks.tensor(index), ours, max_norm=1.5)
    ref = TF.embedding(torch.tensor(index), theirs, max_norm=1.5)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_softmax_without_dim_warns_and_picks_torchs_dimension() -> None:
    ours, theirs = _pair(np.random.default_rng(0).standard_normal((2, 3, 4)))
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(ours)
    with pytest.warns(UserWarning):
        ref = TF.softmax(theirs)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-12)


def test_cross_entropy_with_every_target_ignored_is_nan_like_torch() -> None:
    ours, theirs = _pair(np.zeros((2, 3)))
    target = np.array([-100, -100])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = F.cross_entropy(ours, bricks.tensor(target))
    assert np.isnan(out.item()) and np.isnan(TF.cross_entropy(theirs, torch.tensor(target)).item())


def test_cross_entropy_backward_is_softmax_minus_onehot_over_n() -> None:
    x = np.random.default_rng(0).standard_normal((4, 3))
    target = np.array([0, 2, 1, 2])
    ours = bricks.tensor(x, requires_grad=True)
    F.cross_entropy(ours, bricks.tensor(target)).backward()
    softmax = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    np.testing.assert_allclose(ours.grad.numpy(), (softmax - np.eye(3)[target]) / 4, atol=1e-12)


def test_legacy_size_average_and_reduce_flags_pick_the_reduction() -> None:
    ours, theirs = _pair(np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning):
        out = F.mse_loss(ours, ours * 0, size_average=False)
    with pytest.warns(UserWarning):
        ref = TF.mse_loss(theirs, theirs * 0, size_average=False)
    assert out.item() == ref.item() == 55.0


def test_mse_loss_warns_when_target_broadcasts() -> None:
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(bricks.zeros(3, 4), bricks.zeros(4))


def test_functional_has_every_public_name_of_the_brief() -> None:
    for name in F.__all__:
        assert callable(getattr(F, name)) and hasattr(TF, name)


@pytest.mark.parametrize("size", [4, 5, 6])
def test_max_pool2d_tiling_windows_route_ties_nans_and_layouts_like_torch(size) -> None:
    # kernel == stride: every cell in one window (size 4, 6) or some in none (size 5).
    rng = np.random.default_rng(size)
    x = rng.integers(0, 3, (2, 3, size, size)).astype(np.float64)  # many ties
    x[0, 1, 1, 1] = np.nan
    conv_layout = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    ours = bricks.from_numpy(conv_layout).requires_grad_()  # keeps the transposed layout
    theirs = torch.tensor(x, requires_grad=True)
    gy = rng.standard_normal((2, 3, size // 2, size // 2))
    F.max_pool2d(ours, 2).backward(bricks.tensor(gy))
    TF.max_pool2d(theirs, 2).backward(torch.tensor(gy))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
