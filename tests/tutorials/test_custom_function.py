"""The "learning PyTorch with examples" polynomial fit with a custom autograd.Function, and
the ctx API of torch's "extending autograd" notes: save_for_backward, saved_tensors,
needs_input_grad, mark_dirty, mark_non_differentiable, once_differentiable; the same code
runs on bricks and on torch."""

import math

import numpy as np
import pytest
import torch

import bricks


def _legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    return LegendrePolynomial3


def _fit(lib, steps=300):
    dtype = lib.float64
    x = lib.linspace(-math.pi, math.pi, 200, dtype=dtype)
    y = lib.sin(x)
    a = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    b = lib.full((), -1.0, dtype=dtype, requires_grad=True)
    c = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    d = lib.full((), 0.3, dtype=dtype, requires_grad=True)
    P3 = _legendre(lib).apply
    losses = []
    for _ in range(steps):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    return losses, [p.item() for p in (a, b, c, d)], y_pred


def test_polynomial_fit_with_a_custom_function_matches_torch():
    b_losses, b_params, b_pred = _fit(bricks)
    t_losses, t_params, t_pred = _fit(torch)
    np.testing.assert_allclose(b_losses, t_losses, rtol=1e-10)
    np.testing.assert_allclose(b_params, t_params, rtol=1e-10, atol=1e-12)
    assert b_losses[-1] < 0.6 * b_losses[0]
    assert b_pred.grad_fn.name() == t_pred.grad_fn.name() == "AddBackward0"


def test_grad_fn_of_a_custom_function_is_named_after_it():
    for lib in (bricks, torch):
        x = lib.tensor([0.5, -0.25], requires_grad=True)
        y = _legendre(lib).apply(x)
        assert type(y.grad_fn).__name__ == "LegendrePolynomial3Backward"
        assert "grad_fn=<LegendrePolynomial3Backward>" in repr(y)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.sum().backward()


def _scaled(lib, seen):
    class Scaled(lib.autograd.Function):
        """y = x * w * k; records needs_input_grad; k is a plain number."""

        @staticmethod
        def forward(ctx, x, w, k):
            seen.append(ctx.needs_input_grad)
            ctx.k = k
            ctx.save_for_backward(x, w)
            return x * w * k

        @staticmethod
        def backward(ctx, grad_output):
            x, w = ctx.saved_tensors
            grad_x = grad_w = None
            if ctx.needs_input_grad[0]:
                grad_x = grad_output * w * ctx.k
            if ctx.needs_input_grad[1]:
                grad_w = (grad_output * x * ctx.k).sum(0)
            return grad_x, grad_w, None

    return Scaled


def test_needs_input_grad_and_non_tensor_arguments_like_torch():
    x0 = np.arange(6.0).reshape(3, 2)
    results = []
    for lib in (bricks, torch):
        seen = []
        x = lib.tensor(x0)
        w = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        out = _scaled(lib, seen).apply(x, w, 3)
        out.sum().backward()
        assert x.grad is None
        results.append((seen, out.detach().numpy(), w.grad.numpy()))
    assert results[0][0] == results[1][0] == [(False, True, False)]
    np.testing.assert_allclose(results[0][1], results[1][1])
    np.testing.assert_allclose(results[0][2], results[1][2])


def test_wrong_number_of_gradients_raises_like_torch():
    for lib in (bricks, torch):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x + y

            @staticmethod
            def backward(ctx, g):
                return g

        out = Bad.apply(lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True))
        with pytest.raises(RuntimeError, match="returned an incorrect number of gradients "
                                               r"\(expected 2, got 1\)"):
            out.sum().backward()


def _inplace(lib):
    class AddOneInplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad_output):
            return grad_output

    return AddOneInplace


def test_mark_dirty_counts_the_change_and_moves_the_grad_fn():
    for lib in (bricks, torch):
        a = lib.tensor(2.0, dtype=lib.float64, requires_grad=True).clone()
        b = a * a  # saves a
        out = _inplace(lib).apply(a)
        assert out is a and a.item() == 3.0
        assert type(a.grad_fn).__name__ == "AddOneInplaceBackward"
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.backward()
        c = lib.tensor(2.0, dtype=lib.float64, requires_grad=True).clone()
        (_inplace(lib).apply(c) * 2).backward()  # the gradient flows through the node


def _sort(lib):
    class Sort(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.sort()
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(indices)
            return values, indices

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, grad_values, grad_indices):
            indices, = ctx.saved_tensors
            grad_input = lib.zeros_like(grad_values)
            grad_input[indices] = grad_values
            return grad_input

    return Sort


def test_mark_non_differentiable_outputs_get_no_grad_fn():
    grads = []
    for lib in (bricks, torch):
        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        values, indices = _sort(lib).apply(x)
        assert values.requires_grad and not indices.requires_grad
        assert indices.tolist() == [1, 2, 0]
        (values * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [100.0, 1.0, 10.0]


def test_two_differentiable_outputs_both_send_gradient():
    for lib in (bricks, torch):
        class SplitScale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g2, g3):
                return g2 * 2 + g3 * 3

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        double, triple = SplitScale.apply(x)
        (double.sum() + 10 * triple.sum()).backward()
        assert x.grad.tolist() == [32.0, 32.0]
        y = lib.tensor([1.0], requires_grad=True)
        SplitScale.apply(y)[1].sum().backward()  # the unused output's gradient is zeros
        assert y.grad.tolist() == [3.0]
