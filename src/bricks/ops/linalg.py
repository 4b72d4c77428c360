"""Matrix products: matmul (batched and broadcast), mm, bmm, addmm, linear, einsum."""

from __future__ import annotations

from typing import Any

from .._device import array_module, xp
from .._autocast import lower_precision
from .._dtypes import scalar_type_name
from .._threads import fit_product
from .._tensor import Tensor
from ..autograd.function import Function, rename, unbroadcast
from .._shapes import shape_text
from ._einsum_equation import Equation, label_sizes, parse
from .elementwise import _operands, mul
from .shape import strided_view

__all__ = ["matmul", "mm", "bmm", "addmm", "dot", "outer", "linear", "einsum"]


def _shape_text(shape: tuple) -> str:
    return shape_text(shape, "x")  # PyTorch writes matrix shapes as 2x3 in these errors


def _rows(a: Any) -> int:
    """The rows of each matrix in ``a`` (1 for a vector)."""
    return a.shape[-2] if a.ndim > 1 else 1


def _work(a: Any, b: Any) -> int:
    """m*k*n of each matrix product in ``a @ b``: how many threads it deserves (fit_product)."""
    return _rows(a) * a.shape[-1] * (b.shape[-1] if b.ndim > 1 else 1)


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
        fit_product(_work(a, b))
        try:
            return a @ b
        except ValueError:
            raise RuntimeError(f"matmul: the batch dimensions of shapes {tuple(a.shape)} and "
                               f"{tuple(b.shape)} do not broadcast") from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        fit_product(_work(a, b))  # each gradient's product has the forward's m*k*n
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


@lower_precision
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product, batched and broadcast over leading dimensions.

    Raises:
        RuntimeError: if the operands' dtypes differ (PyTorch does not promote here), or
            their shapes do not multiply.
    """
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        _check_same_dtype(input, other)
        return MatMul.apply(input, other)
    a, b = _operands(input, other)
    return MatMul.apply(a, b)


# PyTorch's C++ names of the dtypes, as its matmul errors print them.
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
              "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_same_dtype(a: Tensor, b: Tensor) -> None:
    da, db = a._value.dtype, b._value.dtype
    if da == db:
        return
    if a._value.ndim == 1 and b._value.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_SCALAR_NAMES.get(da.name, da.name)} and "
                           f"{_SCALAR_NAMES.get(db.name, db.name)}")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                       f"{_CPP_NAMES.get(da.name, da.name)} != {_CPP_NAMES.get(db.name, db.name)}")


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices.

    Raises:
        RuntimeError: if either is not 2-D or the inner sizes differ.
    """
    for name, t in (("self", input), ("mat2", mat2)):
        if t._value.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._value.ndim}-D")
    return matmul(input, mat2)


@lower_precision
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of two 3-D tensors (b, n, m) @ (b, m, p)."""
    if input._value.ndim != 3 or mat2._value.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor, got {input._value.ndim}D and "
                           f"{mat2._value.ndim}D")
    if input._value.dtype != mat2._value.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES.get(input._value.dtype.name)} "
                           f"but found {_SCALAR_NAMES.get(mat2._value.dtype.name)}")
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
        fit_product(_work(a, w_t))
        y = a @ w_t
        if alpha != 1:
            y *= alpha
        y += bias if beta == 1 else beta * bias
        self.beta = beta
        return y

    def backward(self, gy):
        nb, na, nw = self.needs_input_grad
        fit_product(_work(self.a, self.w_t))
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

    def forward(self, x, w, b, out=None):
        self.x, self.w = x, w
        # m*k*n of each product, forward's and the gradients' alike: backward reuses it
        self.work = _rows(x) * w.size
        fit_product(self.work)
        try:
            y = x @ w.T if out is None else _matmul_into(x, w.T, out)
        except ValueError:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text((-1, x.shape[-1]) if x.ndim > 2 else x.shape)} "
                               f"and {_shape_text(w.T.shape)})") from None
        if b is not None:
            y += b
        self.has_bias = b is not None
        return y

    def backward(self, gy, out=(None, None, None)):
        nx, nw, nb = self.needs_input_grad
        x = self.x
        fit_product(self.work)
        gx = (gy @ self.w if out[0] is None else _matmul_into(gy, self.w, out[0])) if nx else None
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
            gy = gy.reshape(-1, gy.shape[-1])
            fit_product(x.shape[0] * self.w.size)  # the batch is one product here
        gw = (gy.T @ x if out[1] is None else _matmul_into(gy.T, x, out[1])) if nw else None
        # the ufunc: .sum() wraps it (0.2 us)
        gb = xp.add.reduce(gy, axis=0, out=out[2]) if nb else None
        return gx, gw, gb

    def _name(self) -> str:
        return _LINEAR_NAMES[min(self.x.ndim, 3), self.has_bias]


def _matmul_into(a: Any, b: Any, out: Any) -> Any:
    """``a @ b`` into ``out``, a buffer planned by ``bricks.compile``; without one the callers
    write ``a @ b`` themselves (a call less per product in eager mode).

    Matrices go through ``dot``: the same BLAS product at half the cost of ``matmul``'s on
    small ones (0.43 against 0.86 us on 2x8 by 8x4).
    """
    if a.ndim == 2 == b.ndim:
        return xp.dot(a, b, out=out)
    return xp.matmul(a, b, out=out)


# The node PyTorch's F.linear ends with, by input dimensions and bias.
_LINEAR_NAMES = {(1, True): "ViewBackward0", (1, False): "SqueezeBackward4",
                 (2, True): "AddmmBackward0", (2, False): "MmBackward0",
                 (3, True): "ViewBackward0", (3, False): "UnsafeViewBackward0"}


@lower_precision
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` for input (*, in_features) and weight (out, in_features).

    Raises:
        RuntimeError: if the last dimension of ``input`` is not ``in_features``, or if input
            and weight differ in dtype (PyTorch promotes neither, not even integer input).
    """
    if input._value.dtype != weight._value.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(input._value.dtype)} and "
                           f"{scalar_type_name(weight._value.dtype)}")
    return Linear.apply(input, weight, bias)


