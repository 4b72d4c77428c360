"""The recurrent chapters as their first edition writes them: parameters in a plain list,
a hand-written step function, state carried across minibatches (sequential partitioning,
truncated with in-place ``detach_``) or started afresh (random sampling), ``d2l.sgd`` and
``d2l.grad_clipping`` on a model that is not an ``nn.Module``, and the same loop around
``nn.RNN``/``nn.GRU``/``nn.LSTM`` (deep and bidirectional) in an ``nn.Module``."""

import math
import random

import numpy as np
import pytest
from _sync import close, copy_weights
from _text import CORPUS, random_partition, sequential_partition, time_machine

_HIDDENS = 16


def _params(lib, vocab_size, seed=0):
    """The scratch RNN's parameters, drawn in NumPy so both frameworks start equal."""
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return lib.tensor(rng.normal(size=shape).astype(np.float32) * 0.1)

    params = [normal(vocab_size, _HIDDENS), normal(_HIDDENS, _HIDDENS), lib.zeros(_HIDDENS),
              normal(_HIDDENS, vocab_size), lib.zeros(vocab_size)]
    for param in params:
        param.requires_grad_(True)
    return params


def _rnn_step(lib):
    def rnn(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        (H,) = state
        outputs = []
        for X in inputs:
            H = lib.tanh(lib.mm(X, W_xh) + lib.mm(H, W_hh) + b_h)
            outputs.append(lib.mm(H, W_hq) + b_q)
        return lib.cat(outputs, dim=0), (H,)

    return rnn


class _ScratchModel:
    """A model that is a function and a list of parameters, as the first edition's."""

    def __init__(self, lib, vocab_size, params, forward_fn):
        self.lib, self.vocab_size, self.params, self.forward_fn = (lib, vocab_size, params,
                                                                   forward_fn)

    def __call__(self, X, state):
        X = self.lib.nn.functional.one_hot(X.T, self.vocab_size).type(self.lib.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size):
        return (self.lib.zeros((batch_size, _HIDDENS)),)


class _Concise:
    """Builds the ``nn.Module`` around a framework's recurrent layer."""

    @staticmethod
    def make(lib, layer, vocab_size):
        class RNNModel(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn, self.vocab_size = layer, vocab_size
                self.num_directions = 2 if layer.bidirectional else 1
                self.linear = lib.nn.Linear(layer.hidden_size * self.num_directions,
                                            vocab_size)

            def forward(self, inputs, state):
                X = lib.nn.functional.one_hot(inputs.T.long(), self.vocab_size)
                Y, state = self.rnn(X.to(lib.float32), state)
                return self.linear(Y.reshape((-1, Y.shape[-1]))), state

            def begin_state(self, batch_size):
                shape = (self.num_directions * self.rnn.num_layers, batch_size,
                         self.rnn.hidden_size)
                if isinstance(self.rnn, lib.nn.LSTM):
                    return (lib.zeros(shape), lib.zeros(shape))
                return lib.zeros(shape)

        return RNNModel()


def _predict(lib, prefix, num_preds, net, vocab):
    state, outputs = net.begin_state(batch_size=1), [vocab[prefix[0]]]
    for y in prefix[1:]:  # warm up on the prefix
        _, state = net(lib.tensor([outputs[-1]]).reshape((1, 1)), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):
        y, state = net(lib.tensor([outputs[-1]]).reshape((1, 1)), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def _train_epoch(lib, d2l, net, batches, lr, random_iter):
    """One epoch of the first edition's loop; returns the perplexity."""
    state, loss, total, count = None, lib.nn.CrossEntropyLoss(), 0.0, 0
    for X, Y in batches:
        if state is None or random_iter:
            state = net.begin_state(batch_size=X.shape[0])
        else:  # keep the state, but cut the graph at the minibatch boundary
            for s in state if isinstance(state, tuple) else (state,):
                s.detach_()
        y = Y.T.reshape(-1)
        y_hat, state = net(X, state)
        batch_loss = loss(y_hat, y.long()).mean()
        if isinstance(net, lib.nn.Module):
            net.zero_grad()
            batch_loss.backward()
            d2l.grad_clipping(net, 1)
            with lib.no_grad():
                for p in net.parameters():
                    p -= lr * p.grad
        else:
            batch_loss.backward()
            d2l.grad_clipping(net, 1)
            d2l.sgd(net.params, lr, batch_size=1)
        total, count = total + batch_loss.item() * y.numel(), count + y.numel()
    return math.exp(total / count)


def _batches(lib, corpus, random_iter):
    partition = random_partition if random_iter else sequential_partition
    return list(partition(lib, corpus, 8, 6, random.Random(4)))


@pytest.mark.parametrize("random_iter", [False, True])
def test_scratch_rnn_with_a_parameter_list_trains_like_torch(d2l_pair, random_iter):
    results = []
    for lib, d2l in d2l_pair:
        data = time_machine(d2l)
        corpus, vocab = data.build(CORPUS)
        net = _ScratchModel(lib, len(vocab), _params(lib, len(vocab)), _rnn_step(lib))
        before = _predict(lib, "the ", 5, net, vocab)
        perplexities = [_train_epoch(lib, d2l, net, _batches(lib, corpus, random_iter), 1.0,
                                     random_iter) for _ in range(2)]
        results.append((before, _predict(lib, "the ", 10, net, vocab), perplexities,
                        net.params))
    (before, after, ppl, params), (t_before, t_after, t_ppl, t_params) = results
    assert (before, after) == (t_before, t_after)
    np.testing.assert_allclose(ppl, t_ppl, rtol=1e-4)
    assert ppl[-1] < ppl[0]
    for ours, theirs in zip(params, t_params):
        close(ours, theirs, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "deep_gru", "bidirectional_lstm"])
def test_concise_models_in_the_first_editions_loop(d2l_pair, kind):
    nets, data = [], []
    for lib, d2l in d2l_pair:
        corpus, vocab = time_machine(d2l).build(CORPUS)
        layer = {"rnn": lambda: lib.nn.RNN(len(vocab), 8),
                 "deep_gru": lambda: lib.nn.GRU(len(vocab), 8, num_layers=2),
                 "bidirectional_lstm": lambda: lib.nn.LSTM(len(vocab), 8,
                                                           bidirectional=True)}[kind]()
        nets.append(_Concise.make(lib, layer, len(vocab)))
        data.append((corpus, vocab))
    copy_weights(nets[0], nets[1])
    results = []
    for (lib, d2l), net, (corpus, vocab) in zip(d2l_pair, nets, data):
        perplexity = _train_epoch(lib, d2l, net, _batches(lib, corpus, False), 0.5, False)
        results.append((perplexity, _predict(lib, "the ", 8, net, vocab),
                        [p.detach() for p in net.parameters()]))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-4)
    assert results[0][1] == results[1][1]
    for ours, theirs in zip(results[0][2], results[1][2]):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
