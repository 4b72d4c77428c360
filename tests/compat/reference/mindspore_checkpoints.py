import numpy as np, os
import mindspore as ms
from mindspore import nn, Tensor, Parameter
net = nn.SequentialCell([nn.Dense(3, 2), nn.ReLU(), nn.Dense(2, 1)])
path = "/tmp/msref/net.ckpt"
ms.save_checkpoint(net, path, append_dict={"epoch": 3, "lr": 0.5, "global_step": Tensor(np.array([7], np.int32))})
d = ms.load_checkpoint(path)
for k, v in d.items(): print(k, type(v).__name__, v.dtype, v.shape)
print(ms.load_param_into_net(net, d))
d2 = {"0.weight": Parameter(Tensor(np.ones((2, 3), np.int64)), name="0.weight")}
try:
    print(ms.load_param_into_net(net, d2))
except Exception as e: print(type(e).__name__, e)
print(net[0].weight.asnumpy().dtype, net[0].weight.asnumpy()[0])
d3 = {"0.weight": Parameter(Tensor(np.ones((3, 3), np.float32)), name="0.weight")}
try:
    print(ms.load_param_into_net(net, d3))
except Exception as e: print(type(e).__name__, str(e)[:300])
d4 = {"0.weight": Parameter(Tensor(np.ones((2, 3), np.float64)), name="0.weight")}
try:
    print(ms.load_param_into_net(net, d4))
except Exception as e: print(type(e).__name__, str(e)[:300])
ms.save_checkpoint([{"name": "a", "data": Tensor(np.arange(3, dtype=np.float32))}, {"name": "n", "data": Tensor(np.array([2], np.int64))}], "/tmp/msref/list.ckpt")
print(ms.load_checkpoint("/tmp/msref/list.ckpt"))
print(ms.load_param_into_net(net, {}, strict_load=True))
