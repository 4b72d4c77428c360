"""Complex tensors: their parts, magnitude and phase, conversions, and torch's refusals.

Gradients follow torch's convention: the gradient of a complex value ``z = x + iy`` is
``dL/dx + i dL/dy`` (the conjugate Wirtinger derivative, doubled), so that ``p -= lr * p.grad``
descends a real loss ``L``; a real input of a complex op gets the real part of that. The engine
refuses a complex gradient for a primitive not marked ``complex_grad``, rather than give a
wrong one.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from .._device import array_module, xp
from .._dtypes import complex_of, get_default_dtype, real_of
from .._tensor import Tensor
from ..autograd.function import Function, unbroadcast
from . import (
    devices, elementwise, extras, index, indexing, matrix, pointwise, reduce, shape, sorting,
    stats, unary,
)
from . import nn as layer_ops
from .elementwise import _broadcast_error, cast

__all__ = [
    "real", "imag", "conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "angle",
    "complex", "polar", "view_as_real", "view_as_complex", "is_complex",
]


def _names(dtype: Any) -> str:
    """torch's C++ name of a dtype in its error messages (``ComplexFloat``)."""
    return {"complex64": "ComplexFloat", "complex128": "ComplexDouble", "float32": "Float",
            "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}[dtype.name]


def _is_complex(t: Any) -> bool:
    return isinstance(t, Tensor) and t._value.dtype.kind == "c"


def is_complex(input: Tensor) -> bool:
    """Whether ``input``'s dtype is complex."""
    return input._value.dtype.kind == "c"


# ----- the parts -----

class Real(Function):
    is_view = True
    torch_name = "SelectBackward0"  # torch takes view_as_real(z)[..., 0]

    def forward(self, z):
        self.dtype = z.dtype
        return z.real

    def backward(self, gy):
        return gy.astype(self.dtype)

    def view_again(self, z):
        return z.real


class Imag(Real):
    def forward(self, z):
        self.dtype = z.dtype
        return z.imag

    def backward(self, gy):
        return (1j * gy).astype(self.dtype)

    def view_again(self, z):
        return z.imag


def real(input: Tensor) -> Tensor:
    """The real parts of a complex tensor, as a view; a real tensor itself."""
    return Real.apply(input) if _is_complex(input) else input


def imag(input: Tensor) -> Tensor:
    """The imaginary parts of a complex tensor, as a view.

    Raises:
        RuntimeError: for a real tensor, as torch.
    """
    if not _is_complex(input):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


class Conj(Function):
    complex_grad = True

    def forward(self, z):
        return z.conj()

    def backward(self, gy):
        return gy.conj()


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (a copy: bricks has no lazy conjugate views); a real tensor itself."""
    return Conj.apply(input) if _is_complex(input) else input


conj_physical = conj


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` itself: bricks' conjugates are never lazy, so there is nothing to resolve."""
    return input


resolve_neg = resolve_conj


def is_conj(input: Tensor) -> bool:
    """False: bricks' conjugates are computed at once, never lazy views."""
    return False


class Angle(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        if x.dtype.kind == "c":
            return xp.angle(x)
        # torch: pi below 0, NaN at NaN, 0 elsewhere (-0 and inf included, unlike arctan2)
        zero = x.dtype.type(0)
        return xp.where(x < 0, x.dtype.type(math.pi), xp.where(x != x, x, zero))

    def backward(self, gy):
        x = self.x
        if x.dtype.kind != "c":
            return gy * 0
        # d angle = (x dy - y dx) / |z|^2, so the gradient is i z / |z|^2 (0 at z = 0, as torch)
        squared = x.real * x.real + x.imag * x.imag
        safe = xp.where(squared == 0, squared.dtype.type(1), squared)
        return xp.where(squared == 0, x.dtype.type(0), gy * (1j * x) / safe)


def angle(input: Tensor) -> Tensor:
    """The phase of each value in radians: ``atan2(imag, real)``; 0 or pi for real values."""
    if input._value.dtype.kind in "iub":
        input = cast(input, get_default_dtype().numpy)
    return Angle.apply(input)


# ----- building complex tensors -----

class Complex(Function):
    complex_grad = True

    def forward(self, re, im):
        self.shapes = (re.shape, im.shape)
        return _from_parts(re, im)

    def backward(self, gy):
        return unbroadcast(gy.real, self.shapes[0]), unbroadcast(gy.imag, self.shapes[1])


def _from_parts(re: Any, im: Any) -> Any:
    """The complex array ``re + i im``, broadcast (not ``re + 1j * im``: ``1j * inf`` would be
    ``nan + infj``)."""
    try:
        size = xp.broadcast_shapes(re.shape, im.shape)
    except ValueError:
        raise _broadcast_error(re, im) from None
    out = array_module(re).empty(size, complex_of(re.dtype))
    out.real, out.imag = re, im
    return out


def _check_parts(a: Tensor, b: Tensor) -> None:
    """torch's errors for the two real parts of ``complex`` and ``polar``."""
    da, db = a._value.dtype, b._value.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_names(a.dtype)} and {_names(b.dtype)}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {_names(a.dtype)} but got scalar "
                           f"type {_names(b.dtype)} for second argument")


def complex(real: Tensor, imag: Tensor) -> Tensor:
    """The complex tensor ``real + i imag`` (both float tensors of one dtype, broadcast)."""
    _check_parts(real, imag)
    return Complex.apply(real, imag)


class Polar(Function):
    saves_output = True
    complex_grad = True

    def forward(self, r, theta):
        self.shapes = (r.shape, theta.shape)
        self.z = _from_parts(r * xp.cos(theta), r * xp.sin(theta))
        return self.z

    def backward(self, gy):
        # torch's formulas: the magnitude's gradient goes along sgn(z), so it is 0 at z = 0
        z, g = self.z, gy.conjugate()
        return (unbroadcast((g * unary.sgn_array(z)).real, self.shapes[0]),
                unbroadcast((g * (z * 1j)).real, self.shapes[1]))


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    """The complex tensor of magnitude ``abs`` and phase ``angle``."""
    _check_parts(abs, angle)
    return Polar.apply(abs, angle)


class ViewAsReal(Function):
    is_view = True

    def forward(self, z):
        return _as_pairs(z)

    def backward(self, gy):
        return _as_complex(gy)

    def view_again(self, z):
        return _as_pairs(z)


class ViewAsComplex(Function):
    is_view = True
    complex_grad = True

    def forward(self, x):
        return _as_complex(x)

    def backward(self, gy):
        return _as_pairs(gy)

    def view_again(self, x):
        return _as_complex(x)


def _as_pairs(z: Any) -> Any:
    """A complex array viewed as real pairs along a new last axis."""
    return z[..., None].view(real_of(z.dtype))


