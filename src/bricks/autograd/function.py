"""``Function``: the base of every differentiable primitive, and the node of the graph.

A primitive subclasses ``Function`` and writes ``forward`` on arrays with ``backward``
directly below it. ``apply`` runs ``forward`` and, when some input requires grad and
recording is on, makes the instance the output's ``grad_fn``.
"""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .grad_mode import GRAD_ENABLED

__all__ = ["Function", "unbroadcast"]

_ndarray = xp.ndarray


class Function:
    """A differentiable primitive: ``forward`` on arrays, ``backward`` on gradient arrays.

    Class attributes a primitive may set:
        saves: indices of the inputs whose values ``backward`` reads; modifying one of them
            in place before backward is an error, as in PyTorch.
        saves_for: parallel to ``saves``: the input whose gradient reads that saved input
            (None: any), so that, as in PyTorch, ``x * 3`` does not hold ``x`` to its version.
        saves_output: whether ``backward`` reads the output.
        is_view: whether the output shares memory (and the version counter) with input 0.
    """

    saves: tuple[int, ...] = ()
    saves_for: tuple[int | None, ...] | None = None
    saves_output = False
    is_view = False
    hooks: list | None = None
    needs_input_grad: tuple[bool, ...] = ()
    parents: tuple = ()
    saved_versions: tuple = ()
    freed = False
    _save_plan: tuple = ()  # (input index, reader) pairs, derived once per class from saves

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._save_plan = tuple(zip(cls.saves, cls.saves_for or (None,) * len(cls.saves)))

    def forward(self, *arrays: Any, **config: Any) -> Any:
        raise NotImplementedError

    def backward(self, gy: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **config: Any) -> Any:
        """Run the primitive on Tensors (or plain numbers) and record it when needed."""
        fn = cls()
        single = len(inputs) == 1
        if single:
            y = fn.forward(inputs[0]._value, **config)
        else:
            y = fn.forward(*[t._value if isinstance(t, Tensor) else t for t in inputs], **config)
        if type(y) is not _ndarray:
            y = xp.asarray(y)
        out = Tensor._wrap(y)
        if cls.is_view:
            out._version = inputs[0]._version
        if GRAD_ENABLED[0]:
            if single:
                if inputs[0].requires_grad:
                    _record(fn, inputs, (True,), out)
                return out
            needs = tuple([isinstance(t, Tensor) and t.requires_grad for t in inputs])
            if True in needs:
                _record(fn, inputs, needs, out)
        return out

    @classmethod
    def apply2(cls, a: Any, b: Any) -> Any:
        """``apply`` for exactly two Tensors and no config: the hot path of binary arithmetic."""
        fn = cls()
        y = fn.forward(a._value, b._value)
        if type(y) is not _ndarray:
            y = xp.asarray(y)
        out = Tensor._wrap(y)
        if GRAD_ENABLED[0] and (a.requires_grad or b.requires_grad):
            _record(fn, (a, b), (a.requires_grad, b.requires_grad), out)
        return out

    def name(self) -> str:
        """PyTorch's name of this node, such as ``AddmmBackward0``."""
        return getattr(self, "torch_name", None) or self._name()

    def _name(self) -> str:
        # A primitive whose PyTorch name depends on its arguments overrides this; a fixed
        # name is the class attribute ``torch_name``.
        return f"{type(self).__name__}Backward0"

    def register_hook(self, hook: Any) -> None:
        """Call ``hook(grad)`` on the gradient of this node's output before it flows on."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(hook)

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def rename(out: Any, name: str) -> Any:
    """Give ``out``'s node PyTorch's name for the composite op that made it; return ``out``."""
    if out.grad_fn is not None:
        out.grad_fn.torch_name = name
    return out


def _record(fn: Function, inputs: tuple, needs: tuple, out: Any) -> None:
    """Make ``fn`` the node of ``out`` in the graph."""
    fn.needs_input_grad = needs
    fn.parents = tuple([(t.grad_fn or t) if n else None for t, n in zip(inputs, needs)])
    cls = type(fn)
    if cls._save_plan or cls.saves_output:
        fn.saved_versions = _versions(cls, inputs, needs, out)
    out.requires_grad = True
    out.grad_fn = fn


def _versions(cls: type, inputs: tuple, needs: tuple, out: Any) -> tuple:
    pairs = []
    for i, reader in cls._save_plan:
        t = inputs[i]
        if (reader is None or needs[reader]) and isinstance(t, Tensor):
            counter = t._version
            pairs.append((counter, counter[0]))
    if cls.saves_output:
        counter = out._version
        pairs.append((counter, counter[0]))
    return tuple(pairs)


def unbroadcast(g: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient back to ``shape``: the one helper every op uses for that."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and g.shape[i + extra] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


from .._tensor import Tensor  # noqa: E402  (Tensor imports this module's names lazily)
