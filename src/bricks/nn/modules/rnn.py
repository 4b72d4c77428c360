"""Recurrent layers: RNN, GRU and LSTM, multi-layer and optionally bidirectional, and their
single-step cells RNNCell, GRUCell and LSTMCell.

The time loop is written with differentiable ops, one cell per step, so each weight is
used at every step and its gradient is the sum over the steps (backpropagation through
time) by the ordinary accumulation of the autograd engine.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

from ..._creation import empty, zeros
from ..._tensor import Tensor
from ...ops import cat, stack
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .utils import _changed_settings, _check_sizes, _shape_text

__all__ = ["RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


def _rnn_tanh_cell(x: Tensor, h: Tensor, c: Any, w: tuple) -> tuple[Tensor, Any]:
    return (F.linear(x, w[0], w[2]) + F.linear(h, w[1], w[3])).tanh(), None


def _rnn_relu_cell(x: Tensor, h: Tensor, c: Any, w: tuple) -> tuple[Tensor, Any]:
    return (F.linear(x, w[0], w[2]) + F.linear(h, w[1], w[3])).relu(), None


def _gru_cell(x: Tensor, h: Tensor, c: Any, w: tuple) -> tuple[Tensor, Any]:
    """GRU (Cho et al., 2014): n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), as PyTorch."""
    input_reset, input_update, input_new = F.linear(x, w[0], w[2]).chunk(3, -1)
    hidden_reset, hidden_update, hidden_new = F.linear(h, w[1], w[3]).chunk(3, -1)
    reset = (input_reset + hidden_reset).sigmoid()
    update = (input_update + hidden_update).sigmoid()
    new = (input_new + reset * hidden_new).tanh()
    return new + update * (h - new), None


def _lstm_cell(x: Tensor, h: Tensor, c: Tensor, w: tuple) -> tuple[Tensor, Tensor]:
    """LSTM (Hochreiter and Schmidhuber, 1997) with gates in PyTorch's order i, f, g, o."""
    gates = F.linear(x, w[0], w[2]) + F.linear(h, w[1], w[3])
    input_gate, forget_gate, cell_gate, output_gate = gates.chunk(4, -1)
    c = forget_gate.sigmoid() * c + input_gate.sigmoid() * cell_gate.tanh()
    h = output_gate.sigmoid() * c.tanh()
    if w[4] is not None:
        h = F.linear(h, w[4])
    return h, c


_CELLS: dict[str, Callable[..., tuple[Tensor, Any]]] = {
    "RNN_TANH": _rnn_tanh_cell, "RNN_RELU": _rnn_relu_cell, "GRU": _gru_cell,
    "LSTM": _lstm_cell}