class Einsum(Function):
    """``einsum`` of one operand (diagonals, transposes, sums), by NumPy's einsum."""

    def forward(self, *arrays, equation):
        self.equation = equation
        self.shapes = [a.shape for a in arrays]
        self.sizes = label_sizes(equation.inputs, self.shapes)
        operands = [_broadcast(a, term, self.sizes) for a, term in zip(arrays, equation.inputs)]
        self.operands = operands if len(operands) > 1 else ()
        self.optimize = len(operands) > 1 and _cost(self.sizes) >= _OPTIMIZE_FROM
        if len(operands) == 1 and equation.sums and arrays[0].dtype.kind in "biu":
            return xp.einsum(equation.text, *operands, dtype=xp.int64)  # PyTorch sums to int64
        y = xp.einsum(equation.text, *operands, optimize=self.optimize)
        if len(operands) == 1 and xp.may_share_memory(y, arrays[0]):
            y = y.copy()  # NumPy returns transposes and diagonals as views
        return y

    def backward(self, gy):
        return tuple(self._gradient(k, gy) if needed else None
                     for k, needed in enumerate(self.needs_input_grad))

    def _gradient(self, k: int, gy: Any) -> Any:
        """Operand ``k``'s gradient: the einsum of ``gy`` with the other operands."""
        inputs, sizes = self.equation.inputs, self.sizes
        term = inputs[k]
        unique = "".join(dict.fromkeys(term))
        others = [j for j in range(len(inputs)) if j != k]
        known = set(self.equation.output).union(*(inputs[j] for j in others))
        kept = "".join(c for c in unique if c in known)
        text = ",".join([self.equation.output] + [inputs[j] for j in others]) + "->" + kept
        g = xp.einsum(text, gy, *[self.operands[j] for j in others], optimize=self.optimize)
        # A subscript only this operand has was summed away: each of its values got all of gy.
        g = g.reshape([sizes[c] if c in kept else 1 for c in unique])
        g = xp.broadcast_to(g, [sizes[c] for c in unique])
        if len(unique) < len(term):
            g = _on_diagonal(g, term, unique, sizes)
        return unbroadcast(g, self.shapes[k])


class EinsumView(Einsum):
    """``einsum`` of one operand that sums nothing (a transpose, a diagonal): a view of it,
    as PyTorch's (its stride along each output subscript is the sum of the input's)."""

    is_view = True

    def forward(self, x, equation):
        self.equation, self.shapes, self.operands = equation, [x.shape], ()
        self.sizes = label_sizes(equation.inputs, self.shapes)
        self.optimize = False
        return self.view_again(x)

    def view_again(self, x):
        term, output = self.equation.inputs[0], self.equation.output
        strides = [sum(x.strides[i] for i, c in enumerate(term) if c == u) for u in output]
        return strided_view(x, tuple(self.sizes[c] for c in output), tuple(strides))


class Einsum2(Einsum):
    """``einsum`` of two operands: the gradient of each reads the other."""

    saves = (0, 1)
    saves_for = (1, 0)


# optimize=True costs about 15 us of setup and then runs through BLAS; it pays from about 2**15
# multiply-adds. Measured on one core: 'ij,jk->ik' of 8x8 matrices takes 4 us plain and 21 us
# optimized, of 32x32 16 us and 18 us, of 64x64 86 us and 30 us.
_OPTIMIZE_FROM = 2**15


def _cost(sizes: dict[str, int]) -> int:
    cost = 1
    for n in sizes.values():
        cost *= n
    return cost


