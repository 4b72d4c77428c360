"""Seed 003 (layers and blocks, parameters, custom layers, files), block by block."""

import numpy as np
import pytest

import bricks
from _seedrun import namespace, normalize, run, sync, to_bricks, torch_namespace

MLP = """
import torch
from torch import nn
from torch.nn import functional as F

class MLP(nn.Module):
    # 模型参数声明层
    def __init__(self):
        # 调用MLP的父类Module的构造函数来执行必要的初始化。
        super().__init__()
        self.hidden = nn.Linear(20, 256)  # 隐藏层
        self.out = nn.Linear(256, 10)  # 输出层

    # 定义模型的前向传播
    def forward(self, X):
        # 注意,这里使用ReLU的函数版本,其在nn.functional模块中定义。
        return self.out(F.relu(self.hidden(X)))

X = torch.rand(2, 20)
net= MLP()
net(X)
"""

MY_SEQUENTIAL = """
class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            # 变量_modules中module的类型是OrderedDict
            self._modules[str(idx)] = module

    def forward(self, X):
        # OrderedDict保证了按照成员添加的顺序遍历它们
        for block in self._modules.values():
            X = block(X)
        return X

net = MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
net(X)
"""

FIXED_HIDDEN = """
import torch
from torch import nn
from torch.nn import functional as F

class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        # 不计算梯度的随机权重参数。因此其在训练期间保持不变
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        # 使用创建的常量参数以及relu和mm函数
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        # 复用全连接层。这相当于两个全连接层共享参数
        X = self.linear(X)
        # 控制流,在L1范数大于1的条件下,将输出向量除2
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()

net = FixedHiddenMLP()
net(X)
"""

NEST_MLP = """
import torch
from torch import nn

class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))

net = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
net(X)
"""


@pytest.fixture
def both():
    ours, theirs = namespace(), torch_namespace()
    run(MLP, theirs)
    _, value = run(MLP, ours)
    assert value.shape == bricks.Size([2, 10])
    ours["X"] = to_bricks(theirs["X"])
    return ours, theirs


def same(code, ours, theirs):
    out, value = run(code, ours)
    tout, tvalue = run(code, theirs)
    assert normalize(out) == tout
    assert normalize(repr(value)) == repr(tvalue)
    return out, value


def test_custom_block_matches_torch_with_the_same_weights(both):
    ours, theirs = both
    sync(ours["net"], theirs["net"])
    _, value = run("net(X)", ours)
    np.testing.assert_allclose(value.detach().numpy(),
                               run("net(X)", theirs)[1].detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours["net"]) == repr(theirs["net"])


def test_my_sequential_fills_modules_directly(both):
    ours, theirs = both
    _, value = run(MY_SEQUENTIAL, ours)
    run(MY_SEQUENTIAL, theirs)
    assert value.shape == bricks.Size([2, 10])
    assert repr(ours["net"]) == repr(theirs["net"])
    assert [n for n, _ in ours["net"].named_parameters()] == \
        [n for n, _ in theirs["net"].named_parameters()]


def test_fixed_hidden_mlp_keeps_the_random_weight_out_of_the_parameters(both):
    ours, theirs = both
    _, value = run(FIXED_HIDDEN, ours)
    run(FIXED_HIDDEN, theirs)
    assert value.shape == bricks.Size([]) and abs(float(value)) <= 1
    assert [n for n, _ in ours["net"].named_parameters()] == ["linear.weight", "linear.bias"]
    sync(ours["net"], theirs["net"])
    ours["net"].rand_weight = to_bricks(theirs["net"].rand_weight)
    np.testing.assert_allclose(run("net(X)", ours)[1].item(), run("net(X)", theirs)[1].item(),
                               rtol=1e-4)


def test_nested_mix_of_blocks(both):
    ours, theirs = both
    run(FIXED_HIDDEN, ours)
    run(FIXED_HIDDEN, theirs)
    _, value = run(NEST_MLP, ours)
    run(NEST_MLP, theirs)
    assert value.shape == bricks.Size([])
    assert repr(ours["net"]) == repr(theirs["net"])
    assert list(ours["net"].state_dict()) == list(theirs["net"].state_dict())


