"""``torch.func``: functional transforms over bricks' autograd.

``grad``, ``grad_and_value``, ``vjp``, ``jacrev`` and ``jacfwd`` run the function once on
fresh leaves and differentiate it with reverse mode (``jacfwd`` gives ``jacrev``'s values:
bricks has no forward mode). ``functional_call`` runs a module with other tensors in place of
its parameters and buffers. ``vmap`` keeps torch's semantics (``in_dims``/``out_dims``, nested
calls, size checks, ``randomness``) but is **not batched**: it calls the function once per
slice of the mapped dimension and stacks the results, so it costs a Python loop, and what
torch refuses inside vmap for want of a batching rule (``.item()``, data-dependent control
flow) simply runs here. Gradients are first order: a transform's result is not itself
differentiable again, so ``hessian`` (and ``grad`` of ``grad``) raise ``NotImplementedError``.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator

from ._creation import default_generator
from ._tensor import Tensor
from .autograd.engine import grad as _autograd_grad
from .autograd.functional import _NO_DOUBLE
from .autograd.grad_mode import enable_grad
from .nn.module import Module
from .ops.indexing import select
from .ops.shape import movedim, stack

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian",
           "vmap", "stack_module_state"]


# ----- pytrees: tensors inside tuples, lists and dicts -----

def _flatten(tree: Any) -> tuple[list, Callable[[list], Any]]:
    """The leaves of ``tree`` (depth first) and a function that rebuilds it from new leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(item) for item in tree]
        return _join(parts, lambda items: type(tree)(items))
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]
        return _join(parts, lambda items: dict(zip(keys, items)))
    return [tree], lambda leaves: leaves[0]


def _join(parts: list, build: Callable[[list], Any]) -> tuple[list, Callable[[list], Any]]:
    leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]
    sizes = [len(part_leaves) for part_leaves, _ in parts]

    def rebuild(new: list) -> Any:
        items, start = [], 0
        for (_, unflatten), size in zip(parts, sizes):
            items.append(unflatten(new[start:start + size]))
            start += size
        return build(items)

    return leaves, rebuild


def _tree_map(f: Callable[[Any], Any], tree: Any) -> Any:
    leaves, rebuild = _flatten(tree)
    return rebuild([f(leaf) for leaf in leaves])


# ----- functional_call -----

def _reparametrize_error(module: Module, unexpected: list, missing: list) -> RuntimeError:
    lines = [f"Error(s) in reparametrizing for {type(module).__name__}:"]
    for label, keys in (("Unexpected", unexpected), ("Missing", missing)):
        if keys:
            lines.append(f"\t{label} key(s): {', '.join(repr(k) for k in keys)}.")
    return RuntimeError("\n".join(lines))


def _merge_dicts(dicts: Any) -> dict:
    if isinstance(dicts, dict):
        return dict(dicts)
    merged: dict = {}
    for d in dicts:
        repeated = [k for k in d if k in merged]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             f"functional call is ambiguous")
        merged.update(d)
    return merged


def _tie(module: Module, values: dict) -> dict:
    """Give every name of a tied tensor the value given for one of its names."""
    names_of: dict[int, list[str]] = {}
    for name, t in _all_tensors(module):
        names_of.setdefault(id(t), []).append(name)
    for names in names_of.values():
        given = [n for n in names if n in values]
        if len(names) < 2 or not given:
            continue
        if len({id(values[n]) for n in given}) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, "
                             f"which are tied. Consider using tie_weights=False")
        values = {**values, **{n: values[given[0]] for n in names}}
    return values


def _all_tensors(module: Module) -> Iterator[tuple[str, Tensor]]:
    yield from module.named_parameters(remove_duplicate=False)
    yield from module.named_buffers(remove_duplicate=False)


@contextlib.contextmanager
def _swapped(module: Module, values: dict) -> Iterator[None]:
    """Put ``values`` where the named parameters and buffers live; restore them on exit."""
    undo = []
    try:
        for name, value in values.items():
            *path, attr = name.split(".")
            owner = module.get_submodule(".".join(path)) if path else module
            undo.append(_swap_one(owner, attr, value))
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _swap_one(owner: Module, attr: str, value: Any) -> Callable[[], None]:
    for registry in (owner._parameters, owner._buffers):
        if attr in registry:
            old = registry[attr]
            registry[attr] = value
            return functools.partial(registry.__setitem__, attr, old)
    object.__setattr__(owner, attr, value)  # torch sets an unknown name as a plain attribute
    return functools.partial(object.__delattr__, owner, attr)


def functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the given tensors in place of its parameters/buffers.

    Args:
        parameter_and_buffer_dicts: a dict from names (``"0.weight"``) to tensors, or a
            sequence of such dicts (a name may appear in only one).
        args: the positional arguments (a single non-tuple value is one argument).
        tie_weights: a value given for one name of a tied parameter replaces all its names.
        strict: the dicts must name every parameter and buffer, and nothing else.

    Raises:
        ValueError: for a name in two dicts, or two values for one tied parameter.
        RuntimeError: under ``strict``, for missing or unexpected names.
    """
    values = _merge_dicts(parameter_and_buffer_dicts)
    if tie_weights:
        values = _tie(module, values)
    if strict:
        known = [name for name, _ in _all_tensors(module)]
        unexpected = [k for k in values if k not in known]
        missing = [k for k in known if k not in values]
        if unexpected or missing:
            raise _reparametrize_error(module, unexpected, missing)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))


def stack_module_state(models: Any) -> tuple[dict, dict]:
    """The parameters and buffers of equally shaped models stacked along a new first
    dimension (for ``vmap`` over an ensemble with ``functional_call``)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    params = {name: stack([dict(m.named_parameters())[name].detach() for m in models])
              .requires_grad_(True) for name, _ in models[0].named_parameters()}
    buffers = {name: stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers


# ----- grad, vjp, jacobians -----

def _leaves_for_grad(tree: Any) -> tuple[Any, list]:
    """A copy of ``tree`` with every tensor a fresh leaf that requires grad, and those leaves."""
    leaves, rebuild = _flatten(tree)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")
    fresh = [leaf.detach().requires_grad_(True) for leaf in leaves]
    return rebuild(fresh), fresh


def _prepare(args: tuple, argnums: Any) -> tuple[list, list]:
    """The arguments with those at ``argnums`` replaced by fresh leaves, and those leaves."""
    nums = _nums(argnums)
    for n in nums:
        if not isinstance(n, int) or not -len(args) <= n < len(args):
            raise RuntimeError(f"Got argnum={n}, but only {len(args)} positional inputs")
    new_args = list(args)
    leaves = []
    for n in nums:
        new_args[n], fresh = _leaves_for_grad(args[n])
        leaves.append(fresh)
    return new_args, leaves


def _gradients(outputs: list, leaves: list, grad_outputs: Any = None) -> list:
    """d outputs / d leaves, zeros (as torch.func gives) for a leaf the outputs ignore."""
    if any(y.requires_grad for y in outputs):
        grads = _autograd_grad(outputs, leaves, grad_outputs, retain_graph=True,
                               allow_unused=True)
    else:
        grads = (None,) * len(leaves)
    return [g if g is not None else leaf.new_zeros(leaf.shape) for g, leaf in zip(grads, leaves)]


def _split_aux(out: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}(f)(*args): output of function f should be a tuple: "
                           f"(output, aux) if has_aux is True")
    return out[0], _tree_map(_detached, out[1])


def _detached(x: Any) -> Any:
    if not isinstance(x, Tensor):
        raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return x.detach()


def _rebuild_per_argnum(args: tuple, argnums: Any, grads_per_num: list) -> Any:
    trees = [_flatten(args[n])[1](g) for n, g in zip(_nums(argnums), grads_per_num)]
    return tuple(trees) if isinstance(argnums, tuple) else trees[0]


def _nums(argnums: Any) -> tuple:
    return argnums if isinstance(argnums, tuple) else (argnums,)