def _broadcast(array: Any, term: str, sizes: dict[str, int]) -> Any:
    """``array`` broadcast to the sizes of its subscripts (a size 1 meeting a larger one)."""
    shape = tuple(sizes[c] for c in term)
    return array if array.shape == shape else xp.broadcast_to(array, shape)


def _on_diagonal(g: Any, term: str, unique: str, sizes: dict[str, int]) -> Any:
    """Zeros of the shape of ``term`` with ``g`` on the diagonal its repeated subscripts name."""
    module = array_module(g)
    gx = module.zeros([sizes[c] for c in term], g.dtype)
    # The diagonal is the view whose stride along each subscript is the sum of its strides.
    strides = [sum(gx.strides[i] for i, c in enumerate(term) if c == u) for u in unique]
    module.lib.stride_tricks.as_strided(gx, g.shape, strides)[...] = g
    return gx


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum the products of the operands' values over the subscripts the equation names.

    ``'ij,jk->ik'`` is a matrix product, ``'ii'`` a trace, ``'ii->i'`` a diagonal,
    ``'...ij->...ji'`` a batched transpose; without ``->`` the output holds the subscripts
    that appear once, in alphabetical order. Sizes of 1 broadcast, as in PyTorch.

    Args:
        equation: subscripts for each operand, separated by ``,``, then ``->`` and the output
            subscripts; ``...`` stands for the remaining (broadcast) dimensions.
        *operands: the tensors, or one list of them; all of one dtype.

    Returns:
        The tensor of the output subscripts, differentiable in every operand.

    Raises:
        TypeError: if ``equation`` is not a string or an operand is not a Tensor.
        ValueError: if no operand is given.
        RuntimeError: for a malformed equation, operands that do not match it, or operands
            of different dtypes.

    Example:
        >>> import bricks
        >>> a = bricks.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> bricks.einsum("ij,jk->ik", a, a).tolist()
        [[7.0, 10.0], [15.0, 22.0]]
        >>> bricks.einsum("ii", a).item()
        5.0
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    _check_operands(equation, operands)
    parsed = parse(equation, [t._value.shape for t in operands])
    out = _contract(list(operands), parsed)
    # PyTorch's einsum ends with a sum or a permute of one operand, with a view after a
    # contraction or with a multiplication of several.
    if len(operands) == 1:
        return rename(out, "SumBackward1" if parsed.sums else "PermuteBackward0")
    return rename(out, "ViewBackward0" if parsed.sums else "MulBackward0")


def _check_operands(equation: Any, operands: tuple) -> None:
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, got "
                        f"{type(equation).__name__}")
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand")
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): expected Tensor as operand {k}, got {type(t).__name__}")
    first = operands[0]._value.dtype
    for k, t in enumerate(operands[1:], 1):
        if t._value.dtype != first:
            raise RuntimeError(f"einsum(): expected every operand to have the dtype of operand "
                               f"0 ({first}), got {t._value.dtype} for operand {k}")


def _contract(operands: list, equation: Equation) -> Tensor:
    """The einsum as primitives of one or two operands.

    More operands are contracted two at a time in the order ``numpy.einsum_path`` finds
    cheapest, which is what ``numpy.einsum(optimize=True)`` runs; as two-operand primitives
    the steps let backward reuse their intermediate results.
    """
    if len(operands) <= 2:
        return _fold(operands, list(equation.inputs), equation.output)
    path = xp.einsum_path(equation.text, *[t._value for t in operands], optimize="greedy")[0]
    terms = list(equation.inputs)
    for step in path[1:]:
        rest = [i for i in range(len(terms)) if i not in step]
        needed = set(equation.output).union(*(terms[i] for i in rest))
        output = "".join(dict.fromkeys(c for i in step for c in terms[i] if c in needed))
        if not rest:
            output = equation.output
        result = _fold([operands[i] for i in step], [terms[i] for i in step], output)
        operands = [operands[i] for i in rest] + [result]  # einsum_path's order: result last
        terms = [terms[i] for i in rest] + [output]
    return operands[0]


def _fold(operands: list, terms: list[str], output: str) -> Tensor:
    """Contract ``operands`` left to right, two at a time, down to the subscripts ``output``."""
    if len(operands) == 1:
        equation = Equation((terms[0],), output)
        primitive = Einsum if equation.sums else EinsumView
        return primitive.apply(operands[0], equation=equation)
    result, term = operands[0], terms[0]
    for k in range(1, len(operands)):
        needed = set(output).union(*terms[k + 1:])
        step_output = output if k == len(operands) - 1 else "".join(
            dict.fromkeys(c for c in term + terms[k] if c in needed))
        step = Equation((term, terms[k]), step_output)
        result = Einsum2.apply(result, operands[k], equation=step)
        term = step_output
    return result
