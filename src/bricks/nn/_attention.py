"""Attention of ``bricks.nn.functional`` (re-exported there): ``scaled_dot_product_attention``
and ``multi_head_attention_forward``, composites of matmul, softmax and dropout."""

from __future__ import annotations

import math
from typing import Any

from .. import ops
from .._device import array_module, as_array, xp
from .._tensor import Tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _dropout(x: Tensor, p: float, training: bool) -> Tensor:
    from .functional import dropout

    return dropout(x, p, training)


def _float_mask(mask: Tensor | None, dtype: Any, allowed_when_true: bool) -> Tensor | None:
    """A boolean mask as 0 / -inf to add to the scores; a float mask as it is."""
    if mask is None or mask._value.dtype.kind == "f":
        return mask
    if mask._value.dtype.kind != "b":
        raise AssertionError(f"only bool and floating types of masks are supported, got "
                             f"{mask.dtype}")
    blocked = ~mask._value if allowed_when_true else mask._value
    return Tensor._wrap(array_module(blocked).where(blocked, -xp.inf, 0.0).astype(dtype))


def _softmax_rows(scores: Tensor) -> Tensor:
    """Softmax over the last dimension; a row with every score -inf gives NaN, as PyTorch,
    without NumPy's warning."""
    with xp.errstate(invalid="ignore"):
        return ops.softmax(scores, -1)


def _repeat_heads(t: Tensor, repeats: int) -> Tensor:
    """Each head (dimension -3) repeated ``repeats`` times in place (grouped-query attention)."""
    spread = t.unsqueeze(-3).expand(*t.shape[:-2], repeats, *t.shape[-2:])
    return spread.reshape(*t.shape[:-3], -1, *t.shape[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q K^T * scale + mask) V`` (Vaswani et al., 2017), for (..., L, E) queries,
    (..., S, E) keys and (..., S, Ev) values.

    Args:
        attn_mask: boolean (True where attention is allowed) or float (added to the scores),
            broadcast to (..., L, S).
        dropout_p: dropout on the attention weights.
        is_causal: mask out keys after each query (no attn_mask then).
        scale: defaults to ``1 / sqrt(E)``.

    Raises:
        RuntimeError: for is_causal together with attn_mask.
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if enable_gqa and query.ndim >= 3 and query.shape[-3] != key.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, repeats), _repeat_heads(value, repeats)
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = ops.matmul(query, key.transpose(-2, -1)) * factor
    if is_causal:
        length, source = query.shape[-2], key.shape[-2]
        # host: the causal pattern, moved to the scores' device
        causal = xp.tril(xp.ones((length, source), xp.bool_))
        attn_mask = Tensor._wrap(as_array(causal, scores._value))
    mask = _float_mask(attn_mask, scores._value.dtype, allowed_when_true=True)
    if mask is not None:
        scores = scores + mask
    weights = _softmax_rows(scores)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, True)
    return ops.matmul(weights, value)


def _projections(query: Tensor, key: Tensor, value: Tensor, in_proj_weight: Tensor | None,
                 in_proj_bias: Tensor | None, separate: tuple) -> tuple:
    """q, k, v projected by the packed weight (3E, E) or the three separate weights."""
    from .functional import linear

    if in_proj_weight is not None:
        w_q, w_k, w_v = ops.chunk(in_proj_weight, 3, 0)
    else:
        w_q, w_k, w_v = separate
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = ops.chunk(in_proj_bias, 3, 0)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _append_to_masks(attn_mask: Tensor | None, key_padding_mask: Tensor | None) -> tuple:
    """Both masks with one more (allowed) key at the end."""
    from ._sampling import pad

    if attn_mask is not None:
        attn_mask = pad(attn_mask, (0, 1))
    if key_padding_mask is not None:
        key_padding_mask = pad(key_padding_mask, (0, 1))
    return attn_mask, key_padding_mask


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on (L, N, E) query and (S, N, E) key and value, PyTorch's steps.

    Masks: ``attn_mask`` (L, S) or (N * heads, L, S) and ``key_padding_mask`` (N, S), each
    boolean (True where attention is NOT allowed) or float (added to the scores).

    Returns:
        (attn_output (L, N, E), attn_weights (N, L, S) averaged over the heads, or
        (N, heads, L, S), or None without need_weights).

    Raises:
        AssertionError: where PyTorch asserts (embed_dim, masks' shapes).
        RuntimeError: for is_causal without attn_mask.
    """
    from .functional import linear

    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k and static_v are "
                                  "not supported")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    batched = query.ndim == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    dtype = query._value.dtype
    attn_mask = _float_mask(attn_mask, dtype, allowed_when_true=False)
    key_padding_mask = _float_mask(key_padding_mask, dtype, allowed_when_true=False)
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask.unsqueeze(0)
    separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    q, k, v = _projections(query, key, value, None if use_separate_proj_weight
                           else in_proj_weight, in_proj_bias, separate)
    if bias_k is not None and bias_v is not None:
        k = ops.cat([k, bias_k.repeat(1, batch, 1)])
        v = ops.cat([v, bias_v.repeat(1, batch, 1)])
        attn_mask, key_padding_mask = _append_to_masks(attn_mask, key_padding_mask)
    q = q.reshape(length, batch * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = Tensor._wrap(array_module(q._value).zeros((batch * num_heads, 1, head_dim), dtype))
        k, v = ops.cat([k, zeros], 1), ops.cat([v, zeros], 1)
        attn_mask, key_padding_mask = _append_to_masks(attn_mask, key_padding_mask)
    source = k.shape[1]
    if key_padding_mask is not None:
        padding = key_padding_mask.reshape(batch, 1, 1, source).expand(
            batch, num_heads, 1, source).reshape(batch * num_heads, 1, source)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    scores = ops.matmul(q * (1 / math.sqrt(head_dim)), k.transpose(1, 2))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = _softmax_rows(scores)
    if dropout_p > 0.0:
        weights = _dropout(weights, dropout_p, training)
    out = ops.matmul(weights, v).transpose(0, 1).reshape(length * batch, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(length, batch, embed_dim)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(batch, num_heads, length, source)
    if average_attn_weights:
        weights = weights.mean(1)
    return out, weights if batched else weights.squeeze(0)
