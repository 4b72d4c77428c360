"""Activation checkpointing (``torch.utils.checkpoint``): run a segment without keeping its
graph, and run it again, from the same random state, when backward reaches it.

Both of torch's variants are one custom autograd node here, ``CheckpointFunction``. Its
forward keeps only the segment's inputs (and the generator state); its backward re-runs the
segment with recording on and sends the output gradients through that fresh graph.

- ``use_reentrant=True`` (torch's default, which warns when the flag is not given): the
  segment runs under ``no_grad``; the output requires grad only when a tensor input does;
  backward accumulates into the ``.grad`` of the parameters it meets, as torch's does.
- ``use_reentrant=False``: the segment runs once with recording on, only to learn which
  leaves (parameters) it reads; that graph is dropped at once. Those leaves become inputs of
  the node, so the output requires grad through them too, and their gradients flow through
  the engine (``autograd.grad`` and hooks work). Keyword arguments are passed on.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from .._everyday import get_rng_state, set_rng_state
from .._tensor import Tensor
from ..autograd import Function, backward as _backward, grad as _grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction"]

_EXPLAIN = ("use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.")
_NO_FLAG = ("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. " + _EXPLAIN)
_NO_FLAG_SEQUENTIAL = ("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant "
                       "parameter should be passed explicitly. In version 2.9 we will raise an "
                       "exception if use_reentrant is not passed. " + _EXPLAIN)


class _Segment:
    """What the node needs to re-run a segment: the call, its non-tensor arguments, the
    generator state, and (non-reentrant) the outputs of the recorded run."""

    def __init__(self, run: Callable, args: tuple, kwargs: dict, preserve: bool) -> None:
        self.run, self.args, self.kwargs = run, list(args), kwargs
        self.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.rng_state = get_rng_state() if preserve else None
        self.outputs: Any = None
        self.leaves: list = []

    def call(self, tensors: tuple) -> Any:
        """Run the segment on ``tensors`` in the places of the tensor arguments."""
        args = list(self.args)
        for i, tensor in zip(self.tensor_at, tensors):
            args[i] = tensor
        return self.run(*args, **self.kwargs)

    def rerun(self, tensors: tuple) -> Any:
        """Run again with recording on, from the generator state of the first run."""
        outer = get_rng_state()
        if self.rng_state is not None:
            set_rng_state(self.rng_state)
        try:
            with enable_grad():
                return self.call(tensors)
        finally:
            set_rng_state(outer)


class CheckpointFunction(Function):
    """The recompute-in-backward node: ``apply(segment, reentrant, *inputs, *leaves)``."""

    @staticmethod
    def forward(ctx: Any, segment: _Segment, reentrant: bool, *tensors: Any) -> Any:
        ctx.segment, ctx.reentrant = segment, reentrant
        ctx.save_for_backward(*tensors[:len(segment.tensor_at)])
        if segment.outputs is not None:
            outputs, segment.outputs = segment.outputs, None
            return outputs
        with no_grad():
            return segment.call(tensors)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        inputs = tuple(t.detach().requires_grad_(t.requires_grad) for t in ctx.saved_tensors)
        outputs = ctx.segment.rerun(inputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        outs, out_grads = [o for o, _ in pairs], [g for _, g in pairs]
        if ctx.reentrant:
            _backward(outs, out_grads)
            return (None, None, *(t.grad for t in inputs))
        wanted = [t for t in inputs if t.requires_grad] + ctx.segment.leaves
        found = iter(_grad(outs, wanted, out_grads, allow_unused=True))
        input_grads = [next(found) if t.requires_grad else None for t in inputs]
        return (None, None, *input_grads, *found)


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable | None = None, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """Run ``function(*args)`` without keeping its graph; recompute it in backward.

    Gradients equal those of a plain run; with ``preserve_rng_state=True`` (default) the
    re-run draws the same random numbers (the same dropout mask).

    Raises:
        ValueError: for keyword arguments with ``use_reentrant=True`` (torch's message).
        NotImplementedError: for a ``context_fn`` (selective checkpointing is not in bricks).
    """
    if context_fn is not None:
        raise NotImplementedError("bricks.utils.checkpoint takes no context_fn (selective "
                                  "activation checkpointing): leave it out to recompute the "
                                  "whole segment")
    if use_reentrant is None:
        warnings.warn(_NO_FLAG, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return _reentrant(function, args, preserve)
    if not is_grad_enabled():
        return function(*args, **kwargs)
    return _non_reentrant(function, args, kwargs, preserve)


def _reentrant(function: Callable, args: tuple, preserve: bool) -> Any:
    tensors = [a for a in args if isinstance(a, Tensor)]
    if is_grad_enabled() and not any(t.requires_grad for t in tensors):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      UserWarning, stacklevel=3)
    segment = _Segment(function, args, {}, preserve)
    return CheckpointFunction.apply(segment, True, *tensors)


def _non_reentrant(function: Callable, args: tuple, kwargs: dict, preserve: bool) -> Any:
    segment = _Segment(function, args, kwargs, preserve)
    tensors = tuple(args[i] for i in segment.tensor_at)
    stand_ins = tuple(t.detach().requires_grad_(t.requires_grad) for t in tensors)
    outputs = segment.call(stand_ins)
    leaves = _leaves_of(outputs, exclude={id(t) for t in stand_ins})
    if isinstance(outputs, tuple):
        segment.outputs = tuple(o.detach() if isinstance(o, Tensor) else o for o in outputs)
    else:
        segment.outputs = outputs.detach()
    if not leaves and not any(t.requires_grad for t in tensors):
        return segment.outputs
    segment.leaves = leaves
    return CheckpointFunction.apply(segment, False, *tensors, *leaves)


def _leaves_of(outputs: Any, exclude: set) -> list:
    """The leaves that require grad behind ``outputs``, in first-met order (one graph walk)."""
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    tensors = [o for o in outputs if isinstance(o, Tensor)]
    stack: list[Any] = [o.grad_fn or o for o in tensors]
    seen, leaves = set(), []
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Tensor):
            if node.requires_grad and id(node) not in exclude:
                leaves.append(node)
            continue
        stack.extend(getattr(node, "parents", ()))
    return leaves


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Checkpoint a sequence of modules (or an ``nn.Sequential``) in ``segments`` pieces;
    the last piece runs normally, as torch's."""
    if use_reentrant is None:
        warnings.warn(_NO_FLAG_SEQUENTIAL, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    size = len(functions) // segments
    end = 0
    for start in range(0, size * (segments - 1), size):
        end = start + size
        input = checkpoint(_chain(functions[start:end]), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return _chain(functions[end:])(input)


def _chain(functions: list) -> Callable:
    def forward(x: Any) -> Any:
        for function in functions:
            x = function(x)
        return x
    return forward
