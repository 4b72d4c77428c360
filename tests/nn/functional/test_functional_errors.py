"""Bad input: the same exception type as torch, and a message that names what was wrong."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import bricks
import bricks.nn.functional as F


def _t(F: Any, shape: tuple, kind: str = "float") -> Any:
    lib = torch if F is TF else bricks
    array = np.random.default_rng(0).standard_normal(shape)
    if kind == "long":
        return lib.tensor(np.abs(array * 3).astype(np.int64))
    if kind == "double":
        return lib.tensor(array)
    return lib.tensor(array.astype(np.float32))


def _idx(F: Any, values: list) -> Any:
    return (torch if F is TF else bricks).tensor(values)


# (name, call on either functional module, words the bricks message must contain)
BAD: list[tuple[str, Callable[[Any], Any], tuple[str, ...]]] = [
    ("conv2d_in_channels", lambda F: F.conv2d(_t(F, (2, 3, 8, 8)), _t(F, (6, 1, 5, 5))),
     ("to have 1 channels", "got 3 channels")),
    ("conv2d_input_rank", lambda F: F.conv2d(_t(F, (8, 8)), _t(F, (6, 1, 5, 5))),
     ("4D (batched)", "[8, 8]")),
    ("conv2d_kernel_too_big", lambda F: F.conv2d(_t(F, (2, 1, 3, 3)), _t(F, (6, 1, 5, 5))),
     ("(3 x 3)", "(5 x 5)")),
    ("conv2d_groups", lambda F: F.conv2d(_t(F, (2, 4, 8, 8)), _t(F, (6, 2, 5, 5)), groups=4),
     ("groups=4", "[6, 2, 5, 5]")),
    ("conv2d_bias", lambda F: F.conv2d(_t(F, (2, 1, 8, 8)), _t(F, (6, 1, 5, 5)), _t(F, (5,))),
     ("6 elements", "[5]")),
    ("conv2d_same_strided", lambda F: F.conv2d(_t(F, (2, 1, 8, 8)), _t(F, (6, 1, 3, 3)),
                                               stride=2, padding="same"), ("strided",)),
    ("conv2d_padding_string", lambda F: F.conv2d(_t(F, (2, 1, 8, 8)), _t(F, (6, 1, 3, 3)),
                                                 padding="full"), ("'full'",)),
    ("conv2d_stride_zero", lambda F: F.conv2d(_t(F, (1, 2, 5, 5)), _t(F, (3, 2, 3, 3)),
                                              stride=0), ("stride",)),
    ("conv2d_dtypes", lambda F: F.conv2d(_t(F, (1, 2, 5, 5)), _t(F, (3, 2, 3, 3), "double")),
     ("float32", "float64")),
    ("conv1d_in_channels", lambda F: F.conv1d(_t(F, (2, 3, 8)), _t(F, (6, 1, 5))),
     ("to have 1 channels",)),
    ("max_pool2d_padding", lambda F: F.max_pool2d(_t(F, (2, 1, 8, 8)), 3, padding=2),
     ("pad=2", "kernel_size=3")),
    ("max_pool2d_too_small", lambda F: F.max_pool2d(_t(F, (2, 1, 2, 2)), 3),
     ("too small",)),
    ("max_pool2d_rank", lambda F: F.max_pool2d(_t(F, (8,)), 3), ("3D or 4D", "[8]")),
    ("max_pool2d_kernel_zero", lambda F: F.max_pool2d(_t(F, (1, 1, 4, 4)), 0), ("zero",)),
    ("avg_pool2d_divisor_zero", lambda F: F.avg_pool2d(_t(F, (1, 1, 4, 4)), 2,
                                                       divisor_override=0), ("zero",)),
    ("adaptive_1d_rank", lambda F: F.adaptive_avg_pool1d(_t(F, (3,)), 2), ("2 to 3",)),
    ("adaptive_1d_size", lambda F: F.adaptive_avg_pool1d(_t(F, (2, 3)), (2, 2)), ("one int",)),
    ("adaptive_rank", lambda F: F.adaptive_avg_pool2d(_t(F, (3, 3)), 2), ("[3, 3]",)),
    ("cross_entropy_batch", lambda F: F.cross_entropy(_t(F, (3, 5)), _idx(F, [1, 2])),
     ("(3)", "(2)")),
    ("cross_entropy_target_range", lambda F: F.cross_entropy(_t(F, (3, 5)), _idx(F, [1, 2, 7])),
     ("Target 7",)),
    ("cross_entropy_target_dtype", lambda F: F.cross_entropy(_t(F, (3, 5)),
                                                             _t(F, (3,))), ("Long",)),
    ("cross_entropy_reduction", lambda F: F.cross_entropy(_t(F, (3, 5)), _idx(F, [1, 2, 3]),
                                                          reduction="avg"), ("avg",)),
    ("cross_entropy_spatial_target", lambda F: F.cross_entropy(_t(F, (3, 5, 2)),
                                                               _idx(F, [1, 2, 3])),
     ("[3, 2]", "[3]")),
    ("cross_entropy_smoothing", lambda F: F.cross_entropy(_t(F, (3, 5)), _idx(F, [1, 2, 3]),
                                                          label_smoothing=1.5), ("1.5",)),
    ("nll_negative_target", lambda F: F.nll_loss(_t(F, (3, 5)), _idx(F, [1, 2, -3])),
     ("Target -3",)),
    ("mse_weight_shape", lambda F: F.mse_loss(_t(F, (3, 4)), _t(F, (3, 4)), weight=_t(F, (4,))),
     ("same size",)),
    ("huber_delta", lambda F: F.huber_loss(_t(F, (3,)), _t(F, (3,)), delta=0), ("delta",)),
    ("smooth_l1_beta", lambda F: F.smooth_l1_loss(_t(F, (3,)), _t(F, (3,)), beta=-1),
     ("beta",)),
    ("bce_range", lambda F: F.binary_cross_entropy(_t(F, (3,)) + 5, _t(F, (3,)).abs() * 0),
     ("between 0 and 1",)),
    ("bce_shape", lambda F: F.binary_cross_entropy(_t(F, (3,)).sigmoid(), _t(F, (2,))),
     ("[2]", "[3]")),
    ("bce_logits_shape", lambda F: F.binary_cross_entropy_with_logits(_t(F, (3,)), _t(F, (2,))),
     ("[2]", "[3]")),
    ("gelu_approximate", lambda F: F.gelu(_t(F, (3,)), approximate="fast"), ("tanh",)),
    ("prelu_channels", lambda F: F.prelu(_t(F, (2, 3)), _t(F, (2,))), ("= 2", "= 3")),
    ("dropout_p", lambda F: F.dropout(_t(F, (3,)), p=1.5), ("1.5",)),
    ("layer_norm_shape", lambda F: F.layer_norm(_t(F, (3, 4)), (5,)), ("[5]", "[3, 4]")),
    ("batch_norm_one_value", lambda F: F.batch_norm(_t(F, (1, 4)), None, None, training=True),
     ("more than 1 value",)),
    ("batch_norm_eval_no_stats", lambda F: F.batch_norm(_t(F, (3, 4)), None, None),
     ("running_mean",)),
    ("embedding_range", lambda F: F.embedding(_idx(F, [5]), _t(F, (3, 2))),
     ("index out of range",)),
    ("embedding_dtype", lambda F: F.embedding(_t(F, (2,)), _t(F, (3, 2))), ("Long",)),
    ("one_hot_too_small", lambda F: F.one_hot(_idx(F, [3]), 2), ("num_classes",)),
    ("one_hot_negative", lambda F: F.one_hot(_idx(F, [-1])), ("non-negative",)),
    ("one_hot_float", lambda F: F.one_hot(_t(F, (2,))), ("LongTensor",)),
    ("one_hot_int32", lambda F: F.one_hot(_idx(F, [1]).int(), 3), ("LongTensor",)),
    ("one_hot_uint8", lambda F: F.one_hot(_idx(F, [1]).byte(), 3), ("LongTensor",)),
    ("pad_odd", lambda F: F.pad(_t(F, (2, 3)), (1, 2, 3)), ("divisible by 2",)),
    ("pad_too_long", lambda F: F.pad(_t(F, (2, 3)), (1, 1, 1, 1, 1, 1)), ("dimension 2",)),
    ("linear_shapes", lambda F: F.linear(_t(F, (3, 4)), _t(F, (5, 3))), ("3x4",)),
]


@pytest.mark.parametrize("name, call, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_torchs_exception_type_with_a_clear_message(
        name: str, call: Callable, words: tuple) -> None:
    with pytest.raises(Exception) as theirs:
        call(TF)
    with pytest.raises(theirs.type) as ours:
        call(F)
    for word in words:
        assert word in str(ours.value)


def test_failed_batch_norm_leaves_running_statistics_unchanged() -> None:
    mean, var = bricks.zeros(4), bricks.ones(4)
    with pytest.raises(ValueError):
        F.batch_norm(bricks.randn(1, 4), mean, var, training=True)
    assert mean.tolist() == [0.0] * 4 and var.tolist() == [1.0] * 4


def test_failed_embedding_does_not_renormalise_the_weight() -> None:
    weight = bricks.full((3, 2), 10.0)
    with pytest.raises(IndexError):
        F.embedding(bricks.tensor([0, 7]), weight, max_norm=1.0)
    assert weight.tolist() == [[10.0, 10.0]] * 3
