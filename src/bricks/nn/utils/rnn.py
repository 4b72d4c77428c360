"""Variable-length sequences for the recurrent layers: padding a list of sequences into one
tensor, and packing a padded batch so that ``nn.RNN``/``GRU``/``LSTM`` step each sequence
only as far as its own length (``torch.nn.utils.rnn``).

A :class:`PackedSequence` holds the steps time-major with the finished sequences dropped:
``data`` is step 0 of every sequence, then step 1 of those at least 2 long, and so on, and
``batch_sizes[t]`` says how many sequences are still running at step ``t``. The sequences
are ordered longest first; ``sorted_indices`` records that order when the caller's was
another (``enforce_sorted=False``), and ``unsorted_indices`` undoes it.

Everything here is written with differentiable ops, so gradients flow back through packing
and padding to the original sequences.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

from ..._dtypes import float32, float64
from ..._creation import tensor as _tensor
from ..._tensor import Tensor
from ...ops import argsort, cat, stack

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


class _Fields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor | None = None
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


class PackedSequence(_Fields):
    """A batch of sequences packed time-major, longest first (see the module's docstring).

    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`; the recurrent
    layers take it as input and give one back as output.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with ``data`` converted by ``Tensor.to`` (dtype or device)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(float64)

    def float(self) -> PackedSequence:
        return self.to(float32)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def step_sizes(self) -> list[int]:
        """``batch_sizes`` as Python ints: how many sequences run at each step."""
        if self.batch_sizes is None:
            raise ValueError("this PackedSequence has no batch_sizes")
        return [int(size) for size in self.batch_sizes.tolist()]


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None for None)."""
    if permutation is None:
        return None
    return argsort(permutation)


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths (L_i, *) into (L_max, N, *) (or (N, L_max, *)
    with ``batch_first``), filling with ``padding_value`` after each (or before, with
    ``padding_side='left'``).

    Raises:
        RuntimeError: as PyTorch, for an empty list, sequences whose trailing shapes differ,
            or a ``padding_side`` other than 'left' or 'right'.
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    longest = max(len(s) for s in sequences)
    padded = []
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape "
                               f"{list(trailing)} of the first, got {list(s.shape)}")
        fill = s.new_full((longest - len(s),) + trailing, padding_value)
        padded.append(cat((s, fill) if padding_side == "right" else (fill, s)))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor | Sequence[int],
                   batch_first: bool = False) -> list[Tensor]:
    """The sequences :func:`pad_sequence` padded, cut back to ``lengths``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [row[:int(length)] for row, length in zip(padded_sequences, _lengths(lengths))]


def pack_padded_sequence(input: Tensor, lengths: Tensor | Sequence[int],
                         batch_first: bool = False, enforce_sorted: bool = True
                         ) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) whose sequence ``i`` is
    ``lengths[i]`` long.

    Raises:
        RuntimeError: as PyTorch, when ``lengths`` is not one per sequence, has a length
            under 1, or (with ``enforce_sorted``) is not in decreasing order; when a length
            exceeds the padded time dimension.
    """
    lengths = _lengths(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    if len(lengths) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={input.shape[1]})")
    if min(lengths, default=1) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if max(lengths, default=0) > input.shape[0]:
        raise RuntimeError(f"pack_padded_sequence: a length of {max(lengths)} exceeds the "
                           f"{input.shape[0]} steps of the padded input")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep "
                               "this requirement if you do not need ONNX exportability.")
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        sorted_indices = _tensor(order)
        input = input.index_select(1, sorted_indices)
        lengths = [lengths[i] for i in order]
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(lengths[0])]
    data = cat([input[t, :size] for t, size in enumerate(batch_sizes)])
    return PackedSequence(data, _tensor(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: the padded batch (T, B, *) (or (B, T, *)) in the
    caller's order, and the lengths (int64).

    Raises:
        ValueError: as PyTorch, for a ``total_length`` shorter than the longest sequence.
    """
    batch_sizes = sequence.step_sizes()
    steps = len(batch_sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(f"Expected total_length to be at least the length of the longest "
                         f"sequence in input, but got total_length={total_length} and max "
                         f"sequence length being {steps}")
    data, batch = sequence.data, batch_sizes[0]
    trailing = tuple(data.shape[1:])
    rows, start = [], 0
    for size in batch_sizes:
        step = data[start: start + size]
        rows.append(cat((step, data.new_full((batch - size,) + trailing, padding_value))))
        start += size
    for _ in range(steps, total_length or steps):
        rows.append(data.new_full((batch,) + trailing, padding_value))
    padded = stack(rows, 0)
    lengths = _tensor([sum(1 for size in batch_sizes if size > i) for i in range(batch)])
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return (padded.transpose(0, 1) if batch_first else padded), lengths


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly (pad, then pack)."""
    lengths = [len(s) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences :func:`pack_sequence` packed, in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def _lengths(lengths: Tensor | Sequence[int]) -> list[int]:
    if isinstance(lengths, Tensor):
        return [int(n) for n in lengths.reshape(-1).tolist()]
    return [int(n) for n in lengths]
