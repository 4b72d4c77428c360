"""bricks.compat.mxnet beyond the seed: arrays, np mode, training, layers, files, errors."""

from __future__ import annotations

import numpy
import pytest
import torch


def test_ndarray_prints_as_mxnet_1x(mx):
    from mxnet import nd

    assert repr(nd.array([[1, 2], [3, 4]])) == "\n[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>"
    assert repr(nd.array([1, 2]).sum()) == "\n[3.]\n<NDArray 1 @cpu(0)>"
    assert nd.array([1, 2]).sum().asscalar() == 3.0
    assert repr(nd.zeros((2, 3), dtype='int32')) == "\n[[0 0 0]\n [0 0 0]]\n<NDArray 2x3 @cpu(0)>"
    assert nd.ones((2, 3)).dtype is numpy.float32


def test_ndarray_arithmetic_copy_and_assignment(mx):
    from mxnet import nd

    a = nd.ones((2, 3))
    b = (a * 2 + 1) / 3 - 1
    numpy.testing.assert_allclose(b.asnumpy(), 0.0, atol=1e-7)
    c = a.copy()
    c[:] = 5
    c[0, 1] = 7
    assert a.asnumpy().sum() == 6 and c.asnumpy()[0, 1] == 7 and c.asnumpy()[1, 1] == 5
    c *= c >= 6
    assert c.asnumpy().tolist() == [[0, 7, 0], [0, 0, 0]]
    samples = nd.random.normal(0, 1, shape=(1000,)).asnumpy()
    assert abs(samples.mean()) < 0.15 and 0.85 < samples.std() < 1.15


def test_autograd_record_backward_writes_gradients(mx):
    from mxnet import autograd, nd

    x = nd.array([[1., 2.], [3., 4.]])
    x.attach_grad()
    for _ in range(2):  # grad_req='write': the second pass overwrites, it does not add
        with autograd.record():
            y = (x * x).sum()
        y.backward()
    assert repr(x.grad) == "\n[[2. 4.]\n [6. 8.]]\n<NDArray 2x2 @cpu(0)>"
    assert not autograd.is_recording()


def test_np_interface_prints_as_numpy(mx):
    from mxnet import np, npx
    from mxnet.gluon import nn

    npx.set_np()
    assert repr(np.array([1, 2])) == "array([1., 2.])"
    assert repr(np.array([1, 2], dtype='int32')) == "array([1, 2], dtype=int32)"
    assert repr(np.ones((2,)).sum()) == "array(2.)"
    b = np.random.uniform(size=(2, 3))
    assert b.shape == (2, 3) and 0 <= b.asnumpy().min() and b.asnumpy().max() < 1
    net = nn.Dense(3)
    net.initialize()
    out = net(np.ones((2, 4)))
    assert repr(out).startswith("array([[") and type(net.weight.data()).__name__ == "ndarray"


def _torch_copy(net):
    layers = [torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)]
    with torch.no_grad():
        for index, block in ((0, net[0]), (2, net[1])):
            layers[index].weight.copy_(torch.from_numpy(block.weight.data().asnumpy()))
            layers[index].bias.copy_(torch.from_numpy(block.bias.data().asnumpy()))
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("options", [{"learning_rate": 0.1},
                                     {"learning_rate": 0.05, "momentum": 0.9, "wd": 0.01}])
def test_gluon_training_loop_matches_torch_sgd(mx, options):
    from mxnet import autograd, gluon, init, nd
    from mxnet.gluon import nn

    net = nn.Sequential()
    net.add(nn.Dense(5, activation='relu'), nn.Dense(1))
    net.initialize(init.Xavier())
    X, Y = nd.random.uniform(shape=(8, 4)), nd.random.uniform(shape=(8, 1))
    net(X)
    reference = _torch_copy(net)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', dict(options))
    loss = gluon.loss.L2Loss()
    torch_opt = torch.optim.SGD(reference.parameters(), lr=options["learning_rate"],
                                momentum=options.get("momentum", 0),
                                weight_decay=options.get("wd", 0))
    tx, ty = torch.from_numpy(X.asnumpy()), torch.from_numpy(Y.asnumpy())
    for _ in range(3):
        with autograd.record():
            l = loss(net(X), Y)  # noqa: E741 - the book's name
        l.backward()
        trainer.step(8)
        torch_opt.zero_grad()
        ((reference(tx) - ty) ** 2 / 2).mean().backward()
        torch_opt.step()
    numpy.testing.assert_allclose(net[0].weight.data().asnumpy(),
                                  reference[0].weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(net[1].bias.data().asnumpy(),
                                  reference[2].bias.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_layers_print_and_run_as_gluon(mx):
    from mxnet import autograd, nd
    from mxnet.gluon import nn

    assert str(nn.Conv2D(6, kernel_size=5)) == (
        "Conv2D(None -> 6, kernel_size=(5, 5), stride=(1, 1))")
    assert str(nn.MaxPool2D(pool_size=2, strides=2)) == (
        "MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, "
        "global_pool=False, pool_type=max, layout=NCHW)")
    assert str(nn.Flatten()) == "Flatten"
    assert str(nn.Dropout(0.5)) == "Dropout(p = 0.5, axes=())"
    assert str(nn.Activation('sigmoid')) == "Activation(sigmoid)"
    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, kernel_size=5, activation='relu'), nn.MaxPool2D(2, 2), nn.Flatten(),
            nn.Dropout(0.5), nn.Dense(10))
    net.hybridize()
    net.initialize()
    x = nd.ones((2, 1, 12, 12))
    assert net(x).shape == (2, 10)
    assert net[0].weight.shape == (6, 1, 5, 5)
    assert str(net[0]) == "Conv2D(1 -> 6, kernel_size=(5, 5), stride=(1, 1), Activation(relu))"
    with autograd.record():  # Dropout is active only while recording
        a, b = net(x), net(x)
    assert not numpy.allclose(a.asnumpy(), b.asnumpy())
    numpy.testing.assert_allclose(net(x).asnumpy(), net(x).asnumpy())


