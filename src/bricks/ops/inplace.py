"""In-place ops (``add_``, ``+=``, ``fill_``, ...): they change the tensor and bump its version.

Without a graph they are one NumPy call writing into the tensor's memory. When the tensor or
the other operand takes part in a graph, the out-of-place op is recorded and its result
written back, and the tensor takes the new node as its ``grad_fn``, as PyTorch rebases it.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import _device
from .._device import array_module, xp
from .._tensor import Tensor, bump_version, version_counter
from ..autograd._views import check_inplace_view, operand, rebase
from ..autograd.function import Function, rename
from ..autograd.grad_mode import GRAD_ENABLED, no_grad
from . import elementwise as ew
from . import bitwise, shape, unary

__all__ = ["add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_", "uniform_",
           "normal_", "masked_fill_", "pow_", "neg_", "exp_", "abs_", "sqrt_", "relu_",
           "unsqueeze_", "squeeze_", "t_", "transpose_", "bitwise_and_", "bitwise_or_",
           "bitwise_xor_", "bitwise_not_", "logical_and_", "logical_or_", "logical_xor_",
           "logical_not_", "iadd", "isub", "imul", "itruediv", "iand", "ior", "ixor"]

_LEAF = ("a leaf Variable that requires grad is being used in an in-place operation. Wrap it "
         "in `with bricks.no_grad():` (as initializers and optimizers do) or modify `.data`.")


_VIEW_OF_LEAF = ("a view of a leaf Variable that requires grad is being used in an in-place "
                 "operation. Wrap it in `with bricks.no_grad():` or modify the leaf's `.data`.")


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _records(self: Tensor, other: Any) -> bool:
    if not GRAD_ENABLED.enabled:
        return False
    other_needs = isinstance(other, Tensor) and other.requires_grad
    if self._view is not None:  # first, as PyTorch: a marked view of a leaf says so
        check_inplace_view(self, other_needs)
    if self.requires_grad:
        check_not_leaf(self)
    return self.requires_grad or other_needs


def check_not_leaf(self: Tensor) -> None:
    """Refuse, as PyTorch, an in-place change of a leaf that requires grad or of a view of one.

    Raises:
        RuntimeError: for such a leaf, or a view (of a view...) of such a leaf.
    """
    node = self.grad_fn
    if node is None:
        raise RuntimeError(_LEAF)
    while node.is_view and node.parents:
        base = node.parents[0]
        if not isinstance(base, Function):  # the view's base is a leaf
            if base is not None and base.requires_grad:
                raise RuntimeError(_VIEW_OF_LEAF)
            return
        node = base


def _rebase(self: Tensor, outplace: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    # The op reads a copy of the old values (its backward may need them); for a view, the
    # copy is cut from the graph and ``rebase`` routes its gradient through the base.
    source = operand(self)
    snapshot = Tensor._wrap(self._value.copy())
    snapshot.requires_grad, snapshot.grad_fn = source.requires_grad, source.grad_fn
    result = outplace(snapshot, *args, **kwargs)
    _store(self, result._value)
    node = result.grad_fn
    if node is not None and type(node).saves_output:
        # The op saved its output, which is now this tensor: a later in-place change of it
        # is PyTorch's "modified by an inplace operation" error, as for ``relu_``'s there.
        counter = version_counter(self)
        node.saved_versions = node.saved_versions[:-1] + ((counter, counter[0]),)
    rebase(self, node, result.requires_grad)
    return self


def _store(self: Tensor, value: Any) -> None:
    if not self._value.flags.writeable:
        raise RuntimeError(_OVERLAP)
    if type(value) is not type(self._value):  # values from another device (copy_, init)
        value = _device.to_device(value, _device.device_of(self._value))
    if value.dtype != self._value.dtype and not xp.can_cast(value.dtype, self._value.dtype,
                                                            "same_kind"):
        raise RuntimeError(f"result type {_name(value.dtype)} can't be cast to the desired "
                           f"output type {_name(self._value.dtype)}")
    try:
        self._value[...] = value
    except ValueError:
        raise RuntimeError(f"output with shape {list(self._value.shape)} doesn't match the "
                           f"broadcast shape {list(value.shape)}") from None
    bump_version(self)


def _name(dtype: Any) -> str:
    names = {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool"}
    return names.get(dtype.kind, str(dtype))


def inplace_of(outplace: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """The in-place form ``name_`` of the out-of-place op ``name``: one rule for all of them.

    It records ``outplace`` and rebases the tensor onto the new node when the tensor or a
    tensor argument is in a graph (a leaf that requires grad, or a view of one, is refused),
    and otherwise writes the result into the tensor's memory; either way the version counter
    moves, and a result the tensor's dtype cannot hold is torch's "result type Float can't be
    cast to the desired output type Long" with the tensor left unchanged.
    """

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        other = next((t for t in tensors if t.requires_grad), tensors[0] if tensors else None)
        if _records(self, other):
            return _rebase(self, graded, *args, **kwargs)
        with no_grad():
            _store(self, outplace(self, *args, **kwargs)._value)
        return self

    def graded(old: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        # An op with no gradient (``lt``, ``round``) leaves the tensor in the graph, as in
        # torch: its old values get gradient 0 through a node named after the op.
        out = outplace(old, *args, **kwargs)
        if out.requires_grad or not old.requires_grad:
            return out
        return rename(Overwrite.apply(old, value=out._value), node_name)

    node_name = "".join(p.capitalize() for p in outplace.__name__.split("_")) + "Backward0"
    method.__name__ = outplace.__name__ + "_"
    method.__doc__ = f"In-place ``{outplace.__name__}``: writes the result into this tensor."
    return method



add_: Callable[..., Tensor] = inplace_of(ew.add)
sub_: Callable[..., Tensor] = inplace_of(ew.sub)
mul_: Callable[..., Tensor] = inplace_of(ew.mul)
div_: Callable[..., Tensor] = inplace_of(ew.div)
pow_: Callable[..., Tensor] = inplace_of(ew.pow)


def _fast(ufunc: Any, slow: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``+=`` and friends: one NumPy call into the tensor's memory when nothing is recorded."""

    def method(self: Tensor, other: Any) -> Tensor:
        if not _records(self, other):
            b = other._value if isinstance(other, Tensor) else other
            try:
                ufunc(self._value, b, out=self._value)
            except (TypeError, ValueError):  # a failed cast or broadcast: let the slow path say why
                return slow(self, other)
            bump_version(self)
            return self
        return slow(self, other)

    return method


