import numpy as np
import mindspore as ms
from mindspore import nn, Tensor, Parameter
np.set_printoptions(precision=7)
g = [Tensor(np.array([[0.5, -1.0, 2.0]], np.float32)), Tensor(np.array([0.3, -0.2], np.float32))]
def run(make, steps=3):
    ps = [Parameter(Tensor(np.array([[1.0, 2.0, -3.0]], np.float32)), name="w"),
          Parameter(Tensor(np.array([0.5, -0.5], np.float32)), name="b")]
    opt = make(ps)
    for s in range(steps):
        opt(tuple(Tensor(x.asnumpy() * (s + 1)) for x in g))
    return [p.asnumpy().tolist() for p in ps]
cases = {
 "sgd": lambda ps: nn.SGD(ps, learning_rate=0.1),
 "sgd_m": lambda ps: nn.SGD(ps, learning_rate=0.1, momentum=0.9),
 "sgd_m_damp": lambda ps: nn.SGD(ps, learning_rate=0.1, momentum=0.9, dampening=0.1),
 "sgd_nest_wd": lambda ps: nn.SGD(ps, learning_rate=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
 "momentum": lambda ps: nn.Momentum(ps, learning_rate=0.1, momentum=0.9),
 "momentum_wd_nest": lambda ps: nn.Momentum(ps, learning_rate=0.1, momentum=0.9, weight_decay=0.05, use_nesterov=True),
 "adam": lambda ps: nn.Adam(ps, learning_rate=0.1),
 "adam_wd": lambda ps: nn.Adam(ps, learning_rate=0.1, weight_decay=0.1),
 "adamw": lambda ps: nn.AdamWeightDecay(ps, learning_rate=0.1, weight_decay=0.1),
 "groups": lambda ps: nn.Momentum([{'params': [ps[0]], 'weight_decay': 0.1, 'lr': 0.05}, {'params': [ps[1]]}], learning_rate=0.1, momentum=0.9),
 "lr_list": lambda ps: nn.SGD(ps, learning_rate=nn.piecewise_constant_lr([1, 2, 3], [0.1, 0.05, 0.01])),
 "exp_lr": lambda ps: nn.Momentum(ps, learning_rate=nn.exponential_decay_lr(0.1, 0.9, 3, 1, 1), momentum=0.9),
}
out = {k: run(f) for k, f in cases.items()}
print(repr(out))
print(nn.piecewise_constant_lr([2, 5], [0.1, 0.05]))
print(nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1))
print(nn.exponential_decay_lr(0.1, 0.9, 6, 2, 2, True))
