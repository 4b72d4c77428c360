"""The differentiable ops, by family, and the table that makes them Tensor methods."""

from __future__ import annotations

from typing import Any

from .._device import xp
from .._aliases import takes_dim, with_numpy_aliases
from .._tensor import Tensor
from ..autograd.function import rename
from . import bitwise, elementwise, index, inplace, linalg, reduce, shape, sorting, unary
from . import devices
from . import decompositions, extras, indexing, layout, matrix, memory, pointwise, stats
from . import composites, inplace_forms, scatters, structure, synonyms
# complex_numbers guards the real-only ops of the families above when imported: before binding
from . import complex_numbers
from .. import _everyday  # noqa: E402  (its in-place fills import ops.inplace, loaded above)
from .bitwise import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .index import *  # noqa: F403
from .linalg import *  # noqa: F403
from .reduce import *  # noqa: F403
from .shape import *  # noqa: F403
from .sorting import *  # noqa: F403
from .unary import *  # noqa: F403
from .indexing import *  # noqa: F403
from .matrix import *  # noqa: F403
from .pointwise import *  # noqa: F403
from .stats import *  # noqa: F403
from .decompositions import *  # noqa: F403
from .extras import *  # noqa: F403
from .complex_numbers import *  # noqa: F403
from .layout import *  # noqa: F403
from .synonyms import *  # noqa: F403
from .composites import *  # noqa: F403
from .structure import *  # noqa: F403
from .scatters import *  # noqa: F403

__all__ = (elementwise.__all__ + unary.__all__ + sorting.__all__ + index.__all__
           + linalg.__all__ + reduce.__all__ + shape.__all__ + bitwise.__all__
           + indexing.__all__ + matrix.__all__ + pointwise.__all__ + stats.__all__
           + decompositions.__all__ + extras.__all__ + complex_numbers.__all__
           + layout.__all__ + synonyms.__all__ + composites.__all__ + structure.__all__
           + scatters.__all__
           + list(inplace_forms.TORCH_FUNCTIONS))
globals().update(inplace_forms.TORCH_FUNCTIONS)  # bricks.sin_ and the other in-place functions


_to = devices.to  # devices: see ops/devices.py


def _caster(name: str, dtype: Any) -> Any:
    def method(self: Tensor) -> Tensor:
        return elementwise.cast(self, xp.dtype(dtype))

    method.__name__ = name
    method.__doc__ = f"The tensor as {xp.dtype(dtype)} (itself if it already is)."
    return method


def _reversed(op: Any, torch_name: str | None = None) -> Any:
    # ``2 - x`` is ``sub(2, x)``; PyTorch names some of these nodes after its own rewrite.
    if torch_name is None:
        def method(self: Tensor, other: Any) -> Tensor:
            return op(other, self)
    else:
        def method(self: Tensor, other: Any) -> Tensor:
            return rename(op(other, self), torch_name)

    return method


def _equality(op: Any) -> Any:
    # ``t == None`` is False and ``t != None`` True, as in PyTorch: with an operand that is no
    # tensor or number, Python falls back to comparing identities.
    def method(self: Tensor, other: object) -> Any:
        try:
            return op(self, other)
        except TypeError:
            if isinstance(other, (Tensor, int, float, xp.ndarray, xp.generic)):
                raise
            return NotImplemented

    method.__name__ = f"__{op.__name__}__"
    return method


def _pos(self: Tensor) -> Tensor:
    return self


def _reversed_tensor(self: Tensor) -> Tensor:
    """``reversed(x)``: as torch, ``x`` flipped along its first dimension (a 0-d tensor is
    itself), a tensor rather than Python's reverse iterator over the rows."""
    if self.ndim == 0:
        return self
    return sorting.flip(self, (0,))


def _where(self: Tensor, condition: Tensor, other: Any) -> Tensor:
    """``x.where(condition, y)``: ``bricks.where(condition, x, y)``, with ``self`` second."""
    return elementwise.where(condition, self, other)


# ----- The one table of Tensor methods -----
# Every method of Tensor that computes is bound from ``_METHODS`` below, and nowhere else.
# To add one (see ops/README.md):
#   1. write the op in its family module and list it in that module's ``__all__``: it becomes
#      ``bricks.<name>`` and, unless it is in ``_FUNCTIONS_ONLY``, ``Tensor.<name>``;
#      a method with no ``bricks.<name>`` function gets an entry in ``_METHODS`` instead;
#   2. run ``make methods`` (tools/gen_tensor_methods.py), which rewrites the declarations
#      type checkers read at the end of ``Tensor``; a test fails until they match this table.
_FAMILIES = (elementwise, unary, sorting, reduce, shape, index, linalg, bitwise, inplace,
             indexing, matrix, pointwise, stats, decompositions, extras, complex_numbers,
             layout, synonyms, composites, structure, scatters)

# Names in a family's ``__all__`` that are functions only (``bricks.cat``), or that are bound
# under another name (``where`` takes ``self`` second; ``iadd`` is ``__iadd__``).
_FUNCTIONS_ONLY = frozenset({
    "cast", "where", "cat", "stack", "linear", "einsum",
    "meshgrid", "cdist", "tensordot", "bucketize", "searchsorted", "concat", "concatenate",
    "hstack", "vstack", "dstack", "column_stack", "broadcast_tensors",
    "std_mean", "var_mean", "logspace",
    "iadd", "isub", "imul", "itruediv", "iand", "ior", "ixor",
    "complex", "polar", "view_as_real", "view_as_complex", "is_complex", "real", "imag",
    "atleast_1d", "atleast_2d", "atleast_3d", "cartesian_prod", "broadcast_shapes",
    "tril_indices", "triu_indices", "row_stack", "trapezoid", "trapz", "cumulative_trapezoid",
    "isin",
})