iadd: Callable[[Tensor, Any], Tensor] = _fast(xp.add, add_)
isub: Callable[[Tensor, Any], Tensor] = _fast(xp.subtract, sub_)
imul: Callable[[Tensor, Any], Tensor] = _fast(xp.multiply, mul_)
itruediv: Callable[[Tensor, Any], Tensor] = _fast(xp.true_divide, div_)

bitwise_and_: Callable[..., Tensor] = inplace_of(bitwise.bitwise_and)
iand: Callable[[Tensor, Any], Tensor] = bitwise_and_
bitwise_or_: Callable[..., Tensor] = inplace_of(bitwise.bitwise_or)
ior: Callable[[Tensor, Any], Tensor] = bitwise_or_
bitwise_xor_: Callable[..., Tensor] = inplace_of(bitwise.bitwise_xor)
ixor: Callable[[Tensor, Any], Tensor] = bitwise_xor_
logical_and_: Callable[..., Tensor] = inplace_of(bitwise.logical_and)
logical_or_: Callable[..., Tensor] = inplace_of(bitwise.logical_or)
logical_xor_: Callable[..., Tensor] = inplace_of(bitwise.logical_xor)



neg_: Callable[..., Tensor] = inplace_of(unary.neg)
exp_: Callable[..., Tensor] = inplace_of(unary.exp)
abs_: Callable[..., Tensor] = inplace_of(unary.abs)
sqrt_: Callable[..., Tensor] = inplace_of(unary.sqrt)
relu_: Callable[..., Tensor] = inplace_of(unary.relu)
clamp_: Callable[..., Tensor] = inplace_of(unary.clamp)
bitwise_not_: Callable[..., Tensor] = inplace_of(bitwise.bitwise_not)
logical_not_: Callable[..., Tensor] = inplace_of(unary.logical_not)


class Overwrite(Function):
    """``fill_``, ``zero_``, ``uniform_``... on a tensor in the graph: old values get gradient 0."""

    def forward(self, x, value):
        return xp.full_like(x, value)

    def backward(self, gy):
        return xp.zeros_like(gy)


