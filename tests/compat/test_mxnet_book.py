"""The MXNet tab of the textbook on the Gluon facade: its library module (``d2l/mxnet.py`` of
the installed d2l package) imports, and chapter-style code prints what MXNet 1.9.1 printed for
the same programs (tests/compat/reference/mxnet_*.py)."""

from __future__ import annotations

import importlib.util
import sys
import types

import numpy
import pytest


@pytest.fixture
def mxnp(mx):
    """The facade in ``npx.set_np()`` mode, as the textbook's MXNet chapters use it."""
    mx.npx.set_np()
    yield mx
    mx.npx.reset_np()


def _stand_ins(monkeypatch):
    # d2l imports packages for data downloads and notebook display that these chapters never
    # use; where one is not installed, an empty stand-in lets the import go through.
    def stub(name, **attributes):
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, name, module)
        return module

    def noop(*args, **kwargs):
        return None

    for name in ("pandas", "requests"):
        if importlib.util.find_spec(name) is None:
            stub(name)
    if importlib.util.find_spec("IPython") is None:
        stub("IPython", display=stub("IPython.display", display=noop, clear_output=noop))
    if importlib.util.find_spec("matplotlib_inline") is None:
        inline = stub("matplotlib_inline.backend_inline", set_matplotlib_formats=noop)
        stub("matplotlib_inline", backend_inline=inline)


@pytest.fixture
def d2l(mxnp, monkeypatch):
    spec = importlib.util.find_spec("d2l")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("d2l is not installed: pip install --no-deps d2l==1.0.3")
    import matplotlib

    matplotlib.use("Agg")
    _stand_ins(monkeypatch)
    path = next(iter(spec.submodule_search_locations)) + "/mxnet.py"
    module_spec = importlib.util.spec_from_file_location("d2l_mxnet_on_bricks", path)
    module = importlib.util.module_from_spec(module_spec)
    monkeypatch.setitem(sys.modules, "d2l_mxnet_on_bricks", module)
    module_spec.loader.exec_module(module)
    return module


def test_the_textbooks_mxnet_library_imports_and_its_functions_run(d2l, mxnp):
    from mxnet import init, np

    assert str(d2l.try_gpu()) == "cpu(0)" and d2l.num_gpus() == 0
    x = np.arange(16.0).reshape(2, 2, 4) / 10
    numpy.testing.assert_allclose(d2l.masked_softmax(x, np.array([2, 3])).asnumpy(), [
        [[0.47502077, 0.5249792, 0, 0], [0.47502077, 0.5249792, 0, 0]],
        [[0.3006096, 0.332225, 0.36716542, 0], [0.3006096, 0.33222497, 0.3671654, 0]]],
        rtol=1e-6)
    assert str(d2l.corr2d(np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]]))) \
        == "[[19. 25.]\n [37. 43.]]"
    attention = d2l.DotProductAttention(dropout=0.5)
    attention.initialize()
    queries, keys = np.ones((2, 1, 2)) * 0.5, np.ones((2, 10, 2))
    values = np.arange(40.0).reshape(1, 10, 4).repeat(2, axis=0)
    numpy.testing.assert_allclose(attention(queries, keys, values, np.array([2, 6])).asnumpy(),
                                  [[[2, 3, 4, 5]], [[10, 11, 12, 13]]], rtol=1e-6)
    block = d2l.Residual(3)
    block.initialize(init.Constant(0.01))
    assert block(np.ones((4, 3, 6, 6))).shape == (4, 3, 6, 6)
    encoding = d2l.PositionalEncoding(8, 0)
    encoding.initialize()
    numpy.testing.assert_allclose(encoding(np.zeros((1, 4, 8)))[0, 1].asnumpy(), [
        8.4147096e-01, 5.4030228e-01, 9.9833421e-02, 9.9500418e-01, 9.9998331e-03,
        9.9994999e-01, 9.9999993e-04, 9.9999952e-01], rtol=1e-5)


def test_preliminaries_print_as_mxnet(mxnp):
    from mxnet import autograd, np, npx

    x = np.arange(12)
    assert repr(x) == "array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.])"
    matrix = x.reshape(3, 4)
    numpy.testing.assert_allclose(float(np.linalg.norm(matrix)), 22.494442, rtol=1e-6)
    assert str(np.abs(np.array([-1.0, 2.0]))) == "[1. 2.]"
    assert str(matrix.sum(axis=0)) == "[12. 15. 18. 21.]"
    assert str(matrix.mean(axis=1)) == "[1.5 5.5 9.5]"
    assert np.concatenate([matrix, matrix], axis=0).shape == (6, 4)
    assert str(matrix.cumsum(axis=0)[-1]) == "[12. 15. 18. 21.]"
    assert matrix.repeat(2, axis=0).shape == (6, 4)
    v = np.arange(4.0)
    v.attach_grad()
    with autograd.record():
        y = 2 * np.dot(v, v)
    y.backward()
    assert str(v.grad) == "[ 0.  4.  8. 12.]"
    masked = npx.sequence_mask(np.ones((2, 3)), np.array([1, 2]), True, value=-1, axis=1)
    assert str(masked) == "[[ 1. -1. -1.]\n [ 1.  1. -1.]]"
    numpy.testing.assert_allclose(npx.softmax(np.array([[1.0, 2.0, 3.0]])).asnumpy(),
                                  [[0.09003057, 0.24472848, 0.6652409]], rtol=1e-6)
    assert str(npx.pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0]))) == "[2. 3.]"
    assert str(npx.one_hot(np.array([0, 2]), 3)) == "[[1. 0. 0.]\n [0. 0. 1.]]"
    assert npx.batch_dot(np.ones((2, 1, 3)), np.ones((2, 3, 4))).shape == (2, 1, 4)
    assert (npx.num_gpus(), str(npx.cpu()), str(npx.gpu(1))) == (0, "cpu(0)", "gpu(1)")


