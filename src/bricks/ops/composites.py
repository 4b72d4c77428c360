"""torch's everyday composites: the fused multiply-adds of optimizers and BLAS (``addcmul``,
``addcdiv``, ``addmv``, ``addr``, ``addbmm``), differences and integrals (``diff``,
``trapezoid``), sign and exponent tools (``copysign``, ``heaviside``, ``ldexp``, ``frexp``),
paired and matrix statistics (``aminmax``, ``cov``, ``corrcoef``) and integer maths (``gcd``).

They are built on existing ops, so their gradients are those ops'; each result carries the
``grad_fn`` name torch gives it. ``logcumsumexp`` is a primitive, for a stable backward.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

from .._device import array_module, xp
from .._tensor import Tensor
from ..autograd.function import Function, rename, unbroadcast
from . import elementwise as ew
from .elementwise import _broadcasting, _shape
from .indexing import narrow
from .linalg import bmm, dot, matmul, outer
from .pointwise import logaddexp
from .reduce import amax, amin, mean, sum
from .shape import cat, reshape, unsqueeze
from .sorting import cumsum
from .unary import abs, clamp, sqrt

__all__ = ["addcmul", "addcdiv", "addmv", "addr", "addbmm", "copysign", "heaviside",
           "logaddexp2", "float_power", "vdot", "diff", "aminmax", "gcd", "lcm", "ldexp",
           "nextafter", "renorm", "trapezoid", "trapz", "cumulative_trapezoid", "cov",
           "corrcoef", "isin", "frexp", "logcumsumexp"]


def _scaled(x: Tensor, factor: Any) -> Tensor:
    return x if isinstance(factor, (int, float)) and factor == 1 else ew.mul(x, factor)


def _fma(input: Tensor, product: Tensor, beta: Any, alpha: Any, name: str) -> Tensor:
    """``beta * input + alpha * product``; with ``beta == 0`` ``input`` is ignored (its NaNs
    too), as in torch."""
    term = _scaled(product, alpha)
    if isinstance(beta, (int, float)) and beta == 0:
        never = Tensor._wrap(array_module(input._value).zeros(input._value.shape, bool))
        out = ew.add(ew.where(never, input, 0), term)  # gradient 0 for input, its values unread
    else:
        out = ew.add(_scaled(input, beta), term)
    return rename(out, name)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (Adam's second-moment update)."""
    return rename(ew.add(input, _scaled(ew.mul(tensor1, tensor2), value)), "AddcmulBackward0")


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (Adam's step).

    Raises:
        RuntimeError: when both ``tensor1`` and ``tensor2`` are integer tensors, as torch.
    """
    if all(isinstance(t, Tensor) and t._value.dtype.kind in "iub" for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return rename(ew.add(input, _scaled(ew.div(tensor1, tensor2), value)), "AddcdivBackward0")


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    _dims("addmv", mat=(mat, 2), vec=(vec, 1))
    return _fma(input, matmul(mat, vec), beta, alpha, "AddmvBackward0")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    _dims("addr", vec1=(vec1, 1), vec2=(vec2, 1))
    return _fma(input, outer(vec1, vec2), beta, alpha, "AddrBackward0")


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    _dims("addbmm", batch1=(batch1, 3), batch2=(batch2, 3))
    return _fma(input, sum(bmm(batch1, batch2), 0), beta, alpha, "AddbmmBackward0")


def _dims(op: str, **operands: tuple[Tensor, int]) -> None:
    for name, (t, ndim) in operands.items():
        if t.ndim != ndim:
            raise RuntimeError(f"{op}: {name} must be a {ndim}-D tensor, got {t.ndim}-D")


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """``sum(conj(input) * other)`` of two 1-D tensors."""
    if input._value.dtype.kind == "c":
        from .complex_numbers import conj

        input = conj(input)
    return rename(dot(input, other), "VdotBackward0")


class Copysign(Function):
    """``|a|`` with the sign bit of ``b``; a primitive because torch gives ``b`` a zero
    gradient (not none) and ``a`` the gradient ``result / a`` (0 at ``a == 0``, NaN at
    infinities, as torch's)."""

    torch_name = "CopysignBackward0"
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting(array_module(a).copysign, a, b)

    def backward(self, gy):
        module = array_module(gy)
        a, b = self.a, self.b
        with module.errstate(invalid="ignore", divide="ignore"):
            ratio = module.where(a == 0, 0.0, module.copysign(a, b) / a)
        ga = gy * ratio if self.needs_input_grad[0] else None
        gb = module.zeros_like(gy) if self.needs_input_grad[1] else None
        return (unbroadcast(ga, _shape(a)) if ga is not None else None,
                unbroadcast(gb, _shape(b)) if gb is not None else None)


def copysign(input: Any, other: Any) -> Tensor:
    """``|input|`` with the sign of ``other`` (its sign bit: ``-0.0`` counts as negative)."""
    if not isinstance(other, Tensor):  # a number takes the tensor's (float) dtype
        a = _floats(input)
        sign_source = array_module(a._value).asarray(other, a._value.dtype)
        return Copysign.apply(a, Tensor._wrap(sign_source))
    a, b = ew._operands(input, other)
    return Copysign.apply(_floats(a), _floats(b))


def _floats(t: Tensor) -> Tensor:
    if t._value.dtype.kind in "fc":
        return t
    from .._dtypes import get_default_dtype

    return ew.cast(t, get_default_dtype().numpy)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 below 0, 1 above, ``values`` at 0 (no gradient, as in torch).

    Raises:
        RuntimeError: when ``input`` and ``values`` differ in dtype, as torch.
    """
    if input._value.dtype != values._value.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    a, v = input._value, values._value
    module = array_module(a)
    out = module.where(a == 0, v, (a > 0).astype(a.dtype))
    return Tensor._wrap(module.asarray(out, dtype=a.dtype))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""
    ln2 = math.log(2.0)
    return rename(ew.div(logaddexp(ew.mul(input, ln2), ew.mul(other, ln2)), ln2),
                  "Logaddexp2Backward0")


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in double precision (complex128 for complex operands)."""
    def wide(x: Any) -> Any:
        if not isinstance(x, Tensor):
            return x
        return ew.cast(x, xp.dtype(xp.complex128 if x._value.dtype.kind == "c" else xp.float64))

    if not isinstance(input, Tensor):  # a number base: a 0-d tensor where the exponent lives
        input = Tensor._wrap(array_module(exponent._value).asarray(input, dtype=xp.float64))
    return ew.pow(wide(input), wide(exponent))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (after joining ``prepend`` and
    ``append``); of bool tensors, ``!=``.

    Raises:
        RuntimeError: for a 0-d input or a negative ``n``, as torch.
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            return narrow(x, dim, 0, 0)
        after, before = narrow(x, dim, 1, length - 1), narrow(x, dim, 0, length - 1)
        x = ew.ne(after, before) if x._value.dtype.kind == "b" else ew.sub(after, before)
    return x


class _MinMax(NamedTuple):
    min: Tensor
    max: Tensor


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> _MinMax:
    """``(amin, amax)`` of ``input``, over everything or along ``dim``.

    Raises:
        RuntimeError: for an empty reduction, as torch.
    """
    if input.numel() == 0 and (dim is None or input.shape[dim] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is None:
        low, high = amin(input), amax(input)
        if keepdim:
            low, high = (reshape(t, (1,) * input.ndim) for t in (low, high))
    else:
        low, high = amin(input, dim, keepdim), amax(input, dim, keepdim)
    return _MinMax(rename(low, "AminmaxBackward0"), rename(high, "AminmaxBackward0"))


def _integer_op(name: str, ufunc: Any) -> Callable[[Tensor, Any], Tensor]:
    def op(input: Tensor, other: Any) -> Tensor:
        a, b = ew._operands(input, other)
        if a._value.dtype.kind not in "iub":
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_dtype_name(a._value.dtype)}'")
        return Tensor._wrap(ew._broadcasting(ufunc, a._value, b._value))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The elementwise {name} of two integer tensors (no gradient)."
    return op


def _dtype_name(dtype: Any) -> str:
    from .._dtypes import scalar_type_name

    return scalar_type_name(dtype)


gcd: Callable[[Tensor, Any], Tensor] = _integer_op("gcd", xp.gcd)
lcm: Callable[[Tensor, Any], Tensor] = _integer_op("lcm", xp.lcm)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other``."""
    return rename(ew.mul(_floats(input), ew.pow(2.0, _floats(other))), "LdexpBackward0")


class _Frexp(NamedTuple):
    mantissa: Tensor
    exponent: Tensor


def frexp(input: Tensor) -> _Frexp:
    """The mantissa in ``[0.5, 1)`` and the int32 exponent with ``input = m * 2**e``.

    Raises:
        RuntimeError: for a non-float input, as torch.
    """
    if input._value.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    module = array_module(input._value)
    m, e = module.frexp(input._value)
    return _Frexp(Tensor._wrap(m), Tensor._wrap(e.astype(module.int32)))


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable float after ``input`` towards ``other`` (no gradient)."""
    a, b = ew._operands(input, other)
    return Tensor._wrap(ew._broadcasting(xp.nextafter, a._value, b._value))


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it.

    Raises:
        RuntimeError: for ``p <= 0`` or ``maxnorm < 0``, as torch.
    """
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = dim % input.ndim
    others = tuple(d for d in range(input.ndim) if d != dim)
    from .reduce import norm

    norms = norm(input, p, others, keepdim=True) if others else abs(input)
    factor = ew.where(norms > maxnorm, ew.div(maxnorm, ew.add(norms, 1e-7)), 1.0)
    return rename(ew.mul(input, factor), "RenormBackward0")


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoid rule along ``dim``: with sample points ``x`` or a spacing ``dx`` (1).

    With a spacing it is torch's ``(sum(y) - (y[0] + y[-1]) / 2) * dx`` (so infinities at
    both ends give NaN, as in torch)."""
    if isinstance(x, Tensor):
        return sum(_trapezoids(y, x, dx, dim), dim)
    spacing = 1.0 if dx is None and x is None else (dx if dx is not None else x)
    length = y.shape[dim]
    if length == 0:
        return sum(y, dim)
    ends = ew.add(narrow(y, dim, 0, 1), narrow(y, dim, length - 1, 1))
    return ew.mul(ew.sub(sum(y, dim), ew.mul(sum(ends, dim), 0.5)), spacing)


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """``trapezoid``, by its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral along ``dim`` (one element shorter)."""
    return cumsum(_trapezoids(y, x, dx, dim), dim)


def _trapezoids(y: Tensor, x: Any, dx: Any, dim: int) -> Tensor:
    length = y.shape[dim]
    if length == 0:
        return narrow(y, dim, 0, 0) if y.ndim else y
    pairs = ew.add(narrow(y, dim, 1, length - 1), narrow(y, dim, 0, length - 1))
    if isinstance(x, Tensor):
        steps = diff(x, dim=dim if x.ndim > 1 else -1)
        if x.ndim == 1:
            steps = reshape(steps, (-1,) + (1,) * (y.ndim - 1 - dim % y.ndim))
        return ew.div(ew.mul(pairs, steps), 2.0)
    spacing = 1.0 if dx is None and x is None else (dx if dx is not None else x)
    return ew.mul(pairs, spacing / 2.0)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in its
    columns), with optional integer frequency and float observation weights, as torch's.

    Raises:
        RuntimeError: for an input of more than 2 dimensions.
    """
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    x = reshape(input, (1, -1)) if input.ndim < 2 else input
    x = _floats(x)
    weights = None
    for w in (fweights, aweights):
        if w is not None:
            weights = w if weights is None else ew.mul(weights, w)
    if weights is None:
        total = x.shape[1]
        average = mean(x, 1, keepdim=True)
        factor: Any = total - correction
    else:
        total = sum(weights)
        average = ew.div(sum(ew.mul(x, weights), 1, keepdim=True), total)
        if aweights is None or correction == 0:
            factor = ew.sub(total, correction)
        else:
            factor = ew.sub(total, ew.div(ew.mul(sum(ew.mul(weights, aweights)), correction),
                                          total))
    if not isinstance(factor, Tensor):
        factor = max(factor, 0)
    centred = ew.sub(x, average)
    scaled = centred if weights is None else ew.mul(centred, weights)
    c = ew.div(matmul(scaled, _conj_t(centred)), factor)
    return reshape(c, ()) if input.ndim < 2 or x.shape[0] == 1 else c


def _conj_t(x: Tensor) -> Tensor:
    from .shape import transpose

    t = transpose(x, 0, 1)
    if x._value.dtype.kind == "c":
        from .complex_numbers import conj

        t = conj(t)
    return t


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the rows of ``input``, clipped to ``[-1, 1]``."""
    c = cov(input)
    if c.ndim == 0:
        return ew.div(c, c)
    from .matrix import diagonal

    spread = sqrt(diagonal(c))
    c = ew.div(ew.div(c, unsqueeze(spread, 1)), unsqueeze(spread, 0))
    return clamp(c, -1, 1) if c._value.dtype.kind != "c" else c


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each of ``elements`` is among ``test_elements`` (a bool tensor of its shape)."""
    given = elements if isinstance(elements, Tensor) else test_elements
    module = array_module(given._value)
    a = elements._value if isinstance(elements, Tensor) else module.asarray(elements)
    b = test_elements._value if isinstance(test_elements, Tensor) else module.asarray(test_elements)
    return Tensor._wrap(module.asarray(module.isin(a, b, invert=invert)))


class LogCumSumExp(Function):
    """``log(cumsum(exp(x)))`` along a dimension; a primitive for a backward that never
    overflows: each gradient is a reverse log-cumsum-exp of ``log|g| - y``, by sign."""

    torch_name = "LogcumsumexpBackward0"

    def forward(self, x, dim):
        self.dim = dim
        self.x = x
        self.y = array_module(x).logaddexp.accumulate(x, axis=dim)
        return self.y

    def backward(self, gy):
        module = array_module(gy)
        flip = lambda a: module.flip(a, self.dim)  # noqa: E731
        grad = module.zeros_like(self.x)
        with module.errstate(divide="ignore", invalid="ignore"):
            for sign in (1, -1):
                part = module.where(sign * gy > 0, module.log(module.abs(gy)) - self.y, -module.inf)
                tail = flip(module.logaddexp.accumulate(flip(part), axis=self.dim))
                grad = grad + sign * module.exp(tail + self.x)
        return grad


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input), dim))``, computed without overflow."""
    if input._value.dtype.kind not in "fc":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                  f"'{_dtype_name(input._value.dtype)}'")
    x = input
    if x.ndim == 0:
        return x
    return LogCumSumExp.apply(x, dim=dim % x.ndim)