def _fill(self: Tensor, value: Any, torch_name: str = "FillBackward2") -> Tensor:
    value = value._value if isinstance(value, Tensor) else value
    if _records(self, None):
        return _rebase(self, lambda old: rename(Overwrite.apply(old, value=value), torch_name))
    _store(self, _device.array_module(self._value).asarray(value))
    return self


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place."""
    return _fill(self, 0, "ZeroBackward0")


class FillWith(Function):
    """``fill_`` with a 0-d tensor in the graph: old values get gradient 0, the value the sum."""

    torch_name = "FillBackward3"

    def forward(self, x, value):
        self.value_dtype = value.dtype
        return xp.full_like(x, value)

    def backward(self, gy):
        needs_x, needs_value = self.needs_input_grad
        return (xp.zeros_like(gy) if needs_x else None,
                array_module(gy).asarray(gy.sum(), dtype=self.value_dtype) if needs_value
                else None)


def fill_(self: Tensor, value: Any) -> Tensor:
    """Fill with ``value`` in place.

    Args:
        value: a number, or a 0-d tensor; when that requires grad, its gradient is the sum
            of this tensor's gradient, as in PyTorch.

    Raises:
        RuntimeError: if ``value`` is a tensor with dimensions, or this tensor is a leaf
            that requires grad.
    """
    if isinstance(value, Tensor):
        if value._value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._value.ndim} dimensions.")
        if _records(self, value):
            return _rebase(self, FillWith.apply, value)
        value = value._value
    return _fill(self, value)


class CopyFrom(Function):
    """``copy_`` in a graph: the old values get no gradient, the source all of it."""

    torch_name = "CopyBackwards"

    def forward(self, x, source):
        return source

    def backward(self, gy):
        return None, gy


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy the values of ``src`` (broadcast, cast to this dtype) into this tensor."""
    if _records(self, src):
        from .elementwise import cast
        from .shape import expand

        from .devices import move

        source = move(src, self.device) if isinstance(src, Tensor) else src
        source = expand(cast(source, self._value.dtype), self._value.shape)
        result = CopyFrom.apply(self.detach(), source)
        _store(self, source._value)
        rebase(self, result.grad_fn, result.requires_grad)
        return self
    # host: numbers and lists are read on the host, then moved to this tensor's device
    value = src._value if isinstance(src, Tensor) else xp.asarray(src)
    if type(value) is not type(self._value):  # copy_ moves between devices, as torch's
        value = _device.to_device(value, _device.device_of(self._value))
    try:
        self._value[...] = value
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({list(self._value.shape)}) must match the "
                           f"size of tensor b ({list(value.shape)})") from None
    bump_version(self)
    return self


def _random_fill(self: Tensor, draw: Callable[[Any], Any], generator: Any,
                 torch_name: str, method: tuple = ()) -> Tensor:
    from .._creation import default_generator, fill_random

    if generator is None and type(self._value) is not xp.ndarray:
        where = self.device  # the device's own generator draws on the device
        rng = _device.get_backend(where.type).rng(where.index)
    else:
        rng = (generator or default_generator).numpy
        if not _records(self, None) and method and fill_random(self._value, rng, *method):
            bump_version(self)  # drawn in place, in bounded memory
            return self
    return _fill(self, draw(rng).astype(self._value.dtype, copy=False), torch_name)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from U(a, b) in place."""
    shape = self._value.shape
    return _random_fill(self, lambda r: r.uniform(a, b, shape), generator, "UniformBackward0",
                        ("uniform", a, b))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from N(mean, std^2) in place."""
    shape = self._value.shape

    def draw(rng: Any) -> Any:
        if hasattr(rng, "normal"):
            return rng.normal(mean, std, shape)
        return rng.standard_normal(shape) * std + mean  # CuPy's generator has no normal()

    return _random_fill(self, draw, generator, "NormalBackward0", ("normal", mean, std))


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    """Write ``value`` where ``mask`` is true, in place."""
    from .index import masked_fill

    if _records(self, value):
        return _rebase(self, masked_fill, mask, value)
    _store(self, masked_fill(self.detach(), mask, value)._value)
    return self


def _restride(outplace: Callable[..., Tensor], torch_name: str) -> Callable[..., Tensor]:
    """``unsqueeze_`` and friends: the tensor takes the new shape over the same memory."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return _take_shape(self, outplace(self, *args, **kwargs), torch_name)

    method.__name__ = outplace.__name__ + "_"
    method.__doc__ = f"In-place ``{outplace.__name__}``: the same memory in a new shape."
    return method


def _take_shape(self: Tensor, out: Tensor, torch_name: str) -> Tensor:
    if _records(self, None):
        self.grad_fn = rename(out, torch_name).grad_fn
    if type(self._view) is tuple:  # a view stays a view of its base, one step further
        self._view = out._view
    self._value = out._value
    bump_version(self)
    return self


def squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    """In-place ``squeeze``: the same memory without the size-1 dimensions (all, or ``dim``)."""
    if dim is None:
        return _take_shape(self, shape.squeeze(self), "SqueezeBackward3")
    # PyTorch numbers the in-place node by the form of ``dim``: one dimension or several.
    several = isinstance(dim, (tuple, list))
    name = "SqueezeBackward5" if several else "SqueezeBackward4"
    return _take_shape(self, shape.squeeze(self, dim), name)


unsqueeze_: Callable[..., Tensor] = _restride(shape.unsqueeze, "UnsqueezeBackward1")
t_: Callable[..., Tensor] = _restride(shape.t, "TBackward1")
transpose_: Callable[..., Tensor] = _restride(shape.transpose, "TransposeBackward1")

