"""bricks.compat.mindspore beyond the seed: printing, initializers, cells, checkpoints."""

from __future__ import annotations

import math

import numpy
import pytest
import torch


# Strings printed by MindSpore 2.10.0 for the same values.
@pytest.mark.parametrize("values, expected", [
    (numpy.float32(0.1234567), "Tensor(shape=[], dtype=Float32, value= 0.123457)"),
    (numpy.float32(1e-5), "Tensor(shape=[], dtype=Float32, value= 1e-05)"),
    (numpy.float32(-2.0), "Tensor(shape=[], dtype=Float32, value= -2)"),
    (numpy.array(True), "Tensor(shape=[], dtype=Bool, value= True)"),
    (numpy.int32(7), "Tensor(shape=[], dtype=Int32, value= 7)"),
    (numpy.arange(6, dtype=numpy.float32).reshape(2, 3) - 2.5,
     "Tensor(shape=[2, 3], dtype=Float32, value=\n"
     "[[-2.50000000e+00, -1.50000000e+00, -5.00000000e-01],\n"
     " [ 5.00000000e-01,  1.50000000e+00,  2.50000000e+00]])"),
    (numpy.arange(8, dtype=numpy.float32).reshape(2, 2, 2),
     "Tensor(shape=[2, 2, 2], dtype=Float32, value=\n"
     "[[[ 0.00000000e+00,  1.00000000e+00],\n  [ 2.00000000e+00,  3.00000000e+00]],\n"
     " [[ 4.00000000e+00,  5.00000000e+00],\n  [ 6.00000000e+00,  7.00000000e+00]]])"),
    (numpy.array([[True, False]]), "Tensor(shape=[1, 2], dtype=Bool, value=\n[[ True, False]])"),
    (numpy.array([[1, 2], [3, 40]], dtype=numpy.int32),
     "Tensor(shape=[2, 2], dtype=Int32, value=\n[[ 1,  2],\n [ 3, 40]])"),
    (numpy.arange(2000, dtype=numpy.float32),
     "Tensor(shape=[2000], dtype=Float32, value= [ 0.00000000e+00,  1.00000000e+00,  "
     "2.00000000e+00 ...  1.99700000e+03,  1.99800000e+03,  1.99900000e+03])"),
    (numpy.array([1.5, -2], dtype=numpy.float64),
     "Tensor(shape=[2], dtype=Float64, value= [ 1.50000000e+00, -2.00000000e+00])"),
])
def test_tensor_prints_as_mindspore(ms, values, expected):
    assert repr(ms.Tensor(values)) == expected


def test_tensor_construction_dtypes_and_str(ms):
    assert repr(ms.Tensor([1, 2])) == "Tensor(shape=[2], dtype=Int64, value= [1, 2])"
    assert str(ms.Tensor([[1.5, 2]])) == "[[1.5 2. ]]"
    assert repr(ms.Tensor(3.5)) == "Tensor(shape=[], dtype=Float32, value= 3.5)"
    assert str(ms.float32) == "Float32" and ms.Tensor([1], ms.float64).dtype is ms.float64


def test_ops_basics(ms):
    from mindspore import ops

    x = ops.ones((2, 3))
    assert repr(x) == ("Tensor(shape=[2, 3], dtype=Float32, value=\n"
                       "[[ 1.00000000e+00,  1.00000000e+00,  1.00000000e+00],\n"
                       " [ 1.00000000e+00,  1.00000000e+00,  1.00000000e+00]])")
    assert ops.matmul(x, ops.ones((3, 4))).shape == (2, 4)
    assert ops.concat([x, x], axis=0).shape == (4, 3)
    r = ops.rand(1000).asnumpy()
    assert 0 <= r.min() and r.max() < 1 and abs(r.mean() - 0.5) < 0.05
    assert float(ops.relu(ms.Tensor([-1.0, 2.0])).sum().asnumpy()) == 2.0


def test_dense_defaults_match_mindspore_2x(ms):
    from mindspore import nn

    layer = nn.Dense(50, 400)
    bound = 1 / math.sqrt(50)  # HeUniform(sqrt(5)) and Uniform(1/sqrt(in)), as PyTorch's
    weights, bias = layer.weight.asnumpy(), layer.bias.asnumpy()
    assert numpy.abs(weights).max() <= bound and numpy.abs(weights).max() > 0.95 * bound
    assert numpy.abs(bias).max() <= bound
    assert layer.weight.name == "weight" and layer.bias.name == "bias"
    assert str(nn.Dense(3, 2, has_bias=False)) == "Dense(input_channels=3, output_channels=2)"
    assert str(nn.Dense(3, 2, activation='relu')) == (
        "Dense(\n  input_channels=3, output_channels=2, has_bias=True, activation=ReLU()\n"
        "  (activation): ReLU()\n)")


