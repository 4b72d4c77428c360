"""The transposed convolution and fully convolutional network chapters: the transposed
convolution by hand against ``nn.ConvTranspose2d`` (padding, stride, channels, undoing a
convolution's shape), its matrix form, bilinear upsampling, and an FCN head (1x1
convolution, then a 64x64 transposed convolution of stride 32 started as bilinear
interpolation) trained a few steps, with a small backbone in place of a pretrained ResNet."""

import numpy as np
import pytest
from _sync import close, copy_weights


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _trans_conv(lib, X, K):
    """The chapter's transposed convolution, one input element at a time: each scales the
    whole kernel into the output, where a convolution would gather a window."""
    h, w = K.shape
    Y = lib.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def test_transposed_convolution_by_hand_and_with_the_layer(d2l_pair):
    results = []
    for lib, _ in d2l_pair:
        X = lib.tensor([[0.0, 1.0], [2.0, 3.0]])
        K = lib.tensor([[0.0, 1.0], [2.0, 3.0]])
        by_hand = _trans_conv(lib, X, K)
        X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)
        layers = [lib.nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False, **options)
                  for options in (dict(), dict(padding=1), dict(stride=2))]
        for layer in layers:
            layer.weight.data = K
        outputs = [layer(X) for layer in layers]
        close(outputs[0][0, 0], by_hand)
        results.append((by_hand, *outputs))
    for ours, theirs in zip(*results):
        close(ours, theirs)
    assert results[0][0].tolist() == [[0.0, 0.0, 1.0], [0.0, 4.0, 6.0], [4.0, 12.0, 9.0]]
    assert results[0][2].tolist() == [[[[4.0]]]]  # padding trims the output's border
    assert tuple(results[0][3].shape) == (1, 1, 4, 4)