LENET_REPR = """Sequential(
  (0): Conv2D(-1 -> 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), Activation(sigmoid))
  (1): AvgPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, global_pool=False, pool_type=avg, layout=NCHW)
  (2): MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, global_pool=False, pool_type=max, layout=NCHW)
  (3): Dense(-1 -> 10, linear)
)"""  # noqa: E501 - MXNet's own lines


def test_convolutions_and_concise_regression_as_mxnet(mxnp):
    from mxnet import autograd, gluon, init, np
    from mxnet.gluon import nn

    net = nn.Sequential()
    net.add(nn.Conv2D(6, kernel_size=5, padding=2, activation="sigmoid"),
            nn.AvgPool2D(pool_size=2, strides=2), nn.MaxPool2D(pool_size=2), nn.Dense(10))
    assert repr(net) == LENET_REPR
    net.initialize(init.Constant(0.01))
    assert net(np.ones((1, 1, 28, 28))).shape == (1, 10)
    assert [block.name.rstrip("0123456789") for block in net] == ["conv", "pool", "pool",
                                                                  "dense"]
    regression = nn.Sequential()
    regression.add(nn.Dense(1))
    regression.initialize(init.Normal(sigma=0.01))
    rng = numpy.random.default_rng(0)
    features = np.array(rng.standard_normal((20, 2)).astype(numpy.float32))
    labels = (np.dot(features, np.array([2.0, -3.4])) + 4.2).reshape(-1, 1)
    regression[0].weight.set_data(np.array([[0.1, 0.2]]))  # before the shape is known
    loss = gluon.loss.L2Loss()
    trainer = gluon.Trainer(regression.collect_params(), "sgd", {"learning_rate": 0.03})
    losses = []
    for _ in range(3):
        with autograd.record():
            value = loss(regression(features), labels)
        value.backward()
        trainer.step(20)
        losses.append(float(loss(regression(features), labels).mean()))
    numpy.testing.assert_allclose(losses, [6.724655, 6.423730, 6.141398], rtol=1e-5)


def test_normalization_embedding_and_transposed_convolution_as_mxnet(mxnp):
    from mxnet import autograd, init, np
    from mxnet.gluon import nn

    x = np.array(numpy.arange(24, dtype=numpy.float32).reshape(2, 3, 2, 2) / 7)
    bn = nn.BatchNorm()
    assert repr(bn) == ("BatchNorm(axis=1, eps=1e-05, momentum=0.9, fix_gamma=False, "
                        "use_global_stats=False, in_channels=-1)")
    bn.initialize()
    with autograd.record():
        y = bn(x)
    numpy.testing.assert_allclose(y[0, :, 0, 0].asnumpy(), [-1.2288398] * 3, rtol=1e-6)
    # Names come from process-wide counters (batchnorm0_, batchnorm1_, ...), as in MXNet.
    assert bn.prefix.startswith("batchnorm")
    assert sorted(k[len(bn.prefix):] for k in bn.collect_params().keys()) == [
        "beta", "gamma", "running_mean", "running_var"]
    ln = nn.LayerNorm()
    assert repr(ln) == "LayerNorm(eps=1e-05, axis=-1, center=True, scale=True, in_channels=-1)"
    ln.initialize()
    numpy.testing.assert_allclose(ln(np.array([[1.0, 2.0, 4.0]])).asnumpy(),
                                  [[-1.0690414, -0.26726028, 1.3363018]], rtol=1e-6)
    embedding = nn.Embedding(10, 4)
    assert repr(embedding) == "Embedding(10 -> 4, float32)"
    embedding.initialize(init.Constant(0.5))
    assert embedding(np.array([1, 3])).shape == (2, 4)
    assert nn.GlobalAvgPool2D()(x).shape == (2, 3, 1, 1)
    transposed = nn.Conv2DTranspose(1, kernel_size=2)
    assert repr(transposed) == "Conv2DTranspose(1 -> -1, kernel_size=(2, 2), stride=(1, 1))"
    transposed.initialize(init.Constant(1.0))
    out = transposed(np.array([[[[0.0, 1.0], [2.0, 3.0]]]]))
    assert str(out) == "[[[[0. 1. 1.]\n   [2. 6. 4.]\n   [2. 5. 3.]]]]"
    assert transposed.prefix.startswith("conv")
    assert sorted(transposed.collect_params().keys()) == [transposed.prefix + "bias",
                                                          transposed.prefix + "weight"]


