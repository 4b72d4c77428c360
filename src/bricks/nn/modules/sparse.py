"""Embedding, a lookup table of learned vectors, and EmbeddingBag, its sums, means or maxima
over bags of indices."""

from __future__ import annotations

from typing import Any

from ..._creation import empty
from ..._tensor import Tensor
from ...autograd import no_grad
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from .utils import _changed_settings, _check_sizes, _layer_text, _shape_text

__all__ = ["Embedding", "EmbeddingBag"]


class Embedding(Module):
    """Look up rows of a weight (num_embeddings, embedding_dim) by integer index.

    The weight starts standard normal, with the row ``padding_idx`` (if given) zeroed; that
    row gets no gradient, so it stays as set.

    Args:
        num_embeddings: the number of rows (the vocabulary size).
        embedding_dim: the size of each row.
        padding_idx: a row that gets no gradient (negative counts from the end).
        max_norm: renormalize looked-up rows whose norm exceeds this, in place.
        norm_type: the p of the p-norm for max_norm.
        scale_grad_by_freq: scale gradients by the inverse frequency of each index.
        sparse: sparse gradients (not supported: raises NotImplementedError in forward).
        _weight: an initial weight to use instead of a random one.
        _freeze: with _weight, whether the weight is fixed.

    Shape:
        input (*) of integers, output (*, embedding_dim).

    Raises:
        AssertionError: if padding_idx is not in range (PyTorch's exception type).
        RuntimeError: in forward, for an input that is not integer or out of range.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb
        Embedding(10, 3, padding_idx=0)
        >>> emb(bricks.tensor([[0, 2], [4, 9]])).shape
        bricks.Size([2, 2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_sizes("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _check_padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                empty((num_embeddings, embedding_dim), device=device, dtype=dtype),
                requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Shape of weight does not match num_embeddings and "
                                 f"embedding_dim: expected {(num_embeddings, embedding_dim)}, "
                                 f"got {_shape_text(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the weight from N(0, 1) again and zero the padding row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:
        if input.is_floating_point():
            raise RuntimeError(f"{_layer_text(self)}: expected an input of integer indices, "
                               f"got dtype {input.dtype}")
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + _changed_settings(
            self, {"padding_idx": None, "max_norm": None, "norm_type": 2,
                   "scale_grad_by_freq": False, "sparse": False})

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D), fixed unless ``freeze=False``.

        Raises:
            ValueError: if embeddings is not 2-dimensional.
        """
        if embeddings.dim() != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got "
                             f"shape {_shape_text(embeddings.shape)}")
        rows, cols = embeddings.shape
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def _check_padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    """padding_idx made non-negative; PyTorch asserts (AssertionError) that it is in range."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError(f"Padding_idx must be within num_embeddings: expected "
                             f"{-num_embeddings} <= padding_idx < {num_embeddings}, got "
                             f"{padding_idx}")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


class EmbeddingBag(Module):
    """The sum, mean or max of the embeddings of each bag of indices, without building the
    (bags, length, dim) tensor of their rows.

    The weight (num_embeddings, embedding_dim) starts N(0, 1) with the padding row zeroed.

    Args:
        num_embeddings: the number of rows.
        embedding_dim: the size of each row.
        max_norm, norm_type: as for ``Embedding``.
        mode: ``'sum'``, ``'mean'`` or ``'max'``.
        include_last_offset: offsets end with the end of the last bag.
        padding_idx: an index left out of every bag, whose row gets no gradient.

    Shape:
        input (B, L) (B bags of L) or 1-D with offsets (B,); per_sample_weights like input
        (mode 'sum'); output (B, embedding_dim).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> bag = nn.EmbeddingBag(10, 3)
        >>> bag
        EmbeddingBag(10, 3, mode='mean')
        >>> bag(bricks.tensor([1, 2, 4, 5]), bricks.tensor([0, 2])).shape
        bricks.Size([2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Tensor | None = None,
                 include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes("EmbeddingBag", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"mode has to be one of sum, mean or max, got {mode!r}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _check_padding_idx(padding_idx, num_embeddings)
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), device=device,
                                          dtype=dtype))
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight)
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self) -> None:
        """Draw the weight from N(0, 1) again and zero the padding row."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor, offsets: Tensor | None = None,
                per_sample_weights: Tensor | None = None) -> Tensor:
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}" + _changed_settings(
            self, {"max_norm": None, "norm_type": 2, "scale_grad_by_freq": False})
        return text + f", mode={self.mode!r}" + _changed_settings(self, {"padding_idx": None})

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> EmbeddingBag:
        """An EmbeddingBag whose weight is ``embeddings`` (2-D), fixed unless freeze=False."""
        if embeddings.dim() != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got "
                             f"shape {_shape_text(embeddings.shape)}")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                  embeddings, include_last_offset, padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
