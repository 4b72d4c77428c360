"""The in-place forms torch has for ops bricks has out of place: ``x.sin_()``, ``x.lt_(y)``,
``x.addcmul_(a, b)``, ``torch.sigmoid_(x)``... Each is derived from its op by one rule,
``inplace.inplace_of``, rather than written out: the version counter, the leaf and view checks,
the rebasing onto the graph and torch's dtype-cast error all come from there.

``INPLACE_METHODS`` are the ``Tensor`` methods made here; ``TORCH_FUNCTIONS`` the subset
torch also offers as ``torch.<name>_`` functions, with the in-place ops bricks already had
(``exp_``, ``relu_``, ``zero_``...) that torch has as functions too.
"""

from __future__ import annotations

from typing import Callable

from .._tensor import Tensor
from . import composites, elementwise, extras, inplace, linalg, matrix, pointwise, sorting
from . import stats, synonyms, unary
from .inplace import inplace_of

_FAMILIES = (unary, pointwise, elementwise, extras, linalg, matrix, sorting, stats, synonyms,
             composites)

# torch's ``Tensor.<name>_`` for these ops (torch 2.13's list, less those bricks cannot have).
_BASES = """
absolute acos acosh addmm arccos arccosh arcsin arcsinh arctan2 arctan arctanh asin asinh atan2
atan atanh baddbmm ceil clamp_max clamp_min clip cos cosh cumprod cumsum deg2rad digamma divide
eq erf erfc erfinv exp2 expm1 fix floor floor_divide fmod frac ge greater greater_equal gt hypot
i0 le lerp less less_equal lgamma log10 log1p log2 log logit lt multiply mvlgamma nan_to_num ne
negative not_equal polygamma rad2deg reciprocal remainder round rsqrt sgn sigmoid sign sin sinc
sinh square subtract tan tanh tril triu true_divide trunc xlogy igamma igammac
addcmul addcdiv addmv addr addbmm copysign float_power heaviside gcd lcm ldexp nextafter renorm
""".split()

# Of those, the ones torch also has as ``torch.<name>_(input, ...)``.
_TORCH_FUNCTIONS = """
acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil clamp_max
clamp_min clip cos cosh deg2rad erf erfc exp2 expm1 fix floor frac i0 log10 log1p log2 log logit
nan_to_num negative rad2deg reciprocal round rsqrt sigmoid sin sinc sinh square tan tanh trunc
xlogy addmv gcd lcm ldexp
""".split()


def _op(name: str) -> Callable[..., Tensor]:
    for family in _FAMILIES:
        if name in family.__all__:
            return getattr(family, name)
    raise LookupError(f"no op named {name!r} for its in-place form")  # a typo in _BASES


def _derive(name: str) -> Callable[..., Tensor]:
    method = inplace_of(_op(name))
    method.__name__ = method.__qualname__ = name + "_"
    method.__module__ = __name__
    return method


# Not module globals: the typing declarations of Tensor then read each one's signature.
INPLACE_METHODS: dict[str, Callable[..., Tensor]] = {name + "_": _derive(name) for name in _BASES}


def detach_(input: Tensor) -> Tensor:
    """``input.detach_()``: cut the tensor from its graph, in place."""
    return input.detach_()


# ``bricks.<name>_``: the functions, made ``bricks.ops`` globals by ops/__init__.py.
TORCH_FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    **{name + "_": INPLACE_METHODS[name + "_"] for name in _TORCH_FUNCTIONS},
    "abs_": inplace.abs_, "clamp_": inplace.clamp_, "detach_": detach_, "exp_": inplace.exp_,
    "fill_": inplace.fill_, "neg_": inplace.neg_, "relu_": inplace.relu_,
    "sqrt_": inplace.sqrt_, "zero_": inplace.zero_}


