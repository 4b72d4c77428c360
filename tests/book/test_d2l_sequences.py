"""The sequence chapters: autoregression on a noisy sine (an MLP on lagged features,
one-step and multi-step prediction), text preprocessing and the language model's data
(vocabulary, tokens, random and sequential partitioning), and recurrent networks from
scratch and with ``nn.RNN``, trained with d2l's Trainer and gradient clipping. The data are
made in the test and fed to both frameworks; weights are torch's, copied into bricks."""

import collections
import random

import numpy as np
from _sync import close, paired
from _text import (
    CORPUS, compare_language_models, random_partition, sequential_partition, time_machine,
    train_language_model,
)


def _sine(T=240, tau=4, seed=0):
    """The chapter's noisy sine, lagged into ``tau`` features per label (NumPy)."""
    time = np.arange(1, T + 1, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(size=T).astype(np.float32)
    x = np.sin(0.01 * time * 5) + noise * 0.2
    features = np.stack([x[i: T - tau + i] for i in range(tau)], 1)
    return x, features, x[tau:].reshape(-1, 1)


def _sine_data(lib, d2l, features, labels, num_train=160):
    class Lagged(d2l.DataModule):
        def __init__(self):
            super().__init__()
            self.batch_size, self.num_train = 16, num_train
            self.features, self.labels = lib.tensor(features), lib.tensor(labels)

        def get_dataloader(self, train):
            i = slice(0, self.num_train) if train else slice(self.num_train, None)
            return self.get_tensorloader([self.features, self.labels], False, i)

    return Lagged()


def test_autoregression_on_a_sine_one_step_and_multi_step(d2l_pair):
    x, features, labels = _sine()
    tau = features.shape[1]
    models = paired(d2l_pair, lambda lib, d2l: d2l.LinearRegression(lr=0.05),
                   lambda lib, model: model(lib.tensor(features[:1])))
    results = []
    for (lib, d2l), model in zip(d2l_pair, models):
        d2l.Trainer(max_epochs=3).fit(model, _sine_data(lib, d2l, features, labels))
        onestep = model(lib.tensor(features)).detach()
        multistep = lib.zeros(len(x))  # after the training part, feed back predictions
        multistep[:164] = lib.tensor(x[:164])
        for i in range(164, len(x)):
            multistep[i] = model(multistep[i - tau: i].reshape((1, -1))).item()
        k_step = lib.zeros((len(x) - tau - 8, tau + 8))  # k-step-ahead, all k at once
        for i in range(tau):
            k_step[:, i] = lib.tensor(x[i: i + len(x) - tau - 8])
        for i in range(tau, tau + 8):
            k_step[:, i] = model(k_step[:, i - tau: i]).reshape(-1)
        results.append((model.net.weight, onestep, multistep, k_step.detach()))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-4, atol=1e-5)
    error = float(((results[0][1] - results[0][1].new_tensor(labels)) ** 2).mean())
    assert error < 0.1  # three epochs: the one-step predictions follow the sine


def test_tokens_vocabulary_and_corpus(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        data = time_machine(d2l)
        raw = data._preprocess(CORPUS)
        tokens = data._tokenize(raw)
        corpus, vocab = data.build(CORPUS)
        words = d2l.tokenize(raw.split(" ")[:20], "word")
        assert vocab.to_tokens(vocab[tokens[:10]]) == tokens[:10]
        assert vocab["~"] == vocab.unk and len(vocab) == len(set(tokens)) + 1
        word_vocab = d2l.Vocab([t for line in words for t in line], min_freq=2)
        results.append((data.X, data.Y, corpus[:30], vocab.token_freqs[:5],
                        word_vocab.idx_to_token, raw[:40]))
    (X, Y, *same), (tX, tY, *same_torch) = results
    close(X, tX)
    close(Y, tY)
    assert same == same_torch
    assert X.dtype.is_floating_point is False and tuple(X.shape[1:]) == (8,)


def test_random_and_sequential_partitioning(d2l_pair):
    partitions = []
    for lib, d2l in d2l_pair:
        corpus, _ = time_machine(d2l).build(CORPUS)
        rng = random.Random(3)
        partitions.append((list(random_partition(lib, corpus, 4, 6, rng)),
                           list(sequential_partition(lib, corpus, 4, 6, rng))))
    for ours, theirs in zip(*partitions):
        assert len(ours) == len(theirs) > 4
        for (X, Y), (tX, tY) in zip(ours, theirs):
            assert X.dtype == X.new_tensor([1]).dtype and tuple(X.shape) == (4, 6)
            close(X, tX)
            close(Y, tY)
            assert bool((X[:, 1:] == Y[:, :-1]).all())
    sequential = partitions[0][1]
    for (_, Y), (X_next, _) in zip(sequential, sequential[1:]):
        assert bool((Y[:, -1] == X_next[:, 0]).all())  # each batch goes on where one ended
    counts = collections.Counter(zip(CORPUS.lower(), CORPUS.lower()[1:]))
    assert counts.most_common(1)[0][1] > 10  # bigrams repeat: a model has something to learn


def test_rnn_from_scratch_shapes_and_one_hot(d2l_pair):
    for lib, d2l in d2l_pair:
        rnn = d2l.RNNScratch(num_inputs=16, num_hiddens=32)
        X = lib.ones((100, 2, 16))
        outputs, state = rnn(X)
        d2l.check_len(outputs, 100)
        d2l.check_shape(outputs[0], (2, 32))
        d2l.check_shape(state, (2, 32))
        model = d2l.RNNLMScratch(rnn, 16)
        d2l.check_shape(model(lib.ones((2, 100), dtype=lib.int64)), (2, 100, 16))
        one_hot = model.one_hot(lib.tensor([[0, 2], [1, 3]]))
        assert one_hot.dtype == lib.float32 and tuple(one_hot.shape) == (2, 2, 16)
        assert one_hot[:, :, :4].tolist() == [[[1.0, 0, 0, 0], [0, 1.0, 0, 0]],
                                              [[0, 0, 1.0, 0], [0, 0, 0, 1.0]]]


def test_rnn_language_model_from_scratch_trains_like_torch(d2l_pair):
    def make(lib, d2l, vocab_size):
        return d2l.RNNLMScratch(d2l.RNNScratch(vocab_size, 32), vocab_size, lr=1)

    models, vocabs = train_language_model(d2l_pair, make)
    perplexity = compare_language_models(d2l_pair, models, vocabs)
    assert perplexity < len(vocabs[0])  # better than guessing uniformly


def test_concise_rnn_language_model_trains_like_torch(d2l_pair):
    def make(lib, d2l, vocab_size):
        return d2l.RNNLM(d2l.RNN(num_inputs=vocab_size, num_hiddens=32), vocab_size, lr=1)

    models, vocabs = train_language_model(d2l_pair, make)
    assert type(models[0].rnn.rnn).__name__ == "RNN"
    compare_language_models(d2l_pair, models, vocabs)


def test_gradient_clipping_by_global_norm(d2l_pair):
    grads = []
    for lib, d2l in d2l_pair:
        net = lib.nn.Linear(3, 2)
        with lib.no_grad():
            net.weight.copy_(lib.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]]))
            net.bias.zero_()
        net(lib.tensor([[10.0, 20.0, -30.0]])).pow(2).sum().backward()
        d2l.grad_clipping(net, 1)
        norm = lib.sqrt(sum((p.grad ** 2).sum() for p in net.parameters()))
        assert abs(float(norm) - 1.0) < 1e-5
        grads.append([p.grad for p in net.parameters()])
    for ours, theirs in zip(*grads):
        close(ours, theirs)
