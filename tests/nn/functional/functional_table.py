"""The table of ``nn.functional`` ops that drives test_functional_ops.py.

Each row gives a name, one function ``f(F, *inputs)`` called with ``F`` either
``bricks.nn.functional`` or ``torch.nn.functional`` (so both sides run the same program),
the input shapes, their domain, and options. Non-differentiable arguments (class targets,
indices, running statistics) are built inside ``f`` from fixed arrays with ``lib(F)``.
Adding an op means adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as TF

import bricks

Shapes = tuple[tuple[int, ...], ...]
_rng = np.random.default_rng(1234)


@dataclass(frozen=True)
class Row:
    """One functional op: how to call it on either library, and on what."""

    name: str
    f: Callable[..., Any]
    shapes: Shapes
    domain: str = "real"
    directions: int | None = None  # gradcheck along this many random directions (big inputs)
    atol32: float = 1e-5
    exact_gradient: bool = True  # False where the gradient is masked on purpose (padding_idx)

    def __repr__(self) -> str:
        return self.name


def lib(F: Any) -> Any:
    """The tensor library that goes with the functional module ``F``."""
    return torch if F is TF else bricks


def const(F: Any, array: np.ndarray) -> Any:
    """A fixed array as a tensor of ``F``'s library."""
    return lib(F).tensor(array)


def sample(shape: tuple[int, ...], domain: str, rng: np.random.Generator) -> np.ndarray:
    """Random float64 values of ``shape`` in ``domain``."""
    if domain == "prob":
        return rng.uniform(0.05, 0.95, shape)
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    return rng.standard_normal(shape)