def test_custom_blocks_name_scope_and_hybrid_forward(mx):
    from mxnet import nd
    from mxnet.gluon import nn

    class MLP(nn.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.hidden = nn.Dense(16, activation='relu')
                self.output = nn.Dense(2)

        def forward(self, x):
            return self.output(self.hidden(x))

    class MyDense(nn.HybridBlock):
        def __init__(self, units, in_units, **kwargs):
            super().__init__(**kwargs)
            self.weight = self.params.get('weight', shape=(in_units, units))

        def hybrid_forward(self, F, x, weight):
            return F.relu(F.dot(x, weight))

    mlp = MLP()
    assert mlp.hidden.prefix == mlp.prefix + "dense0_"
    assert list(mlp.collect_params()) == [mlp.prefix + n for n in
                                          ("dense0_weight", "dense0_bias", "dense1_weight",
                                           "dense1_bias")]
    mlp.initialize()
    assert mlp(nd.ones((3, 4))).shape == (3, 2)
    layer = MyDense(5, in_units=3)
    assert str(layer.params).splitlines()[1].endswith(
        "weight (shape=(3, 5), dtype=<class 'numpy.float32'>)")
    layer.initialize()
    assert layer(nd.ones((2, 3))).shape == (2, 5)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_save_and_load_parameters_round_trip(mx, tmp_path):
    from mxnet import nd
    from mxnet.gluon import nn

    def make():
        net = nn.Sequential()
        net.add(nn.Dense(4, activation='relu'), nn.Dense(2))
        return net

    net = make()
    net.initialize()
    x = nd.random.uniform(shape=(3, 5))
    expected = net(x).asnumpy()
    net.save_parameters(str(tmp_path / "mlp.params"))
    clone = make()
    clone.load_parameters(str(tmp_path / "mlp.params"))
    numpy.testing.assert_allclose(clone(x).asnumpy(), expected)
    params = net.collect_params()
    params.save(str(tmp_path / "dict.params"), strip_prefix="dense")
    net[0].weight.set_data(net[0].weight.data() * 0)
    params.load(str(tmp_path / "dict.params"), restore_prefix="dense")
    numpy.testing.assert_allclose(net(x).asnumpy(), expected)


def test_initializers_xavier_and_msraprelu_scales(mx):
    from mxnet import init
    from mxnet.gluon import nn

    layer = nn.Dense(200, in_units=100)
    layer.initialize(init.Xavier())
    bound = numpy.sqrt(3 / 150)
    weights = layer.weight.data().asnumpy()
    assert numpy.abs(weights).max() <= bound and numpy.abs(weights).max() > 0.95 * bound
    layer.initialize(init.MSRAPrelu(), force_reinit=True)
    std = numpy.sqrt(2 / (1 + 0.25 ** 2) / 150)
    assert layer.weight.data().asnumpy().std() == pytest.approx(std, rel=0.05)
    with pytest.raises(ValueError, match="at least 2D"):
        init.Xavier()._init_weight("b", layer.bias.data())
    assert init.Normal(0.5).dumps() == '["normal", {"sigma": 0.5}]'


def test_bad_input_raises_clear_errors(mx):
    from mxnet import gluon
    from mxnet.gluon import nn

    with pytest.raises(ValueError, match="expects one of"):
        nn.Activation('bogus')
    net = nn.Dense(2, in_units=3)
    net.initialize()
    with pytest.raises(ValueError, match="expects one of"):
        gluon.Trainer(net.collect_params(), 'lbfgs')
    with pytest.raises(ValueError, match="unknown optimizer_params"):
        gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1, 'betas': 1})
    with pytest.raises(ValueError, match="incompatible"):
        net.weight.shape = (4, 3)


def test_shared_dense_gradient_is_the_sum_over_both_uses(mx):
    from mxnet import autograd, nd
    from mxnet.gluon import nn

    shared = nn.Dense(3, in_units=3)
    net = nn.Sequential()
    net.add(shared, nn.Dense(3, in_units=3, params=shared.params))
    net.initialize()
    x = nd.random.uniform(shape=(2, 3))
    with autograd.record():
        y = net(x).sum()
    y.backward()
    w = torch.tensor(shared.weight.data().asnumpy(), requires_grad=True)
    b = torch.tensor(shared.bias.data().asnumpy())
    tx = torch.from_numpy(x.asnumpy())
    ((tx @ w.T + b) @ w.T + b).sum().backward()
    numpy.testing.assert_allclose(net[1].weight.grad().asnumpy(), w.grad.numpy(), rtol=1e-5)
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias"]


def test_forward_outside_record_builds_no_graph(mx):
    from mxnet import nd
    from mxnet.gluon import nn

    layer = nn.Dense(2, in_units=3)
    layer.initialize()
    assert layer(nd.ones((1, 3)))._t.grad_fn is None


def test_gluon_initializers_are_bricks_initializers(mx):
    import bricks
    from mxnet import init

    layer = bricks.nn.Linear(100, 200)
    layer.initialize(init.Xavier(), select="weight")
    bound = numpy.sqrt(3 / 150)
    weights = layer.weight.detach().numpy()
    assert numpy.abs(weights).max() <= bound and numpy.abs(weights).max() > 0.95 * bound
    assert isinstance(init.Constant(2), bricks.nn.init.Initializer)
    assert (init.Constant(2)(bricks.zeros(3)).numpy() == 2).all()
