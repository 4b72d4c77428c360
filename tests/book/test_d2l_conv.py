"""The convolution chapters: cross-correlation by hand, edge detection, learning a kernel,
padding and stride, channels, pooling, and the modern CNNs' shape checks with d2l's blocks."""

import numpy as np
import pytest
from _sync import close, copy_weights


def test_corr2d_and_edge_detection(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        X = lib.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
        K = lib.tensor([[0.0, 1.0], [2.0, 3.0]])
        edges = lib.ones((6, 8))
        edges[:, 2:6] = 0
        results.append((d2l.corr2d(X, K), d2l.corr2d(edges, lib.tensor([[1.0, -1.0]])),
                        d2l.corr2d(edges.t(), lib.tensor([[1.0, -1.0]]))))
    for ours, theirs in zip(*results):
        close(ours, theirs)
    assert results[0][0].tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_learning_a_kernel_matches_torch(d2l_pair):
    losses = []
    for lib, d2l in d2l_pair:
        conv2d = lib.nn.LazyConv2d(1, kernel_size=(1, 2), bias=False)
        X = lib.ones((6, 8))
        X[:, 2:6] = 0
        Y = d2l.corr2d(X, lib.tensor([[1.0, -1.0]]))
        X, Y = X.reshape((1, 1, 6, 8)), Y.reshape((1, 1, 6, 7))
        conv2d(X)
        with lib.no_grad():
            conv2d.weight.copy_(lib.tensor([[[[0.3, -0.2]]]]))
        history = []
        for _ in range(10):
            loss = (conv2d(X) - Y) ** 2
            conv2d.zero_grad()
            loss.sum().backward()
            conv2d.weight.data[:] -= 3e-2 * conv2d.weight.grad
            history.append(loss.sum().item())
        losses.append((history, conv2d.weight.data.reshape((1, 2))))
    np.testing.assert_allclose(losses[0][0], losses[1][0], rtol=1e-5)
    close(losses[0][1], losses[1][1])


@pytest.mark.parametrize("layer, shape", [
    (dict(kernel_size=3, padding=1), (8, 8)),
    (dict(kernel_size=(5, 3), padding=(2, 1)), (8, 8)),
    (dict(kernel_size=3, padding=1, stride=2), (4, 4)),
    (dict(kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), (2, 2)),
])
def test_padding_and_stride_shapes(d2l_pair, layer, shape):
    for lib, _ in d2l_pair:
        conv2d = lib.nn.LazyConv2d(1, **layer)
        X = lib.rand(size=(8, 8))
        assert tuple(conv2d(X.reshape((1, 1) + X.shape)).shape[2:]) == shape


def test_multiple_channels_and_1x1_convolution(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        def corr2d_multi_in(X, K):
            return sum(d2l.corr2d(x, k) for x, k in zip(X, K))

        def corr2d_multi_in_out(X, K):
            return lib.stack([corr2d_multi_in(X, k) for k in K], 0)

        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            c_o = K.shape[0]
            X = X.reshape((c_i, h * w))
            K = K.reshape((c_o, c_i))
            return lib.matmul(K, X).reshape((c_o, h, w))

        X = lib.tensor([[[0.0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1.0, 2, 3], [4, 5, 6],
                                                              [7, 8, 9]]])
        K = lib.tensor([[[0.0, 1], [2, 3]], [[1.0, 2], [3, 4]]])
        K = lib.stack((K, K + 1, K + 2), 0)
        X1 = lib.tensor(np.random.default_rng(0).normal(size=(3, 3, 3)).astype(np.float32))
        K1 = lib.tensor(np.random.default_rng(1).normal(size=(2, 3, 1, 1)).astype(np.float32))
        one_by_one = corr2d_multi_in_out_1x1(X1, K1)
        assert float(lib.abs(one_by_one - corr2d_multi_in_out(X1, K1)).sum()) < 1e-5
        results.append((corr2d_multi_in_out(X, K), one_by_one))
    for ours, theirs in zip(*results):
        close(ours, theirs)


def test_pooling(d2l_pair):
    results = []
    for lib, _ in d2l_pair:
        def pool2d(X, pool_size, mode="max"):
            p_h, p_w = pool_size
            Y = lib.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    window = X[i: i + p_h, j: j + p_w]
                    Y[i, j] = window.max() if mode == "max" else window.mean()
            return Y

        X = lib.arange(16, dtype=lib.float32).reshape((1, 1, 4, 4))
        X2 = lib.cat((X, X + 1), 1)
        results.append((pool2d(X[0, 0, :3, :3], (2, 2)), pool2d(X[0, 0, :3, :3], (2, 2), "avg"),
                        lib.nn.MaxPool2d(3)(X), lib.nn.MaxPool2d(3, padding=1, stride=2)(X),
                        lib.nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X),
                        lib.nn.MaxPool2d(3, padding=1, stride=2)(X2),
                        lib.nn.AvgPool2d(2)(X2), lib.nn.AdaptiveAvgPool2d((1, 1))(X2)))
    for ours, theirs in zip(*results):
        close(ours, theirs)


def _summary(net, lib, shape):
    X = lib.zeros(*shape)
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append((layer.__class__.__name__, tuple(X.shape)))
    return shapes


def test_lenet_layer_summary_and_training_step_match_torch(d2l_pair):
    nets = []
    for lib, d2l in d2l_pair:
        model = d2l.LeNet()
        model.apply_init([lib.zeros(1, 1, 28, 28)], d2l.init_cnn)
        nets.append(model)
    copy_weights(nets[0], nets[1])
    (bricks, _), (torch, _) = d2l_pair
    assert _summary(nets[0].net, bricks, (1, 1, 28, 28)) == _summary(nets[1].net, torch,
                                                                      (1, 1, 28, 28))
    X = np.random.default_rng(2).normal(size=(4, 1, 28, 28)).astype(np.float32)
    y = np.array([0, 3, 9, 3])
    outputs = []
    for (lib, _), model in zip(d2l_pair, nets):
        loss = model.loss(model(lib.tensor(X)), lib.tensor(y))
        loss.backward()
        outputs.append((loss, model.net[0].weight.grad,
                        model.accuracy(model(lib.tensor(X)), lib.tensor(y))))
    for ours, theirs in zip(*outputs):
        close(ours, theirs, rtol=1e-4, atol=1e-6)


def test_resnet_blocks_and_resnet18_shapes(d2l_pair):
    shapes = []
    for lib, d2l in d2l_pair:
        X = lib.rand(4, 3, 6, 6)
        block = d2l.Residual(3)
        wide = d2l.Residual(6, use_1x1conv=True, strides=2)
        resnext = d2l.ResNeXtBlock(32, 16, 1)
        net = d2l.resnet18(10, in_channels=1)
        shapes.append((tuple(block(X).shape), tuple(wide(X).shape),
                       tuple(resnext(lib.rand(1, 32, 12, 12)).shape[1:]),
                       tuple(net(lib.zeros(2, 1, 32, 32)).shape)))
    assert shapes[0] == shapes[1] == ((4, 3, 6, 6), (4, 6, 3, 3), (32, 12, 12), (2, 10))


def test_vgg_nin_and_googlenet_style_blocks_keep_torch_shapes(d2l_pair):
    shapes = []
    for lib, _ in d2l_pair:
        nn = lib.nn

        def vgg_block(num_convs, out_channels):
            layers = []
            for _ in range(num_convs):
                layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
                layers.append(nn.ReLU())
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            return nn.Sequential(*layers)

        def nin_block(out_channels, kernel_size, strides, padding):
            return nn.Sequential(
                nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
                nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
                nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())

        net = nn.Sequential(vgg_block(1, 8), vgg_block(2, 16), nin_block(10, 3, 1, 1),
                            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
        shapes.append(_summary(net, lib, (1, 1, 32, 32)))
    assert shapes[0] == shapes[1]
