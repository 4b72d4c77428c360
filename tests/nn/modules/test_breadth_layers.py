"""The layers added in issue 12's breadth round against torch's: repr, outputs, input and
parameter gradients, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bricks
from bricks import nn

from _layer_check import check_same, raises_as_torch, randn

CASES = [
    ("Threshold", (0.1, 20.0), {}, (2, 3, 4)),
    ("Threshold", (0.0, -1.0), {"inplace": True}, (2, 3)),
    ("Hardshrink", (), {}, (2, 3, 4)),
    ("Softshrink", (0.3,), {}, (2, 3, 4)),
    ("Tanhshrink", (), {}, (2, 3)),
    ("Softmax2d", (), {}, (2, 3, 4, 2)),
    ("Softmax2d", (), {}, (3, 4, 2)),
    ("LocalResponseNorm", (2,), {}, (2, 5, 4, 3)),
    ("LocalResponseNorm", (3, 0.1, 0.5, 2.0), {}, (2, 5, 4)),
    ("RMSNorm", (4,), {}, (2, 3, 4)),
    ("RMSNorm", ([3, 4],), {"eps": 1e-3, "elementwise_affine": False}, (2, 3, 4)),
    ("BatchNorm3d", (3,), {}, (4, 3, 2, 3, 2)),
    ("BatchNorm3d", (3,), {"affine": False, "momentum": None}, (4, 3, 2, 3, 2)),
    ("AvgPool3d", (2,), {}, (2, 3, 4, 5, 6)),
    ("AvgPool3d", ((2, 3, 1),), {"stride": 1, "padding": (1, 1, 0), "ceil_mode": True},
     (2, 3, 4, 5, 6)),
    ("AvgPool3d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False},
     (3, 5, 5, 6)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 3, 4, 5, 7)),
    ("AdaptiveAvgPool3d", (1,), {}, (3, 4, 5, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (2, 3, 7, 5)),
    ("AdaptiveMaxPool2d", (2,), {}, (3, 7, 5)),
    ("LPPool1d", (2, 3), {"stride": 2, "ceil_mode": True}, (2, 3, 8)),
    ("LPPool2d", (1.5, (2, 3)), {}, (2, 3, 6, 7)),
    ("ZeroPad3d", (1,), {}, (2, 2, 3, 4, 2)),
    ("ReflectionPad3d", ((1, 2, 1, 1, 2, 1),), {}, (2, 2, 3, 4, 3)),
    ("ReplicationPad3d", (2,), {}, (2, 2, 3, 4, 2)),
    ("CircularPad3d", (1,), {}, (2, 2, 3, 4, 2)),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (2, 3, 3, 4)),
    ("UpsamplingBilinear2d", (), {"size": (5, 7)}, (2, 3, 3, 4)),
    ("ChannelShuffle", (3,), {}, (2, 6, 2, 3)),
    ("ConvTranspose3d", (4, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1},
     (2, 4, 3, 2, 3)),
    ("ConvTranspose3d", (4, 6, (2, 1, 2)), {"groups": 2, "bias": False, "dilation": 2},
     (4, 3, 2, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", CASES)
def test_layer_matches_torch(name, args, kwargs, shape):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    if kwargs.get("inplace"):  # an in-place layer after a differentiable op, as in a network
        layer, expected = nn.Sequential(nn.Identity(), layer), torch.nn.Sequential(
            torch.nn.Identity(), expected)
        layer[0].forward = lambda x: x * 1
        expected[0].forward = lambda x: x * 1
    check_same(layer, expected, randn(*shape))


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("LazyBatchNorm3d", (), {}, (4, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"affine": False}, (2, 3, 5, 4)),
    ("LazyInstanceNorm3d", (), {"track_running_stats": False}, (2, 3, 5, 4, 2)),
    ("LazyConvTranspose3d", (4, 2), {"stride": 2}, (1, 3, 2, 3, 2)),
])
def test_lazy_layer_becomes_torchs_layer(name, args, kwargs, shape):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    x = randn(*shape)
    layer(bricks.tensor(x))
    expected(torch.tensor(x))
    assert type(layer).__name__ == type(expected).__name__
    assert repr(layer) == repr(expected)
    check_same(layer, expected, x)


def test_rms_norm_has_only_a_weight_and_defaults_eps_to_the_dtypes():
    layer = nn.RMSNorm([3, 4])
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert layer.eps is None
    x = randn(2, 3, 4)
    np.testing.assert_allclose(nn.RMSNorm(4)(bricks.zeros(2, 4)).detach().numpy(), 0.0)
    check_same(layer, torch.nn.RMSNorm([3, 4]), x)


def test_adaptive_max_pool_returns_torchs_indices_and_unpool_inverts_them():
    x = randn(2, 3, 7, 5)
    x[0, 0, :3, :3] = 1.0  # ties: the first maximum wins
    x[0, 1, 1, 1] = x[0, 1, 2, 2] = np.nan  # NaN wins, the last one
    values, indices = nn.AdaptiveMaxPool2d((3, 2), return_indices=True)(bricks.tensor(x))
    want, want_indices = torch.nn.AdaptiveMaxPool2d((3, 2), return_indices=True)(
        torch.tensor(x))
    assert indices.tolist() == want_indices.tolist()
    np.testing.assert_array_equal(values.numpy(), want.numpy())
    pooled, where = nn.MaxPool2d(2, return_indices=True)(bricks.tensor(x))
    t_pooled, t_where = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    layer, expected = nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)
    assert repr(layer) == repr(expected)
    np.testing.assert_array_equal(layer(pooled, where, output_size=(7, 5)).numpy(),
                                  expected(t_pooled, t_where, output_size=(7, 5)).numpy())
    assert repr(nn.MaxUnpool1d(3, 2, 1)) == repr(torch.nn.MaxUnpool1d(3, 2, 1))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                               lib.tensor([[[[0, 1], [2, 20]]]]), 2),
    lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                               lib.tensor([[[[0, 1], [2, 3]]]]).float(), 2),
    lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                               lib.tensor([[[0, 1]]]), 2),
    lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                               lib.tensor([[[[0, 1], [2, 3]]]]), 2,
                                               output_size=(7, 7)),
    lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.ones(5, 5), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool1d(lib.ones(5), 2),
    lambda lib: lib.nn.functional.adaptive_avg_pool3d(lib.ones(3, 4), 2),
    lambda lib: lib.nn.functional.avg_pool3d(lib.ones(2, 3, 4), 2),
    lambda lib: lib.nn.functional.softshrink(lib.ones(3), -1.0),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3, 4), [3]),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3, 4), [4], lib.ones(3)),
    lambda lib: lib.nn.functional.local_response_norm(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.pdist(lib.ones(2, 3, 4)),
    lambda lib: lib.nn.functional.pdist(lib.ones(3, 2), -1),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6, 3), 4),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6), 2),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6, 3), 0),
    lambda lib: lib.nn.Softmax2d()(lib.ones(2)),
])
def test_bad_input_raises_torchs_error(call):
    raises_as_torch(call)


@pytest.mark.parametrize("name", ["elu_", "celu_", "selu_", "leaky_relu_", "rrelu_"])
def test_in_place_activations_overwrite_their_input_as_torch(name):
    x = randn(3, 4)
    mine, theirs = bricks.tensor(x), torch.tensor(x)
    assert getattr(bricks.nn.functional, name)(mine) is mine
    getattr(torch.nn.functional, name)(theirs)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)
    leaf = bricks.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(bricks.nn.functional, name)(leaf)


def test_in_place_threshold_keeps_the_graph_as_torch():
    x = randn(3, 4)
    mine, theirs = bricks.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, want = mine * 2, theirs * 2
    assert bricks.nn.functional.threshold_(out, 0.5, -1.0) is out
    torch.nn.functional.threshold_(want, 0.5, -1.0)
    out.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy())
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("name, mode", [("upsample_nearest", "nearest"),
                                        ("upsample_bilinear", "bilinear"),
                                        ("upsample", "nearest")])
def test_deprecated_upsample_functions_warn_as_torch(name, mode):
    x = randn(1, 2, 3, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = getattr(bricks.nn.functional, name)(bricks.tensor(x), scale_factor=2)
    with warnings.catch_warnings(record=True) as expected_warnings:
        warnings.simplefilter("always")
        want = getattr(torch.nn.functional, name)(torch.tensor(x), scale_factor=2)
    assert [str(w.message) for w in caught] == [str(w.message) for w in expected_warnings]
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


_rng = np.random.default_rng(5)
_X, _Y = _rng.standard_normal((5, 4)), _rng.standard_normal((5, 4))
_SIGNS = np.where(_rng.random(5) > 0.5, 1.0, -1.0)
_SIGNS_2D = np.where(_rng.random((5, 4)) > 0.5, 1.0, -1.0)
_LISTS = np.array([[0, 3, -1, 2], [1, -1, 0, 0], [3, 2, 1, 0], [-1, 0, 0, 0], [2, 2, -1, 0]])
LOSS_CASES = [
    ("GaussianNLLLoss", (), {"full": True}, (_X, _Y, _X * _X + 0.1)),
    ("GaussianNLLLoss", (), {"eps": 0.5, "reduction": "none"}, (_X, _Y, _X[:, :1] ** 2)),
    ("PoissonNLLLoss", (), {}, (_X, np.abs(_Y) * 3)),
    ("PoissonNLLLoss", (False, True), {"reduction": "sum"}, (np.abs(_X), np.abs(_Y) * 3)),
    ("CosineEmbeddingLoss", (0.3,), {}, (_X, _Y, _SIGNS)),
    ("HingeEmbeddingLoss", (), {"margin": 0.5, "reduction": "none"}, (_X, _SIGNS_2D)),
    ("MultiLabelSoftMarginLoss", (), {"weight": None}, (_X, (_Y > 0) * 1.0)),
    ("MultiLabelMarginLoss", (), {}, (_X, _LISTS)),
    ("MultiMarginLoss", (2, 0.5), {}, (_X, np.array([0, 3, 1, 2, 3]))),
    ("TripletMarginWithDistanceLoss", (), {"swap": True}, (_X, _Y, _X * _Y)),
]


@pytest.mark.parametrize("name, args, kwargs, inputs", LOSS_CASES)
def test_loss_layer_matches_torch(name, args, kwargs, inputs):
    layer = getattr(nn, name)(*args, **kwargs)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, *inputs)


def test_soft_margin_loss_layer_matches_torch():
    layer, expected = nn.SoftMarginLoss(reduction="sum"), torch.nn.SoftMarginLoss(
        reduction="sum")
    assert repr(layer) == repr(expected)
    x, want_x = bricks.tensor(_X, requires_grad=True), torch.tensor(_X, requires_grad=True)
    out, want = layer(x, bricks.tensor(_SIGNS_2D)), expected(want_x, torch.tensor(_SIGNS_2D))
    out.backward()
    want.backward()
    np.testing.assert_allclose(out.item(), want.item())
    np.testing.assert_allclose(x.grad.numpy(), want_x.grad.numpy())


def test_weighted_margin_losses_keep_the_weight_in_the_state_dict_as_torch():
    weight = np.array([0.5, 1.0, 2.0, 1.5])
    for name in ("MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        layer = getattr(nn, name)(weight=bricks.tensor(weight))
        expected = getattr(torch.nn, name)(weight=torch.tensor(weight))
        assert list(layer.state_dict()) == list(expected.state_dict()) == ["weight"]
    target = np.array([0, 3, 1, 2, 3])
    check_same(nn.MultiMarginLoss(weight=bricks.tensor(weight)),
               torch.nn.MultiMarginLoss(weight=torch.tensor(weight)), _X, target)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                    lib.ones(4, 2)),
    lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                    -lib.ones(4, 3)),
    lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                    lib.ones(4, 3), reduction="bad"),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(4, 3), lib.tensor([0, 1, 2, 0]),
                                                    p=3),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(4, 3), lib.tensor([0, 1, 2, 5])),
    lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(4, 3),
                                                    lib.tensor([0, 1, 2, 0]).float()),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.ones(4, 3),
                                                         lib.tensor([[0, 1]] * 4)),
    lambda lib: lib.nn.functional.multilabel_margin_loss(lib.ones(4, 3),
                                                         lib.tensor([[0, 5, -1]] * 4)),
    lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=0),
    lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=-1.0),
    lambda lib: lib.nn.MultiMarginLoss(p=3),
    lambda lib: lib.nn.functional.soft_margin_loss(lib.ones(3), lib.ones(3, requires_grad=True)),
])
def test_bad_loss_arguments_raise_torchs_error(call):
    raises_as_torch(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 2, 3).long(), (2, 3, 4, 5),
                                              align_corners=False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 2, 3), (2, 3, 4), align_corners=False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 3, 4), (2, 3, 4, 5),
                                              align_corners=False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(2, 2, 3), (2, 3, 0, 5),
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5), lib.ones(2, 4, 5, 2),
                                              mode="cubic", align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5), lib.ones(2, 4, 5, 2),
                                              padding_mode="foo", align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5), lib.ones(1, 4, 5, 2),
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5), lib.ones(2, 4, 5, 1),
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5),
                                              lib.ones(2, 4, 5, 2).double(),
                                              align_corners=False),
    lambda lib: lib.nn.functional.alpha_dropout(lib.ones(3), 1.5, True),
    lambda lib: lib.nn.functional.feature_alpha_dropout(lib.ones(3), -1.0, True),
])
def test_bad_spatial_and_dropout_arguments_raise_torchs_error(call):
    raises_as_torch(call)


def test_grid_functions_warn_as_torch_without_align_corners():
    theta = np.array([[[0.9, 0.1, 0.0], [-0.1, 0.8, 0.1]]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grid = bricks.nn.functional.affine_grid(bricks.tensor(theta), (1, 1, 3, 4))
        out = bricks.nn.functional.grid_sample(bricks.ones(1, 1, 3, 4, dtype=bricks.float64),
                                               grid)
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        want_grid = torch.nn.functional.affine_grid(torch.tensor(theta), (1, 1, 3, 4))
        want = torch.nn.functional.grid_sample(torch.ones(1, 1, 3, 4, dtype=torch.float64),
                                               want_grid)
    assert [str(w.message) for w in caught] == [str(w.message) for w in expected]
    np.testing.assert_allclose(out.numpy(), want.numpy())


@pytest.mark.parametrize("name, feature", [("AlphaDropout", False),
                                           ("FeatureAlphaDropout", True)])
def test_alpha_dropout_keeps_mean_and_variance_and_is_off_in_eval(name, feature):
    layer = getattr(nn, name)(0.3)
    assert repr(layer) == repr(getattr(torch.nn, name)(0.3))
    bricks.manual_seed(0)
    x = bricks.randn(64, 50, 40)
    y = layer(x)
    assert abs(float(y.mean())) < 0.05 and abs(float(y.std()) - 1.0) < 0.05
    alpha, p = 1.7580993408473766, 0.3
    a = 1.0 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    dropped = np.isclose(y.numpy(), -alpha * a * (1 - p))  # every dropped unit gets it
    if feature:  # whole channels dropped together
        assert (dropped.all(-1) | ~dropped.any(-1)).all()
    assert 0.2 < dropped.mean() < 0.4
    layer.eval()
    assert layer(x) is x
    assert float(bricks.nn.functional.alpha_dropout(x, 1.0, True).abs().sum()) == 0.0


def test_alpha_dropout_gradient_is_the_kept_scale():
    x = bricks.randn(30, 20, requires_grad=True)
    y = bricks.nn.functional.alpha_dropout(x, 0.4, True)
    y.sum().backward()
    p, alpha = 0.4, 1.7580993408473766
    a = 1.0 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    grads = x.grad.numpy()
    assert (np.isclose(grads, 0.0) | np.isclose(grads, a)).all()
