"""d2l's library module imports with bricks as torch, and its helpers work the same."""

import numpy as np
import pytest

import bricks


def test_d2l_imports_with_bricks_standing_in_for_torch(d2l_pair):
    (lib, d2l), (torch, d2l_t) = d2l_pair
    assert d2l.torch is bricks and d2l.nn is bricks.nn and d2l.F is bricks.nn.functional
    assert d2l_t.torch is torch
    assert d2l.ones is bricks.ones and d2l.batch_matmul is bricks.bmm
    assert issubclass(d2l.Module, bricks.nn.Module)
    assert issubclass(d2l.BananasDataset, bricks.utils.data.Dataset)


def test_tensor_helpers_give_torch_results(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        x = d2l.reshape(d2l.arange(12, dtype=d2l.float32), (3, 4))
        results.append([
            d2l.numpy(d2l.reduce_sum(x, axis=0)), d2l.numpy(d2l.reduce_mean(x)),
            d2l.numpy(d2l.argmax(x, axis=1)), d2l.numpy(d2l.transpose(x)),
            d2l.numpy(d2l.expand_dims(x, 0)).shape, d2l.size(x),
            d2l.numpy(d2l.astype(x, d2l.int32)).dtype.str,
            d2l.numpy(d2l.sinh(x[0])), d2l.numpy(d2l.concat([x, x], 0)).shape,
            [d2l.numpy(g) for g in d2l.meshgrid(d2l.arange(2), d2l.arange(3), indexing="ij")],
        ])
    for ours, theirs in zip(*results):
        if isinstance(theirs, list):
            for a, b in zip(ours, theirs):
                np.testing.assert_allclose(a, b, rtol=1e-6)
        elif isinstance(theirs, np.ndarray):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        else:
            assert ours == theirs


def test_accumulator_timer_and_shape_checks(d2l_pair):
    (lib, d2l), _ = d2l_pair
    metric = d2l.Accumulator(2)
    metric.add(1, 2.5)
    metric.add(3, 0.5)
    assert metric[0] == 4 and metric[1] == 3.0
    timer = d2l.Timer()
    timer.stop()
    assert len(timer.times) == 1
    d2l.check_shape(lib.zeros(2, 3), (2, 3))
    with pytest.raises(AssertionError):
        d2l.check_shape(lib.zeros(2, 3), (3, 2))


def test_hyperparameters_are_saved_as_attributes(d2l_pair):
    (lib, d2l), _ = d2l_pair

    class Model(d2l.Module):
        def __init__(self, num_hiddens, lr=0.5):
            super().__init__()
            self.save_hyperparameters()
            self.net = lib.nn.LazyLinear(num_hiddens)

    model = Model(4)
    assert (model.num_hiddens, model.lr) == (4, 0.5)
    assert model(lib.ones(2, 3)).shape == (2, 4)
