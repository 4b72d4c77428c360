"""The preliminaries chapter, written anew: data manipulation, linear algebra, calculus,
automatic differentiation and probability, run on bricks and on torch."""

import numpy as np
import pytest


def _compare(d2l_pair, chapter):
    ours, theirs = (chapter(lib) for lib, _ in d2l_pair)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if hasattr(b, "numpy"):
            assert a.shape == b.shape and str(a.dtype)[7:] == str(b.dtype)[6:]
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
        else:
            assert a == b


def test_data_manipulation(d2l_pair):
    def chapter(torch):
        x = torch.arange(12, dtype=torch.float32)
        X = x.reshape(3, -1)
        Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
        before = id(Y)
        Y = Y + X
        moved = id(Y) != before
        Z = torch.zeros_like(Y)
        z_id = id(Z)
        Z[:] = X + Y
        before = id(X)
        X += Y
        a = torch.arange(3).reshape((3, 1))
        b = torch.arange(2).reshape((1, 2))
        A = X.numpy()
        B = torch.from_numpy(A)
        return [x.numel(), X.shape, torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1),
                X == Y, X.sum(), a + b, X[-1], X[1:3], moved, id(Z) == z_id,
                id(X) == before, type(A).__name__, torch.tensor([3.5]).item(),
                float(torch.tensor([3.5])), int(torch.tensor([3.5])), B.sum(), X[1, 2],
                torch.exp(x), torch.ones((2, 3, 4)).shape, torch.randn(3, 4).shape]

    _compare(d2l_pair, chapter)


def test_linear_algebra(d2l_pair):
    def chapter(torch):
        A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
        B = A.clone()
        x = torch.arange(3, dtype=torch.float32)
        y = torch.ones(3, dtype=torch.float32)
        u = torch.tensor([3.0, -4.0])
        return [A.T, A + B, A * B, 2 + A, (2 * A).shape, A.sum(axis=0), A.sum(axis=[0, 1]),
                A.mean(), A.sum() / A.numel(), A.mean(axis=0), A.sum(axis=1, keepdims=True),
                A / A.sum(axis=1, keepdims=True), A.cumsum(axis=0), torch.dot(x, y),
                torch.sum(x * y), torch.mv(A, x), A @ x, torch.mm(A, torch.ones(3, 4)),
                A @ torch.ones(3, 4), torch.norm(u), torch.abs(u).sum(),
                torch.norm(torch.ones((4, 9))), len(A), A.shape == A.T.T.shape]

    _compare(d2l_pair, chapter)


def test_calculus_numerical_limit_and_plot(d2l_pair):
    def chapter(torch, d2l):
        def f(x):
            return 3 * x ** 2 - 4 * x

        limits = [round((f(1 + h) - f(1)) / h, 5) for h in 10.0 ** np.arange(-1, -6, -1)]
        x = d2l.arange(0, 3, 0.1)
        d2l.plot(x, [f(x), 2 * x - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"])
        return limits

    (lib, d2l), (torch, d2l_t) = d2l_pair
    assert chapter(lib, d2l) == chapter(torch, d2l_t)


def test_automatic_differentiation(d2l_pair):
    def chapter(torch):
        x = torch.arange(4.0)
        x.requires_grad_(True)
        y = 2 * torch.dot(x, x)
        y.backward()
        first = x.grad.clone()
        x.grad.zero_()
        y = x.sum()
        y.backward()
        ones = x.grad.clone()
        x.grad.zero_()
        y = x * x
        y.backward(gradient=torch.ones(len(y)))
        vector = x.grad.clone()
        x.grad.zero_()
        y = x * x
        u = y.detach()
        z = u * x
        z.sum().backward()
        detached = x.grad == u
        x.grad.zero_()
        y.sum().backward()

        def f(a):
            b = a * 2
            while b.norm() < 1000:
                b = b * 2
            if b.sum() > 0:
                c = b
            else:
                c = 100 * b
            return c

        a = torch.tensor(0.75, requires_grad=True)
        d = f(a)
        d.backward()
        return [first, ones, vector, detached, x.grad, a.grad == d / a, y.requires_grad,
                u.requires_grad]

    _compare(d2l_pair, chapter)


def test_probability_with_distributions(d2l_pair):
    def chapter(torch):
        torch.manual_seed(0)
        fair_probs = torch.ones(6) / 6
        counts = torch.distributions.multinomial.Multinomial(1000, fair_probs).sample()
        frequencies = counts / 1000
        normal = torch.distributions.Normal(torch.tensor(0.0), torch.tensor(1.0))
        return counts.sum(), frequencies.shape, normal.log_prob(torch.tensor(0.5)), \
            float((frequencies - 1 / 6).abs().max()) < 0.05

    ours, theirs = (chapter(lib) for lib, _ in d2l_pair)
    assert float(ours[0]) == float(theirs[0]) == 1000.0
    assert tuple(ours[1]) == tuple(theirs[1]) == (6,)
    assert float(ours[2]) == pytest.approx(float(theirs[2]), rel=1e-6)
    assert ours[3] and theirs[3]
