"""``torch.autograd.functional``: vector-Jacobian products and Jacobians of a function.

Gradients are first order in bricks, so ``create_graph=True`` (and ``hessian``, ``jvp``,
``hvp``, ``vhp``, which need it) raise ``NotImplementedError``.
"""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from .engine import grad

__all__ = ["vjp", "jacobian"]

_NO_DOUBLE = ("create_graph=True (gradients of gradients) is not supported by bricks: its "
              "backward computes on plain arrays, first order only")


def _as_tuple(x: Any) -> tuple[tuple, bool]:
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepare(inputs: tuple) -> tuple:
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"The inputs given to vjp must be either a Tensor or a tuple of "
                            f"Tensors but the value at index {i} has type {type(t).__name__}.")
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def vjp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``func(*inputs)`` and the product ``v^T J`` of ``v`` with its Jacobian.

    Args:
        func: takes the tensors of ``inputs`` and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the vector, shaped like ``func``'s output; may be None for a one-element output.
        create_graph: not supported.
        strict: raise if an output does not depend on the inputs.

    Returns:
        ``(outputs, vjp)``, each a tensor or a tuple as the output and inputs were.

    Raises:
        NotImplementedError: for ``create_graph=True``.
        RuntimeError: for a ``v`` missing where the output has several elements, or, with
            ``strict``, an output independent of the inputs.
    """
    if create_graph:
        raise NotImplementedError(_NO_DOUBLE)
    inputs_t, inputs_tuple = _as_tuple(inputs)
    inputs_t = _prepare(inputs_t)
    outputs = func(*inputs_t)
    outputs_t, outputs_tuple = _as_tuple(outputs)
    if v is None:
        if len(outputs_t) != 1 or outputs_t[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        vs: tuple = (None,)
    else:
        vs, _ = _as_tuple(v)
    differentiable = [(o, g) for o, g in zip(outputs_t, vs) if o.requires_grad]
    if strict and len(differentiable) != len(outputs_t):
        raise RuntimeError("Output 0 of the user-provided function does not require gradients. "
                           "The outputs must be computed in a differentiable manner from the "
                           "input when running in strict mode.")
    if differentiable:
        grads = grad([o for o, _ in differentiable], list(inputs_t),
                     [g for _, g in differentiable] if v is not None else None,
                     allow_unused=True)
    else:
        grads = (None,) * len(inputs_t)
    products = tuple(g if g is not None else t.detach() * 0 for g, t in zip(grads, inputs_t))
    detached = tuple(o.detach() for o in outputs_t)
    return (detached if outputs_tuple else detached[0],
            products if inputs_tuple else products[0])


def jacobian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``, one reverse pass per output element: shape
    ``output.shape + input.shape`` (nested tuples for several outputs or inputs).

    Raises:
        NotImplementedError: for ``create_graph=True`` or ``strategy='forward-mode'``.
    """
    if create_graph:
        raise NotImplementedError(_NO_DOUBLE)
    if strategy != "reverse-mode":
        raise NotImplementedError("bricks computes Jacobians in reverse mode only")
    inputs_t, inputs_tuple = _as_tuple(inputs)
    outputs = func(*_prepare(inputs_t))
    outputs_t, outputs_tuple = _as_tuple(outputs)
    rows = []
    for k, out in enumerate(outputs_t):
        per_input: list[list] = [[] for _ in inputs_t]
        for i in range(out.numel()):
            def pick(*args: Any, k: int = k, i: int = i) -> Any:
                return _as_tuple(func(*args))[0][k].reshape(-1)[i]

            _, products = vjp(pick, tuple(inputs_t), strict=strict)
            for j, p in enumerate(products):
                per_input[j].append(p)
        from ..ops.shape import stack

        blocks = tuple(stack(ps).reshape(tuple(out.shape) + tuple(t.shape)) if ps else
                       t.new_zeros(tuple(out.shape) + tuple(t.shape))
                       for ps, t in zip(per_input, inputs_t))
        rows.append(blocks if inputs_tuple else blocks[0])
    return tuple(rows) if outputs_tuple else rows[0]
