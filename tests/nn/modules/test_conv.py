"""The convolutions (plain and transposed) and their lazy forms against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import bricks
from bricks import nn

from _layer_check import check_same, copy_weights, randn

CONV2D = [
    ((1, 6, 5), {"padding": 2}),
    ((6, 16, 5), {}),
    ((4, 6, 3), {"stride": 2, "padding": 1, "bias": False}),
    ((4, 6, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}),
    ((4, 6, 3), {"groups": 2}),
    ((4, 4, 3), {"groups": 4, "padding": "same"}),
    ((4, 6, 4), {"padding": "same", "dilation": 2}),
    ((4, 6, (4, 3)), {"padding": "same"}),
    ((4, 6, (2, 4)), {"padding": "same", "padding_mode": "circular"}),
    ((4, 6, 3), {"padding": "valid"}),
    ((4, 6, 3), {"padding": 1, "padding_mode": "reflect"}),
    ((4, 6, 3), {"padding": (1, 2), "padding_mode": "circular"}),
    ((4, 6, 3), {"padding": "same", "padding_mode": "replicate"}),
]


@pytest.mark.parametrize("args, kwargs", CONV2D)
def test_conv2d_matches_torch(args, kwargs):
    layer, expected = nn.Conv2d(*args, **kwargs), torch.nn.Conv2d(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(2, args[0], 9, 8), rtol=1e-4, atol=1e-4)


def test_conv2d_accepts_unbatched_input_as_torch():
    check_same(nn.Conv2d(3, 2, 3), torch.nn.Conv2d(3, 2, 3), randn(3, 7, 7), atol=1e-4)


CONV1D = [
    ((2, 4, 3), {}),
    ((2, 4, 3), {"stride": 2, "padding": 1, "dilation": 2, "bias": False}),
    ((4, 4, 5), {"groups": 2, "padding": "same"}),
    ((2, 3, 4), {"padding": "same", "padding_mode": "reflect"}),
]


@pytest.mark.parametrize("args, kwargs", CONV1D)
def test_conv1d_matches_torch(args, kwargs):
    layer, expected = nn.Conv1d(*args, **kwargs), torch.nn.Conv1d(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(3, args[0], 11), atol=1e-4)


def test_conv_state_dict_keys_and_shapes_match_torch():
    for bias in (True, False):
        layer = nn.Conv2d(4, 6, 3, groups=2, bias=bias)
        expected = torch.nn.Conv2d(4, 6, 3, groups=2, bias=bias)
        assert [(k, tuple(v.shape)) for k, v in layer.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in expected.state_dict().items()]


def test_conv2d_default_init_is_uniform_with_torch_bounds():
    bricks.manual_seed(0)
    layer = nn.Conv2d(16, 64, 5)
    bound = 1 / math.sqrt(16 * 25)
    weight = layer.weight.detach().numpy().ravel()
    assert np.abs(weight).max() <= bound
    assert stats.kstest(weight, "uniform", args=(-bound, 2 * bound)).pvalue > 1e-3
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


@pytest.mark.parametrize("kwargs, match", [
    ({"groups": 0}, "groups must be a positive integer"),
    ({"groups": 4}, "in_channels must be divisible by groups"),
    ({"padding": "full"}, "Invalid padding string 'full'"),
    ({"padding": "same", "stride": 2}, "padding='same' is not supported for strided"),
    ({"padding_mode": "mirror"}, "padding_mode must be one of"),
])
def test_conv2d_rejects_impossible_config_with_torch_exception_type(kwargs, match):
    with pytest.raises(ValueError):
        torch.nn.Conv2d(6, 8, 3, **kwargs)
    with pytest.raises(ValueError, match=match):
        nn.Conv2d(6, 8, 3, **kwargs)


def test_conv2d_rejects_wrong_channels_naming_config_and_shape():
    layer = nn.Conv2d(1, 6, 5, padding=2)
    with pytest.raises(RuntimeError) as error:
        layer(bricks.ones(64, 3, 28, 28))
    assert str(error.value) == (
        "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)): expected 3D "
        "(unbatched) or 4D (batched) input with 1 channels, got shape (64, 3, 28, 28)")
    with pytest.raises(RuntimeError, match=r"got shape \(28, 28\)"):
        layer(bricks.ones(28, 28))


def test_lazy_conv2d_infers_in_channels_and_becomes_conv2d():
    layer, expected = nn.LazyConv2d(6, 3, padding=1, groups=2), \
        torch.nn.LazyConv2d(6, 3, padding=1, groups=2)
    assert repr(layer) == repr(expected)
    layer(bricks.ones(1, 4, 5, 5))
    expected(torch.ones(1, 4, 5, 5))
    assert type(layer) is nn.Conv2d
    assert repr(layer) == repr(expected)
    assert tuple(layer.weight.shape) == (6, 2, 3, 3)
    assert np.abs(layer.weight.detach().numpy()).max() <= 1 / math.sqrt(2 * 9)
    check_same(layer, expected, randn(2, 4, 6, 6), atol=1e-4)


def test_lazy_conv1d_infers_in_channels_from_unbatched_input():
    layer = nn.LazyConv1d(4, 3, bias=False)
    layer(bricks.ones(3, 8))
    assert repr(layer) == "Conv1d(3, 4, kernel_size=(3,), stride=(1,), bias=False)"


@pytest.mark.parametrize("name, args, options, shape", [
    ("LazyConvTranspose2d", (6, 3), {"stride": 2, "padding": 1, "output_padding": 1,
                                     "groups": 2}, (2, 4, 5, 6)),
    ("LazyConvTranspose1d", (3, 2), {"bias": False, "dilation": 2}, (2, 4, 5)),
    ("LazyConv3d", (3, 2), {"padding": 1}, (1, 2, 4, 4, 4)),
])
def test_lazy_transposed_and_3d_convolutions_become_their_layer(name, args, options, shape):
    layer, expected = (getattr(lib.nn, name)(*args, **options) for lib in (bricks, torch))
    assert repr(layer) == repr(expected)
    layer(bricks.ones(*shape))
    expected(torch.ones(*shape))
    assert type(layer).__name__ == type(expected).__name__ == name.replace("Lazy", "")
    assert repr(layer) == repr(expected)
    assert tuple(layer.weight.shape) == tuple(expected.weight.shape)
    check_same(layer, expected, randn(*shape), atol=1e-4)


def test_lazy_transposed_convolution_takes_its_size_from_a_state_dict():
    layer = nn.LazyConvTranspose2d(6, 3, groups=2)
    layer.load_state_dict(nn.ConvTranspose2d(4, 6, 3, groups=2).state_dict())
    assert tuple(layer(bricks.ones(1, 4, 5, 5)).shape) == (1, 6, 7, 7)
    assert type(layer) is nn.ConvTranspose2d and layer.in_channels == 4


def test_lazy_conv2d_rejects_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(6, 3, groups=2)(bricks.ones(1, 3, 5, 5))


@pytest.mark.parametrize("padding_mode", ["reflect", "replicate", "circular"])
def test_conv2d_padding_modes_pass_float64_central_differences(padding_mode):
    bricks.manual_seed(0)
    layer = nn.Conv2d(2, 2, 3, padding=(1, 2), padding_mode=padding_mode).double()
    x = bricks.tensor(randn(1, 2, 4, 5, dtype=np.float64), requires_grad=True)
    assert bricks.autograd.gradcheck(lambda x, *params: layer(x), (x, *layer.parameters()))


def test_conv2d_reflect_padding_rejects_padding_as_large_as_the_input():
    with pytest.raises(RuntimeError, match="padding_mode='reflect'"):
        nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(bricks.ones(1, 1, 3, 3))


CONV3D = [
    ((2, 4, 3), {}),
    ((4, 6, (3, 2, 2)), {"stride": (2, 1, 1), "padding": (1, 0, 1), "dilation": (1, 2, 1)}),
    ((4, 6, 3), {"groups": 2, "padding": "same", "bias": False}),
    ((2, 3, 3), {"padding": 1, "padding_mode": "replicate"}),
]


@pytest.mark.parametrize("args, kwargs", CONV3D)
def test_conv3d_matches_torch(args, kwargs):
    layer, expected = nn.Conv3d(*args, **kwargs), torch.nn.Conv3d(*args, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(2, args[0], 5, 6, 5), atol=1e-4)


CONV_TRANSPOSE = [
    ("ConvTranspose2d", (3, 4, 3), {"stride": 2}),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "output_padding": 1}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "dilation": 2, "bias": False}),
    ("ConvTranspose1d", (3, 4, 3), {}),
    ("ConvTranspose1d", (4, 2, 4), {"stride": 3, "padding": 2, "output_padding": 2}),
]


@pytest.mark.parametrize("name, args, kwargs", CONV_TRANSPOSE)
def test_conv_transpose_matches_torch(name, args, kwargs):
    layer, expected = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    assert layer.weight.shape == expected.weight.shape
    spatial = (5, 6) if name.endswith("2d") else (7,)
    check_same(layer, expected, randn(2, args[0], *spatial), atol=1e-4)


def test_conv_transpose_output_size_picks_the_output_padding_as_torch():
    layer, expected = nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, 2)
    copy_weights(layer, expected)
    x = randn(1, 2, 4, 4)
    out = layer(bricks.tensor(x), output_size=[10, 9])
    want = expected(torch.tensor(x), output_size=[10, 9])
    assert out.shape == (1, 3, 10, 9)
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="valid sizes range from"):
        layer(bricks.tensor(x), output_size=[12, 9])


def test_conv_transpose_default_init_matches_torch_bounds():
    layer = nn.ConvTranspose2d(16, 8, 3)
    bound = 1 / math.sqrt(8 * 9)  # fan_in from dimension 1 (out_channels / groups), as torch
    weight = layer.weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_conv_transpose_rejects_other_padding_modes_and_large_output_padding():
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        nn.ConvTranspose2d(2, 3, 3, output_padding=1)(bricks.ones(1, 2, 4, 4))


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: nn.Conv2d(3, 8, 0), RuntimeError, r"Conv2d\(\): kernel_size should be greater"),
    (lambda: nn.Conv2d(3, 8, -1), RuntimeError, r"kernel_size must be non-negative"),
    (lambda: nn.Conv2d(-3, 8, 3), RuntimeError, r"in_channels must be non-negative"),
    (lambda: nn.Conv2d(3, 8, 2.5), TypeError, r"argument 'kernel_size' must be an int"),
    (lambda: nn.Conv2d(3.0, 8, 2), TypeError, r"argument 'in_channels' must be an int"),
    (lambda: nn.Conv1d(3, 8, 3, stride=0), RuntimeError, r"stride should be greater than zero"),
    (lambda: nn.Conv3d(3, 8, 3, padding=-1), RuntimeError, r"padding must be non-negative"),
    (lambda: nn.ConvTranspose2d(3, 8, 3, dilation=0), RuntimeError, r"dilation should be"),
])
def test_bad_conv_arguments_raise_torchs_exception_type_naming_the_argument(make, error,
                                                                           pattern):
    with pytest.raises(error, match=pattern):
        make()
