"""``out=`` for the everyday functions (``torch.mul(a, b, out=c)``): the result is written
into ``out`` (resized when its shape differs, as torch), and ``out`` is returned."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from ._tensor import Tensor, bump_version
from .autograd.grad_mode import GRAD_ENABLED

__all__ = ["with_out", "OUT_FUNCTIONS"]

# The functions of ``bricks`` that take ``out=`` (those the tutorials and the book use most).
OUT_FUNCTIONS = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
                 "matmul", "mm", "bmm", "mv", "cat", "concat", "stack", "exp", "log", "sqrt",
                 "abs", "neg", "pow", "sin", "cos", "tanh", "sigmoid", "clamp", "maximum",
                 "minimum", "addmm", "square")


def with_out(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` taking a keyword ``out``: a Tensor to write the result into."""
    @functools.wraps(fn)
    def wrapper(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{fn.__name__}(): argument 'out' must be Tensor, not "
                            f"{type(out).__name__}")
        result = fn(*args, **kwargs)
        if GRAD_ENABLED[0] and (result.requires_grad or out.requires_grad):
            raise RuntimeError(f"{fn.__name__}(): functions with out=... arguments don't "
                               "support automatic differentiation, but one of the arguments "
                               "requires grad.")
        _write(out, result._value)
        return out
    return wrapper


def _write(out: Tensor, value: Any) -> None:
    target = out._value
    if target.dtype.kind in "biu" and value.dtype.kind in "fc":
        raise RuntimeError(f"result type {_type_name(value)} can't be cast to the desired "
                           f"output type {_type_name(target)}")
    if target.shape == value.shape:
        target[...] = value
    else:
        if target.size:
            warnings.warn(f"An output with one or more elements was resized since it had "
                          f"shape {list(target.shape)}, which does not match the required "
                          f"output shape {list(value.shape)}. This behavior is deprecated, and "
                          "in a future PyTorch release outputs will not be resized unless "
                          "they have zero elements. You can explicitly reuse an out tensor t "
                          "by resizing it, inplace, to zero elements with t.resize_(0).",
                          UserWarning, stacklevel=3)
        out._value = value.astype(target.dtype, copy=True)
    bump_version(out)


def _type_name(array: Any) -> str:
    names = {"f": "Float", "c": "ComplexFloat", "i": "Long", "u": "Byte", "b": "Bool"}
    return names.get(array.dtype.kind, str(array.dtype))
