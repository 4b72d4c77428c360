"""Elementwise primitives of two operands: arithmetic with broadcasting, comparisons, where."""

from __future__ import annotations

from typing import Any, Callable

from .. import _device
from .._device import array_module, as_array, xp
from .._dtypes import complex_of, get_default_dtype
from .._promotion import result_type
from .._quiet import enter_quiet, exit_quiet, quiet
from .._tensor import Tensor, wrap
from ..autograd.function import Function, unbroadcast

_ndarray = xp.ndarray

__all__ = [
    "add", "sub", "mul", "div", "pow", "floor_divide", "remainder", "where", "maximum",
    "minimum", "eq", "ne", "lt", "le", "gt", "ge", "cast", "isclose", "allclose", "equal",
]


class Cast(Function):
    is_view = False
    complex_grad = True

    def forward(self, x, dtype):
        self.input_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        if gy.dtype.kind == "c" and self.input_dtype.kind != "c":
            gy = gy.real  # a real input gets the real part, as torch
        return gy.astype(self.input_dtype)

    torch_name = "ToCopyBackward0"


def cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to the NumPy dtype ``dtype`` (differentiable between float types)."""
    if x._value.dtype == dtype:
        return x
    out = Cast.apply(x, dtype=dtype)
    if out.requires_grad and dtype.kind not in "fc":
        out.requires_grad, out.grad_fn = False, None
    return out


def _operands(a: Any, b: Any) -> tuple[Any, Any]:
    """Promote two operands (Tensors or Python numbers) by PyTorch's rules."""
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"expected a Tensor as one of the operands, got "
                            f"{type(a).__name__} and {type(b).__name__}")
        b, a = _operands(b, a)
        return a, b
    if isinstance(b, Tensor):
        av, bv = a._value, b._value
        if av.dtype is bv.dtype:
            return a, b
        target = result_type(av, bv)
        # a real operand of a complex one is cast too, so that its gradient comes back real
        if xp.result_type(av, bv) != target or av.dtype.kind != bv.dtype.kind == "c" \
                or bv.dtype.kind != av.dtype.kind == "c":
            return cast(a, target), cast(b, target)
        return a, b
    if isinstance(b, float) and a._value.dtype.kind not in "fc":
        return cast(a, get_default_dtype().numpy), b
    if isinstance(b, complex) and a._value.dtype.kind != "c":
        kind = a._value.dtype.kind  # an integer tensor becomes the default complex
        return cast(a, complex_of(a._value.dtype if kind == "f" else get_default_dtype().numpy)), b
    if isinstance(b, (int, float, bool, complex)):
        return a, b
    if isinstance(b, xp.ndarray) or isinstance(b, xp.generic):
        return _operands(a, Tensor._wrap(array_module(a._value).asarray(b)))
    raise TypeError(f"unsupported operand type: expected a Tensor or a number, got "
                    f"{type(b).__name__}")


