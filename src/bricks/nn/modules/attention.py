"""Multi-head attention (Vaswani et al., Attention Is All You Need, 2017)."""

from __future__ import annotations

from typing import Any

from ..._creation import empty
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from .linear import Linear
from .utils import _check_sizes

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear layer; the name PyTorch gives the output projection of MultiheadAttention,
    kept so that models print (and their classes compare) as in PyTorch."""


class MultiheadAttention(Module):
    """Attend with ``num_heads`` heads: ``concat(head_1, ..., head_h) W_o``, each head
    ``softmax(Q_i K_i^T / sqrt(head_dim)) V_i`` of the projected query, key and value.

    The packed input projection ``in_proj_weight`` (3 embed_dim, embed_dim) starts Xavier
    uniform and the biases zero, as PyTorch's; with kdim or vdim unlike embed_dim there are
    three separate weights ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight`` instead.

    Args:
        embed_dim: the model's feature size E.
        num_heads: the number of heads; must divide embed_dim.
        dropout: dropout on the attention weights in training.
        bias: whether the projections have biases.
        add_bias_kv: learn a bias key and value appended to the sequences.
        add_zero_attn: append a zero key and value.
        kdim, vdim: the feature sizes of key and value (default embed_dim).
        batch_first: inputs and outputs are (N, L, E) instead of (L, N, E).

    Raises:
        ValueError: if embed_dim or num_heads is not positive.
        AssertionError: if num_heads does not divide embed_dim (PyTorch's type).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> attention = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = bricks.ones(3, 5, 8)
        >>> out, weights = attention(x, x, x)
        >>> out.shape, weights.shape
        (bricks.Size([3, 5, 8]), bricks.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes("MultiheadAttention", embed_dim=embed_dim, num_heads=num_heads)
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self._make_parameters(bias, add_bias_kv, device, dtype)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _make_parameters(self, bias: bool, add_bias_kv: bool, device: Any, dtype: Any) -> None:
        """Register the parameters in PyTorch's order (so state dicts line up)."""
        e = self.embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((e, e), device=device, dtype=dtype))
            self.k_proj_weight = Parameter(empty((e, self.kdim), device=device, dtype=dtype))
            self.v_proj_weight = Parameter(empty((e, self.vdim), device=device, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * e, e), device=device, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * e, device=device, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, device=device,
                                                        dtype=dtype)
        self.bias_k: Parameter | None = None
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, e), device=device, dtype=dtype))
            self.bias_v = Parameter(empty((1, 1, e), device=device, dtype=dtype))

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` (L, N, E) to ``key`` (S, N, kdim) and ``value`` (S, N, vdim).

        Masks are boolean (True where attention is NOT allowed) or float (added to the
        scores): ``key_padding_mask`` (N, S), ``attn_mask`` (L, S) or (N * num_heads, L, S).

        Returns:
            (output (L, N, E), weights (N, L, S) averaged over the heads, or
            (N, num_heads, L, S), or None without need_weights); batch first with
            batch_first.
        """
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights
