"""nn.utils.rnn: padding and packing variable-length sequences, and the recurrent layers on
packed input, against torch (values, lengths, states, gradients, errors)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as torch_rnn

import bricks
from bricks.nn.utils import rnn as bricks_rnn

LIBS = ((bricks, bricks_rnn), (torch, torch_rnn))


def _rand(shape: tuple, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _same(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b, rtol, atol)
    elif theirs is None:
        assert ours is None
    else:
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                                   atol=atol)


def _both(f: Any) -> list:
    return [f(lib, rnn) for lib, rnn in LIBS]


@pytest.mark.parametrize("options", [dict(), dict(batch_first=True),
                                     dict(padding_value=-1.0, padding_side="left")])
def test_pad_sequence_and_its_gradient(options: dict) -> None:
    def run(lib: Any, rnn: Any) -> tuple:
        seqs = [lib.tensor(_rand((n, 3), n), requires_grad=True) for n in (2, 4, 1)]
        padded = rnn.pad_sequence(seqs, **options)
        (padded * lib.tensor(_rand(tuple(padded.shape), 9))).sum().backward()
        # a copy: torch's unpad_sequence transposes its argument in place
        unpadded = rnn.unpad_sequence(padded.clone(), lib.tensor([2, 4, 1]),
                                      batch_first=options.get("batch_first", False))
        return padded, [s.grad for s in seqs], (unpadded if "padding_side" not in options
                                                else [])

    ours, theirs = _both(run)
    _same(ours, theirs)


@pytest.mark.parametrize("enforce_sorted, lengths", [(True, [4, 2, 2, 1]),
                                                     (False, [2, 4, 1, 3])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_back(enforce_sorted: bool, lengths: list, batch_first: bool) -> None:
    def run(lib: Any, rnn: Any) -> tuple:
        X = lib.tensor(_rand((4, 4, 2), 0), requires_grad=True)
        packed = rnn.pack_padded_sequence(X, lib.tensor(lengths), batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        padded, out_lengths = rnn.pad_packed_sequence(packed, batch_first=batch_first,
                                                      padding_value=7.0, total_length=5)
        padded.pow(2).sum().backward()
        sequences = [lib.tensor(_rand((n, 2), n)) for n in lengths]
        repacked = rnn.pack_sequence(sequences, enforce_sorted=enforce_sorted)
        return (tuple(packed), padded, out_lengths, X.grad, tuple(repacked),
                rnn.unpack_sequence(repacked))

    ours, theirs = _both(run)
    _same(ours, theirs)


@pytest.mark.parametrize("name, options", [
    ("RNN", dict()), ("GRU", dict(num_layers=2)), ("LSTM", dict(bidirectional=True)),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)),
    ("GRU", dict(bidirectional=True, batch_first=True)),
])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_on_packed_sequences(name: str, options: dict,
                                              with_state: bool) -> None:
    layers = [getattr(lib.nn, name)(3, 4, **options) for lib, _ in LIBS]
    layers[0].load_state_dict({k: bricks.tensor(v.detach().numpy())
                               for k, v in layers[1].state_dict().items()})
    lengths = [3, 5, 1, 4]
    batch_first = options.get("batch_first", False)

    def run(lib: Any, rnn: Any, layer: Any) -> tuple:
        X = lib.tensor(_rand((4, 5, 3) if batch_first else (5, 4, 3), 1), requires_grad=True)
        packed = rnn.pack_padded_sequence(X, lengths, batch_first=batch_first,
                                          enforce_sorted=False)
        directions = 2 if options.get("bidirectional") else 1
        rows = directions * options.get("num_layers", 1)
        state = None
        if with_state:
            h0 = lib.tensor(_rand((rows, 4, options.get("proj_size") or 4), 2),
                            requires_grad=True)
            state = (h0, lib.tensor(_rand((rows, 4, 4), 3))) if name == "LSTM" else h0
        output, final = layer(packed, state)
        padded, out_lengths = rnn.pad_packed_sequence(output, batch_first=batch_first)
        finals = final if name == "LSTM" else (final,)
        (padded.pow(2).sum() + sum(f.sum() for f in finals)).backward()
        assert isinstance(output, rnn.PackedSequence)
        grads = [p.grad for p in layer.parameters()]
        return padded, out_lengths, finals, X.grad, grads, (None if state is None else
                                                           finals[0].shape)

    ours, theirs = (run(lib, rnn, layer) for (lib, rnn), layer in zip(LIBS, layers))
    _same(ours[:5], theirs[:5], rtol=1e-4, atol=1e-6)
    assert ours[5] == theirs[5]


def test_packed_sequence_fields_and_conversions() -> None:
    def run(lib: Any, rnn: Any) -> tuple:
        packed = rnn.pack_sequence([lib.ones(1, 2), lib.ones(3, 2)], enforce_sorted=False)
        doubled = packed.to(lib.float64)
        assert isinstance(doubled, rnn.PackedSequence) and not packed.is_cuda
        assert doubled.float().data.dtype == lib.float32
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        return (doubled.data, batch_sizes, sorted_indices, unsorted_indices,
                rnn.invert_permutation(lib.tensor([2, 0, 1])))

    ours, theirs = _both(run)
    _same(ours, theirs)
    assert bricks_rnn.invert_permutation(None) is None
    assert bricks.nn.utils.rnn is bricks_rnn


@pytest.mark.parametrize("call", [
    lambda lib, rnn: rnn.pack_padded_sequence(lib.ones(3, 2), [1, 3]),
    lambda lib, rnn: rnn.pack_padded_sequence(lib.ones(3, 2), [3, 0]),
    lambda lib, rnn: rnn.pack_padded_sequence(lib.ones(3, 2), [3]),
    lambda lib, rnn: rnn.pad_packed_sequence(rnn.pack_padded_sequence(lib.ones(3, 2), [3, 1]),
                                             total_length=2),
    lambda lib, rnn: rnn.pad_sequence([]),
    lambda lib, rnn: rnn.pad_sequence([lib.ones(2)], padding_side="middle"),
    lambda lib, rnn: rnn.pad_sequence([lib.ones(2), lib.ones(3, 2)]),
])
def test_bad_input_raises_torchs_error(call: Any) -> None:
    with pytest.raises(Exception) as theirs:
        call(torch, torch_rnn)
    with pytest.raises(theirs.type) as ours:
        call(bricks, bricks_rnn)
    if "size of tensor" not in str(theirs.value):  # torch's words from its broadcast
        assert str(ours.value).split(",")[0] == str(theirs.value).split(",")[0]
