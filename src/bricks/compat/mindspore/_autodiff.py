"""MindSpore's functional autodiff over bricks' engine: ``grad``, ``value_and_grad``,
``GradOperation``, ``stop_gradient``.

A differentiated function is run once with fresh leaves for the positional inputs asked for;
its output (the first one, with ``has_aux``) is differentiated with a sensitivity of ones, and
the gradients are returned, never stored in ``.grad``. An input or weight the output does not
depend on gets zeros, as MindSpore gives.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import bricks
from bricks.autograd import grad as _autograd_grad

from .._facade import unwrap
from .tensor import Tensor

__all__ = ["grad", "value_and_grad", "GradOperation", "stop_gradient", "ParameterTuple"]


class ParameterTuple(tuple):
    """A tuple of Parameters (what ``Cell.trainable_params()`` gives to optimizers)."""

    def __new__(cls, iterable: Any = ()) -> ParameterTuple:
        items = tuple(iterable)
        for item in items:
            if not isinstance(item, bricks.nn.Parameter):
                raise TypeError(f"ParameterTuple input should be Parameter, but got "
                                f"{type(item).__name__}")
        return super().__new__(cls, items)

    def clone(self, prefix: str, init: str = "same") -> ParameterTuple:
        """Copies of the parameters, named ``prefix.name``, with the same values."""
        from .tensor import Parameter

        copies = []
        for param in self:
            name = f"{prefix}.{getattr(param, 'name', 'Parameter')}"
            copies.append(Parameter(param.detach().clone(), name=name))
        return ParameterTuple(copies)


def stop_gradient(value: Any) -> Any:
    """``value`` cut from the graph: no gradient flows back through it."""
    tensor = unwrap(value)
    return Tensor._wrap(tensor.detach()) if isinstance(tensor, bricks.Tensor) else value


def _positions(grad_position: Any, count: int) -> tuple[int, ...]:
    positions = (grad_position,) if isinstance(grad_position, int) else tuple(grad_position)
    for position in positions:
        if not -count <= position < count:
            raise IndexError(f"For 'grad', the 'grad_position' {position} is out of range for "
                             f"a function called with {count} positional inputs")
    return tuple(p % count for p in positions)


def _leaf(value: Any) -> bricks.Tensor:
    tensor = unwrap(value)
    if not isinstance(tensor, bricks.Tensor):
        raise TypeError(f"For 'grad', the inputs to differentiate must be Tensors, but got "
                        f"{type(value).__name__}")
    leaf = tensor.detach()
    if not leaf.is_floating_point():
        leaf = leaf.float()
    return leaf.requires_grad_()


def _outputs(result: Any, has_aux: bool) -> tuple[list[bricks.Tensor], Any, Any]:
    """(tensors to differentiate, the value to return, the auxiliary outputs)."""
    if isinstance(result, tuple):
        if has_aux:
            return [unwrap(result[0])], result[0], result[1:]
        return [unwrap(r) for r in result], result, ()
    if has_aux:
        raise ValueError("For 'grad' with has_aux=True, the function must return a tuple "
                         "(output, aux...)")
    return [unwrap(result)], result, ()


def _gradients(outputs: list, sens: Any, targets: list) -> list[Any]:
    recorded = [t for t in outputs if isinstance(t, bricks.Tensor) and t.requires_grad]
    if not recorded or not targets:
        return [bricks.zeros_like(t.detach()) for t in targets]
    if sens is None:
        seeds = [bricks.ones_like(t.detach()) for t in recorded]
    else:
        sens = sens if isinstance(sens, (tuple, list)) else (sens,)
        seeds = [unwrap(s).detach() for s in sens][:len(recorded)]
    grads = _autograd_grad(recorded, targets, seeds, allow_unused=True)
    return [bricks.zeros_like(t.detach()) if g is None else g for g, t in zip(grads, targets)]


def _run(fn: Callable, args: tuple, kwargs: dict, positions: tuple, weights: Sequence | None,
         has_aux: bool, sens: Any = None) -> tuple[Any, Any, Any]:
    """Run ``fn`` recording; return (value, gradients in MindSpore's layout, aux)."""
    call_args = list(args)
    leaves = []
    for position in positions:
        leaf = _leaf(call_args[position])
        leaves.append(leaf)
        call_args[position] = Tensor._wrap(leaf)
    weight_list = list(weights) if weights is not None else []
    with bricks.enable_grad():
        result = fn(*call_args, **kwargs)
    outputs, value, aux = _outputs(result, has_aux)
    grads = [Tensor._wrap(g) for g in _gradients(outputs, sens, leaves + weight_list)]
    input_grads = tuple(grads[:len(leaves)])
    weight_grads = tuple(grads[len(leaves):])
    if weights is None:
        return value, input_grads, aux
    if not positions:
        return value, weight_grads, aux
    return value, (input_grads, weight_grads), aux


class _Request:
    """What to differentiate, as ``grad``/``value_and_grad`` were asked."""

    def __init__(self, fn: Callable, grad_position: Any, weights: Any, has_aux: bool) -> None:
        if grad_position is None and weights is None:
            raise ValueError("For 'grad', 'grad_position' and 'weight' can not be None at the "
                             "same time")
        self.fn, self.grad_position, self.has_aux = fn, grad_position, has_aux
        self.weights = _weights(weights)

    def run(self, args: tuple, kwargs: dict, sens: Any = None) -> tuple[Any, Any, Any]:
        positions = () if self.grad_position is None else _positions(self.grad_position,
                                                                      len(args))
        value, grads, aux = _run(self.fn, args, kwargs, positions, self.weights, self.has_aux,
                                 sens)
        if isinstance(self.grad_position, int):  # one input: its gradient, not a 1-tuple
            grads = grads[0] if self.weights is None else (grads[0][0], grads[1])
        return value, grads, aux


def _weights(weights: Any) -> list | None:
    if weights is None:
        return None
    if isinstance(weights, bricks.nn.Parameter):
        return [weights]
    if hasattr(weights, "trainable_params"):  # a Cell
        return list(weights.trainable_params())
    return list(weights)


def grad(fn: Callable, grad_position: Any = 0, weights: Any = None, has_aux: bool = False,
         return_ids: bool = False) -> Callable:
    """A function that returns the gradients of ``fn`` instead of its value.

    Args:
        fn: the function (or Cell) to differentiate; its output, or its first output with
            ``has_aux``, is differentiated with a sensitivity of ones.
        grad_position: the positional input (int) or inputs (tuple) to differentiate, or None.
        weights: Parameters (a ParameterTuple, a list, one Parameter or a Cell) to
            differentiate too.
        has_aux: ``fn`` returns ``(output, aux...)``; the aux outputs are returned as a tuple
            after the gradients and not differentiated.
        return_ids: pair each gradient with its position or parameter name.

    Returns:
        A function of ``fn``'s inputs returning: the gradient (int ``grad_position``) or the
        tuple of gradients; ``(input_grads, weight_grads)`` when both are asked for;
        ``(grads, aux)`` with ``has_aux``.

    Example:
        >>> from bricks.compat import mindspore as ms
        >>> ms.grad(lambda x: (x * x).sum())(ms.Tensor([1.0, 2.0]))
        Tensor(shape=[2], dtype=Float32, value= [ 2.00000000e+00,  4.00000000e+00])
    """
    request = _Request(fn, grad_position, weights, has_aux)

    def gradient_function(*args: Any, **kwargs: Any) -> Any:
        _, grads, aux = request.run(args, kwargs)
        if return_ids:
            grads = _with_ids(grads, request)
        return (grads, aux) if has_aux else grads

    return gradient_function


def _with_ids(grads: Any, request: _Request) -> Any:
    names = [getattr(w, "name", str(i)) for i, w in enumerate(request.weights or [])]
    if request.weights is None:
        positions = request.grad_position
        if isinstance(positions, int):
            return (positions, grads)
        return tuple(zip(positions, grads))
    return tuple(zip(names, grads if request.grad_position is None else grads[1]))


def value_and_grad(fn: Callable, grad_position: Any = 0, weights: Any = None,
                   has_aux: bool = False, return_ids: bool = False) -> Callable:
    """A function that returns ``(fn's value, gradients)``, as :func:`grad` computes them.

    With ``has_aux``, the value is ``fn``'s whole output tuple (the loss and the aux outputs)
    and only the first output is differentiated.

    Example:
        >>> from bricks.compat import mindspore as ms
        >>> value, g = ms.value_and_grad(lambda x: (x * x).sum())(ms.Tensor([3.0]))
        >>> print(value, g)
        9.0 [6.]
    """
    request = _Request(fn, grad_position, weights, has_aux)

    def value_and_gradient_function(*args: Any, **kwargs: Any) -> Any:
        value, grads, aux = request.run(args, kwargs)
        if return_ids:
            grads = _with_ids(grads, request)
        return (value if not has_aux else (value, *aux)), grads

    return value_and_gradient_function


class GradOperation:
    """MindSpore's older gradient operator: ``GradOperation(get_all, get_by_list,
    sens_param)(fn, weights)`` returns the gradient function.

    Args:
        get_all: gradients of every positional input (else of the first only).
        get_by_list: gradients of the ``weights`` given with the function.
        sens_param: the gradient function takes the output's sensitivity as its last
            argument instead of ones.
    """

    def __init__(self, get_all: bool = False, get_by_list: bool = False,
                 sens_param: bool = False) -> None:
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param

    def __call__(self, fn: Callable, weights: Any = None) -> Callable:
        def gradient_function(*args: Any, **kwargs: Any) -> Any:
            sens = None
            if self.sens_param:
                args, sens = args[:-1], args[-1]
            positions = tuple(range(len(args))) if self.get_all else (0,)
            chosen_weights = _weights(weights) if self.get_by_list else None
            _, grads, _ = _run(fn, args, kwargs, positions, chosen_weights, False, sens)
            if self.get_by_list and not self.get_all:
                return grads[1]
            if not self.get_all:  # the first input's gradient (and the weights')
                return grads[0] if chosen_weights is None else (grads[0][0], grads[1])
            return grads

        return gradient_function
