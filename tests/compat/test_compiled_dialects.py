"""Gluon's hybridize() and MindSpore's graph mode / jit compile through bricks.compile."""

from __future__ import annotations

import numpy as np

import bricks
from bricks.compat import mindspore as ms
from bricks.compat.mxnet import autograd, gluon, nd


def _gluon_losses(hybridize: bool) -> list:
    bricks.manual_seed(0)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, activation="relu"), gluon.nn.Dense(1))
    net.initialize()
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.L2Loss()
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(8):
        x = nd.array(rng.standard_normal((4, 3)).astype(np.float32))
        y = nd.array(rng.standard_normal((4, 1)).astype(np.float32))
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(4)
        losses.append(loss.asnumpy().copy())
    losses.append(net(x).asnumpy())  # outside record(): another capture
    if hybridize:
        compiled = net._hybrid.compiled
        assert compiled.eager_reason is None and len(compiled.replays) == 2
    return losses


def test_a_hybridized_gluon_network_trains_like_the_imperative_one() -> None:
    for got, want in zip(_gluon_losses(True), _gluon_losses(False)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_mindspore_graph_mode_and_jit_compute_like_pynative() -> None:
    bricks.manual_seed(0)
    net = ms.nn.SequentialCell([ms.nn.Dense(3, 4), ms.nn.ReLU(), ms.nn.Dense(4, 2)])
    x = ms.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    want = net(x).asnumpy()
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        assert ms.get_context("mode") == ms.GRAPH_MODE
        for _ in range(3):
            np.testing.assert_array_equal(net(x).asnumpy(), want)
        assert net._graph_call.compiled.replays
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    double = ms.jit(lambda t: net(t) * 2)
    for _ in range(3):
        np.testing.assert_array_equal(double(x).asnumpy(), want * 2)
    assert isinstance(double(x), ms.Tensor) and double.compiled.replays
