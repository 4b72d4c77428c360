"""Flatten parameters into one vector and back: ``parameters_to_vector``,
``vector_to_parameters``."""

from __future__ import annotations

from typing import Iterable

from ..._tensor import Tensor
from ...ops import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All the parameters flattened and concatenated into one vector (differentiable).

    Example:
        >>> import bricks
        >>> parameters_to_vector([bricks.ones(2, 2), bricks.zeros(1)])
        tensor([1., 1., 1., 1., 0.])
    """
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (in their shapes).

    As torch, each parameter's data becomes a view of ``vec``.

    Raises:
        TypeError: if ``vec`` is not a Tensor.
        RuntimeError: if ``vec`` has fewer elements than the parameters (nothing changes).
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    needed = sum(p.numel() for p in parameters)
    if vec.numel() < needed:
        raise RuntimeError(f"vector_to_parameters: the parameters have {needed} elements, but "
                           f"the vector has {vec.numel()}")
    flat = vec._value.reshape(-1)
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = Tensor._wrap(flat[pointer:pointer + n].reshape(param._value.shape))
        pointer += n
