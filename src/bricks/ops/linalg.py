"""Matrix products: matmul (batched and broadcast), mm, bmm, addmm."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .._tensor import Tensor
from ..autograd.function import Function, rename, unbroadcast
from .elementwise import _operands, mul

__all__ = ["matmul", "mm", "bmm", "addmm", "dot", "outer", "linear"]


def _shape_text(shape: tuple) -> str:
    return "x".join(str(n) for n in shape)


class MatMul(Function):
    saves = (0, 1)
    saves_for = (1, 0)

    def forward(self, a, b):
        self.a, self.b = a, b
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                               f"{a.ndim}D and {b.ndim}D")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text(a.shape)} and {_shape_text(b.shape)})")
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(f"matmul: the batch dimensions of shapes {tuple(a.shape)} and "
                               f"{tuple(b.shape)} do not broadcast") from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = gy
        if a.ndim == 1 or b.ndim == 1:
            # Give the gradient back the matrix dimensions that 1-D operands dropped.
            batch = gy.shape[:gy.ndim - (a.ndim > 1) - (b.ndim > 1)]
            g = gy.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        ga = gb = None
        if na:
            ga = unbroadcast(g @ xp.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape) \
                if a2.ndim > 2 or g.ndim > 2 else (g @ b2.T).reshape(a.shape)
        if nb:
            gb = unbroadcast(xp.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape) \
                if b2.ndim > 2 or g.ndim > 2 else (a2.T @ g).reshape(b.shape)
        return ga, gb

    def _name(self) -> str:
        # The node PyTorch's matmul ends with, by the dimensions of its operands.
        key = (self.a.ndim, self.b.ndim)
        if key in _MATMUL_NAMES:
            return _MATMUL_NAMES[key]
        return "CloneBackward0" if key[0] == 2 else "UnsafeViewBackward0"


_MATMUL_NAMES = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
                 (2, 2): "MmBackward0"}


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, batched and broadcast over leading dimensions."""
    a, b = _operands(input, other)
    return MatMul.apply(a, b)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices.

    Raises:
        RuntimeError: if either is not 2-D or the inner sizes differ.
    """
    for name, t in (("self", input), ("mat2", mat2)):
        if t._value.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._value.ndim}-D")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of two 3-D tensors (b, n, m) @ (b, m, p)."""
    if input._value.ndim != 3 or mat2._value.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor, got {input._value.ndim}D and "
                           f"{mat2._value.ndim}D")
    if input._value.shape[0] != mat2._value.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{input._value.shape[0]} and {mat2._value.shape[0]}")
    return rename(matmul(input, mat2), "BmmBackward0")


def dot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-D tensors."""
    return matmul(input, other)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors."""
    return mul(input.reshape(-1, 1), vec2)


class Addmm(Function):
    # A primitive for speed: the bias is added in place into the fresh product.
    saves = (1, 2)
    saves_for = (2, 1)

    def forward(self, bias, a, w_t, beta, alpha):
        self.a, self.w_t, self.bias_shape, self.alpha = a, w_t, bias.shape, alpha
        if a.shape[-1] != w_t.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text(a.shape)} and {_shape_text(w_t.shape)})")
        y = a @ w_t
        if alpha != 1:
            y *= alpha
        y += bias if beta == 1 else beta * bias
        self.beta = beta
        return y

    def backward(self, gy):
        nb, na, nw = self.needs_input_grad
        gb = unbroadcast(gy * self.beta if self.beta != 1 else gy, self.bias_shape) if nb else None
        ga = gy @ self.w_t.T * self.alpha if na else None
        gw = self.a.T @ gy * self.alpha if nw else None
        return gb, ga, gw


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices."""
    return Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)


class Linear(Function):
    # A primitive for speed: uses the (out, in) weight as x @ W.T with no copy, adds the bias
    # in place, and computes no gradient an input does not need.
    saves = (0, 1)
    saves_for = (1, 0)

    def forward(self, x, w, b):
        self.x, self.w = x, w
        try:
            y = x @ w.T
        except ValueError:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text((-1, x.shape[-1]) if x.ndim > 2 else x.shape)} "
                               f"and {_shape_text(w.T.shape)})") from None
        if b is not None:
            y += b
        self.has_bias = b is not None
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad
        x = self.x
        gx = gy @ self.w if nx else None
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
            gy = gy.reshape(-1, gy.shape[-1])
        gw = gy.T @ x if nw else None
        gb = gy.sum(axis=0) if nb else None
        return gx, gw, gb

    def _name(self) -> str:
        return _LINEAR_NAMES[min(self.x.ndim, 3), self.has_bias]


# The node PyTorch's F.linear ends with, by input dimensions and bias.
_LINEAR_NAMES = {(1, True): "ViewBackward0", (1, False): "SqueezeBackward4",
                 (2, True): "AddmmBackward0", (2, False): "MmBackward0",
                 (3, True): "ViewBackward0", (3, False): "UnsafeViewBackward0"}


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for input (*, in_features) and weight (out, in_features).

    Raises:
        RuntimeError: if the last dimension of ``input`` is not ``in_features``.
    """
    if input._value.dtype != weight._value.dtype:
        input, weight = _operands(input, weight)
    return Linear.apply(input, weight, bias)
