"""``mxnet.gluon.rnn``: RNN, GRU and LSTM layers and cells, as Gluon's, computed by bricks.

Gate orders are MXNet's (LSTM: input, forget, cell, output; GRU: reset, update, new, with the
new gate's hidden bias inside the reset product), parameters are named ``l0_i2h_weight`` (layers;
``r0_`` for the reverse direction) and ``i2h_weight`` (cells), and input sizes of 0 are
inferred at the first forward pass. Layers take ``'TNC'`` (default) or ``'NTC'`` sequences.
"""

from __future__ import annotations

from typing import Any

import bricks

from ..._facade import unwrap
from .. import npx
from .block import HybridBlock, wrap_like
from .parameter import ready

__all__ = ["RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "gru": 3, "lstm": 4}


def _step(mode: str, x: Any, states: list, weights: tuple) -> tuple[Any, list]:
    """One time step: (output, new states) from input (N, C) and states [(N, H), ...]."""
    i2h_weight, h2h_weight, i2h_bias, h2h_bias = weights
    h = states[0]
    i2h = bricks.nn.functional.linear(x, i2h_weight, i2h_bias)
    h2h = bricks.nn.functional.linear(h, h2h_weight, h2h_bias)
    if mode == "lstm":
        gi, gf, gc, go = (i2h + h2h).chunk(4, dim=-1)
        cell = bricks.sigmoid(gf) * states[1] + bricks.sigmoid(gi) * bricks.tanh(gc)
        out = bricks.sigmoid(go) * bricks.tanh(cell)
        return out, [out, cell]
    if mode == "gru":
        ir, iz, in_ = i2h.chunk(3, dim=-1)
        hr, hz, hn = h2h.chunk(3, dim=-1)
        reset, update = bricks.sigmoid(ir + hr), bricks.sigmoid(iz + hz)
        new = bricks.tanh(in_ + reset * hn)
        out = (1 - update) * new + update * h
        return out, [out]
    out = bricks.relu(i2h + h2h) if mode == "rnn_relu" else bricks.tanh(i2h + h2h)
    return out, [out]


def _begin(count: int, batch_size: int, hidden: int, like: Any = None) -> list:
    facade = type(like) if like is not None else npx.array_class()
    return [facade._wrap(bricks.zeros(count, batch_size, hidden)) for _ in range(2)]


class _RNNLayer(HybridBlock):
    """A multi-layer (optionally bidirectional) recurrent layer over a whole sequence."""

    def __init__(self, hidden_size: int, num_layers: int, layout: str, dropout: float,
                 bidirectional: bool, input_size: int, mode: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise ValueError(f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']")
        self._hidden_size, self._num_layers, self._layout = hidden_size, num_layers, layout
        self._dropout, self._mode = dropout, mode
        self._directions = 2 if bidirectional else 1
        self._input_size = input_size
        gates = _GATES[mode] * hidden_size
        with self.name_scope():
            for layer in range(num_layers):
                size = input_size if layer == 0 else hidden_size * self._directions
                for direction in "lr"[:self._directions]:
                    name = f"{direction}{layer}_"
                    self._param(name + "i2h_weight", (gates, size))
                    self._param(name + "h2h_weight", (gates, hidden_size))
                    self._param(name + "i2h_bias", (gates,))
                    self._param(name + "h2h_bias", (gates,))

    def _param(self, name: str, shape: tuple) -> None:
        init = "zeros" if name.endswith("bias") else None
        setattr(self, name, self.params.get(name, shape=shape, init=init,
                                            allow_deferred_init=True))

    def state_info(self, batch_size: int = 0) -> list:
        shape = (self._num_layers * self._directions, batch_size, self._hidden_size)
        return [{"shape": shape, "__layout__": "LNC"}] * (2 if self._mode == "lstm" else 1)

    def begin_state(self, batch_size: int = 0, func: Any = None, **kwargs: Any) -> list:
        """Zero initial states: [h] (and c for LSTM), each (layers * directions, N, hidden)."""
        count = 2 if self._mode == "lstm" else 1
        return _begin(self._num_layers * self._directions, batch_size,
                      self._hidden_size)[:count]

    def _weights(self, prefix: str, input_size: int) -> tuple:
        params = [getattr(self, prefix + name) for name in
                  ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
        if params[0].shape[1] == 0:
            params[0].shape = (params[0].shape[0], input_size)
        ready(*params)
        return tuple(p.bricks_parameter for p in params)

    def forward(self, inputs: Any, states: Any = None) -> Any:
        x = unwrap(inputs)
        if self._layout == "NTC":
            x = x.transpose(0, 1)
        given = states is not None
        if states is None:
            states = self.begin_state(x.shape[1])
        states = [unwrap(s) for s in (states if isinstance(states, (list, tuple)) else [states])]
        finals: list[list] = [[] for _ in states]
        for layer in range(self._num_layers):
            outputs = []
            for d, direction in enumerate("lr"[:self._directions]):
                index = layer * self._directions + d
                weights = self._weights(f"{direction}{layer}_", x.shape[-1])
                state = [s[index] for s in states]
                steps = range(x.shape[0]) if direction == "l" else range(x.shape[0] - 1, -1, -1)
                sequence: list[Any] = [None] * x.shape[0]
                for t in steps:
                    sequence[t], state = _step(self._mode, x[t], state, weights)
                outputs.append(bricks.stack(sequence))
                for kept, value in zip(finals, state):
                    kept.append(value)
            x = outputs[0] if len(outputs) == 1 else bricks.cat(outputs, dim=-1)
            if self._dropout and layer < self._num_layers - 1:
                x = bricks.nn.functional.dropout(x, self._dropout, training=bool(
                    self.training and bricks.is_grad_enabled()))
        out = x.transpose(0, 1) if self._layout == "NTC" else x
        result = wrap_like(inputs, out)
        if not given:
            return result
        return result, [wrap_like(inputs, bricks.stack(kept)) for kept in finals]

    def __repr__(self) -> str:
        size = self._input_size if self._input_size else -1
        text = f"{type(self).__name__}({size} -> {self._hidden_size}, {self._layout}"
        if self._num_layers != 1:
            text += f", num_layers={self._num_layers}"
        if self._dropout:
            text += f", dropout={self._dropout}"
        if self._directions == 2:
            text += ", bidirectional"
        return text + ")"


class RNN(_RNNLayer):
    """An Elman RNN layer: ``h_t = activation(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``."""

    def __init__(self, hidden_size: int, num_layers: int = 1, activation: str = "relu",
                 layout: str = "TNC", dropout: float = 0, bidirectional: bool = False,
                 input_size: int = 0, **kwargs: Any) -> None:
        if activation not in ("relu", "tanh"):
            raise ValueError(f"activation must be 'relu' or 'tanh', got {activation!r}")
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         "rnn_" + activation, **kwargs)


class GRU(_RNNLayer):
    """A gated recurrent unit layer (Cho et al., 2014)."""

    def __init__(self, hidden_size: int, num_layers: int = 1, layout: str = "TNC",
                 dropout: float = 0, bidirectional: bool = False, input_size: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         "gru", **kwargs)


class LSTM(_RNNLayer):
    """A long short-term memory layer (Hochreiter & Schmidhuber, 1997); states are [h, c]."""

    def __init__(self, hidden_size: int, num_layers: int = 1, layout: str = "TNC",
                 dropout: float = 0, bidirectional: bool = False, input_size: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         "lstm", **kwargs)


class _Cell(HybridBlock):
    """One step of a recurrent network: ``cell(x, states)`` returns (output, new states)."""

    _mode = ""

    def __init__(self, hidden_size: int, input_size: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._hidden_size, self._input_size = hidden_size, input_size
        gates = _GATES[self._mode] * hidden_size
        with self.name_scope():
            for name, shape in (("i2h_weight", (gates, input_size)),
                                ("h2h_weight", (gates, hidden_size)),
                                ("i2h_bias", (gates,)), ("h2h_bias", (gates,))):
                init = "zeros" if name.endswith("bias") else None
                setattr(self, name, self.params.get(name, shape=shape, init=init,
                                                    allow_deferred_init=True))

    def begin_state(self, batch_size: int = 0, func: Any = None, **kwargs: Any) -> list:
        """Zero initial states: [h] (and c for an LSTM cell), each (N, hidden)."""
        count = 2 if self._mode == "lstm" else 1
        facade = npx.array_class()
        return [facade._wrap(bricks.zeros(batch_size, self._hidden_size))
                for _ in range(count)]

    def forward(self, inputs: Any, states: Any) -> Any:
        x = unwrap(inputs)
        params = [self.i2h_weight, self.h2h_weight, self.i2h_bias, self.h2h_bias]
        if params[0].shape[1] == 0:
            params[0].shape = (params[0].shape[0], x.shape[-1])
        ready(*params)
        weights = tuple(p.bricks_parameter for p in params)
        out, new = _step(self._mode, x, [unwrap(s) for s in states], weights)
        return wrap_like(inputs, out), [wrap_like(inputs, s) for s in new]

    def __repr__(self) -> str:
        size = self._input_size if self._input_size else -1
        gates = _GATES[self._mode] * self._hidden_size
        return f"{type(self).__name__}({size} -> {gates})"


class RNNCell(_Cell):
    """An Elman RNN cell (``activation`` 'tanh' or 'relu')."""

    def __init__(self, hidden_size: int, activation: str = "tanh", input_size: int = 0,
                 **kwargs: Any) -> None:
        self._mode = "rnn_" + activation
        super().__init__(hidden_size, input_size, **kwargs)


class GRUCell(_Cell):
    """A GRU cell."""

    _mode = "gru"


class LSTMCell(_Cell):
    """An LSTM cell; states are [h, c]."""

    _mode = "lstm"
