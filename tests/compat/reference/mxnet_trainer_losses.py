import numpy as onp
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

x = nd.array(onp.arange(12, dtype=onp.float32).reshape(4, 3) / 10)
y = nd.array(onp.array([[1.0], [0.0], [2.0], [-1.0]], dtype=onp.float32))
for opt, params in [("sgd", {"learning_rate": 0.1, "wd": 0.05}),
                    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05}),
                    ("adam", {"learning_rate": 0.01, "wd": 0.05})]:
    net = nn.Dense(1, in_units=3)
    net.initialize(init.Constant(0.3))
    net.weight.lr_mult = 0.5
    net.collect_params(".*bias").setattr("wd_mult", 0.0)
    net.collect_params(".*bias").setattr("lr_mult", 2.0)
    trainer = gluon.Trainer(net.collect_params(), opt, params)
    for step in range(3):
        with autograd.record():
            loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        trainer.step(4)
    print(opt, net.weight.data().asnumpy().round(6).tolist(),
          net.bias.data().asnumpy().round(6).tolist())
pred = nd.array([[0.5, -1.0], [2.0, 0.1], [-0.3, 3.0]])
label = nd.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
for loss in [gluon.loss.SigmoidBinaryCrossEntropyLoss(),
             gluon.loss.SigmoidBinaryCrossEntropyLoss(from_sigmoid=True),
             gluon.loss.HuberLoss(), gluon.loss.HuberLoss(rho=0.5),
             gluon.loss.HingeLoss(), gluon.loss.SquaredHingeLoss(),
             gluon.loss.LogisticLoss(), gluon.loss.KLDivLoss(),
             gluon.loss.L1Loss(), gluon.loss.L2Loss()]:
    p = pred.sigmoid() if getattr(loss, "_from_sigmoid", False) else pred
    print(type(loss).__name__, loss(p, label).asnumpy().round(6).tolist())