class RNNBase(Module):
    """The parameters, checks and time loop shared by RNN, GRU and LSTM.

    Parameters are named as PyTorch's: ``weight_ih_l{k}``, ``weight_hh_l{k}``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and ``weight_hr_l{k}`` with proj_size), with the
    suffix ``_reverse`` for the backward direction; all start U(-1/sqrt(hidden_size),
    1/sqrt(hidden_size)).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_config(hidden_size, num_layers, dropout, proj_size, mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            for direction in range(2 if bidirectional else 1):
                self._add_weights(layer, direction, dtype, device)
        self.reset_parameters()

    def _add_weights(self, layer: int, direction: int, dtype: Any, device: Any = None) -> None:
        """Register one layer-direction's parameters, in PyTorch's order."""
        num_directions = 2 if self.bidirectional else 1
        gate_size = _GATES[self.mode] * self.hidden_size
        output_size = self.proj_size or self.hidden_size
        layer_input_size = self.input_size if layer == 0 else output_size * num_directions
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gate_size, layer_input_size),
                                              "weight_hh": (gate_size, output_size)}
        if self.bias:
            shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        for name, shape in shapes.items():
            setattr(self, name + suffix, Parameter(empty(shape, device=device, dtype=dtype)))
            self._flat_weights_names.append(name + suffix)

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """Do nothing: PyTorch compacts weights for cuDNN here; bricks has nothing to compact."""

    @property
    def _flat_weights(self) -> list[Parameter]:
        """The parameters in ``_flat_weights_names`` order: PyTorch's internal list, which
        some initialization code reads."""
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped by layer and direction, each group in PyTorch's order."""
        per_group = len(self._flat_weights_names) // (self.num_layers * self._directions)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per_group]]
                for i in range(0, len(names), per_group)]

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _weights(self, layer: int, direction: int) -> tuple:
        """(weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) of one layer-direction."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        return tuple(getattr(self, name + suffix, None) for name in
                     ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))

    def _state_shapes(self, batch: int | None) -> list[tuple[int, ...]]:
        """The expected shapes of h_0 (and c_0 for LSTM); batch None for unbatched input."""
        lead = (self.num_layers * self._directions,) + ((batch,) if batch is not None else ())
        shapes = [lead + (self.proj_size or self.hidden_size,)]
        if self.mode == "LSTM":
            shapes.append(lead + (self.hidden_size,))
        return shapes

    def _prepare(self, input: Tensor, states: list[Tensor | None]) -> tuple:
        """Check input and states; return them as (seq, batch, feature) and (L*D, batch, H)."""
        name = type(self).__name__
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"input instead (shape {_shape_text(input.shape)})")
        self._check_data(input)
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return input, self._initial_states(states, batched, input), batched

    def _check_data(self, input: Tensor) -> None:
        """PyTorch's errors for steps of the wrong size or dtype (no silent promotion)."""
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}({self.extra_repr()}): input.size(-1) "
                               f"must be equal to input_size. Expected {self.input_size}, got "
                               f"shape {_shape_text(input.shape)}")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")

    def _initial_states(self, states: list[Tensor | None], batched: bool,
                        input: Tensor) -> list[Tensor]:
        """Check the given states (zeros for None) and return them as (L*D, batch, H)."""
        expected = self._state_shapes(input.shape[1] if batched else None)
        ready = []
        for i, (state, shape) in enumerate(zip(states, expected)):
            if state is None:
                state = zeros(shape if batched else shape[:1] + (1,) + shape[1:],
                              dtype=input.dtype, device=input.device)
            elif tuple(state.shape) != shape:
                which = f"hidden[{i}]" if self.mode == "LSTM" else "hidden"
                raise RuntimeError(f"{type(self).__name__}({self.extra_repr()}): Expected "
                                   f"{which} size {shape}, got {_shape_text(state.shape)}")
            elif not batched:
                state = state.unsqueeze(1)
            ready.append(state)
        return ready

    def _run(self, steps: Sequence[Tensor], states: list[Tensor],
             batch_sizes: list[int] | None = None) -> tuple[list[Tensor], list[Tensor]]:
        """The time loop over every layer and direction; ``steps`` are (batch, feature), or
        with ``batch_sizes`` the first ``batch_sizes[t]`` sequences' rows at step ``t``."""
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                index = layer * self._directions + direction
                first = [state[index] for state in states]
                hs, last = self._run_direction(steps, first, self._weights(layer, direction),
                                               direction == 1, batch_sizes)
                outputs.append(hs)
                for final, value in zip(finals, last):
                    final.append(value)
            steps = outputs[0] if len(outputs) == 1 else [cat(pair, -1) for pair in
                                                           zip(*outputs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(h, self.dropout, True) for h in steps]
        return list(steps), [stack(final, 0) for final in finals]

    def _run_direction(self, steps: Any, first: list[Tensor], weights: tuple,
                       reverse: bool, batch_sizes: list[int] | None
                       ) -> tuple[list[Tensor], list[Tensor]]:
        """Run one cell over the steps (backwards if ``reverse``); outputs in time order.

        With ``batch_sizes`` only the running sequences' rows step: the others keep their
        state, which is the last state for a finished sequence when going forwards, and
        the initial one for a sequence not yet begun when going backwards.
        """
        cell = _CELLS[self.mode]
        state = list(first)
        outputs: list[Any] = [None] * len(steps)
        order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
        for t in order:
            size = None if batch_sizes is None else batch_sizes[t]
            running = [s if size is None else s[:size] for s in state]
            h, c = cell(steps[t], running[0], running[1] if len(state) > 1 else None, weights)
            new = [h] if c is None else [h, c]
            state = [n if size is None or size == len(s) else cat((n, s[size:]))
                     for n, s in zip(new, state)]
            outputs[t] = h
        return outputs, state

    def _forward(self, input: Tensor | PackedSequence, states: list[Tensor | None]
                 ) -> tuple[Any, list]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, states)
        padded, ready, batched = self._prepare(input, states)
        steps, finals = self._run(padded.unbind(0), ready)
        output = stack(steps, 0)
        if not batched:
            return output.squeeze(1), [final.squeeze(1) for final in finals]
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, finals

    def _forward_packed(self, input: PackedSequence, states: list[Tensor | None]
                        ) -> tuple[PackedSequence, list]:
        """Step each packed sequence to its own length; the states given and returned are
        in the caller's order, as PyTorch's."""
        batch_sizes = input.step_sizes()
        self._check_data(input.data)
        steps = input.data.split(batch_sizes)
        order, undo = input.sorted_indices, input.unsorted_indices
        given = [s if s is None or order is None else s.index_select(1, order) for s in states]
        ready = self._initial_states(given, True, steps[0].unsqueeze(0))
        outputs, finals = self._run(steps, ready, batch_sizes)
        if undo is not None:
            finals = [final.index_select(1, undo) for final in finals]
        return PackedSequence(cat(outputs), input.batch_sizes, order, undo), finals

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + _changed_settings(
            self, {"proj_size": 0, "num_layers": 1, "bias": True, "batch_first": False,
                   "dropout": 0, "bidirectional": False})


