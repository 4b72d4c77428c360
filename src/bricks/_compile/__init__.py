"""``bricks.compile`` (package ``bricks._compile``): capture a training step once, replay it as
a flat list of array calls.

The first call of a compiled function runs eagerly (a warm-up); the second runs eagerly too
while it records every primitive's forward, the backward engine's calls, the optimizer's
updates and gradient assignments as lines of Python over arrays; later calls whose guards
hold (argument shapes, dtypes, devices and requires_grad, training modes, grad mode, the
parameters' arrays) run those lines without making tensors or graph nodes. Parameters,
buffers, gradients and optimizer state are updated in place, so everything outside sees the
same objects.
See ``_capture.py`` (with ``_tracer.py``) for what cannot be captured (it then runs eagerly,
after one warning), ``_plan.py`` for the buffers a replay writes into, ``_lower.py`` for the
primitives it runs as their bare NumPy calls and ``_fuse.py`` for the one multiply of an SGD
step's gradients.
"""

from __future__ import annotations

from typing import Any, Callable

from ..nn.module import Module
from ._tracer import Uncapturable
from ._compiled import CompiledFunction

__all__ = ["compile", "OptimizedModule", "CompiledFunction", "Uncapturable"]


class OptimizedModule(Module):
    """A module whose calls go through ``bricks.compile``; torch's wrapper of the same name.

    The original module is the submodule ``_orig_mod``, so that ``state_dict()`` keys carry
    the ``_orig_mod.`` prefix exactly as torch's do (and loads accept them).
    """

    def __init__(self, mod: Module, fullgraph: bool = False) -> None:
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled_call"] = CompiledFunction(mod, fullgraph=fullgraph)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["_compiled_call"](*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            original = self.__dict__.get("_modules", {}).get("_orig_mod")
            if original is None:
                raise
            return getattr(original, name)


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: Any = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:
    """Compile a function or a module: capture what it does once, replay it after.

    Compile the whole training step (forward, loss, ``backward()``, ``optimizer.step()``) to
    remove the per-op Python cost; a compiled module whose output needs a backward outside
    the compiled call replays its forward and gives the output a node that runs the recorded
    backward.

    Args:
        model: a function or a Module (None: return a decorator).
        fullgraph: raise ``Uncapturable`` where the function does something that cannot be
            captured, instead of running it eagerly.
        dynamic, backend, mode, options: accepted for torch's signature; ignored.
        disable: return ``model`` unchanged.

    Returns:
        A ``CompiledFunction`` for a function, an ``OptimizedModule`` for a module.

    Example:
        >>> import bricks
        >>> net = bricks.nn.Linear(2, 1)
        >>> opt = bricks.optim.SGD(net.parameters(), lr=0.1)
        >>> @bricks.compile
        ... def step(x, y):
        ...     opt.zero_grad()
        ...     loss = ((net(x) - y) ** 2).mean()
        ...     loss.backward()
        ...     opt.step()
        ...     return loss
        >>> for _ in range(3):
        ...     loss = step(bricks.ones(4, 2), bricks.zeros(4, 1))
    """
    if model is None:
        def decorate(fn: Callable[..., Any]) -> Any:
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, disable=disable)

        return decorate
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, fullgraph=fullgraph)
    if not callable(model):
        raise TypeError(f"compile: expected a function or a Module, got "
                           f"{type(model).__name__}")
    return CompiledFunction(model, fullgraph=fullgraph)
