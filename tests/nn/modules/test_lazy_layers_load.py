"""Lazy layers given their parameters by load_state_dict take their sizes from them."""

import bricks
from bricks import nn


def test_lazy_linear_loaded_before_forward_takes_in_features_from_the_weights():
    lazy = nn.LazyLinear(4)
    source = nn.Linear(3, 4)
    lazy.load_state_dict(source.state_dict())
    x = bricks.randn(2, 3)
    assert (lazy(x) - source(x)).abs().max().item() == 0
    assert repr(lazy) == "Linear(in_features=3, out_features=4, bias=True)"


def test_lazy_conv2d_loaded_before_forward_takes_in_channels_from_the_weights():
    lazy = nn.LazyConv2d(4, 3, groups=2)
    source = nn.Conv2d(6, 4, 3, groups=2)
    lazy.load_state_dict(source.state_dict())
    x = bricks.randn(1, 6, 5, 5)
    assert (lazy(x) - source(x)).abs().max().item() == 0
    assert lazy.in_channels == 6


def test_lazy_batchnorm_loaded_before_forward_keeps_the_loaded_statistics():
    source = nn.BatchNorm1d(3)
    source(bricks.randn(8, 3))
    lazy = nn.LazyBatchNorm1d()
    lazy.load_state_dict(source.state_dict())
    source.eval()
    lazy.eval()
    x = bricks.randn(4, 3)
    assert (lazy(x) - source(x)).abs().max().item() == 0
    assert lazy.num_features == 3