def test_recurrent_layers_and_cells_as_mxnet(mxnp):
    import torch
    from mxnet import nd, np, npx
    from mxnet.gluon import rnn

    layer = rnn.LSTM(4, num_layers=2)
    assert repr(layer) == "LSTM(-1 -> 4, TNC, num_layers=2)"
    layer.initialize()
    state = layer.begin_state(batch_size=3)
    x = np.array(numpy.arange(30, dtype=numpy.float32).reshape(2, 3, 5) / 30)
    out, new_state = layer(x, state)
    assert (out.shape, new_state[0].shape, new_state[1].shape) == ((2, 3, 4), (2, 3, 4),
                                                                   (2, 3, 4))
    shapes = {k.replace(layer.prefix, "lstm0_"): v.shape
              for k, v in layer.collect_params().items()}
    assert shapes == {"lstm0_l0_i2h_weight": (16, 5), "lstm0_l0_h2h_weight": (16, 4),
                      "lstm0_l0_i2h_bias": (16,), "lstm0_l0_h2h_bias": (16,),
                      "lstm0_l1_i2h_weight": (16, 4), "lstm0_l1_h2h_weight": (16, 4),
                      "lstm0_l1_i2h_bias": (16,), "lstm0_l1_h2h_bias": (16,)}
    reference = torch.nn.LSTM(5, 4, num_layers=2)  # same gate order as MXNet's
    with torch.no_grad():
        for layer_index in range(2):
            for kind, torch_kind in (("i2h", "ih"), ("h2h", "hh")):
                for part in ("weight", "bias"):
                    name = f"{layer.prefix}l{layer_index}_{kind}_{part}"
                    value = layer.collect_params()[name]
                    getattr(reference, f"{part}_{torch_kind}_l{layer_index}").copy_(
                        torch.from_numpy(value.data().asnumpy()))
        expected, _ = reference(torch.from_numpy(x.asnumpy()))
    numpy.testing.assert_allclose(out.asnumpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(rnn.GRU(3, input_size=5)) == "GRU(5 -> 3, TNC)"
    assert repr(rnn.RNN(3, activation="relu", layout="NTC")) == "RNN(-1 -> 3, NTC)"
    npx.reset_np()  # MXNet 1.9's cells take classic NDArrays
    cell = rnn.LSTMCell(4)
    assert repr(cell) == "LSTMCell(-1 -> 16)"
    cell.initialize()
    output, states = cell(nd.ones((2, 5)), cell.begin_state(batch_size=2))
    assert output.shape == (2, 4) and [s.shape for s in states] == [(2, 4), (2, 4)]


def test_gluon_data_loader_batches_and_arrays_save_and_load(mxnp, tmp_path):
    from mxnet import gluon, np, npx

    features = np.arange(10.0).reshape(5, 2)
    labels = np.array([0, 1, 0, 1, 1], dtype="int32")
    dataset = gluon.data.ArrayDataset(features, labels)
    batches = list(gluon.data.DataLoader(dataset, batch_size=2, shuffle=False))
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    kept = list(gluon.data.DataLoader(dataset, batch_size=2, last_batch="discard"))
    assert len(kept) == 2 and str(kept[1][1]) == "[0 1]"
    path = str(tmp_path / "arrays")
    npx.save(path, {"x": features, "y": labels})
    loaded = npx.load(path)
    assert sorted(loaded) == ["x", "y"] and str(loaded["y"]) == "[0 1 0 1 1]"
    npx.save(path, [features])
    assert npx.load(path)[0].shape == (5, 2)


def test_export_writes_mxnets_parameter_names_in_a_safe_file(mxnp, tmp_path):
    import json

    from mxnet import init, np
    from mxnet.gluon import nn

    import bricks

    net = nn.HybridSequential()
    net.add(nn.Dense(4, activation="relu"), nn.BatchNorm(), nn.Dense(2))
    net.initialize(init.Constant(0.5))
    path = str(tmp_path / "model")
    with pytest.raises(RuntimeError, match="first call block.hybridize"):
        net.export(path)
    net.hybridize()
    out = net(np.ones((3, 5)))
    net.export(path, epoch=7)
    saved = bricks.load(path + "-0007.params")
    dense = net[0].prefix
    bn = net[1].prefix
    assert saved[f"arg:{dense}weight"].shape == (4, 5)
    assert f"aux:{bn}running_mean" in saved and f"arg:{bn}gamma" in saved
    numpy.testing.assert_array_equal(saved[f"arg:{dense}weight"].numpy(),
                                     net[0].weight.data().asnumpy())
    described = json.loads((tmp_path / "model-symbol.json").read_text())
    assert "not an MXNet symbol graph" in described["format"]
    assert described["parameters"][f"{dense}weight"] == {"kind": "arg", "shape": [4, 5],
                                                         "dtype": "float32"}
    assert out.shape == (3, 2)
