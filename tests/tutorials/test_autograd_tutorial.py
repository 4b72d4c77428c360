"""The beginner tutorial's autograd page, written anew: requires_grad_, detach, no_grad,
grad_fn and next_functions, the Variable alias, Jacobian-vector products through
backward(gradient); the same code on bricks and on torch."""

import numpy as np
import torch

import bricks


def _same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, bricks.Tensor) and tuple(a.shape) == tuple(b.shape)
            assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
        else:
            assert a == b


def test_autograd_tutorial():
    def tutorial(torch):
        x = torch.ones(5)
        y = torch.zeros(3)
        w = torch.tensor(np.linspace(-1, 1, 15).reshape(5, 3).astype(np.float32),
                         requires_grad=True)
        b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
        z = torch.matmul(x, w) + b
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss_node = loss.grad_fn
        parents = [None if f is None else f.name() for f, _ in z.grad_fn.next_functions]
        loss.backward()
        with torch.no_grad():
            z_free = torch.matmul(x, w) + b
        z_det = z.detach()
        inp = torch.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        first = inp.grad.clone()
        out.backward(torch.ones_like(out))
        second = inp.grad.clone()
        inp.grad.zero_()
        out = (inp + 1).pow(2).t()
        out.backward(torch.ones_like(out), retain_graph=True)
        v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
        (v * 3).sum().backward()
        a = torch.randn(2, 2)
        a = (a * 3) / (a - 1)
        before = a.requires_grad
        a.requires_grad_(True)
        return [loss_node.name(), parents, w.grad, b.grad, z.requires_grad,
                z_free.requires_grad, z_det.requires_grad, first, second, inp.grad, v.grad,
                isinstance(v, torch.Tensor), before, a.requires_grad,
                ((a * a).sum()).grad_fn.name()]

    ours, theirs = tutorial(bricks), tutorial(torch)
    assert ours[0] == theirs[0] == "BinaryCrossEntropyWithLogitsBackward0"
    _same(ours[1:], theirs[1:])


def test_next_functions_walk_back_to_the_leaves():
    names = []
    for lib in (bricks, torch):
        w = lib.ones(3, requires_grad=True)
        y = (w * 2).sum()
        add_node = y.grad_fn
        (mul_node, _), = add_node.next_functions
        (accumulate, _), (nothing, _) = mul_node.next_functions
        names.append((add_node.name(), mul_node.name(), type(accumulate).__name__,
                      accumulate.variable is w, nothing))
    assert names[0] == names[1] == ("SumBackward0", "MulBackward0", "AccumulateGrad", True,
                                    None)