def grad_and_value(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """A function returning ``(gradient, value)`` of the scalar ``func`` (``((g, v), aux)``
    with ``has_aux``); the gradient is shaped like the arguments at ``argnums``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        new_args, leaves = _prepare(args, argnums)
        with enable_grad():
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, "grad_and_value")
        if not isinstance(out, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a "
                               f"Tensor, got {type(out)}")
        if out.dim() != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               f"Tensor, got tensor with {out.dim()} dims. Maybe you wanted to "
                               f"use the vjp or jacrev APIs instead?")
        flat = _gradients([out], [leaf for group in leaves for leaf in group])
        grads = _regroup(flat, leaves)
        result = (_rebuild_per_argnum(args, argnums, grads), out.detach())
        return (result, aux) if has_aux else result

    return wrapper


def _regroup(flat: list, groups: list) -> list:
    out, start = [], 0
    for group in groups:
        out.append(flat[start:start + len(group)])
        start += len(group)
    return out


def grad(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of the scalar ``func`` with respect to the
    arguments at ``argnums`` (``(gradient, aux)`` with ``has_aux``)."""
    both = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = both(*args, **kwargs)
        return (result[0][0], result[1]) if has_aux else result[0]

    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)`` (and ``aux``): ``vjp_fn(cotangents)`` returns one
    vector-Jacobian product per primal, as a tuple."""
    new_primals, leaves = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        out, aux = _split_aux(func(*new_primals), has_aux, "vjp")
    outputs, _ = _flatten(out)
    flat_leaves = [leaf for group in leaves for leaf in group]

    def vjp_fn(cotangents: Any) -> tuple:
        grads = _gradients(outputs, flat_leaves, _flatten(cotangents)[0])
        return tuple(_flatten(p)[1](g) for p, g in zip(primals, _regroup(grads, leaves)))

    value = _tree_map(_detached, out)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def _jacobian_of_output(y: Tensor, leaves: list) -> list:
    """d y / d leaf for each leaf, shaped ``y.shape + leaf.shape``, one backward per element."""
    rows: list[list] = [[] for _ in leaves]
    flat = y.reshape(-1)
    for i in range(flat.numel()):
        for row, g in zip(rows, _gradients([flat[i]], leaves)):
            row.append(g)
    return [stack(row).reshape(tuple(y.shape) + tuple(leaf.shape)) if row
            else leaf.new_zeros(tuple(y.shape) + tuple(leaf.shape))
            for row, leaf in zip(rows, leaves)]


def jacrev(func: Callable, argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: int | None = None) -> Callable:
    """A function returning the Jacobian of ``func`` at its arguments, by reverse mode: for
    each output (a tensor, or a tuple of them) and each argument in ``argnums``, a tensor of
    shape ``output.shape + argument.shape``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        new_args, leaves = _prepare(args, argnums)
        with enable_grad():
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, "jacrev")
        outputs, rebuild_out = _flatten(out)
        flat_leaves = [leaf for group in leaves for leaf in group]
        per_output = []
        for y in outputs:
            if not isinstance(y, Tensor):
                raise RuntimeError(f"jacrev(f)(*args): Expected f(*args) to return Tensors, "
                                   f"got {type(y)}")
            per_output.append(_rebuild_per_argnum(
                args, argnums, _regroup(_jacobian_of_output(y, flat_leaves), leaves)))
        result = rebuild_out(per_output)
        return (result, aux) if has_aux else result

    return wrapper


def jacfwd(func: Callable, argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """``jacrev``'s Jacobian (bricks has no forward mode; the values are the same)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable, argnums: Any = 0) -> Callable:
    """Not supported: a Hessian needs gradients of gradients."""
    raise NotImplementedError(f"torch.func.hessian: {_NO_DOUBLE}")


# ----- vmap (a loop, not batched) -----

_RANDOMNESS = ("error", "different", "same")


class _RandomRefused:
    """Stands for the default generator's NumPy generator under ``randomness='error'``."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")


@contextlib.contextmanager
def _randomness(mode: str) -> Iterator[Callable[[], None]]:
    """Yield a function to call before each slice: it refuses draws ('error'), replays the
    same draws ('same'), or does nothing ('different')."""
    real = default_generator.numpy
    if mode == "error":
        default_generator.numpy = _RandomRefused()
    try:
        if mode == "same":
            start = real.bit_generator.state
            yield lambda: setattr(real.bit_generator, "state", start)
        else:
            yield lambda: None
    finally:
        default_generator.numpy = real


def _in_dims_for(in_dims: Any, args: tuple, name: str) -> list:
    """One in_dim per leaf of ``args``, checked as torch checks them."""
    described = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if isinstance(in_dims, bool) or not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"{described}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")
    if isinstance(in_dims, int):
        return [in_dims] * len(_flatten(args)[0])
    if len(in_dims) != len(args):
        raise ValueError(f"{described}: in_dims is not compatible with the structure of "
                         f"`inputs`. in_dims has {len(in_dims)} entries but inputs has "
                         f"{len(args)}.")
    dims: list = []
    for d, arg in zip(in_dims, args):
        count = len(_flatten(arg)[0])
        dims.extend([d] * count if d is None or isinstance(d, int) else _flatten(d)[0])
    return dims


def _batch_size(leaves: list, dims: list, described: str) -> int:
    sizes = []
    for leaf, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{described}: Got in_dim={d} for an input but the input is of "
                             f"type {type(leaf)}. We cannot vmap over non-Tensor arguments, "
                             f"please use None as the respective in_dim")
        if not -leaf.dim() <= d < leaf.dim():
            raise ValueError(f"{described}: Got in_dim={d} for some input, but that input is a "
                             f"Tensor of dimensionality {leaf.dim()} so expected in_dim to "
                             f"satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}.")
        sizes.append(leaf.shape[d])
    if not sizes:
        raise ValueError(f"{described}: at least one input must be a Tensor mapped over "
                         f"(in_dims are all None)")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0]


def _stack_outputs(results: list, out_dims: Any, name: str) -> Any:
    """Stack the per-slice outputs along ``out_dims`` (one per output leaf, or one for all)."""
    leaves_per_call = [_flatten(r)[0] for r in results]
    leaves0, rebuild = _flatten(results[0])
    dims = _flatten(out_dims)[0] if isinstance(out_dims, tuple) else [out_dims] * len(leaves0)
    stacked = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves in leaves_per_call]
        if d is None:
            if isinstance(column[0], Tensor) and not all(_same(c, column[0]) for c in column):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 f"when out_dim is None")
            stacked.append(column[0])
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(column[0])}. Did you mean to set out_dims= to None for "
                             f"output?")
        stacked.append(movedim(stack(column), 0, d))
    return rebuild(stacked)


def _same(a: Any, b: Any) -> bool:
    """Whether an output is the same for two slices (what out_dims=None asks of it)."""
    return a is b or (isinstance(b, Tensor) and a.shape == b.shape and bool((a == b).all()))


def _empty_batch(func: Callable, leaves: list, dims: list, rebuild: Callable, kwargs: dict,
                 out_dims: Any, name: str) -> Any:
    """A size-0 batch: run ``func`` once on a zero slice to learn the output shapes, then
    return outputs with a mapped dimension of size 0, as torch does."""
    zero = [leaf if d is None else select(leaf.new_zeros(_with_size(leaf.shape, d, 1)), d, 0)
            for leaf, d in zip(leaves, dims)]
    result = _stack_outputs([func(*rebuild(zero), **kwargs)], out_dims, name)
    return _tree_map(lambda t: t.narrow(_dim_of(t, out_dims), 0, 0) if isinstance(t, Tensor)
                     else t, result) if isinstance(out_dims, int) else result


def _with_size(shape: Any, d: int, size: int) -> tuple:
    shape = list(shape)
    shape[d] = size
    return tuple(shape)


def _dim_of(t: Tensor, out_dim: int) -> int:
    return out_dim if out_dim >= 0 else t.dim() + out_dim


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable:
    """``func`` mapped over a dimension of its inputs, with torch's semantics.

    ``in_dims``: an int for every tensor input, or a tuple with one entry per argument (an
    int, None for an argument not mapped, or a nested structure for a tuple/dict argument).
    ``out_dims``: where the mapped dimension goes in each output (None: an output that is the
    same for every slice). ``randomness``: ``'error'`` (the default) refuses random draws,
    ``'different'`` draws afresh per slice, ``'same'`` gives every slice the same draws.
    Not batched: ``func`` runs once per slice (see the module docstring).

    Raises:
        ValueError: for mismatched mapped sizes, an in_dim out of range or on a non-tensor,
            or an output that is not a tensor.
        RuntimeError: for a random draw under ``randomness='error'``, or an unknown mode.
    """
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    name = getattr(func, "__name__", repr(func))

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dims = _in_dims_for(in_dims, args, name)
        leaves, rebuild = _flatten(args)
        size = _batch_size(leaves, dims, f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)")
        if size == 0:
            return _empty_batch(func, leaves, dims, rebuild, kwargs, out_dims, name)
        results = []
        with _randomness(randomness) as before_each:
            for i in range(size):
                before_each()
                sliced = [leaf if d is None else select(leaf, d, i)
                          for leaf, d in zip(leaves, dims)]
                results.append(func(*rebuild(sliced), **kwargs))
        return _stack_outputs(results, out_dims, name)

    return wrapper