def _check_config(hidden_size: Any, num_layers: Any, dropout: Any, proj_size: int,
                  mode: str) -> None:
    """Raise PyTorch's error for an impossible recurrent config."""
    if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or \
            not 0 <= dropout <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         f"probability of an element being zeroed, got {dropout!r}")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value in (("hidden_size", hidden_size), ("num_layers", num_layers)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero, got {value}")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         f"projections, got {proj_size}")
    if proj_size >= hidden_size:
        raise ValueError(f"proj_size has to be smaller than hidden_size, got proj_size="
                         f"{proj_size} and hidden_size={hidden_size}")
    if proj_size and mode != "LSTM":
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")


class RNN(RNNBase):
    """An Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` per layer.

    Args:
        input_size: features of each input step.
        hidden_size: features of the hidden state.
        num_layers: recurrent layers stacked, each fed the previous one's outputs.
        nonlinearity: ``'tanh'`` or ``'relu'``.
        bias: whether to learn the biases ``b_ih`` and ``b_hh``.
        batch_first: input and output are (batch, seq, feature) instead of (seq, batch,
            feature); the hidden state is not affected.
        dropout: dropout probability on the outputs of every layer but the last.
        bidirectional: also run each layer backwards in time and concatenate.

    Shape:
        input (L, N, input_size) (or (N, L, input_size) with batch_first, or unbatched
        (L, input_size)); h_0 (D * num_layers, N, hidden_size); output
        (L, N, D * hidden_size); h_n like h_0. D is 2 if bidirectional, else 1. The input
        may also be a ``PackedSequence`` (``nn.utils.rnn``): each sequence then steps only
        to its own length, and the output is packed the same way.

    Raises:
        ValueError: for an unknown nonlinearity or a bad config; in forward, for an input
            that is not 2D or 3D.
        RuntimeError: in forward, for a wrong input or hidden size.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> rnn = nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(bricks.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (bricks.Size([5, 3, 20]), bricks.Size([2, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None
                ) -> tuple[Any, Tensor]:
        output, (h_n,) = self._forward(input, [hx])
        return output, h_n


class GRU(RNNBase):
    """A gated recurrent unit RNN (Cho et al., 2014), gates in PyTorch's order r, z, n.

    ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``, ``z = sigmoid(W_iz x + b_iz + W_hz h +
    b_hz)``, ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            as for ``RNN``.

    Shape:
        as for ``RNN``.

    Raises:
        ValueError, RuntimeError: as for ``RNN``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> output, h_n = nn.GRU(10, 20, batch_first=True)(bricks.randn(3, 5, 10))
        >>> output.shape, h_n.shape
        (bricks.Size([3, 5, 20]), bricks.Size([1, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None
                ) -> tuple[Any, Tensor]:
        output, (h_n,) = self._forward(input, [hx])
        return output, h_n


class LSTM(RNNBase):
    """A long short-term memory RNN (Hochreiter and Schmidhuber, 1997).

    ``i, f, g, o`` gates (in PyTorch's order) from ``W_ih x + b_ih + W_hh h + b_hh``;
    ``c' = sigmoid(f) * c + sigmoid(i) * tanh(g)``, ``h' = sigmoid(o) * tanh(c')`` (then
    ``W_hr h'`` with proj_size).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional:
            as for ``RNN``.
        proj_size: if > 0, project h to this size with a learned ``weight_hr``.

    Shape:
        as for ``RNN``, with the state a pair (h_0, c_0): h_0 (D * num_layers, N, H_out),
        c_0 (D * num_layers, N, hidden_size), H_out = proj_size or hidden_size.

    Raises:
        ValueError, RuntimeError: as for ``RNN``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        >>> lstm
        LSTM(10, 20, num_layers=2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(bricks.randn(3, 5, 10))
        >>> output.shape, h_n.shape, c_n.shape
        (bricks.Size([3, 5, 20]), bricks.Size([2, 3, 20]), bricks.Size([2, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Any, tuple[Tensor, Tensor]]:
        states: list[Tensor | None] = [None, None] if hx is None else list(hx)
        if len(states) != 2:
            raise RuntimeError(f"LSTM({self.extra_repr()}): expected hx to be a pair "
                               f"(h_0, c_0), got {len(states)} tensors")
        output, (h_n, c_n) = self._forward(input, states)
        return output, (h_n, c_n)


class RNNCellBase(Module):
    """The parameters (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, all
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))) and checks of one recurrent step."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(empty((gates, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((gates, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gates, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(gates, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _step(self, input: Tensor, states: list[Tensor | None]) -> tuple[Tensor, Any]:
        """Check the input (1-D or 2-D) and states (zeros for None); run the cell once."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}({self.extra_repr()}): input has inconsistent "
                               f"input_size: got {input.shape[-1]} expected {self.input_size}")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        ready = []
        for state in states:
            if state is None:
                ready.append(zeros((x.shape[0], self.hidden_size), dtype=x.dtype,
                                   device=x.device))
                continue
            expected = tuple(input.shape[:-1]) + (self.hidden_size,)
            if tuple(state.shape) != expected:
                raise RuntimeError(f"{name}({self.extra_repr()}): expected hidden state of "
                                   f"shape {_shape_text(expected)}, got "
                                   f"{_shape_text(state.shape)}")
            ready.append(state if batched else state.unsqueeze(0))
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)
        h, c = _CELLS[self._mode](x, ready[0], ready[1] if len(ready) > 1 else None, weights)
        if not batched:
            h = h.squeeze(0)
            c = None if c is None else c.squeeze(0)
        return h, c

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Args:
        input_size: features of the input.
        hidden_size: features of the hidden state.
        bias: whether to learn b_ih and b_hh.
        nonlinearity: ``'tanh'`` or ``'relu'``.

    Shape:
        input (N, input_size) or (input_size,); hx and output (N, hidden_size).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> cell = nn.RNNCell(3, 4)
        >>> cell(bricks.ones(2, 3)).shape
        bricks.Size([2, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, [hx])[0]


class GRUCell(RNNCellBase):
    """One GRU step (Cho et al., 2014), gates in PyTorch's order r, z, n; see ``GRU``.

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> nn.GRUCell(3, 4)(bricks.ones(2, 3)).shape
        bricks.Size([2, 4])
    """

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, [hx])[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (Hochreiter and Schmidhuber, 1997), gates i, f, g, o; see ``LSTM``.

    Returns:
        (h', c'), each (N, hidden_size).

    Example:
        >>> import bricks
        >>> from bricks import nn
        >>> h, c = nn.LSTMCell(3, 4)(bricks.ones(2, 3))
        >>> h.shape, c.shape
        (bricks.Size([2, 4]), bricks.Size([2, 4]))
    """

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        states: list[Tensor | None] = [None, None] if hx is None else list(hx)
        h, c = self._step(input, states)
        return h, c
