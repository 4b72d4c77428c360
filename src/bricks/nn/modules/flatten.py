"""Shape layers: Flatten and Unflatten."""

from __future__ import annotations

from typing import Sequence

from ..._tensor import Tensor
from ..module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one.

    Args:
        start_dim: the first dimension to merge (the batch dimension 0 is kept by default).
        end_dim: the last dimension to merge.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Flatten()(bricks.ones(2, 3, 4)).shape
        bricks.Size([2, 12])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``.

    Args:
        dim: the dimension to split.
        unflattened_size: the new sizes; their product must equal the size of ``dim``
            (one of them may be -1).

    Raises:
        TypeError: if unflattened_size is not a tuple or list of ints.
        RuntimeError: in forward, if the sizes do not match the input.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.Unflatten(1, (2, 5))(bricks.ones(3, 10)).shape
        bricks.Size([3, 2, 5])
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(n, int) for n in unflattened_size):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        try:
            return input.unflatten(self.dim, self.unflattened_size)
        except RuntimeError as error:
            raise RuntimeError(f"Unflatten({self.extra_repr()}): cannot split dimension "
                               f"{self.dim} of shape {tuple(input.shape)}: {error}") from None

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