PARAMS = """
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
net(X)
"""


def test_parameter_management_blocks():
    ours, theirs = namespace(), torch_namespace()
    run(PARAMS, ours)
    run(PARAMS, theirs)
    sync(ours["net"], theirs["net"])
    same("""
# print(net[0].state_dict())
# ReLU层没有参数
print(net[2].state_dict())#访问第二个全连接层(即第三个神经网络层)的参数

print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)

# 在上面这个网络中,由于还没有调用反向传播,所以参数的梯度处于初始状态。
net[2].weight.grad == None #返回True
""", ours, theirs)
    out, _ = run("""
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])
""", ours)
    assert normalize(out) == (
        "('weight', torch.Size([8, 4])) ('bias', torch.Size([8]))\n"
        "('0.weight', torch.Size([8, 4])) ('0.bias', torch.Size([8])) "
        "('2.weight', torch.Size([1, 8])) ('2.bias', torch.Size([1]))\n")
    same("net.state_dict()['2.bias'].data", ours, theirs)
    out, value = run("""
def xavier(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
def init_42(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 42)

net[0].apply(xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
""", ours)
    assert out.splitlines()[-1] == "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])"


def test_centered_layer():
    ns = namespace()
    _, value = run("""
import torch
import torch.nn.functional as F
from torch import nn

class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()

layer = CenteredLayer()
layer(torch.FloatTensor([1, 2, 3, 4, 5]))
""", ns)
    assert repr(value) == "tensor([-2., -1.,  0.,  1.,  2.])"
    _, mean = run("""
net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
Y = net(torch.rand(4, 8))
Y.mean()# 输出非常小的非零数。
""", ns)
    assert abs(float(mean)) < 1e-5


def test_layer_with_parameters():
    ns = namespace()
    out, value = run("""
import torch
import torch.nn.functional as F
from torch import nn

class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))
    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)
linear = MyLinear(5, 3)
print(linear.weight)
linear(torch.rand(2, 5))
""", ns)
    assert out.startswith("Parameter containing:\ntensor([[") and "requires_grad=True" in out
    assert value.shape == bricks.Size([2, 3]) and bool((value >= 0).all())
    assert not value.requires_grad  # the seed reads .data: no graph, as in torch
    _, value = run("""
net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
net(torch.rand(2, 64))
""", ns)
    assert value.shape == bricks.Size([2, 1])
    assert [n for n, _ in ns["net"].named_parameters()] == ["0.weight", "0.bias", "1.weight",
                                                            "1.bias"]


def test_files_tensors_lists_and_dicts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns = namespace()
    _, value = run("""
import torch
from torch import nn
from torch.nn import functional as F

x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
x2
""", ns)
    assert repr(value) == "tensor([0, 1, 2, 3])"
    _, value = run("""
y = torch.zeros(4)
torch.save([x, y],'x-files')
x2, y2 = torch.load('x-files')
(x2, y2)
""", ns)
    assert repr(value) == "(tensor([0, 1, 2, 3]), tensor([0., 0., 0., 0.]))"
    _, value = run("""
mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
mydict2
""", ns)
    assert repr(value) == "{'x': tensor([0, 1, 2, 3]), 'y': tensor([0., 0., 0., 0.])}"


def test_files_model_parameters_clone_gives_the_same_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns = namespace()
    run("""
import torch
from torch import nn
from torch.nn import functional as F

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)
""", ns)
    run("torch.save(net.state_dict(), 'mlp.params')", ns)
    _, value = run("""
clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()
""", ns)
    assert repr(value) == ("MLP(\n  (hidden): Linear(in_features=20, out_features=256, bias=True)"
                           "\n  (output): Linear(in_features=256, out_features=10, bias=True)\n)")
    _, value = run("clone(X) == Y", ns)
    assert value.shape == bricks.Size([2, 10]) and bool(value.all())