CLASSES = _rng.integers(0, 5, 7)
CLASSES_IGNORED = np.where(np.arange(7) % 3 == 1, -100, CLASSES)
SPATIAL = _rng.integers(0, 4, (3, 2, 5))
PROBS = _rng.dirichlet(np.ones(5), 7)
SOFT = _rng.uniform(0, 1, (4, 3))
WEIGHTS = _rng.uniform(0.5, 2.0, 5)
HARD = (np.arange(12).reshape(4, 3) % 2).astype(float)
INDICES = np.array([[0, 2, 5, 2], [1, 1, 3, 0]])
ATTENTION_MASK = _rng.random((4, 6)) > 0.3
ATTENTION_MASK[:, 0] = True  # every query sees at least one key
BAG_INDICES = np.array([1, 2, 4, 5, 4, 3, 2, 9])
BAG_OFFSETS = np.array([0, 2, 2, 5])  # the second bag is empty
KL_TARGET = _rng.dirichlet(np.ones(3), 4)
KL_TARGET_ZERO = np.where(np.arange(12).reshape(4, 3) == 1, 0.0, KL_TARGET)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0])
CTC_TARGETS = np.array([[1, 2, 2, 0], [3, 1, 0, 0]])
LABEL_LISTS = np.array([[0, 3, -1, 2], [1, -1, 0, 0], [3, 2, 1, 0], [-1, 0, 0, 0], [2, 2, -1, 0]])
MARGIN_CLASSES = np.array([0, 3, 1, 2, 3])
LABEL_MASK = (_rng.random((5, 4)) > 0.5).astype(float)
SIGNS_2D = np.where(_rng.random((5, 4)) > 0.5, 1.0, -1.0)
COUNTS = _rng.integers(0, 6, (5, 4)).astype(float)
SAMPLING_GRID = _rng.uniform(-1.3, 1.3, (2, 4, 7, 2))
# fractional max pooling's windows, fixed: torch's _random_samples (N, C, dims) in [0, 1)
SAMPLES_2D = _rng.uniform(0, 1, (2, 3, 2))
SAMPLES_3D = _rng.uniform(0, 1, (2, 2, 3))
ROWS = [
    Row("linear", lambda F, x, w, b: F.linear(x, w, b), ((3, 4), (5, 4), (5,))),
    Row("linear_3d_no_bias", lambda F, x, w: F.linear(x, w), ((2, 3, 4), (5, 4))),
    Row("bilinear", lambda F, a, b, w, c: F.bilinear(a, b, w, c),
        ((4, 3), (4, 2), (5, 3, 2), (5,))),
    Row("relu", lambda F, x: F.relu(x), ((3, 4),)),
    Row("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2), ((3, 4),)),
    Row("elu", lambda F, x: F.elu(x, alpha=0.7), ((3, 4),)),
    Row("gelu", lambda F, x: F.gelu(x), ((3, 4),)),
    Row("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh"), ((3, 4),)),
    Row("silu", lambda F, x: F.silu(x), ((3, 4),)),
    Row("sigmoid", lambda F, x: F.sigmoid(x), ((3, 4),)),
    Row("tanh", lambda F, x: F.tanh(x), ((3, 4),)),
    Row("softmax", lambda F, x: F.softmax(x, dim=1), ((3, 4),)),
    Row("log_softmax", lambda F, x: F.log_softmax(x, dim=0), ((3, 4),)),
    Row("prelu_channels", lambda F, x, w: F.prelu(x, w), ((2, 3, 4), (3,))),
    Row("prelu_single", lambda F, x, w: F.prelu(x, w), ((2, 3), (1,))),
    Row("conv1d", lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
        ((2, 3, 9), (4, 3, 3), (4,))),
    Row("conv1d_same_dilated_groups", lambda F, x, w: F.conv1d(x, w, padding="same", dilation=2,
                                                              groups=2), ((2, 4, 7), (6, 2, 4))),
    Row("conv2d", lambda F, x, w, b: F.conv2d(x, w, b), ((2, 3, 6, 5), (4, 3, 3, 3), (4,)),
        directions=8),
    Row("conv2d_stride_pad_dilation", lambda F, x, w, b: F.conv2d(
        x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
        ((2, 2, 7, 6), (3, 2, 3, 2), (3,)), directions=8),
    Row("conv2d_groups", lambda F, x, w: F.conv2d(x, w, groups=2, padding=1),
        ((2, 4, 5, 5), (6, 2, 3, 3)), directions=8),
    Row("conv2d_same_even_kernel", lambda F, x, w: F.conv2d(x, w, padding="same"),
        ((1, 2, 5, 6), (3, 2, 4, 2)), directions=8),
    Row("conv2d_valid_unbatched", lambda F, x, w: F.conv2d(x, w, padding="valid"),
        ((2, 5, 5), (3, 2, 2, 2))),
    Row("max_pool2d", lambda F, x: F.max_pool2d(x, 2), ((2, 3, 6, 6),)),
    Row("max_pool2d_stride_pad_ceil", lambda F, x: F.max_pool2d(x, 3, stride=2, padding=1,
                                                                ceil_mode=True), ((2, 2, 8, 7),)),
    Row("max_pool2d_dilation_rect", lambda F, x: F.max_pool2d(x, (3, 2), stride=(1, 2),
                                                              dilation=(2, 1)), ((1, 2, 8, 7),)),
    Row("max_pool2d_unbatched", lambda F, x: F.max_pool2d(x, 2, 1), ((2, 4, 4),)),
    Row("avg_pool2d", lambda F, x: F.avg_pool2d(x, 2), ((2, 3, 6, 6),)),
    Row("avg_pool2d_pad_ceil", lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
        ((2, 2, 8, 7),)),
    Row("avg_pool2d_exclude_pad", lambda F, x: F.avg_pool2d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False), ((2, 2, 8, 7),)),
    Row("avg_pool2d_divisor", lambda F, x: F.avg_pool2d(x, (2, 3), divisor_override=4),
        ((1, 2, 6, 6),)),
    Row("adaptive_avg_pool2d", lambda F, x: F.adaptive_avg_pool2d(x, (3, 4)), ((2, 2, 7, 9),)),
    Row("adaptive_avg_pool1d", lambda F, x: F.adaptive_avg_pool1d(x, 3), ((2, 2, 7),)),
    Row("adaptive_avg_pool2d_one", lambda F, x: F.adaptive_avg_pool2d(x, 1), ((2, 3, 5, 4),)),
    Row("adaptive_avg_pool2d_none", lambda F, x: F.adaptive_avg_pool2d(x, (None, 2)),
        ((2, 4, 5),)),
    Row("layer_norm", lambda F, x, w, b: F.layer_norm(x, (3, 4), w, b),
        ((2, 3, 4), (3, 4), (3, 4))),
    Row("layer_norm_plain", lambda F, x: F.layer_norm(x, [4], eps=1e-3), ((3, 4),)),
    Row("batch_norm_train", lambda F, x, w, b: F.batch_norm(
        x, lib(F).zeros(3, dtype=x.dtype), lib(F).ones(3, dtype=x.dtype), w, b, training=True),
        ((4, 3, 2, 2), (3,), (3,))),
    Row("batch_norm_eval", lambda F, x, w, b: F.batch_norm(
        x, const(F, np.arange(3.0)).to(x.dtype), const(F, np.arange(1.0, 4.0)).to(x.dtype), w,
        b), ((4, 3), (3,), (3,))),
    Row("batch_norm_train_no_affine", lambda F, x: F.batch_norm(x, None, None, training=True),
        ((5, 2),)),
    Row("embedding", lambda F, w: F.embedding(const(F, INDICES), w), ((6, 3),)),
    Row("embedding_padding_idx", lambda F, w: F.embedding(const(F, INDICES), w, padding_idx=2),
        ((6, 3),), exact_gradient=False),
    Row("pad", lambda F, x: F.pad(x, (1, 2, 0, 1), value=0.5), ((2, 3, 4),)),
    Row("pad_negative", lambda F, x: F.pad(x, (-1, 2, 1, -2)), ((2, 4, 5),)),
    Row("cross_entropy", lambda F, x: F.cross_entropy(x, const(F, CLASSES)), ((7, 5),)),
    Row("cross_entropy_sum_weight", lambda F, x: F.cross_entropy(
        x, const(F, CLASSES), const(F, WEIGHTS).to(x.dtype), reduction="sum"), ((7, 5),)),
    Row("cross_entropy_ignore_smoothing", lambda F, x: F.cross_entropy(
        x, const(F, CLASSES_IGNORED), label_smoothing=0.2), ((7, 5),)),
    Row("cross_entropy_weight_ignore_smoothing_none", lambda F, x: F.cross_entropy(
        x, const(F, CLASSES_IGNORED), const(F, WEIGHTS).to(x.dtype), reduction="none",
        label_smoothing=0.3), ((7, 5),)),
    Row("cross_entropy_mean_weight_ignore_smoothing", lambda F, x: F.cross_entropy(
        x, const(F, CLASSES_IGNORED), const(F, WEIGHTS).to(x.dtype), label_smoothing=0.3),
        ((7, 5),)),
    Row("cross_entropy_spatial", lambda F, x: F.cross_entropy(x, const(F, SPATIAL)),
        ((3, 4, 2, 5),)),
    Row("cross_entropy_spatial_none", lambda F, x: F.cross_entropy(
        x, const(F, SPATIAL), reduction="none"), ((3, 4, 2, 5),)),
    Row("cross_entropy_unbatched", lambda F, x: F.cross_entropy(x, const(F, np.array(2))),
        ((5,),)),
    Row("cross_entropy_probabilities", lambda F, x: F.cross_entropy(
        x, const(F, PROBS).to(x.dtype), const(F, WEIGHTS).to(x.dtype), label_smoothing=0.1),
        ((7, 5),)),
    Row("nll_loss", lambda F, x: F.nll_loss(x, const(F, CLASSES_IGNORED)), ((7, 5),)),
    Row("nll_loss_weight_spatial", lambda F, x: F.nll_loss(
        x, const(F, SPATIAL), const(F, WEIGHTS[:4]).to(x.dtype)), ((3, 4, 2, 5),)),
    Row("mse_loss", lambda F, x, y: F.mse_loss(x, y), ((4, 3), (4, 3))),
    Row("mse_loss_weight", lambda F, x, y: F.mse_loss(x, y, weight=const(F, SOFT).to(x.dtype)),
        ((4, 3), (4, 3))),
    Row("l1_loss_sum", lambda F, x, y: F.l1_loss(x, y, reduction="sum"), ((4, 3), (4, 3))),
    Row("huber_loss", lambda F, x, y: F.huber_loss(x * 2, y, delta=0.7), ((4, 3), (4, 3))),
    Row("smooth_l1_loss", lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.5), ((4, 3), (4, 3))),
    Row("smooth_l1_loss_beta0", lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.0),
        ((4, 3), (4, 3))),
    Row("binary_cross_entropy", lambda F, x, y: F.binary_cross_entropy(x, y), ((4, 3), (4, 3)),
        domain="prob"),
    Row("binary_cross_entropy_weight_none", lambda F, x, y: F.binary_cross_entropy(
        x, y, weight=const(F, SOFT).to(x.dtype), reduction="none"), ((4, 3), (4, 3)),
        domain="prob"),
    Row("bce_with_logits", lambda F, x: F.binary_cross_entropy_with_logits(
        x * 5, const(F, SOFT).to(x.dtype)), ((4, 3),)),
    Row("bce_with_logits_pos_weight", lambda F, x: F.binary_cross_entropy_with_logits(
        x, const(F, SOFT).to(x.dtype), weight=const(F, SOFT[0]).to(x.dtype),
        pos_weight=const(F, np.array([1.0, 2.0, 3.0])).to(x.dtype)), ((4, 3),)),
    # Hard 0/1 targets: at logit 0 and on saturated logits the gradient is sigmoid(x) - t.
    Row("bce_with_logits_hard_targets", lambda F, x: F.binary_cross_entropy_with_logits(
        x, const(F, HARD).to(x.dtype)), ((4, 3),)),
    Row("binary_cross_entropy_of_sigmoid", lambda F, x: F.binary_cross_entropy(
        lib(F).sigmoid(x * 4), const(F, HARD).to(x.dtype)), ((4, 3),)),
] + [
    # ----- issue 12: the rest of the everyday functional API -----
    Row("relu6", lambda F, x: F.relu6(x * 4), ((3, 4),)),
    Row("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 0.7), ((3, 4),)),
    Row("softplus", lambda F, x: F.softplus(x * 10, 2, 5), ((3, 4),)),
    Row("softsign", lambda F, x: F.softsign(x), ((3, 4),)),
    Row("hardswish", lambda F, x: F.hardswish(x * 4), ((3, 4),)),
    Row("hardsigmoid", lambda F, x: F.hardsigmoid(x * 4), ((3, 4),)),
    Row("mish", lambda F, x: F.mish(x * 3), ((3, 4),)),
    Row("celu", lambda F, x: F.celu(x, 0.5), ((3, 4),)),
    Row("selu", lambda F, x: F.selu(x), ((3, 4),)),
    Row("rrelu_eval", lambda F, x: F.rrelu(x), ((3, 4),)),
    Row("glu", lambda F, x: F.glu(x, 1), ((3, 4),)),
    Row("logsigmoid", lambda F, x: F.logsigmoid(x * 30), ((3, 4),)),
    Row("softmin", lambda F, x: F.softmin(x, 1), ((3, 4),)),
    Row("pad_reflect", lambda F, x: F.pad(x, (1, 2, 2, 1), mode="reflect"), ((2, 3, 4, 5),)),
    Row("pad_replicate_1d", lambda F, x: F.pad(x, (2, 1), mode="replicate"), ((2, 3, 4),)),
    Row("pad_circular", lambda F, x: F.pad(x, (1, 2, 2, 1), mode="circular"), ((2, 3, 4, 5),)),
    Row("pad_reflect_3d", lambda F, x: F.pad(x, (1, 1, 1, 0, 0, 1), mode="reflect"),
        ((1, 2, 3, 4, 5),)),
    Row("interpolate_nearest", lambda F, x: F.interpolate(x, scale_factor=2), ((2, 3, 4, 5),)),
    Row("interpolate_nearest_size", lambda F, x: F.interpolate(x, size=(3, 7)), ((2, 3, 4, 5),)),
    Row("interpolate_nearest_exact", lambda F, x: F.interpolate(x, size=(3, 7),
                                                                mode="nearest-exact"),
        ((2, 3, 4, 5),)),
    Row("interpolate_bilinear", lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear"),
        ((2, 3, 4, 5),)),
    Row("interpolate_bilinear_align_corners", lambda F, x: F.interpolate(
        x, size=(7, 3), mode="bilinear", align_corners=True), ((2, 3, 4, 5),)),
    Row("interpolate_linear_fraction", lambda F, x: F.interpolate(x, scale_factor=1.7,
                                                                  mode="linear"), ((2, 3, 5),)),
    Row("interpolate_linear_recompute", lambda F, x: F.interpolate(
        x, scale_factor=1.7, mode="linear", recompute_scale_factor=True), ((2, 3, 5),)),
    Row("interpolate_trilinear", lambda F, x: F.interpolate(x, size=(3, 4, 2), mode="trilinear"),
        ((1, 2, 2, 3, 4),)),
    Row("interpolate_area", lambda F, x: F.interpolate(x, size=(3, 2), mode="area"),
        ((1, 2, 7, 5),)),
    Row("pixel_shuffle", lambda F, x: F.pixel_shuffle(x, 2), ((2, 8, 3, 4),)),
    Row("pixel_unshuffle", lambda F, x: F.pixel_unshuffle(x, 2), ((2, 2, 4, 6),)),
    Row("unfold", lambda F, x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        ((2, 3, 5, 6),)),
    Row("fold", lambda F, x: F.fold(x, (5, 6), (2, 3), dilation=(1, 2), padding=1,
                                    stride=(2, 1)), ((2, 18, 12),)),
    Row("conv3d", lambda F, x, w, b: F.conv3d(x, w, b, stride=(2, 1, 1), padding=(1, 0, 1),
                                              dilation=(1, 2, 1)),
        ((2, 4, 5, 6, 5), (6, 4, 3, 2, 3), (6,)), directions=8),
    Row("conv3d_groups_same", lambda F, x, w: F.conv3d(x, w, groups=2, padding="same"),
        ((1, 4, 4, 5, 4), (6, 2, 3, 2, 3)), directions=8),
    Row("conv_transpose2d", lambda F, x, w, b: F.conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1), ((2, 4, 5, 6), (4, 3, 3, 3), (3,)),
        directions=8),
    Row("conv_transpose2d_groups_dilation", lambda F, x, w: F.conv_transpose2d(
        x, w, stride=(2, 3), padding=(2, 0), groups=2, dilation=(2, 1)),
        ((2, 4, 5, 6), (4, 3, 3, 2)), directions=8),
    Row("conv_transpose1d", lambda F, x, w, b: F.conv_transpose1d(
        x, w, b, stride=3, padding=2, output_padding=1), ((2, 4, 5), (4, 3, 3), (3,))),
    Row("conv_transpose1d_unbatched", lambda F, x, w: F.conv_transpose1d(x, w),
        ((4, 5), (4, 3, 3))),
    Row("max_pool1d_indices", lambda F, x: F.max_pool1d(x, 3, 2, 1, return_indices=True),
        ((2, 3, 9),)),
    Row("max_pool1d_ceil_unbatched", lambda F, x: F.max_pool1d(x, 2, ceil_mode=True), ((3, 9),)),
    Row("avg_pool1d_exclude_pad", lambda F, x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False),
        ((2, 3, 9),)),
    Row("max_pool3d", lambda F, x: F.max_pool3d(x, 2), ((2, 3, 4, 5, 6),)),
    Row("max_pool3d_indices", lambda F, x: F.max_pool3d(
        x, (2, 3, 2), stride=(1, 2, 2), padding=1, dilation=(2, 1, 1), ceil_mode=True,
        return_indices=True), ((1, 2, 4, 5, 5),)),
    Row("group_norm", lambda F, x, w, b: F.group_norm(x, 2, w, b), ((3, 4, 5, 2), (4,), (4,))),
    Row("group_norm_plain", lambda F, x: F.group_norm(x, 3, eps=1e-3), ((3, 6, 5),)),
    Row("instance_norm_affine", lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
        ((3, 4, 5), (4,), (4,))),
    Row("instance_norm_running", lambda F, x: F.instance_norm(
        x, lib(F).zeros(4, dtype=x.dtype), lib(F).ones(4, dtype=x.dtype)), ((3, 4, 5, 2),)),
    Row("normalize", lambda F, x: F.normalize(x, dim=1), ((3, 4),)),
    Row("normalize_p1", lambda F, x: F.normalize(x, p=1, dim=0), ((3, 4),)),
    Row("cosine_similarity", lambda F, x, y: F.cosine_similarity(x, y), ((3, 4, 2), (3, 4, 2))),
    Row("cosine_similarity_broadcast", lambda F, x, y: F.cosine_similarity(x, y, dim=-1),
        ((3, 4), (1, 4))),
    Row("pairwise_distance", lambda F, x, y: F.pairwise_distance(x, y), ((3, 4), (3, 4))),
    Row("pairwise_distance_p1", lambda F, x, y: F.pairwise_distance(x, y, p=1, keepdim=True),
        ((3, 4), (3, 4))),
    Row("scaled_dot_product_attention", lambda F, q, k, v: F.scaled_dot_product_attention(
        q, k, v), ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7))),
    Row("scaled_dot_product_attention_causal", lambda F, q, k, v:
        F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        ((2, 4, 5), (2, 4, 5), (2, 4, 3))),
    Row("scaled_dot_product_attention_bool_mask", lambda F, q, k, v:
        F.scaled_dot_product_attention(q, k, v, attn_mask=const(F, ATTENTION_MASK)),
        ((2, 4, 5), (2, 6, 5), (2, 6, 3))),
    Row("scaled_dot_product_attention_float_mask", lambda F, q, k, v, m:
        F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        ((2, 4, 5), (2, 6, 5), (2, 6, 3), (4, 6))),
    Row("embedding_bag_mean", lambda F, w: F.embedding_bag(
        const(F, BAG_INDICES), w, const(F, BAG_OFFSETS)), ((10, 3),)),
    Row("embedding_bag_sum_weights", lambda F, w, p: F.embedding_bag(
        const(F, BAG_INDICES), w, const(F, BAG_OFFSETS), mode="sum", per_sample_weights=p),
        ((10, 3), (8,))),
    Row("embedding_bag_max", lambda F, w: F.embedding_bag(
        const(F, BAG_INDICES), w, const(F, BAG_OFFSETS), mode="max"), ((10, 3),)),
    Row("embedding_bag_2d_padding_idx", lambda F, w: F.embedding_bag(
        const(F, BAG_INDICES.reshape(2, 4)), w, padding_idx=2), ((10, 3),)),
    Row("embedding_bag_include_last_offset", lambda F, w: F.embedding_bag(
        const(F, BAG_INDICES), w, const(F, np.array([0, 2, 5, 8])), mode="sum",
        include_last_offset=True), ((10, 3),)),
    Row("kl_div_batchmean", lambda F, x: F.kl_div(x.log_softmax(1), const(F, KL_TARGET).to(
        x.dtype), reduction="batchmean"), ((4, 3),)),
    Row("kl_div_none_zero_target", lambda F, x: F.kl_div(x, const(F, KL_TARGET_ZERO).to(x.dtype),
                                                         reduction="none"), ((4, 3),)),
    Row("kl_div_log_target_sum", lambda F, x, y: F.kl_div(x, y, reduction="sum",
                                                          log_target=True), ((4, 3), (4, 3))),
    Row("margin_ranking_loss", lambda F, a, b: F.margin_ranking_loss(
        a, b, const(F, SIGNS).to(a.dtype), margin=0.5), ((5,), (5,))),
    Row("triplet_margin_loss", lambda F, a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0),
        ((5, 4), (5, 4), (5, 4))),
    Row("triplet_margin_loss_swap_p1_none", lambda F, a, p, n: F.triplet_margin_loss(
        a, p, n, p=1, swap=True, reduction="none"), ((5, 4), (5, 4), (5, 4))),
    Row("ctc_loss_mean", lambda F, x: F.ctc_loss(
        x.log_softmax(2), const(F, CTC_TARGETS), const(F, np.array([6, 5])),
        const(F, np.array([3, 2]))), ((6, 2, 4),)),
    Row("ctc_loss_concatenated_none", lambda F, x: F.ctc_loss(
        x.log_softmax(2), const(F, np.array([1, 2, 2, 3, 1])), (6, 5), (3, 2),
        reduction="none"), ((6, 2, 4),)),
    Row("ctc_loss_blank_last_sum", lambda F, x: F.ctc_loss(
        x.log_softmax(2), const(F, np.array([[1, 2, 2], [0, 1, 0]])), (6, 5), (3, 2), blank=3,
        reduction="sum"), ((6, 2, 4),)),
    Row("ctc_loss_zero_infinity", lambda F, x: F.ctc_loss(
        x.log_softmax(2), const(F, np.array([[1, 1, 1, 1], [1, 2, 0, 0]])), (3, 5), (4, 2),
        reduction="none", zero_infinity=True), ((6, 2, 4),)),
] + [
    # ----- issue 12, breadth: the remaining everyday torch.nn.functional names -----
    Row("threshold", lambda F, x: F.threshold(x, 0.1, -2.0), ((3, 4),)),
    Row("hardshrink", lambda F, x: F.hardshrink(x, 0.6), ((3, 4),)),
    Row("softshrink", lambda F, x: F.softshrink(x, 0.6), ((3, 4),)),
    Row("tanhshrink", lambda F, x: F.tanhshrink(x), ((3, 4),)),
    Row("rms_norm", lambda F, x, w: F.rms_norm(x, (3, 4), w), ((2, 3, 4), (3, 4))),
    Row("rms_norm_eps", lambda F, x: F.rms_norm(x, [4], eps=1e-3), ((3, 4),)),
    Row("local_response_norm", lambda F, x: F.local_response_norm(x, 3, 0.5, 0.75, 2.0),
        ((2, 5, 4),)),
    Row("local_response_norm_4d_even", lambda F, x: F.local_response_norm(x, 4, 0.3, 0.5),
        ((2, 6, 3, 2),)),
    Row("pdist", lambda F, x: F.pdist(x), ((5, 3),)),
    Row("pdist_p1", lambda F, x: F.pdist(x, 1), ((4, 3),)),
    Row("pdist_p3", lambda F, x: F.pdist(x, 3), ((4, 3),)),
    Row("pdist_inf", lambda F, x: F.pdist(x, float("inf")), ((4, 3),)),
    Row("adaptive_max_pool2d", lambda F, x: F.adaptive_max_pool2d(x, (3, 2), True),
        ((2, 3, 7, 5),)),
    Row("adaptive_max_pool2d_none_unbatched", lambda F, x: F.adaptive_max_pool2d(x, (None, 3)),
        ((3, 4, 7),)),
    Row("adaptive_max_pool1d", lambda F, x: F.adaptive_max_pool1d(x, 4, return_indices=True),
        ((2, 3, 9),)),
    Row("max_pool2d_with_indices", lambda F, x: F.max_pool2d_with_indices(x, 2, 1),
        ((2, 3, 5, 4),)),
    Row("max_unpool2d", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True),
                                                    2, output_size=(5, 5)), ((2, 3, 5, 5),)),
    # windows that do not overlap: an element that wins two windows is written once but gets
    # the gradient of both, in torch as here, which finite differences cannot agree with
    Row("max_unpool1d", lambda F, x: F.max_unpool1d(*F.max_pool1d(x, 2, 2, 1,
                                                                  return_indices=True), 2, 2, 1,
                                                    output_size=(9,)),
        ((2, 3, 9),)),
    Row("lp_pool2d", lambda F, x: F.lp_pool2d(x, 2, (2, 3), ceil_mode=True), ((2, 3, 5, 7),)),
    Row("lp_pool1d_p3", lambda F, x: F.lp_pool1d(x, 3, 3, 2), ((2, 3, 9),), domain="positive"),
    Row("avg_pool3d", lambda F, x: F.avg_pool3d(x, 2), ((2, 3, 4, 5, 6),)),
    Row("avg_pool3d_pad_ceil_exclude", lambda F, x: F.avg_pool3d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False), ((1, 2, 5, 6, 7),)),
    Row("avg_pool3d_divisor_unbatched", lambda F, x: F.avg_pool3d(
        x, (2, 3, 2), padding=1, divisor_override=5), ((2, 4, 5, 6),)),
    Row("adaptive_avg_pool3d", lambda F, x: F.adaptive_avg_pool3d(x, (2, None, 3)),
        ((2, 2, 5, 4, 7),)),
    Row("conv_transpose3d", lambda F, x, w, b: F.conv_transpose3d(
        x, w, b, stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0)),
        ((2, 4, 3, 4, 3), (4, 3, 2, 3, 2), (3,)), directions=8),
    Row("conv_transpose3d_groups_dilation", lambda F, x, w: F.conv_transpose3d(
        x, w, stride=2, padding=1, groups=2, dilation=(2, 1, 1)),
        ((1, 4, 3, 3, 2), (4, 2, 2, 2, 3)), directions=8),
    Row("channel_shuffle", lambda F, x: F.channel_shuffle(x, 3), ((2, 6, 2, 2),)),
] + [
    # ----- 3-D adaptive max pooling, unpooling and LP pooling; fractional max pooling -----
    Row("adaptive_max_pool3d", lambda F, x: F.adaptive_max_pool3d(x, (2, 3, 2), True),
        ((2, 2, 5, 6, 4),)),
    Row("adaptive_max_pool3d_none_unbatched_larger", lambda F, x: F.adaptive_max_pool3d(
        x, (None, 7, 3)), ((2, 4, 5, 7),)),
    # windows that do not overlap, as for max_unpool1d
    Row("max_unpool3d", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True),
                                                    2, output_size=(5, 5, 4)), ((1, 2, 5, 5, 4),)),
    Row("max_unpool3d_stride_pad_unbatched", lambda F, x: F.max_unpool3d(
        *F.max_pool3d(x, 2, (2, 3, 2), 1, return_indices=True), 2, (2, 3, 2), 1,
        output_size=(4, 6, 5)),
        ((2, 4, 6, 5),)),
    Row("lp_pool3d", lambda F, x: F.lp_pool3d(x, 2, (2, 3, 2), (1, 2, 2), ceil_mode=True),
        ((2, 2, 4, 5, 6),)),
    Row("lp_pool3d_p3_unbatched", lambda F, x: F.lp_pool3d(x, 3, 2), ((2, 4, 4, 5),),
        domain="positive"),
    Row("lp_pool3d_inf", lambda F, x: F.lp_pool3d(x, float("inf"), 2), ((1, 2, 4, 4, 4),)),
    Row("lp_pool2d_minus_inf", lambda F, x: F.lp_pool2d(x, -float("inf"), (2, 3)),
        ((2, 4, 6),)),
    Row("fractional_max_pool2d", lambda F, x: F.fractional_max_pool2d(
        x, 3, output_size=(4, 5), return_indices=True,
        _random_samples=const(F, SAMPLES_2D).to(x.dtype)), ((2, 3, 9, 11),)),
    Row("fractional_max_pool2d_ratio_unbatched", lambda F, x: F.fractional_max_pool2d(
        x, (2, 3), output_ratio=(0.5, 0.7), _random_samples=const(F, SAMPLES_2D[:1]).to(x.dtype)),
        ((3, 8, 10),)),
    Row("fractional_max_pool2d_overlapping", lambda F, x: F.fractional_max_pool2d(
        x, 3, output_size=5, _random_samples=const(F, SAMPLES_2D).to(x.dtype)), ((2, 3, 7, 7),)),
    Row("fractional_max_pool3d", lambda F, x: F.fractional_max_pool3d(
        x, (2, 3, 2), output_size=(3, 3, 4), return_indices=True,
        _random_samples=const(F, SAMPLES_3D).to(x.dtype)), ((2, 2, 6, 7, 8),)),
    Row("fractional_max_pool3d_ratio_unbatched", lambda F, x: F.fractional_max_pool3d(
        x, 2, output_ratio=0.5, _random_samples=const(F, SAMPLES_3D[:1]).to(x.dtype)),
        ((2, 6, 7, 8),)),
] + [
    # ----- issue 12, breadth: losses -----
    Row("gaussian_nll_loss", lambda F, x, y, v: F.gaussian_nll_loss(x, y, v * v + 0.1),
        ((5, 4), (5, 4), (5, 4))),
    Row("gaussian_nll_loss_full_sum_per_sample_var", lambda F, x, y, v: F.gaussian_nll_loss(
        x, y, v * v + 0.1, full=True, reduction="sum"), ((5, 4), (5, 4), (5, 1))),
    Row("gaussian_nll_loss_none_var_without_last_dim", lambda F, x, y, v: F.gaussian_nll_loss(
        x, y, v * v + 0.1, reduction="none"), ((5, 4), (5, 4), (5,))),
    Row("poisson_nll_loss", lambda F, x: F.poisson_nll_loss(x, const(F, COUNTS).to(x.dtype)),
        ((5, 4),)),
    Row("poisson_nll_loss_rate_full_none", lambda F, x: F.poisson_nll_loss(
        x, const(F, COUNTS).to(x.dtype), log_input=False, full=True, reduction="none"),
        ((5, 4),), domain="positive"),
    Row("cosine_embedding_loss", lambda F, a, b: F.cosine_embedding_loss(
        a, b, const(F, SIGNS).to(a.dtype), margin=0.2), ((5, 4), (5, 4))),
    Row("cosine_embedding_loss_none_1d", lambda F, a, b: F.cosine_embedding_loss(
        a, b, const(F, np.array(-1.0)).to(a.dtype), reduction="none"), ((4,), (4,))),
    Row("hinge_embedding_loss", lambda F, x: F.hinge_embedding_loss(
        x, const(F, SIGNS_2D).to(x.dtype), margin=0.5), ((5, 4),)),
    Row("soft_margin_loss", lambda F, x: F.soft_margin_loss(x, const(F, SIGNS_2D).to(x.dtype)),
        ((5, 4),)),
    Row("soft_margin_loss_none", lambda F, x: F.soft_margin_loss(
        x, const(F, SIGNS_2D).to(x.dtype), reduction="none"), ((5, 4),)),
    Row("multilabel_soft_margin_loss", lambda F, x, w: F.multilabel_soft_margin_loss(
        x, const(F, LABEL_MASK).to(x.dtype), weight=w), ((5, 4), (4,))),
    Row("multilabel_soft_margin_loss_sum", lambda F, x: F.multilabel_soft_margin_loss(
        x, const(F, LABEL_MASK).to(x.dtype), reduction="sum"), ((5, 4),)),
    Row("multilabel_margin_loss", lambda F, x: F.multilabel_margin_loss(
        x, const(F, LABEL_LISTS)), ((5, 4),)),
    Row("multilabel_margin_loss_none_1d", lambda F, x: F.multilabel_margin_loss(
        x, const(F, LABEL_LISTS[2]), reduction="none"), ((4,),)),
    Row("multi_margin_loss", lambda F, x: F.multi_margin_loss(x, const(F, MARGIN_CLASSES)),
        ((5, 4),)),
    Row("multi_margin_loss_p2_weight_none", lambda F, x: F.multi_margin_loss(
        x, const(F, MARGIN_CLASSES), p=2, margin=0.7, weight=const(F, WEIGHTS[:4]).to(x.dtype),
        reduction="none"), ((5, 4),)),
    Row("triplet_margin_with_distance_loss", lambda F, a, p, n:
        F.triplet_margin_with_distance_loss(a, p, n, swap=True), ((5, 4), (5, 4), (5, 4))),
    Row("triplet_margin_with_distance_loss_cosine", lambda F, a, p, n:
        F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), margin=0.3,
            reduction="none"), ((5, 4), (5, 4), (5, 4))),
] + [
    # ----- issue 12, breadth: spatial transformers -----
    Row("affine_grid", lambda F, t: F.affine_grid(t, (2, 3, 4, 5), align_corners=False),
        ((2, 2, 3),)),
    Row("affine_grid_3d_align_corners", lambda F, t: F.affine_grid(
        t, (2, 3, 2, 4, 3), align_corners=True), ((2, 3, 4),)),
    Row("grid_sample", lambda F, x, g: F.grid_sample(x, g * 1.3, align_corners=False),
        ((2, 3, 5, 6), (2, 4, 7, 2))),
    Row("grid_sample_border_align_corners", lambda F, x, g: F.grid_sample(
        x, g * 1.3, padding_mode="border", align_corners=True), ((2, 3, 5, 6), (2, 4, 7, 2))),
    Row("grid_sample_reflection", lambda F, x, g: F.grid_sample(
        x, g * 2.5, padding_mode="reflection", align_corners=False),
        ((2, 3, 5, 6), (2, 4, 7, 2))),
    Row("grid_sample_reflection_align_corners", lambda F, x, g: F.grid_sample(
        x, g * 2.5, padding_mode="reflection", align_corners=True),
        ((2, 3, 5, 6), (2, 4, 7, 2))),
    # nearest sampling: no gradient reaches the grid (torch's is zeros), so it is a constant
    Row("grid_sample_nearest", lambda F, x: F.grid_sample(
        x, const(F, SAMPLING_GRID).to(x.dtype), mode="nearest", align_corners=False),
        ((2, 3, 5, 6),)),
    Row("spatial_transformer", lambda F, x, t: F.grid_sample(
        x, F.affine_grid(t, (2, 3, 4, 4), align_corners=False), align_corners=False),
        ((2, 3, 5, 6), (2, 2, 3))),
]
