"""``embedding_bag`` of ``bricks.nn.functional`` (re-exported there): the sum, mean or max
of bags of embeddings, without materialising each bag's rows as a separate tensor."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._device import array_module, xp
from .._tensor import Tensor
from ..autograd.function import rename
from ..ops import nn as _prim  # the layer primitives (ops/nn/)

__all__ = ["embedding_bag"]


def _bags(input: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple:
    """Flat indices and each bag's (start, end), from 2-D input or 1-D input and offsets."""
    index = input._value
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             "of type Tensor")
        bags, length = index.shape
        starts = array_module(index).arange(bags) * length
        return index.reshape(-1), starts, starts + length
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if offsets is None or offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor but got "
                         f"{None if offsets is None else f'a {offsets.ndim}D Tensor'}")
    starts = offsets._value.astype(xp.int64)
    if include_last_offset:
        return index, starts[:-1], starts[1:]
    return index, starts, xp.append(starts[1:], index.size)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """The sum, mean or max of the embeddings in each bag: (B, dim) out.

    Args:
        input: (B, L) indices (B bags of L), or 1-D indices cut into bags by ``offsets``.
        weight: (num_embeddings, dim).
        offsets: 1-D start of each bag in ``input`` (1-D input only).
        mode: ``'sum'``, ``'mean'`` or ``'max'``.
        per_sample_weights: a weight per index, with mode ``'sum'`` only.
        include_last_offset: ``offsets`` ends with the end of the last bag.
        padding_idx: an index that is left out of every bag.

    Returns:
        (B, dim); an empty bag gives zeros.

    Raises:
        ValueError: for an unknown mode, offsets with 2-D input, or per_sample_weights
            without mode 'sum'.
        IndexError: for an index outside [0, num_embeddings).
    """
    from .functional import embedding

    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    flat, starts, ends = _bags(input, offsets, include_last_offset)
    n = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    rows = embedding(Tensor._wrap(flat), weight, max_norm=max_norm, norm_type=norm_type)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    positions = array_module(flat).arange(flat.size)
    member = (positions >= starts[:, None]) & (positions < ends[:, None])
    if padding_idx is not None:
        member &= flat != padding_idx
    if mode == "max":
        out = _bag_max(rows, member, weight)
    else:
        segments = xp.where(member.any(axis=0), member.argmax(axis=0), -1)
        out = _prim.segment_sum(rows, segments, member.shape[0])
        if mode == "mean":
            counts = xp.maximum(member.sum(axis=1), 1).astype(rows._value.dtype)
            out = out / Tensor._wrap(counts.reshape(-1, 1))
    return rename(out, "EmbeddingBagBackward0")


def _bag_max(rows: Tensor, member: Any, weight: Tensor) -> Tensor:
    """The elementwise max of each bag's rows; zeros for an empty bag."""
    results = []
    for bag in member:
        chosen = xp.flatnonzero(bag)
        if chosen.size == 0:
            empty_bag = array_module(weight._value).zeros(weight.shape[1], weight._value.dtype)
            results.append(Tensor._wrap(empty_bag))
        else:
            chosen_rows = ops.index_select(rows, 0, Tensor._wrap(chosen))
            results.append(ops.max(chosen_rows, 0)[0])  # the first maximum gets the gradient
    return ops.stack(results)