def _as_complex(x: Any) -> Any:
    """Real pairs along the last axis viewed as complex values (a copy when not viewable)."""
    if x.strides[-1] != x.itemsize or not x.flags.c_contiguous and not x.size:
        x = x.copy()
    return x.view(complex_of(x.dtype))[..., 0]


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor's values as a real view with a last dimension of size 2 (real, imag).

    Raises:
        RuntimeError: for a real tensor, as torch.
    """
    if not _is_complex(input):
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:
    """Real pairs along the last dimension (of size 2) viewed as complex values.

    Raises:
        RuntimeError: for a dtype other than float32/float64, a last dimension of another size,
            or strides that cannot be viewed as complex values, as torch.
    """
    x = input._value
    if x.dtype == xp.float16:
        raise RuntimeError("view_as_complex: bricks has no complex32 for a float16 tensor")
    if x.dtype not in (xp.float32, xp.float64):
        raise RuntimeError(f"view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {_names(input.dtype)}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if x.size and x.strides[-1] != x.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if x.size and any(s % (2 * x.itemsize) for s in x.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


# ----- which primitives hold for complex values, and which ops torch refuses them -----

# These backwards are linear in the gradient and read no input values, so they are right for
# complex gradients as written.
for _cls in (shape.Reshape, shape._Alias, shape.Clone, shape.Permute, shape.Expand, shape.Repeat,
             shape.Cat, index.GetItem, index.Gather, index.IndexSelect, index.MaskedFill,
             reduce.Sum, reduce.Mean, unary.Neg, indexing.Roll, devices.ToDevice, matrix.Tril,
             matrix.Triu, matrix.Diagonal, sorting.Flip):
    _cls.complex_grad = True

# torch refuses complex input to these (NumPy would order complex numbers lexicographically,
# or compute something else); bricks raises as torch, with torch's message shape.
TORCH_REFUSES = '"{name}" not implemented for \'{dtype}\''
REAL_ONLY = {
    elementwise: ("lt", "le", "gt", "ge", "maximum", "minimum", "remainder", "floor_divide"),
    unary: ("relu", "clamp", "sign", "floor", "ceil", "round"),
    reduce: ("max", "min", "amax", "amin", "argmax", "argmin", "softmax", "log_softmax"),
    sorting: ("sort", "argsort", "topk"),
    stats: ("median", "nanmedian", "mode", "quantile", "nanquantile", "histc", "bincount",
            "searchsorted", "bucketize", "unique", "unique_consecutive"),
    pointwise: ("clip", "signbit", "trunc", "frac", "atan2", "hypot", "erf", "erfc", "lgamma",
                "digamma", "deg2rad", "rad2deg"),
    extras: ("fmod", "fmax", "fmin", "erfinv", "kthvalue", "cummax", "cummin", "nansum",
             "nanmean"),
    # the layer primitives under nn.functional (which calls them through the package)
    layer_ops: ("leaky_relu", "elu", "celu", "selu", "gelu", "rrelu", "hardtanh", "hardswish",
                "hardsigmoid", "softplus", "softplus_neg", "mish", "max_pool2d", "avg_pool2d",
                "batch_norm", "layer_norm", "group_norm", "mse_loss", "binary_cross_entropy",
                "cross_entropy", "nll_loss"),
}
# torch computes these for complex input, bricks does not yet (its formulas are for reals):
# it refuses rather than give other values.
NOT_YET = "bricks: {name}() of complex tensors is not implemented yet ({dtype})"
NOT_YET_COMPLEX = {
    reduce: ("var", "std", "norm", "logsumexp"),
    unary: ("sigmoid",),
    pointwise: ("nan_to_num",),
    extras: ("std_mean", "var_mean"),
}


def refuse_complex(fn: Callable, message: str) -> Callable:
    """``fn``, raising NotImplementedError with ``message`` when one of its first two arguments
    is complex."""

    @functools.wraps(fn)
    def real_only(input: Any, *args: Any, **kwargs: Any) -> Any:
        # Every relu and loss passes here: the test is written out, not two calls of
        # ``_is_complex`` (which cost 0.2 us a call, 5% of a small model's forward).
        if (isinstance(input, Tensor) and input._value.dtype.kind == "c"
                or args and isinstance(args[0], Tensor) and args[0]._value.dtype.kind == "c"):
            dtype = input.dtype if _is_complex(input) else args[0].dtype
            raise NotImplementedError(message.format(name=fn.__name__, dtype=_names(dtype)))
        return fn(input, *args, **kwargs)

    return real_only


# Each of them (and its aliases: ``arctan2`` is ``atan2``) is replaced in its family module by
# its guarded form, before ``ops/__init__.py`` makes them ``bricks.<name>`` and Tensor methods
# (it imports this module first).
for _table, _message in ((REAL_ONLY, TORCH_REFUSES), (NOT_YET_COMPLEX, NOT_YET)):
    for _module, _names_there in _table.items():
        for _name in _names_there:
            _original = getattr(_module, _name)
            _guarded = refuse_complex(_original, _message)
            for _alias in [a for a, value in vars(_module).items() if value is _original]:
                setattr(_module, _alias, _guarded)