def test_transposed_convolution_undoes_a_convolutions_shape(d2l_pair):
    pairs = []
    for lib, _ in d2l_pair:
        conv = lib.nn.Conv2d(10, 20, kernel_size=5, padding=2, stride=3)
        tconv = lib.nn.ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3)
        pairs.append(lib.nn.Sequential(conv, tconv))
    copy_weights(pairs[0], pairs[1])
    results = []
    for (lib, _), net in zip(d2l_pair, pairs):
        X = lib.tensor(_rand((1, 10, 16, 16), 0), requires_grad=True)
        Y = net(X)
        assert tuple(Y.shape) == tuple(X.shape)
        (Y * lib.tensor(_rand((1, 10, 16, 16), 1))).sum().backward()
        results.append((Y, X.grad, net[0].weight.grad, net[1].weight.grad, net[1].bias.grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-4, atol=1e-5)


def _kernel2matrix(lib, K):
    """The 2x2 kernel ``K`` as the 4x9 matrix whose product with a flattened 3x3 input is
    the convolution; its transpose is the transposed convolution."""
    k, W = lib.zeros(5), lib.zeros((4, 9))
    k[:2], k[3:5] = K[0, :], K[1, :]
    W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
    return W


def test_transposed_convolution_as_the_transposed_matrix(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        X = lib.arange(9.0).reshape(3, 3)
        K = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        W = _kernel2matrix(lib, K)
        Y = d2l.corr2d(X, K)
        assert lib.equal(Y, lib.matmul(W, X.reshape(-1)).reshape(2, 2))
        Z = _trans_conv(lib, Y, K)
        assert lib.equal(Z, lib.matmul(W.T, Y.reshape(-1)).reshape(3, 3))
        results.append((W, Y, Z))
    for ours, theirs in zip(*results):
        close(ours, theirs)


def _bilinear_kernel(lib, in_channels, out_channels, kernel_size):
    """Weights that make a transposed convolution interpolate bilinearly, one channel to
    the same channel (the chapter's initialization)."""
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    rows = lib.arange(kernel_size).reshape(-1, 1)
    cols = lib.arange(kernel_size).reshape(1, -1)
    filt = (1 - lib.abs(rows - center) / factor) * (1 - lib.abs(cols - center) / factor)
    weight = lib.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight


def test_bilinear_upsampling(d2l_pair):
    results = []
    image = np.random.default_rng(2).uniform(size=(8, 12, 3)).astype(np.float32)
    for lib, _ in d2l_pair:
        conv_trans = lib.nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2,
                                            bias=False)
        conv_trans.weight.data.copy_(_bilinear_kernel(lib, 3, 3, 4))
        X = lib.tensor(image).permute(2, 0, 1).unsqueeze(0)
        Y = conv_trans(X)
        out_img = Y[0].permute(1, 2, 0).detach()
        assert tuple(out_img.shape) == (16, 24, 3)
        results.append((conv_trans.weight, out_img))
    for ours, theirs in zip(*results):
        close(ours, theirs)
    inner = results[0][1][2:-2:2, 2:-2:2]  # away from the border, interpolation keeps values
    np.testing.assert_allclose(inner.numpy().mean(), image[1:-1, 1:-1].mean(), atol=0.05)


_NUM_CLASSES = 21


def _fcn(lib):
    """A backbone that shrinks by 32, then the FCN head: a 1x1 convolution to the classes
    and a transposed convolution back to the input's size."""
    nn = lib.nn
    layers, channels = [], 3
    for width in (4, 8, 8, 16, 16):
        layers += [nn.Conv2d(channels, width, kernel_size=3, padding=1, stride=2), nn.ReLU()]
        channels = width
    net = nn.Sequential(*layers)
    net.add_module("final_conv", nn.Conv2d(channels, _NUM_CLASSES, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(_NUM_CLASSES, _NUM_CLASSES,
                                                        kernel_size=64, padding=16,
                                                        stride=32))
    return net


@pytest.fixture(scope="module")
def fcns(d2l_pair):
    nets = [_fcn(lib) for lib, _ in d2l_pair]
    copy_weights(nets[0], nets[1])
    for (lib, _), net in zip(d2l_pair, nets):
        net.transpose_conv.weight.data.copy_(_bilinear_kernel(lib, _NUM_CLASSES,
                                                              _NUM_CLASSES, 64))
    return nets


def test_fcn_head_gives_a_class_map_of_the_input_size(d2l_pair, fcns):
    outputs = []
    for (lib, _), net in zip(d2l_pair, fcns):
        X = lib.tensor(_rand((1, 3, 320, 480), 3))
        with lib.no_grad():
            features = net[:-2](X)
            outputs.append((features, net(X)))
        assert tuple(features.shape) == (1, 16, 10, 15)
        assert tuple(outputs[-1][1].shape) == (1, _NUM_CLASSES, 320, 480)
        assert [name for name, _ in net.named_children()][-2:] == ["final_conv",
                                                                   "transpose_conv"]
    for ours, theirs in zip(*outputs):
        close(ours, theirs, rtol=1e-4, atol=1e-5)


def test_fcn_trains_like_torch_and_predicts_colored_maps(d2l_pair, fcns):
    X = _rand((2, 3, 64, 96), 4)
    labels = np.random.default_rng(5).integers(0, _NUM_CLASSES, (2, 64, 96))
    results = []
    for (lib, d2l), net in zip(d2l_pair, fcns):
        F = lib.nn.functional
        trainer = lib.optim.SGD(net.parameters(), lr=0.1, weight_decay=1e-3)
        history = []
        for _ in range(3):
            loss = F.cross_entropy(net(lib.tensor(X)), lib.tensor(labels),
                                   reduction="none").mean(1).mean(1)
            trainer.zero_grad()
            loss.sum().backward()
            trainer.step()
            history.append(loss.detach())
        pred = net(lib.tensor(X[:1])).argmax(dim=1).reshape(64, 96)
        colored = lib.tensor(d2l.VOC_COLORMAP)[pred.long(), :]
        assert tuple(colored.shape) == (64, 96, 3)
        results.append((lib.stack(history), net.transpose_conv.weight,
                        net.final_conv.weight.grad, net[0].weight, colored))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
    assert float(results[0][0][-1].sum()) < float(results[0][0][0].sum())


def _dcgan(lib):
    """A small DCGAN: a generator of transposed convolutions (4x4 kernels, stride 2, batch
    norm, ReLU, tanh) from 8 latent numbers to 3x16x16, and a discriminator of strided
    convolutions with leaky ReLU, as the chapter's blocks."""
    nn = lib.nn

    def g_block(in_channels, out_channels, stride=2, padding=1):
        return nn.Sequential(nn.ConvTranspose2d(in_channels, out_channels, 4, stride, padding,
                                                bias=False),
                             nn.BatchNorm2d(out_channels), nn.ReLU())

    def d_block(in_channels, out_channels):
        return nn.Sequential(nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=False),
                             nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2))

    net_G = nn.Sequential(g_block(8, 16, stride=1, padding=0), g_block(16, 8),
                          nn.ConvTranspose2d(8, 3, 4, 2, 1, bias=False), nn.Tanh())
    net_D = nn.Sequential(d_block(3, 8), d_block(8, 16), nn.Conv2d(16, 1, 4, bias=False))
    return net_G, net_D


def test_dcgan_generator_and_discriminator_train_like_torch(d2l_pair):
    nets = [_dcgan(lib) for lib, _ in d2l_pair]
    for ours, theirs in zip(*nets):
        copy_weights(ours, theirs)
    rng = np.random.default_rng(6)
    real = np.tanh(rng.normal(size=(4, 3, 16, 16))).astype(np.float32)
    results = []
    for (lib, d2l), (net_G, net_D) in zip(d2l_pair, nets):
        loss = lib.nn.BCEWithLogitsLoss(reduction="sum")
        trainer_D = lib.optim.Adam(net_D.parameters(), lr=0.005, betas=(0.5, 0.999))
        trainer_G = lib.optim.Adam(net_G.parameters(), lr=0.005, betas=(0.5, 0.999))
        history = []
        for step in range(2):
            Z = lib.tensor(np.random.default_rng(step).normal(size=(4, 8, 1, 1))
                           .astype(np.float32))
            history.append(d2l.update_D(lib.tensor(real), Z, net_D, net_G, loss, trainer_D))
            history.append(d2l.update_G(Z, net_D, net_G, loss, trainer_G))
        fake = net_G(Z).detach()
        assert tuple(fake.shape) == (4, 3, 16, 16) and float(fake.abs().max()) <= 1
        results.append((lib.stack([h.detach() for h in history]), fake,
                        net_G[0][0].weight, net_G[0][1].running_mean, net_D[2].weight))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
