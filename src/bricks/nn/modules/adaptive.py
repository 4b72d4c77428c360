"""The adaptive softmax: AdaptiveLogSoftmaxWithLoss (Grave et al., "Efficient softmax
approximation for GPUs", 2016, https://arxiv.org/abs/1609.04309)."""

from __future__ import annotations

import itertools
from collections import namedtuple
from typing import Any, Sequence

from ..._tensor import Tensor
from ... import ops
from .. import functional as F
from ..containers import ModuleList, Sequential
from ..module import Module
from .linear import Linear

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])  # torch's name, so reprs agree


class AdaptiveLogSoftmaxWithLoss(Module):
    """The log-probability of each target under an adaptive softmax, and their mean negative.

    Classes are split by ``cutoffs`` into a head (the ``cutoffs[0]`` most frequent classes,
    plus one logit per tail cluster) and tail clusters, each behind a projection to
    ``in_features // div_value ** (i + 1)`` features: ``log p(c) = log p_head(cluster) +
    log p_cluster(c)``, so frequent classes cost one small softmax.

    Args:
        in_features: size of each input sample.
        n_classes: the number of classes; targets lie in ``[0, n_classes - 1]``.
        cutoffs: increasing, unique class boundaries in ``[1, n_classes - 1]``.
        div_value: how much narrower each cluster's projection is than the previous one.
        head_bias: whether the head has a bias.

    Shape:
        input (N, in_features) with target (N), or (in_features) with a 0-d target.
        Returns ``(output, loss)``: the target log-probabilities (N) (or 0-d) and their mean
        negative (0-d).

    Raises:
        ValueError: for cutoffs that are empty, unsorted, repeated, not integers or out of
            range.
        RuntimeError: in forward, for mismatched shapes or a target out of range.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> _ = bricks.manual_seed(0)
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(16, 10, cutoffs=[3, 6])
        >>> output, loss = asm(bricks.randn(4, 16), bricks.tensor([0, 4, 9, 2]))
        >>> output.shape, loss.shape
        (bricks.Size([4]), bricks.Size([]))
        >>> asm.log_prob(bricks.randn(4, 16)).exp().sum(1)
        tensor([1.0000, 1.0000, 1.0000, 1.0000], grad_fn=<SumBackward1>)
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        _check_cutoffs(cutoffs, n_classes)
        factory = {"device": device, "dtype": dtype}
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, size, bias=False, **factory)))

    def reset_parameters(self) -> None:
        """Initialize the head and every projection again, as ``__init__`` does."""
        self.head.reset_parameters()
        for layer in self.tail.modules():
            if isinstance(layer, Linear):
                layer.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> Any:
        _check_shapes(input_, target_)
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        self._check_targets(target)
        output = input.new_zeros(target.size(0))
        head_index = target.clone()
        for i, (low, high) in enumerate(itertools.pairwise(self.cutoffs)):
            in_cluster = (target >= low) & (target < high)
            rows = in_cluster.nonzero().reshape(-1)
            if rows.numel() == 0:
                continue
            cluster_logprob = F.log_softmax(self.tail[i](input.index_select(0, rows)), dim=1)
            local = cluster_logprob.gather(1, (target[in_cluster] - low).unsqueeze(1))
            output = ops.index_copy(output, 0, rows, local.squeeze(1))
            head_index[in_cluster] = self.shortlist_size + i
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = output + head_logprob.gather(1, head_index.unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _check_targets(self, target: Tensor) -> None:
        if target.numel() and (int(target.min()) < 0 or int(target.max()) >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{target.min().item()}, "
                               f"{target.max().item()}] were found. ")

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """The (N, n_classes) log-probabilities from the input and the head's output."""
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob
                         + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ops.cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """The log-probability (N, n_classes) of every class for each input (N, in_features)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class (N) for each input (N, in_features): the head's argmax
        when it is a shortlist class, else the argmax of the full distribution."""
        head_output = self.head(input)
        output = ops.argmax(head_output, dim=1)
        not_in_shortlist = output >= self.shortlist_size
        if not bool(not_in_shortlist.any()):
            return output
        if bool(not_in_shortlist.all()):
            return ops.argmax(self._get_full_log_prob(input, head_output), dim=1)
        log_prob = self._get_full_log_prob(input[not_in_shortlist],
                                           head_output[not_in_shortlist])
        output[not_in_shortlist] = ops.argmax(log_prob, dim=1)
        return output


def _check_cutoffs(cutoffs: list, n_classes: int) -> None:
    if len(cutoffs) == 0:
        raise ValueError("cutoffs should be a sequence of length larger than 0")
    if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
            or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
        raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in "
                         "an increasing order, where each value is between 1 and n_classes-1")


def _check_shapes(input: Tensor, target: Tensor) -> None:
    """PyTorch's checks: a 1-D target with 2-D input of its length, or a 0-D one with 1-D."""
    if target.dim() == 1:
        if input.size(0) != target.size(0):
            raise RuntimeError("Input and target should have the same size in the batch "
                               "dimension.")
        if input.dim() != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                               f"with size {input.size()}")
    elif target.dim() == 0:
        if input.dim() != 1:
            raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs "
                               f"with size {input.size()}")
    else:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
