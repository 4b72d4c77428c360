"""The beginner tutorial's tensors page, written anew: creation, attributes, indexing,
joining, arithmetic with ``out=``, in-place ops and the NumPy bridge; the same code on bricks
and on torch."""

import numpy as np
import pytest
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


def test_tensors_tutorial():
    def tutorial(torch):
        data = [[1, 2], [3, 4]]
        x_data = torch.tensor(data)
        np_array = np.array(data)
        x_np = torch.from_numpy(np_array)
        x_ones = torch.ones_like(x_data)
        x_rand = torch.rand_like(x_data, dtype=torch.float)
        shape = (2, 3)
        tensor = torch.ones(4, 4)
        tensor[:, 1] = 0
        t1 = torch.cat([tensor, tensor, tensor], dim=1)
        y1 = tensor @ tensor.T
        y2 = tensor.matmul(tensor.T)
        y3 = torch.rand_like(y1)
        returned = torch.matmul(tensor, tensor.T, out=y3)
        z1 = tensor * tensor
        z2 = tensor.mul(tensor)
        z3 = torch.rand_like(tensor)
        torch.mul(tensor, tensor, out=z3)
        s = torch.empty(4, 4)
        torch.add(tensor, 1, out=s)
        agg = tensor.sum()
        agg_item = agg.item()
        tensor.add_(5)
        t = torch.ones(5)
        n = t.numpy()
        t.add_(1)
        n2 = np.ones(5)
        t2 = torch.from_numpy(n2)
        np.add(n2, 1, out=n2)
        return [x_data, x_np, x_ones, x_rand.shape, torch.rand(shape).shape,
                torch.zeros(shape), tensor.dtype == torch.float32, str(tensor.device),
                tensor[0], tensor[:, 0], tensor[..., -1], t1, y1, y2, y3, returned is y3,
                z1, z2, z3, s, agg_item, type(agg_item).__name__, tensor, n.tolist(),
                t2.tolist(), torch.is_tensor(t2)]

    _same(tutorial(bricks), tutorial(torch))


def test_out_argument_resizes_like_torch_and_refuses_a_grad_tensor():
    for lib in (bricks, torch):
        out = lib.empty(0)
        lib.add(lib.ones(2, 3), lib.ones(2, 3), out=out)
        assert tuple(out.shape) == (2, 3) and out.sum().item() == 12
        cat = lib.empty(0)
        assert lib.cat([lib.ones(2), lib.zeros(1)], out=cat) is cat
        assert cat.tolist() == [1.0, 1.0, 0.0]
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out=.* don't support automatic "
                                               "differentiation"):
            lib.mul(w, 2, out=lib.empty(2))
