"""The FCN chapter's training as the book runs it: ``d2l.train_ch13`` (``nn.DataParallel``
over the device list, ``train_batch_ch13``, ``accuracy``, ``evaluate_accuracy_gpu``,
Accumulator and Animator) with the chapter's per-image loss, then its ``predict`` and
``label2image``. A small strided backbone stands in for the pretrained ResNet-18 and random
images with random class maps for the VOC data; the device list is ``[cpu]`` (d2l's default,
``try_all_gpus()``, is empty without a GPU, and ``devices[0]`` would fail in either
framework)."""

import numpy as np
from _sync import close, copy_weights

_NUM_CLASSES = 5


def _fcn(lib):
    """Backbone of stride 4, the chapter's 1x1 ``final_conv`` to class scores, and a
    ``transpose_conv`` back to the input's size (kernel 2 * stride, padding stride / 2)."""
    nn = lib.nn
    net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(8, 8, 3, stride=2, padding=1))
    net.add_module("final_conv", nn.Conv2d(8, _NUM_CLASSES, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(_NUM_CLASSES, _NUM_CLASSES,
                                                        kernel_size=8, padding=2, stride=4))
    return net


def test_fcn_trained_with_train_ch13_like_torch(d2l_pair, capsys):
    rng = np.random.default_rng(0)
    images = rng.normal(size=(10, 3, 16, 24)).astype(np.float32)
    labels = rng.integers(0, _NUM_CLASSES, (10, 16, 24))
    nets = []
    for lib, _ in d2l_pair:
        lib.manual_seed(0)  # the same weights on every run
        nets.append(_fcn(lib))
    copy_weights(nets[0], nets[1])
    results = []
    for (lib, d2l), net in zip(d2l_pair, nets):
        F, data = lib.nn.functional, lib.utils.data

        def loss(inputs, targets):
            return F.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)

        dataset = data.TensorDataset(lib.tensor(images), lib.tensor(labels))
        train_iter = data.DataLoader(dataset, 2, shuffle=False)  # five batches: the
        test_iter = data.DataLoader(dataset, 4)  # Animator plots every num_batches // 5
        trainer = lib.optim.SGD(net.parameters(), lr=0.1, weight_decay=1e-3)
        devices = [d2l.cpu()]
        d2l.train_ch13(net, train_iter, test_iter, loss, trainer, 2, devices)
        summary = capsys.readouterr().out.splitlines()
        assert summary[0].startswith("loss ") and summary[1].endswith("on [device(type='cpu')]")

        pred = net(lib.tensor(images[:1]).to(devices[0])).argmax(dim=1)
        pred = pred.reshape(pred.shape[1], pred.shape[2])
        colormap = lib.tensor(d2l.VOC_COLORMAP, device=devices[0])
        colored = colormap[pred.long(), :]
        assert tuple(colored.shape) == (16, 24, 3) and colored.dtype == lib.int64
        accuracy = d2l.evaluate_accuracy_gpu(net, test_iter)
        results.append((summary[0], accuracy, colored, net.transpose_conv.weight,
                        net.transpose_conv.bias.grad, net[0].weight.grad))
    assert results[0][:2] == results[1][:2]
    for ours, theirs in zip(results[0][2:], results[1][2:]):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
    assert not nets[0].training  # evaluate_accuracy_gpu leaves it in eval mode