def _numbers_as_tensor(a: Any, b: Any) -> Any:
    """``a``, as a 0-d tensor when both operands are numbers (``bricks.add(3, 4)``, as torch)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return a
    dtype: Any
    if isinstance(a, bool):
        dtype = xp.bool_
    elif isinstance(a, int):
        dtype = xp.int64
    elif isinstance(a, float):
        dtype = get_default_dtype().numpy
    else:
        raise TypeError(f"unsupported operand type: expected a Tensor or a number, got "
                        f"{type(a).__name__}")
    # host: then placed on the default device, as torch.add(3, 4) is
    return Tensor._wrap(_device.place(xp.asarray(a, dtype=dtype), _device.resolve(None)))


def _shape(v: Any) -> tuple:
    return getattr(v, "shape", ())


def _broadcasting(ufunc: Any, a: Any, b: Any) -> Any:
    """``ufunc(a, b)``, with PyTorch's RuntimeError when the shapes do not broadcast."""
    try:
        return ufunc(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None


def _broadcast_error(a: Any, b: Any) -> RuntimeError:
    return RuntimeError(
        f"The size of tensor a ({list(_shape(a))}) must match the size of tensor b "
        f"({list(_shape(b))}): shapes {tuple(_shape(a))} and {tuple(_shape(b))} do not broadcast")


class Add(Function):
    ufunc = xp.add  # forward is this one ufunc (bricks.compile may call it alone)
    # ``shapes`` stays None when no operand was broadcast (the usual case, checked cheaply).
    shapes = None
    complex_grad = True

    def forward(self, a, b, out=None):
        if type(a) is not type(b) or a.shape != b.shape:
            self.shapes = (_shape(a), _shape(b))
        try:
            return a + b if out is None else xp.add(a, b, out=out)
        except ValueError:
            raise _broadcast_error(a, b) from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        if self.shapes is None:
            return gy if na else None, gy if nb else None
        return (unbroadcast(gy, self.shapes[0]) if na else None,
                unbroadcast(gy, self.shapes[1]) if nb else None)


class Sub(Function):
    ufunc = xp.subtract  # forward is this one ufunc (bricks.compile may call it alone)
    shapes = None  # as Add's
    complex_grad = True

    def forward(self, a, b, out=None):
        if type(a) is not type(b) or a.shape != b.shape:
            self.shapes = (_shape(a), _shape(b))
        try:
            return a - b if out is None else xp.subtract(a, b, out=out)
        except ValueError:
            raise _broadcast_error(a, b) from None
        except TypeError:
            raise RuntimeError(_BOOL_SUB) from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        if self.shapes is None:
            return gy if na else None, -gy if nb else None
        return (unbroadcast(gy, self.shapes[0]) if na else None,
                unbroadcast(-gy, self.shapes[1]) if nb else None)


class Mul(Function):
    ufunc = xp.multiply  # forward is this one ufunc (bricks.compile may call it alone)
    saves = (0, 1)
    saves_for = (1, 0)
    complex_grad = True

    def forward(self, a, b, out=None):
        self.a, self.b = a, b
        try:
            return a * b if out is None else xp.multiply(a, b, out=out)
        except ValueError:
            raise _broadcast_error(a, b) from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        if gy.dtype.kind == "c":  # torch's convention: the conjugate of the other factor
            a, b = a.conjugate(), b.conjugate()  # arrays and Python numbers alike
        return (unbroadcast(gy * b, _shape(a)) if na else None,
                unbroadcast(gy * a, _shape(b)) if nb else None)


class Div(Function):
    ufunc = xp.true_divide  # forward is this one ufunc (bricks.compile may call it alone)
    saves = (0, 1)
    saves_for = (1, None)
    complex_grad = True

    def forward(self, a, b, out=None):
        self.a, self.b = a, b
        try:
            return a / b if out is None else xp.true_divide(a, b, out=out)
        except ValueError:
            raise _broadcast_error(a, b) from None

    def backward(self, gy):
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        if gy.dtype.kind == "c":  # torch's convention: the conjugate of the derivative, in
            # torch's order of operations (which decides where inf and 0 meet)
            return (unbroadcast(gy / b.conjugate(), _shape(a)) if na else None,
                    unbroadcast(-gy * (a / b / b).conjugate(), _shape(b)) if nb else None)
        return (unbroadcast(gy / b, _shape(a)) if na else None,
                unbroadcast(-gy * a / (b * b), _shape(b)) if nb else None)


class Pow(Function):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = _broadcasting(xp.power, a, b)
        return self.y

    def backward(self, gy):
        # PyTorch's formulas, edges included: x ** 0 has gradient 0 even at x = 0, and the
        # exponent's gradient y * log(x) is 0 where x = 0 and the exponent is >= 0.
        na, nb = self.needs_input_grad
        a, b = self.a, self.b
        zero = gy.dtype.type(0)  # a scalar, not a host array: it meets device arrays too
        ga = gb = None
        if na:
            ga = xp.where(b == 0, zero, gy * (b * _torch_power(a, b - 1)))
            ga = unbroadcast(ga, _shape(a))
        if nb:
            gb = xp.where((a == 0) & (b >= 0), zero, gy * (self.y * xp.log(a)))
            gb = unbroadcast(gb, _shape(b))
        return ga, gb

    def _name(self) -> str:
        if not _device.is_device_array(self.a):
            return "PowBackward2"
        return "PowBackward1" if _device.is_device_array(self.b) else "PowBackward0"


def _torch_power(a: Any, exponent: Any) -> Any:
    """``a ** exponent`` as PyTorch computes it: sqrt and rsqrt for the exponents 0.5 and -0.5.

    They differ from ``pow`` only in the sign at -0 (``rsqrt(-0) = -inf``), which is then
    the sign of the gradient of ``x ** 0.5`` at -0, as in PyTorch and as for ``sqrt``.
    """
    if type(exponent) is float:
        if exponent == 0.5:
            return xp.sqrt(a)
        if exponent == -0.5:
            return 1 / xp.sqrt(a)
    return a ** exponent


class Remainder(Function):
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting(xp.remainder, a, b)

    def backward(self, gy):
        na, nb = self.needs_input_grad
        return (unbroadcast(gy, _shape(self.a)) if na else None,
                unbroadcast(-gy * xp.floor_divide(self.a, self.b), _shape(self.b)) if nb else None)

    def _name(self) -> str:
        return "RemainderBackward1" if isinstance(self.b, xp.ndarray) else "RemainderBackward0"


class Maximum(Function):
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting(xp.maximum, a, b)

    def backward(self, gy):
        return _pick(gy, self.a, self.b, self.a < self.b, self.a > self.b, self.needs_input_grad)


class Minimum(Function):
    saves = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return _broadcasting(xp.minimum, a, b)

    def backward(self, gy):
        return _pick(gy, self.a, self.b, self.a > self.b, self.b > self.a, self.needs_input_grad)


def _pick(gy: Any, a: Any, b: Any, a_loses: Any, b_loses: Any, needs: tuple) -> tuple:
    # As PyTorch: a tie splits the gradient evenly, and where a NaN is compared (neither
    # operand loses) both operands get all of it.
    shared = xp.where(a == b, gy * gy.dtype.type(0.5), gy)
    ga = unbroadcast(xp.where(a_loses, 0, shared), _shape(a)) if needs[0] else None
    gb = unbroadcast(xp.where(b_loses, 0, shared), _shape(b)) if needs[1] else None
    return ga, gb


def _operator(cls: type[Function], ufunc: Any, named: Any,
              floats_only: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """The operator form of ``named`` (``a + b``) with a shortcut for the common cases.

    Two tensors of one dtype, or a float tensor and a Python float, need no promotion. When
    an operand requires grad, they go straight to the one recording path (``apply2``,
    ``apply``: ``record`` in autograd/function.py, which also asks the grad mode), skipping
    only ``named``'s argument checks. When none does, nothing would be recorded in any mode,
    and the shortcut is ``record``'s forward step alone: one NumPy call, silenced, and a wrap,
    without the node object that nothing would use (small models pay this per op;
    ``benchmarks/dispatch.py`` shows what it buys). Everything else goes to ``named``. A
    bricks.compile capture swaps ``named`` in (``_capture._operator_forms``).
    """

    apply2 = cls.apply2

    def method(self: Tensor, other: Any) -> Tensor:
        a = self._value
        if isinstance(other, Tensor):
            b = other._value
            if a.dtype is not b.dtype or floats_only and a.dtype.kind != "f":
                return named(self, other)
            if self.requires_grad or other.requires_grad:
                return apply2(self, other)
        elif type(other) is float and a.dtype.kind == "f":
            if self.requires_grad:
                return cls.apply(self, other)
            b = other
        else:
            return named(self, other)
        token = enter_quiet()  # inf - inf is nan without a word, as in PyTorch
        try:
            y = ufunc(a, b)
        except ValueError:
            raise _broadcast_error(a, b) from None
        except TypeError:  # numpy refuses (bool - bool): the named op raises PyTorch's error
            return named(self, other)
        finally:
            exit_quiet(token)
        return wrap(y if type(y) is _ndarray else as_array(y, a))

    method.__name__ = f"__{named.__name__}__"
    method.__doc__ = named.__doc__
    return method


def _binary(cls: type[Function], a: Any, b: Any) -> Tensor:
    if isinstance(b, Tensor):
        if isinstance(a, Tensor) and a._value.dtype is b._value.dtype:
            return cls.apply2(a, b)
    elif type(b) is float and isinstance(a, Tensor) and a._value.dtype.kind == "f":
        return cls.apply(a, b)  # a float tensor and a Python float: nothing to promote
    a, b = _operands(a, b)
    return cls.apply(a, b)


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``, broadcasting."""
    input = _numbers_as_tensor(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``, broadcasting.

    Raises:
        RuntimeError: for a bool operand, as PyTorch (use ``~`` or ``logical_not``).
    """
    input = _numbers_as_tensor(input, other)
    if alpha != 1:
        other = mul(other, alpha)
    if isinstance(other, Tensor) and isinstance(input, Tensor) and \
            input._value.dtype is other._value.dtype:
        return Sub.apply2(input, other)  # bool - bool fails in forward, with the same message
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(_BOOL_SUB)
    return _binary(Sub, input, other)


_BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _is_bool(v: Any) -> bool:
    return v is True or v is False or isinstance(v, Tensor) and v._value.dtype.kind == "b"


def mul(input: Any, other: Any) -> Tensor:
    """``input * other``, broadcasting."""
    return _binary(Mul, _numbers_as_tensor(input, other), other)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division (integers give floats), or ``'floor'``/``'trunc'`` rounding."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    a, b = _operands(_numbers_as_tensor(input, other), other)
    if _is_integral(a) and _is_integral(b):
        a = cast(a, get_default_dtype().numpy) if isinstance(a, Tensor) else float(a)
        b = cast(b, get_default_dtype().numpy) if isinstance(b, Tensor) else float(b)
    out = Div.apply(a, b)
    return out if rounding_mode != "trunc" else _no_grad_unary(xp.trunc, out)


def _is_integral(v: Any) -> bool:
    if isinstance(v, Tensor):
        return v._value.dtype.kind in "iub"
    return isinstance(v, int)


def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``, broadcasting."""
    return _binary(Pow, input, exponent)


def remainder(input: Any, other: Any) -> Tensor:
    """Python's modulo: the result has the sign of ``other``."""
    return _binary(Remainder, input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other`` rounded toward minus infinity (not differentiable)."""
    a, b = _operands(input, other)
    values = [v._value if isinstance(v, Tensor) else v for v in (a, b)]
    if xp.result_type(*values).kind in "iu" and not xp.all(values[1]):
        raise RuntimeError("ZeroDivisionError")  # PyTorch's error for integer division by 0
    with quiet():  # a float division by 0 gives inf or nan, silently as in PyTorch
        return Tensor._wrap(as_array(_broadcasting(xp.floor_divide, *values), *values))


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum of two tensors."""
    return _binary(Maximum, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum of two tensors."""
    return _binary(Minimum, input, other)


def _compare(ufunc: Any, a: Any, b: Any) -> Tensor:
    if not isinstance(a, Tensor):
        # Python reflects `2 < t` to `t > 2`, so only a functional call lands here.
        raise TypeError(f"{ufunc.__name__}(): expected input to be a Tensor, got "
                        f"{type(a).__name__}")
    a, b = _operands(a, b)
    values = [v._value if isinstance(v, Tensor) else v for v in (a, b)]
    return Tensor._wrap(as_array(_broadcasting(ufunc, *values), *values))


def eq(input: Any, other: Any) -> Tensor:
    """Elementwise ``==`` as a bool tensor."""
    return _compare(xp.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    """Elementwise ``!=`` as a bool tensor."""
    return _compare(xp.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    """Elementwise ``<`` as a bool tensor."""
    return _compare(xp.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    """Elementwise ``<=`` as a bool tensor."""
    return _compare(xp.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    """Elementwise ``>`` as a bool tensor."""
    return _compare(xp.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    """Elementwise ``>=`` as a bool tensor."""
    return _compare(xp.greater_equal, input, other)


def _no_grad_unary(ufunc: Any, x: Tensor) -> Tensor:
    with quiet():
        return Tensor._wrap(as_array(ufunc(x._value), x._value))


class Where(Function):
    complex_grad = True

    def forward(self, condition, a, b):
        self.condition = condition
        self.shapes = (_shape(a), _shape(b))
        try:
            return xp.where(condition, a, b)
        except ValueError:
            raise _broadcast_error(a, b) from None

    def backward(self, gy):
        _, na, nb = self.needs_input_grad
        zero = gy.dtype.type(0)  # a scalar, not a host array: it meets device arrays too
        return (None,
                unbroadcast(xp.where(self.condition, gy, zero), self.shapes[0]) if na else None,
                unbroadcast(xp.where(self.condition, zero, gy), self.shapes[1]) if nb else None)


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Where ``|input - other| <= atol + rtol * |other|``, as a bool tensor."""
    a, b = _operands(input, other)
    values = [v._value if isinstance(v, Tensor) else v for v in (a, b)]
    try:
        return Tensor._wrap(as_array(xp.isclose(*values, rtol=rtol, atol=atol,
                                                equal_nan=equal_nan), *values))
    except ValueError:
        raise _broadcast_error(*values) from None


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every value of ``input`` is close to ``other`` (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._value.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether two tensors have the same shape and the same values."""
    return input._value.shape == other._value.shape and bool((input._value == other._value).all())


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` holds, else ``other``; with one argument, the indices."""
    if input is None and other is None:
        return tuple(Tensor._wrap(i) for i in xp.nonzero(condition._value))
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        a, b = _operands(input, other)
    else:  # two numbers: 0-d tensors where the condition lives
        module = array_module(getattr(condition, "_value", None))
        a, b = Tensor._wrap(module.asarray(input)), Tensor._wrap(module.asarray(other))
    if isinstance(condition, Tensor):
        cond = condition._value
    else:
        cond = array_module(a._value if isinstance(a, Tensor) else b._value).asarray(condition)
    return Where.apply(cond, a, b)


# The operator forms, bound to Tensor in ``bricks/ops/__init__.py``; add and mul commute, so
# their reversed forms need no swap. Integer division promotes, so ``/`` shortcuts floats only.
add_operator: Callable[[Tensor, Any], Tensor] = _operator(Add, xp.add, add)
sub_operator: Callable[[Tensor, Any], Tensor] = _operator(Sub, xp.subtract, sub)
mul_operator: Callable[[Tensor, Any], Tensor] = _operator(Mul, xp.multiply, mul)
div_operator: Callable[[Tensor, Any], Tensor] = _operator(Div, xp.true_divide, div,
                                                          floats_only=True)