_METHODS: dict[str, Any] = {
    # arithmetic and comparison operators
    "__add__": elementwise.add_operator, "__radd__": elementwise.add_operator,
    "__sub__": elementwise.sub_operator, "__rsub__": _reversed(elementwise.sub, "RsubBackward1"),
    "__mul__": elementwise.mul_operator, "__rmul__": elementwise.mul_operator,
    "__truediv__": elementwise.div_operator,
    "__rtruediv__": _reversed(elementwise.div, "MulBackward0"),
    "__floordiv__": elementwise.floor_divide, "__rfloordiv__": _reversed(elementwise.floor_divide),
    "__mod__": elementwise.remainder, "__rmod__": _reversed(elementwise.remainder),
    "__pow__": elementwise.pow, "__rpow__": _reversed(elementwise.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reversed(linalg.matmul),
    "__neg__": unary.neg, "__abs__": unary.abs,
    "__pos__": _pos, "__reversed__": _reversed_tensor, "__invert__": bitwise._invert,
    "__and__": bitwise.bitwise_and, "__rand__": bitwise.bitwise_and,  # commutative: no swap
    "__or__": bitwise.bitwise_or, "__ror__": bitwise.bitwise_or,
    "__xor__": bitwise.bitwise_xor, "__rxor__": bitwise.bitwise_xor,
    "__eq__": _equality(elementwise.eq), "__ne__": _equality(elementwise.ne),
    "__lt__": elementwise.lt,
    "__le__": elementwise.le, "__gt__": elementwise.gt, "__ge__": elementwise.ge,
    "__getitem__": index.getitem, "__setitem__": index.setitem,
    "__iadd__": inplace.iadd, "__isub__": inplace.isub, "__imul__": inplace.imul,
    "__itruediv__": inplace.itruediv, "__iand__": inplace.iand, "__ior__": inplace.ior,
    "__ixor__": inplace.ixor,
    # methods with no function of the same name and signature
    "to": _to, "type": devices.tensor_type, "type_as": devices.type_as,
    "float": _caster("float", xp.float32), "double": _caster("double", xp.float64),
    "half": _caster("half", xp.float16), "long": _caster("long", xp.int64),
    "int": _caster("int", xp.int32), "bool": _caster("bool", xp.bool_),
    "short": _caster("short", xp.int16), "char": _caster("char", xp.int8),
    "byte": _caster("byte", xp.uint8),
    "where": _where, "ndimension": synonyms.ndimension,
    # devices (ops/devices.py)
    "new_zeros": devices.new("zeros"), "new_ones": devices.new("ones"),
    "new_empty": devices.new("empty"), "new_full": devices.new("full"),
    "new_tensor": devices.new_tensor, "cpu": devices.cpu, "cuda": devices.cuda,
    "stride": layout.stride, "storage_offset": layout.storage_offset,
    # where the bytes are (ops/memory.py)
    "data_ptr": memory.data_ptr, "nbytes": property(memory.nbytes, doc=memory.nbytes.__doc__),
    "itemsize": property(memory.itemsize, doc=memory.itemsize.__doc__),
    "pin_memory": memory.pin_memory, "is_pinned": memory.is_pinned,
    "share_memory_": memory.share_memory_, "is_shared": memory.is_shared,
    "bernoulli_": _everyday.bernoulli_, "random_": _everyday.random_,
    "exponential_": _everyday.exponential_, "apply_": _everyday.apply_, "map_": _everyday.map_,
    "bernoulli": _everyday.bernoulli,
    "sum_to_size": structure.sum_to_size,  # torch has no torch.sum_to_size
    "unfold": shape.unfold,  # torch.unfold is no function (nn.functional.unfold is another op)
    "T": property(lambda self: shape.permute(self, tuple(range(self.ndim - 1, -1, -1))),
                  doc="The tensor with its dimensions reversed."),
    "mT": property(lambda self: shape.transpose(self, -2, -1),
                   doc="The last two dimensions swapped."),
    "real": property(complex_numbers.real, doc=complex_numbers.real.__doc__),
    "imag": property(complex_numbers.imag, doc=complex_numbers.imag.__doc__),
    **scatters.METHODS,  # masked_scatter_, put_, index_reduce_, fill_diagonal_
}
for _family in _FAMILIES:
    for _name in _family.__all__:
        if _name not in _FUNCTIONS_ONLY:
            _METHODS.setdefault(_name, getattr(_family, _name))
# torch's in-place forms of those ops (``x.sin_()``...), derived by one rule: inplace_forms.py
for _name, _method in inplace_forms.INPLACE_METHODS.items():
    _METHODS.setdefault(_name, _method)
for _name, _method in _METHODS.items():
    # NumPy's axis=/keepdims= where torch accepts them (x.sum(axis=0)): see bricks._aliases.
    if takes_dim(_method):
        _METHODS[_name] = _method = with_numpy_aliases(_method)
    setattr(Tensor, _name, _method)
