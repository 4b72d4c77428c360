"""The modern recurrent networks: GRU and LSTM from scratch and with ``nn.GRU``/``nn.LSTM``,
deep (stacked) and bidirectional RNNs. Scratch models are checked against the framework's
layers on the same weights, and everything against torch; language models train with d2l's
Trainer on a tiny corpus of our own."""

import numpy as np
import pytest
from _sync import close, copy_weights
from _text import compare_language_models, train_language_model


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _scratch_classes(lib, d2l):
    """GRU, LSTM, stacked and bidirectional RNNs written as the chapters build them (our
    own code after their equations), for the framework ``lib``."""
    nn = lib.nn

    def weights(module, num_inputs, num_hiddens, *gates):
        for gate in gates:
            setattr(module, f"W_x{gate}", nn.Parameter(lib.randn(num_inputs, num_hiddens)
                                                       * module.sigma))
            setattr(module, f"W_h{gate}", nn.Parameter(lib.randn(num_hiddens, num_hiddens)
                                                       * module.sigma))
            setattr(module, f"b_{gate}", nn.Parameter(lib.zeros(num_hiddens)))

    def gate(module, name, X, H, act=lib.sigmoid):
        W_x, W_h = getattr(module, f"W_x{name}"), getattr(module, f"W_h{name}")
        return act(lib.matmul(X, W_x) + lib.matmul(H, W_h) + getattr(module, f"b_{name}"))

    class GRUScratch(d2l.Module):
        def __init__(self, num_inputs, num_hiddens, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            weights(self, num_inputs, num_hiddens, "z", "r", "h")

        def forward(self, inputs, H=None):
            if H is None:
                H = lib.zeros((inputs.shape[1], self.num_hiddens))
            outputs = []
            for X in inputs:
                Z, R = gate(self, "z", X, H), gate(self, "r", X, H)
                H_tilde = gate(self, "h", X, R * H, lib.tanh)
                H = Z * H + (1 - Z) * H_tilde
                outputs.append(H)
            return outputs, H

    class LSTMScratch(d2l.Module):
        def __init__(self, num_inputs, num_hiddens, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            weights(self, num_inputs, num_hiddens, "i", "f", "c", "o")

        def forward(self, inputs, H_C=None):
            if H_C is None:
                H = C = lib.zeros((inputs.shape[1], self.num_hiddens))
            else:
                H, C = H_C
            outputs = []
            for X in inputs:
                input_gate, forget_gate, output_gate = (gate(self, name, X, H)
                                                        for name in "ifo")
                C = forget_gate * C + input_gate * gate(self, "c", X, H, lib.tanh)
                H = output_gate * lib.tanh(C)
                outputs.append(H)
            return outputs, (H, C)

    class StackedRNNScratch(d2l.Module):
        def __init__(self, num_inputs, num_hiddens, num_layers, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.rnns = nn.Sequential(*[d2l.RNNScratch(num_inputs if i == 0 else num_hiddens,
                                                       num_hiddens, sigma)
                                        for i in range(num_layers)])

        def forward(self, inputs, Hs=None):
            outputs = inputs
            Hs = [None] * self.num_layers if Hs is None else Hs
            for i in range(self.num_layers):
                outputs, Hs[i] = self.rnns[i](outputs, Hs[i])
                outputs = lib.stack(outputs, 0)
            return outputs, Hs

    class BiRNNScratch(d2l.Module):
        def __init__(self, num_inputs, num_hiddens, sigma=0.01):
            super().__init__()
            self.save_hyperparameters()
            self.f_rnn = d2l.RNNScratch(num_inputs, num_hiddens, sigma)
            self.b_rnn = d2l.RNNScratch(num_inputs, num_hiddens, sigma)
            self.num_hiddens *= 2  # the outputs are the two directions side by side

        def forward(self, inputs, Hs=None):
            f_H, b_H = Hs if Hs is not None else (None, None)
            f_outputs, f_H = self.f_rnn(inputs, f_H)
            b_outputs, b_H = self.b_rnn(reversed(inputs), b_H)
            outputs = [lib.cat((f, b), -1) for f, b in zip(f_outputs, reversed(b_outputs))]
            return outputs, (f_H, b_H)

    return GRUScratch, LSTMScratch, StackedRNNScratch, BiRNNScratch


def _set_from_layer(lib, scratch, layer, suffix, gates):
    """Give the scratch cell ``scratch`` the weights of ``layer``'s cell ``suffix``
    (``l0``, ``l1_reverse``...): torch stacks the gates' weights, in ``gates``' order, in one
    matrix per input, and adds two biases where the chapters have one."""
    w_ih, w_hh = (getattr(layer, f"weight_{k}_{suffix}").detach() for k in ("ih", "hh"))
    bias = (getattr(layer, f"bias_ih_{suffix}") + getattr(layer, f"bias_hh_{suffix}")).detach()
    hidden = w_hh.shape[1]
    with lib.no_grad():
        for i, gate in enumerate(gates):
            rows = slice(i * hidden, (i + 1) * hidden)
            getattr(scratch, f"W_x{gate}").copy_(w_ih[rows].T)
            getattr(scratch, f"W_h{gate}").copy_(w_hh[rows].T)
            getattr(scratch, f"b_{gate}").copy_(bias[rows])


def _filled(lib, layer):
    """``layer`` with the same weights in either framework, drawn in NumPy."""
    with lib.no_grad():
        for i, parameter in enumerate(layer.parameters()):
            parameter.copy_(lib.tensor(_rand(tuple(parameter.shape), 10 + i) * 0.5))
    return layer


def _scratch_against_layer(d2l_pair, build):
    """``build(lib, classes)`` gives (scratch output, layer output, input) in each framework:
    the two agree there, and with torch, in values and input gradients."""
    results = []
    for lib, d2l in d2l_pair:
        lib.manual_seed(0)
        ours, layers, X = build(lib, _scratch_classes(lib, d2l))
        close(ours, layers, rtol=1e-5, atol=1e-6)
        ours.pow(2).sum().backward()
        results.append((ours, X.grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-4, atol=1e-6)


def test_lstm_from_scratch_is_nn_lstm(d2l_pair):
    def build(lib, classes):
        layer = _filled(lib, lib.nn.LSTM(5, 6))
        scratch = classes[1](5, 6)
        _set_from_layer(lib, scratch, layer, "l0", "ifco")
        X = lib.tensor(_rand((7, 3, 5), 0), requires_grad=True)
        H_C = (lib.tensor(_rand((3, 6), 1)), lib.tensor(_rand((3, 6), 2)))
        outputs, (H, C) = scratch(X, H_C)
        expected, (H_n, C_n) = layer(X, (H_C[0][None], H_C[1][None]))
        close(C, C_n[0], rtol=1e-5, atol=1e-6)
        return lib.stack(outputs, 0), expected, X

    _scratch_against_layer(d2l_pair, build)


def test_stacked_rnn_from_scratch_is_a_two_layer_nn_rnn(d2l_pair):
    def build(lib, classes):
        layer = _filled(lib, lib.nn.RNN(4, 5, num_layers=2))
        scratch = classes[2](4, 5, 2)
        for i, cell in enumerate(scratch.rnns):
            _set_from_layer(lib, cell, layer, f"l{i}", "h")
        X = lib.tensor(_rand((6, 2, 4), 3), requires_grad=True)
        outputs, Hs = scratch(X)
        expected, H_n = layer(X)
        close(lib.stack(Hs, 0), H_n, rtol=1e-5, atol=1e-6)
        return outputs, expected, X

    _scratch_against_layer(d2l_pair, build)


def test_bidirectional_rnn_from_scratch_is_nn_rnn_bidirectional(d2l_pair):
    def build(lib, classes):
        layer = _filled(lib, lib.nn.RNN(4, 3, bidirectional=True))
        scratch = classes[3](4, 3)
        _set_from_layer(lib, scratch.f_rnn, layer, "l0", "h")
        _set_from_layer(lib, scratch.b_rnn, layer, "l0_reverse", "h")
        X = lib.tensor(_rand((5, 2, 4), 4), requires_grad=True)
        outputs, (f_H, b_H) = scratch(X)
        expected, H_n = layer(X)
        close(lib.stack((f_H, b_H), 0), H_n, rtol=1e-5, atol=1e-6)
        assert scratch.num_hiddens == 6 and tuple(expected.shape) == (5, 2, 6)
        return lib.stack(outputs, 0), expected, X

    _scratch_against_layer(d2l_pair, build)


@pytest.mark.parametrize("name", ["GRU", "LSTM"])
@pytest.mark.parametrize("options", [dict(), dict(num_layers=2),
                                     dict(num_layers=2, bidirectional=True, batch_first=True)])
def test_nn_gru_and_lstm_match_torch_on_the_same_weights(d2l_pair, name, options):
    layers = [getattr(lib.nn, name)(4, 3, **options) for lib, _ in d2l_pair]
    copy_weights(layers[0], layers[1])
    results = []
    for (lib, _), layer in zip(d2l_pair, layers):
        X = lib.tensor(_rand((2, 5, 4), 5), requires_grad=True)
        outputs, state = layer(X)
        states = state if name == "LSTM" else (state,)
        (outputs.sum() + sum(s.pow(2).sum() for s in states)).backward()
        results.append((outputs, *states, X.grad, *[p.grad for p in layer.parameters()]))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind", ["GRUScratch", "LSTMScratch"])
def test_gru_and_lstm_language_models_from_scratch_train_like_torch(d2l_pair, kind):
    def make(lib, d2l, vocab_size):
        gru, lstm, _, _ = _scratch_classes(lib, d2l)
        rnn = (gru if kind == "GRUScratch" else lstm)(vocab_size, 16)
        return d2l.RNNLMScratch(rnn, vocab_size, lr=2)

    models, vocabs = train_language_model(d2l_pair, make, epochs=1)
    compare_language_models(d2l_pair, models, vocabs)


def test_deep_gru_language_model_trains_like_torch(d2l_pair):
    def make(lib, d2l, vocab_size):
        gru = d2l.GRU(num_inputs=vocab_size, num_hiddens=16, num_layers=2)
        return d2l.RNNLM(gru, vocab_size, lr=2)

    models, vocabs = train_language_model(d2l_pair, make, epochs=1)
    assert models[0].rnn.rnn.num_layers == 2
    compare_language_models(d2l_pair, models, vocabs)


def test_concise_lstm_language_model(d2l_pair):
    def make(lib, d2l, vocab_size):
        class LSTM(d2l.RNN):
            def __init__(self, num_inputs, num_hiddens):
                d2l.Module.__init__(self)
                self.save_hyperparameters()
                self.rnn = lib.nn.LSTM(num_inputs, num_hiddens)

            def forward(self, inputs, H_C=None):
                return self.rnn(inputs, H_C)

        return d2l.RNNLM(LSTM(vocab_size, 16), vocab_size, lr=2)

    models, vocabs = train_language_model(d2l_pair, make, epochs=1)
    compare_language_models(d2l_pair, models, vocabs)