def test_dense_forward_and_grad_match_torch(ms):
    from mindspore import nn

    layer = nn.Dense(4, 3, activation='relu')
    x = numpy.random.default_rng(0).standard_normal((5, 4)).astype(numpy.float32)
    reference = torch.nn.Linear(4, 3)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.asnumpy()))
        reference.bias.copy_(torch.from_numpy(layer.bias.asnumpy()))
    out = layer(ms.Tensor(x))
    expected = torch.relu(reference(torch.from_numpy(x)))
    numpy.testing.assert_allclose(out.asnumpy(), expected.detach().numpy(), rtol=1e-5,
                               atol=1e-7)
    out._t.sum().backward()
    expected.sum().backward()
    numpy.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy(),
                                  rtol=1e-6)


def test_custom_cell_names_parameters_by_attribute(ms):
    from mindspore import Parameter, nn, ops
    from mindspore.common.initializer import initializer

    class MLP(nn.Cell):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(4, 8)
            self.scale = Parameter(initializer('ones', (8,), ms.float32))
            self.out = nn.Dense(8, 1)

        def construct(self, x):
            return self.out(ops.relu(self.hidden(x)) * self.scale)

    net = MLP()
    # A cell's own parameters come before its children's, in MindSpore as in bricks.
    assert list(net.parameters_dict()) == ["scale", "hidden.weight", "hidden.bias",
                                           "out.weight", "out.bias"]
    assert net(ops.ones((2, 4))).shape == (2, 1)


@pytest.mark.parametrize("name, check", [
    ("zeros", lambda w: (w == 0).all()), ("one", lambda w: (w == 1).all()),
    ("normal", lambda w: abs(w.std() - 0.01) < 0.001),
    ("he_uniform", lambda w: numpy.abs(w).max() <= math.sqrt(6 / 100)),
    ("xavier_normal", lambda w: abs(w.std() - math.sqrt(2 / 300)) < 0.01),
    ("truncatednormal", lambda w: abs(w.std() - 0.01) < 0.001),  # bounds a=-2, b=2
])
def test_initializer_names(ms, name, check):
    from mindspore.common.initializer import initializer

    values = initializer(name, (200, 100), ms.float32).asnumpy()
    assert values.shape == (200, 100) and values.dtype == numpy.float32 and check(values)


def test_initializer_objects_and_custom_subclass(ms):
    from mindspore.common.initializer import Constant, Initializer, TruncatedNormal, initializer

    class Halves(Initializer):
        def _initialize(self, arr):
            arr[:] = 0.5

    assert (initializer(Halves(), (3,)).asnumpy() == 0.5).all()
    assert (initializer(Constant(3), [2, 2]).asnumpy() == 3).all()
    values = initializer(TruncatedNormal(sigma=1.0, a=-0.5, b=0.5), (1000,)).asnumpy()
    assert numpy.abs(values).max() <= 0.5
    with pytest.raises(TypeError, match="'init' argument"):
        initializer([1, 2], (2,))
    with pytest.raises(ValueError, match="'init' name"):
        initializer("nonsense", (2,))
    with pytest.raises(ValueError, match="positive integers"):
        initializer("zeros", (2, 0))


def test_set_data_rejects_another_shape_and_changes_nothing(ms):
    from mindspore import nn, ops

    layer = nn.Dense(2, 3)
    before = layer.weight.asnumpy()
    with pytest.raises(ValueError, match="shape"):
        layer.weight.set_data(ops.ones((3, 3)))
    numpy.testing.assert_array_equal(layer.weight.asnumpy(), before)


def test_checkpoint_round_trip_and_checked_load(ms, tmp_path):
    from mindspore import nn, ops

    def make():
        return nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 1)])

    net, clone = make(), make()
    x = ops.rand((3, 4))
    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint(net, path)
    params = ms.load_checkpoint(path)
    assert sorted(params) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert ms.load_param_into_net(clone, params) == ([], [])
    numpy.testing.assert_allclose(clone(x).asnumpy(), net(x).asnumpy())
    other = nn.SequentialCell([nn.Dense(4, 5), nn.ReLU(), nn.Dense(5, 1)])
    before = other[0].weight.asnumpy()
    with pytest.raises(RuntimeError, match="0.weight"):
        ms.load_param_into_net(other, params)
    numpy.testing.assert_array_equal(other[0].weight.asnumpy(), before)


def test_bricks_optimizer_and_state_dict_work_on_cells(ms, tmp_path):
    import bricks
    from mindspore import nn, ops

    net = nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 1)])
    optimizer = bricks.optim.SGD(net.trainable_params(), lr=0.1)
    x = ops.rand((5, 4))
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = (net(x)._t ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[2] < losses[0]
    bricks.save(net.state_dict(), tmp_path / "net")
    clone = nn.SequentialCell([nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 1)])
    clone.load_state_dict(bricks.load(tmp_path / "net"))
    numpy.testing.assert_allclose(clone(x).asnumpy(), net(x).asnumpy())


def test_mindspore_initializers_are_bricks_initializers(ms):
    import bricks
    from mindspore.common.initializer import Constant, HeUniform

    layer = bricks.nn.Linear(50, 400)
    layer.initialize(HeUniform(), select="weight")
    bound = math.sqrt(6 / 50)
    weights = layer.weight.detach().numpy()
    assert numpy.abs(weights).max() <= bound and numpy.abs(weights).max() > 0.95 * bound
    assert (Constant(3)(bricks.zeros(2)).numpy() == 3).all()
