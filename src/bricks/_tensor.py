"""``Tensor``: an array, its dtype and shape, and its place in the autograd graph.

The methods that compute (arithmetic, reductions, shape ops) are the ops of
``bricks.ops``, bound to the class in one table in ``bricks/ops/__init__.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from . import _backend, _device
from ._backend import xp
from ._tensor_str import format_tensor

if TYPE_CHECKING:
    from . import ops as _ops
    from .autograd.function import Function
    from .ops import bitwise as _bitwise
    from .ops import elementwise as _elementwise
    from .ops import index as _index
    from .ops import inplace as _inplace
    from .ops import linalg as _linalg
    from .ops import reduce as _reduce
    from .ops import shape as _shape
    from .ops import sorting as _sorting
    from .ops import unary as _unary

    _TensorT = TypeVar("_TensorT", bound="Tensor")  # Tensor or a subclass (Parameter)

__all__ = ["Tensor", "Size"]

_ndarray = xp.ndarray
_new = object.__new__


class Size(tuple):
    """The shape of a tensor: a tuple printed as ``bricks.Size([8, 4])``."""

    def __repr__(self) -> str:
        return f"bricks.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for d in self:
            n *= d
        return n


class Tensor:
    """A multi-dimensional array that records the operations made on it for backward.

    Create tensors with ``bricks.tensor``, ``bricks.zeros`` and the like.

    Example:
        >>> import bricks
        >>> x = bricks.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    # ``_counter`` is the version counter (a one-item list shared with views), or None until
    # something needs it: most tensors never meet an in-place op, and the list costs every op.
    __slots__ = ("_value", "requires_grad", "grad", "grad_fn", "_counter", "_hooks",
                 "__weakref__")
    _value: Any  # the ndarray
    requires_grad: bool
    grad: Tensor | None
    grad_fn: Function | None
    _counter: list[int] | None
    _hooks: list[Callable[[Tensor], Tensor | None]] | None
    __array_priority__ = 1000  # so that ndarray + Tensor calls Tensor.__radd__

    def __init__(self, *args: Any) -> None:
        from ._creation import legacy_new

        _init(self, legacy_new(args, None))

    @classmethod
    def _wrap(cls: type[_TensorT], value: Any) -> _TensorT:
        """A new leaf of this class that holds ``value`` (an ndarray) without copying it."""
        return _init(_new(cls), value)

    # ----- metadata -----
    @property
    def shape(self) -> Size:
        return Size(self._value.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._value.shape)
        return self._value.shape[_check_dim(dim, self._value.ndim)]

    @property
    def dtype(self) -> _backend.dtype:
        return _backend.from_numpy_dtype(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def dim(self) -> int:
        """The number of dimensions."""
        return self._value.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._value.size

    nelement = numel

    def element_size(self) -> int:
        """The size of one element in bytes."""
        return self._value.itemsize

    @property
    def device(self) -> _device.device:
        """The device the values live on, such as ``device(type='cpu')``."""
        value = self._value
        if type(value) is _ndarray:
            return _CPU
        return _device.device_of(value)

    @property
    def is_cuda(self) -> bool:
        """Whether the values live on a CUDA device."""
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        """Whether the values live in host memory."""
        return self.device.type == "cpu"

    def get_device(self) -> int:
        """The index of the tensor's device; -1 for the CPU, as torch."""
        index = self.device.index
        return -1 if index is None else index

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_contiguous(self) -> bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return self._value.flags.c_contiguous

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self._value.dtype.kind == "f"

    # ----- values -----
    def numpy(self, *, force: bool = False) -> Any:
        """The values as a NumPy array sharing memory with this tensor.

        Raises:
            RuntimeError: if the tensor requires grad (call ``.detach().numpy()``).
        """
        if type(self._value) is not _ndarray:
            _check_host(self)
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._value

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if type(self._value) is not _ndarray:
            _check_host(self)
        return self._value if dtype is None else self._value.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._value.size != 1:
            raise RuntimeError(f"a Tensor with {self._value.size} elements cannot be converted "
                               "to Scalar")
        return self._value.item()

    def tolist(self) -> Any:
        """The values as nested Python lists (a number for a 0-d tensor)."""
        return self._value.tolist()

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._value.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._value.shape[0]))

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._value.size} values is "
                               "ambiguous")
        return bool(self._value)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iub" or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._value.item())

    __hash__ = object.__hash__  # identity, as torch: tensors are dict keys (optimizer state)

    # ----- autograd surface -----
    @property
    def data(self) -> Tensor:
        """A detached tensor sharing memory (but not the version counter) with this one."""
        return Tensor._wrap(self._value)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._value = value._value

    def detach(self) -> Tensor:
        """A new tensor sharing memory and version counter, cut from the graph."""
        t = Tensor._wrap(self._value)
        t._counter = version_counter(self)
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return the tensor.

        Raises:
            RuntimeError: for a non-leaf, or for an integer tensor asked to require grad.
        """
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if requires_grad and self._value.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients, "
                               f"got {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward."""
        if self.grad_fn is None:
            return
        import weakref

        ref = weakref.ref(self)

        def keep(grad: Tensor) -> None:
            owner = ref()
            if owner is not None:
                owner.grad = grad.clone() if owner.grad is None else owner.grad + grad

        self.grad_fn.register_hook(keep)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one.

        Raises:
            RuntimeError: if the tensor does not require grad.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
            hooks: list = self.grad_fn.hooks  # type: ignore[assignment]  # made by register_hook
        else:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            hooks = self._hooks
        return _RemovableHook(hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the graph's leaves.

        Args:
            gradient: the gradient with respect to this tensor; needed unless it is a scalar.
            retain_graph: keep the graph for a second backward.
            create_graph: not supported.
            inputs: not supported.
        """
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    @property
    def _version(self) -> int:
        """How many times this tensor (or a view sharing its memory) was changed in place."""
        return 0 if self._counter is None else self._counter[0]

    _version_number = _version

    # ----- printing -----
    def __repr__(self) -> str:
        return self._format("tensor(")

    def _format(self, prefix: str) -> str:
        d = self.dtype
        value = self._value
        where = None if type(value) is _ndarray else self.device
        if where is not None and where.type != "cpu":
            value = _device.to_host(value)
        return format_tensor(
            value, dtype_name=d.name, default_dtype=d is _backend.get_default_dtype(),
            dtype_repr=repr(d), requires_grad=self.requires_grad,
            grad_fn=self.grad_fn.name() if self.grad_fn is not None else None, prefix=prefix,
            device=None if where is None or where.type == "cpu" else str(where))

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0 and spec:
            return format(self._value.item(), spec)
        return repr(self)

    if TYPE_CHECKING:
        # The ops that ``bricks/ops/__init__.py`` binds to the class from its table, as type
        # checkers see them; last in the class, so that ``float`` above is still the builtin.
        __add__ = _elementwise.add_operator
        __radd__ = _elementwise.add_operator
        __sub__ = _elementwise.sub_operator
        __mul__ = _elementwise.mul_operator
        __rmul__ = _elementwise.mul_operator
        __truediv__ = _elementwise.div_operator
        __floordiv__ = _elementwise.floor_divide
        __mod__ = _elementwise.remainder
        __pow__ = _elementwise.pow
        __lt__ = _elementwise.lt
        __le__ = _elementwise.le
        __gt__ = _elementwise.gt
        __ge__ = _elementwise.ge
        __matmul__ = _linalg.matmul
        __neg__ = _unary.neg
        __abs__ = _unary.abs
        __invert__ = _bitwise._invert
        __and__ = _bitwise.bitwise_and
        __rand__ = _bitwise.bitwise_and
        __or__ = _bitwise.bitwise_or
        __ror__ = _bitwise.bitwise_or
        __xor__ = _bitwise.bitwise_xor
        __rxor__ = _bitwise.bitwise_xor
        __getitem__ = _index.getitem
        __setitem__ = _index.setitem
        __iadd__ = _inplace.iadd
        __isub__ = _inplace.isub
        __imul__ = _inplace.imul
        __itruediv__ = _inplace.itruediv
        __iand__ = _inplace.iand
        __ior__ = _inplace.ior
        __ixor__ = _inplace.ixor

        def __rsub__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __eq__(self, other: object) -> Any: ...  # a bool tensor, as in PyTorch
        def __ne__(self, other: object) -> Any: ...

        add = _elementwise.add
        sub = _elementwise.sub
        mul = _elementwise.mul
        div = _elementwise.div
        pow = _elementwise.pow
        remainder = _elementwise.remainder
        floor_divide = _elementwise.floor_divide
        eq = _elementwise.eq
        ne = _elementwise.ne
        lt = _elementwise.lt
        le = _elementwise.le
        gt = _elementwise.gt
        ge = _elementwise.ge
        maximum = _elementwise.maximum
        minimum = _elementwise.minimum
        isclose = _elementwise.isclose
        allclose = _elementwise.allclose
        equal = _elementwise.equal

        def where(self, condition: Tensor, other: Any) -> Tensor: ...

        to = _ops.device.to
        type = _ops._type
        new_tensor = _ops.device.new_tensor
        type_as = _ops.device.type_as
        cpu = _ops.device.cpu
        cuda = _ops.device.cuda

        def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                      requires_grad: bool = False) -> Tensor: ...
        def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                     requires_grad: bool = False) -> Tensor: ...
        def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                      requires_grad: bool = False) -> Tensor: ...
        def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                     requires_grad: bool = False) -> Tensor: ...

        neg = _unary.neg
        abs = _unary.abs
        exp = _unary.exp
        log = _unary.log
        log1p = _unary.log1p
        sqrt = _unary.sqrt
        rsqrt = _unary.rsqrt
        reciprocal = _unary.reciprocal
        square = _unary.square
        sin = _unary.sin
        cos = _unary.cos
        tanh = _unary.tanh
        sigmoid = _unary.sigmoid
        relu = _unary.relu
        clamp = _unary.clamp
        sign = _unary.sign
        logical_not = _unary.logical_not
        isnan = _unary.isnan
        isinf = _unary.isinf
        isfinite = _unary.isfinite
        floor = _unary.floor
        ceil = _unary.ceil
        round = _unary.round

        sort = _sorting.sort
        argsort = _sorting.argsort
        topk = _sorting.topk
        cumsum = _sorting.cumsum
        flip = _sorting.flip

        sum = _reduce.sum
        mean = _reduce.mean
        prod = _reduce.prod
        var = _reduce.var
        std = _reduce.std
        norm = _reduce.norm
        logsumexp = _reduce.logsumexp
        max = _reduce.max
        min = _reduce.min
        argmax = _reduce.argmax
        argmin = _reduce.argmin
        all = _reduce.all
        any = _reduce.any
        softmax = _reduce.softmax
        log_softmax = _reduce.log_softmax
        amax = _reduce.amax
        amin = _reduce.amin

        clone = _shape.clone
        reshape = _shape.reshape
        view = _shape.view
        flatten = _shape.flatten
        unflatten = _shape.unflatten
        squeeze = _shape.squeeze
        unsqueeze = _shape.unsqueeze
        transpose = _shape.transpose
        permute = _shape.permute
        expand = _shape.expand
        repeat = _shape.repeat
        split = _shape.split
        chunk = _shape.chunk
        t = _shape.t
        movedim = _shape.movedim
        unbind = _shape.unbind
        contiguous = _shape.contiguous
        expand_as = _shape.expand_as
        view_as = _shape.view_as
        reshape_as = _shape.reshape_as

        @property
        def T(self) -> Tensor: ...
        @property
        def mT(self) -> Tensor: ...

        getitem = _index.getitem
        setitem = _index.setitem
        gather = _index.gather
        index_select = _index.index_select
        masked_fill = _index.masked_fill
        nonzero = _index.nonzero

        matmul = _linalg.matmul
        mm = _linalg.mm
        bmm = _linalg.bmm
        dot = _linalg.dot
        outer = _linalg.outer

        bitwise_and = _bitwise.bitwise_and
        bitwise_or = _bitwise.bitwise_or
        bitwise_xor = _bitwise.bitwise_xor
        bitwise_not = _bitwise.bitwise_not
        logical_and = _bitwise.logical_and
        logical_or = _bitwise.logical_or
        logical_xor = _bitwise.logical_xor

        add_ = _inplace.add_
        sub_ = _inplace.sub_
        mul_ = _inplace.mul_
        div_ = _inplace.div_
        zero_ = _inplace.zero_
        fill_ = _inplace.fill_
        copy_ = _inplace.copy_
        clamp_ = _inplace.clamp_
        uniform_ = _inplace.uniform_
        normal_ = _inplace.normal_
        masked_fill_ = _inplace.masked_fill_
        pow_ = _inplace.pow_
        neg_ = _inplace.neg_
        exp_ = _inplace.exp_
        abs_ = _inplace.abs_
        sqrt_ = _inplace.sqrt_
        relu_ = _inplace.relu_
        unsqueeze_ = _inplace.unsqueeze_
        squeeze_ = _inplace.squeeze_
        t_ = _inplace.t_
        transpose_ = _inplace.transpose_
        bitwise_and_ = _inplace.bitwise_and_
        bitwise_or_ = _inplace.bitwise_or_
        bitwise_xor_ = _inplace.bitwise_xor_
        bitwise_not_ = _inplace.bitwise_not_
        logical_and_ = _inplace.logical_and_
        logical_or_ = _inplace.logical_or_
        logical_xor_ = _inplace.logical_xor_
        logical_not_ = _inplace.logical_not_

        # Last, as they shadow the builtins in the class body.
        def float(self) -> Tensor: ...
        def double(self) -> Tensor: ...
        def half(self) -> Tensor: ...
        def long(self) -> Tensor: ...
        def int(self) -> Tensor: ...
        def bool(self) -> Tensor: ...


class _RemovableHook:
    """The handle ``register_hook`` returns: ``remove()`` takes the hook away."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self.hooks = hooks
        self.hook = hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def _init(t: _TensorT, value: Any) -> _TensorT:
    """Give ``t`` the fields of a fresh leaf holding ``value``; return ``t``."""
    t._value = value
    t.requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._counter = None
    t._hooks = None
    return t


def wrap(value: Any) -> Tensor:
    """A new leaf ``Tensor`` holding the ndarray ``value``: ``Tensor._wrap`` for the hot path.

    Every op's result is made here, so this repeats ``_init`` inline (one call less per op).
    """
    t = _new(Tensor)
    t._value = value
    t.requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._counter = None
    t._hooks = None
    return t


def version_counter(t: Tensor) -> list[int]:
    """``t``'s version counter, made on first need; views and saved inputs hold it."""
    counter = t._counter
    if counter is None:
        counter = t._counter = [0]
    return counter


def bump_version(t: Tensor) -> None:
    """Count an in-place change of ``t``: a node that saved it will refuse to run backward."""
    counter = t._counter
    if counter is None:
        t._counter = [1]
    else:
        counter[0] += 1


def _check_host(t: Tensor) -> None:
    """torch's TypeError for a device tensor asked for a NumPy array."""
    where = t.device
    if where.type != "cpu":
        raise TypeError(f"can't convert {where} device type tensor to numpy. Use Tensor.cpu() "
                        "to copy the tensor to host memory first.")


_CPU = _device.CPU


def _check_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dimension, with PyTorch's IndexError when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim
