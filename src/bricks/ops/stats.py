"""Order statistics and counting: ``median``, ``mode``, ``quantile``, ``histc``, ``bincount``,
``bucketize``, ``searchsorted``, ``unique``, ``multinomial``, ``cumprod``, ``cummax``."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .._device import array_module, xp
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function, rename
from .index import gather
from .shape import reshape

__all__ = ["median", "nanmedian", "mode", "quantile", "nanquantile", "histc", "bincount",
           "bucketize", "searchsorted", "unique", "unique_consecutive", "multinomial",
           "cumprod", "count_nonzero"]


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def _pick(input: Tensor, axis: int, index: Any, keepdim: bool, name: str) -> _ValuesIndices:
    """``input`` at ``index`` (one position per slice along ``axis``), gradient to that spot."""
    indices = Tensor._wrap(xp.expand_dims(index, axis))
    values = gather(input, axis, indices)
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return _ValuesIndices(rename(values, name), indices)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (no averaging of the middle pair), of all values or along ``dim`` with
    its index; NaN if the slice holds one.

    Raises:
        IndexError: if ``dim`` is out of range.
    """
    return _median(input, dim, keepdim, nan_aware=False)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` that ignores NaN values."""
    return _median(input, dim, keepdim, nan_aware=True)


def _median(input: Tensor, dim: int | None, keepdim: bool, nan_aware: bool) -> Any:
    x = input._value
    if dim is None:
        if x.size == 0:  # NaN, in the graph: torch's gradient of it is 0 everywhere
            return MedianAll.apply(input, value=x.dtype.type(xp.nan))
        flat = reshape(input, (-1,))
        order = _nan_order(flat._value, 0, nan_aware)
        pos = _median_position(flat._value, 0, nan_aware)
        value = flat._value[xp.take_along_axis(order, pos[None], 0)[0]]
        return MedianAll.apply(input, value=value)
    axis = _check_dim(dim, x.ndim)
    if x.ndim == 0:
        return _ValuesIndices(input.clone(),
                              Tensor._wrap(array_module(x).zeros((), xp.int64)))
    _check_reduced("median", x, axis)
    order = _nan_order(x, axis, nan_aware)
    pos = xp.expand_dims(_median_position(x, axis, nan_aware), axis)
    index = xp.take_along_axis(order, pos, axis).squeeze(axis)
    return _pick(input, axis, index, keepdim, "MedianBackward1")


class MedianAll(Function):
    """The median of all values: torch spreads its gradient evenly over the values equal to
    it (over the NaNs when it is NaN)."""

    def forward(self, x, value):
        self.shape = x.shape
        self.mask = xp.isnan(x) if value != value else x == value
        return array_module(x).asarray(value)

    def backward(self, gy):
        return gy * self.mask / max(int(self.mask.sum()), 1)

    torch_name = "MedianBackward0"


def _nan_order(x: Any, axis: int, nan_aware: bool) -> Any:
    return xp.argsort(x, axis=axis, kind="stable").astype(xp.int64)


def _median_position(x: Any, axis: int, nan_aware: bool) -> Any:
    """Where the median sits in the sorted slice (NaN sorts last, and wins unless ignored)."""
    n = x.shape[axis]
    nans = xp.isnan(x).sum(axis=axis) if x.dtype.kind == "f" else array_module(x).zeros(
        x.shape[:axis] + x.shape[axis + 1:], xp.int64)
    if nan_aware:
        valid = n - nans
        return xp.maximum((valid - 1) // 2, 0).astype(xp.int64)
    # a slice with a NaN has median NaN: point at its first NaN (sorted after every number)
    return xp.where(nans > 0, n - nans, (n - 1) // 2).astype(xp.int64)


def _check_reduced(name: str, x: Any, axis: int) -> None:
    """torch's IndexError for an order statistic along an empty dimension (it has no value)."""
    if x.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> _ValuesIndices:
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and
    the index of its last occurrence, as torch."""
    x = input._value
    if x.ndim == 0:
        return _ValuesIndices(input.clone(),
                              Tensor._wrap(array_module(x).zeros((), xp.int64)))
    axis = _check_dim(dim, x.ndim)
    _check_reduced("mode", x, axis)
    moved = xp.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    best = array_module(x).zeros(rows.shape[0], xp.int64)
    for r, row in enumerate(rows):
        values, counts = xp.unique(row, return_counts=True)
        winner = values[xp.argmax(counts)]
        same = xp.isnan(row) if winner != winner else row == winner
        best[r] = xp.flatnonzero(same)[-1]
    index = best.reshape(moved.shape[:-1])
    return _pick(input, axis, index, keepdim, "ModeBackward0")


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q``-th quantiles (``q`` in [0, 1], a number or 1-D tensor) of all values or along
    ``dim``; with a 1-D ``q`` its dimension comes first.

    Raises:
        RuntimeError: for ``q`` outside [0, 1], a non-float input or an unknown interpolation.
    """
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` that ignores NaN values."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    if input._value.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if input._value.dtype.kind != "f":
        raise RuntimeError(f"quantile() input tensor must be either float or double dtype, "
                           f"got {input.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    qs = q._value if isinstance(q, Tensor) else array_module(input._value).asarray(
        q, dtype=input._value.dtype)
    if qs.ndim > 1:
        raise RuntimeError(f"quantile() q must be a scalar or 1D tensor, got {qs.ndim}D")
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    source = reshape(input, (-1,)) if dim is None else input
    axis = 0 if dim is None else _check_dim(dim, input._value.ndim)
    x = source._value
    order = Tensor._wrap(xp.argsort(x, axis=axis, kind="stable").astype(xp.int64))
    ordered = gather(source, axis, order)
    n = x.shape[axis]
    count = (n - xp.isnan(x).sum(axis=axis, keepdims=True)) if ignore_nan else array_module(
        x).full((1,) * x.ndim, n)
    outs = [_one_quantile(ordered, axis, float(v), count, interpolation, ignore_nan)
            for v in qs.reshape(-1)]
    from .shape import stack

    out = stack(outs, 0) if qs.ndim == 1 else outs[0]
    if keepdim:
        if dim is None:
            shape = (1,) * input._value.ndim
            return reshape(out, (len(outs),) + shape if qs.ndim == 1 else shape)
        return out
    return out.squeeze(axis + 1 if qs.ndim == 1 else axis)


def _one_quantile(ordered: Tensor, axis: int, q: float, count: Any, interpolation: str,
                  ignore_nan: bool) -> Tensor:
    """One quantile along ``axis`` of sorted values, keeping that dimension (size 1)."""
    position = q * (xp.maximum(count, 1) - 1)
    low = xp.floor(position).astype(xp.int64)
    high = xp.ceil(position).astype(xp.int64)
    if interpolation == "nearest":
        low = high = xp.round(position).astype(xp.int64)  # half to even, as torch
    elif interpolation == "lower":
        high = low
    elif interpolation == "higher":
        low = high
    shape = ordered._value.shape[:axis] + (1,) + ordered._value.shape[axis + 1:]
    if not ignore_nan and ordered._value.dtype.kind == "f":
        # A slice with a NaN has quantile NaN: torch takes it from the last sorted value.
        has_nan = xp.isnan(ordered._value).any(axis=axis, keepdims=True)
        last = ordered._value.shape[axis] - 1
        low, high = xp.where(has_nan, last, low), xp.where(has_nan, last, high)
    low_values = gather(ordered, axis, Tensor._wrap(xp.broadcast_to(low, shape).copy()))
    if interpolation in ("lower", "higher", "nearest"):
        return low_values
    high_values = gather(ordered, axis, Tensor._wrap(xp.broadcast_to(high, shape).copy()))
    weight: Any = 0.5
    if interpolation == "linear":
        weight = Tensor._wrap(xp.broadcast_to(position - xp.floor(position), shape).astype(
            ordered._value.dtype))
    return low_values + (high_values - low_values) * weight


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of ``bins`` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored.

    Raises:
        RuntimeError: for ``bins <= 0`` or ``min > max``.
    """
    x = input._value
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    if min > max:
        raise RuntimeError("max must be larger than min")
    low, high = float(min), float(max)
    if low == high and x.size:
        low, high = float(x.min()), float(x.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low}, {high}] is not finite")
    if low == high:
        low, high = low - 1, high + 1
    counts, _ = xp.histogram(x[~xp.isnan(x)] if x.dtype.kind == "f" else x, bins=bins,
                             range=(low, high))
    return Tensor._wrap(counts.astype(x.dtype if x.dtype.kind == "f" else xp.float32))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How many times each non-negative integer occurs (or the sum of ``weights`` there).

    Raises:
        RuntimeError: for a negative value or an input that is not a 1-D integer tensor.
    """
    x = input._value
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.size and x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else weights._value
    counts = xp.bincount(x, w, minlength)
    if w is None:
        return Tensor._wrap(counts.astype(xp.int64))
    return Tensor._wrap(counts.astype(w.dtype if w.dtype.kind == "f" else xp.float64))


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None
                 ) -> Tensor:
    """Where each value of ``input`` would be inserted in the innermost dimension of
    ``sorted_sequence`` to keep it sorted (``right``: after equal values).

    Raises:
        RuntimeError: if the leading dimensions of the two differ, or ``side`` contradicts
            ``right``.
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    boundaries = sorted_sequence._value
    if sorter is not None:
        boundaries = xp.take_along_axis(boundaries, sorter._value, -1)
    scalar = not isinstance(input, Tensor)
    values = array_module(boundaries).asarray(input) if scalar else input._value
    which = "right" if right else "left"
    if boundaries.ndim <= 1:
        out = xp.searchsorted(boundaries, values, side=which)
    else:
        if values.shape[:-1] != boundaries.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension "
                               f"or the first N-1 dimensions of boundaries tensor and input "
                               f"value tensor must match, but we got boundaries tensor "
                               f"{list(boundaries.shape)} and input value tensor "
                               f"{list(values.shape)}")
        rows_b = boundaries.reshape(-1, boundaries.shape[-1])
        rows_v = values.reshape(-1, values.shape[-1])
        out = xp.stack([xp.searchsorted(b, v, side=which) for b, v in zip(rows_b, rows_v)])
        out = out.reshape(values.shape)
    return Tensor._wrap(array_module(boundaries).asarray(out)
                        .astype(xp.int32 if out_int32 else xp.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The index of the bucket of each value, by the 1-D sorted ``boundaries``
    (``right=False``: ``boundaries[i-1] < x <= boundaries[i]``).

    Raises:
        RuntimeError: if ``boundaries`` is not 1-D.
    """
    if boundaries._value.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._value.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), optionally with the inverse indices and the counts; with
    ``dim``, the distinct slices along it."""
    x = input._value
    axis = None if dim is None else _check_dim(dim, x.ndim)
    values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=axis)
    out = [Tensor._wrap(values)]
    if return_inverse:
        shape = x.shape if axis is None else (x.shape[axis],)
        out.append(Tensor._wrap(inverse.reshape(shape).astype(xp.int64)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """The values with consecutive repeats collapsed (of the flattened input, or slices
    along ``dim``)."""
    x = input._value
    axis = 0 if dim is None else _check_dim(dim, x.ndim)
    flat = x.reshape(-1) if dim is None else x
    n = flat.shape[axis]
    if n == 0:
        starts = array_module(x).zeros(0, xp.int64)
    else:
        moved = xp.moveaxis(flat, axis, 0).reshape(n, -1)
        changed = (moved[1:] != moved[:-1]).any(axis=1)
        starts = xp.concatenate([[0], xp.flatnonzero(changed) + 1]).astype(xp.int64)
    values = xp.take(flat, starts, axis=axis)
    out = [Tensor._wrap(values)]
    if return_inverse:
        group = xp.cumsum(xp.isin(array_module(x).arange(n), starts)) - 1
        out.append(Tensor._wrap(group.astype(xp.int64).reshape(x.shape if dim is None else (n,))))
    if return_counts:
        out.append(Tensor._wrap(xp.diff(xp.append(starts, n)).astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """``num_samples`` category indices per row drawn with probability proportional to
    ``input`` (1-D or 2-D, non-negative weights), without replacement unless asked.

    Raises:
        RuntimeError: for negative, infinite or all-zero weights, or more samples than
            categories without replacement.
    """
    from .._creation import _rng

    p = input._value
    if p.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {p.ndim}")
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype}")
    if num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples, got {num_samples}")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not xp.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1]).astype(xp.float64)
    totals = rows.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    out = xp.stack([_draw(rng, r, num_samples, replacement) for r in rows]).astype(xp.int64)
    return Tensor._wrap(out.reshape(p.shape[:-1] + (num_samples,)))


def _draw(rng: Any, weights: Any, count: int, replacement: bool) -> Any:
    if replacement:
        return rng.choice(weights.size, count, replace=True, p=weights / weights.sum())
    # Without replacement, torch takes the categories of weight 0 last (in random order)
    # once the others are exhausted, rather than refusing.
    positive = xp.flatnonzero(weights > 0)
    taken = min(count, positive.size)
    first = rng.choice(positive, taken, replace=False, p=weights[positive] / weights.sum())
    rest = rng.permutation(xp.flatnonzero(weights == 0))[:count - taken]
    return xp.concatenate([first, rest])


class Cumprod(Function):
    saves = (0,)
    saves_output = True

    def forward(self, x, axis):
        self.x, self.axis = x, axis
        self.y = xp.cumprod(x, axis=axis)
        return self.y

    def backward(self, gy):
        x, y, axis = self.x, self.y, self.axis
        if (x != 0).all():
            # d y_j / d x_i = y_j / x_i for j >= i: a reversed cumulative sum of gy * y.
            summed = xp.flip(xp.cumsum(xp.flip(gy * y, axis), axis=axis), axis)
            return summed / x
        # With zeros, go slice by slice through the exact products.
        gx = xp.zeros_like(x)
        moved_x, moved_g = xp.moveaxis(x, axis, -1), xp.moveaxis(gy, axis, -1)
        out = xp.moveaxis(gx, axis, -1)
        n = moved_x.shape[-1]
        for i in range(n):
            before = moved_x[..., :i].prod(-1, keepdims=True)
            after = xp.cumprod(moved_x[..., i + 1:], axis=-1)
            tail = xp.concatenate([xp.ones_like(before), after], -1)
            out[..., i] = (moved_g[..., i:] * before * tail).sum(-1)
        return gx


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim``; integers and bools multiply as int64, as torch."""
    from .elementwise import cast

    if dtype is not None:
        input = cast(input, dtype.numpy)
    elif input._value.dtype.kind in "biu":
        input = cast(input, xp.dtype(xp.int64))
    axis = _check_dim(dim, input._value.ndim)
    if input._value.ndim == 0:
        return input.clone()
    return Cumprod.apply(input, axis=axis)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many values are not zero, overall or along ``dim`` (int64)."""
    axes = None if dim is None else (
        tuple(_check_dim(d, input._value.ndim) for d in dim) if isinstance(dim, (tuple, list))
        else _check_dim(dim, input._value.ndim))
    return Tensor._wrap(array_module(input._value).asarray(
        xp.count_nonzero(input._value, axis=axes)).astype(xp.int64))

