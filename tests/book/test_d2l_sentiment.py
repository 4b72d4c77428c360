"""The sentiment-analysis chapters' two models on made-up reviews (the book downloads IMDb
and GloVe): a bidirectional two-layer LSTM over embeddings, and textCNN (two embeddings,
one-dimensional convolutions of several widths, average pooling over time), trained a few
steps as the book does and compared with torch; then d2l's predict_sentiment."""

import numpy as np
import pytest
from _sync import copy_weights

_WORDS = "the film was great fun bad dull plot actors loved hated boring superb".split()


def _reviews(count=24, steps=10, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, len(_WORDS), (count, steps))
    labels = (np.isin(tokens, [3, 4, 9, 12]).sum(1) > np.isin(tokens, [5, 6, 10, 11]).sum(1))
    return tokens, labels.astype(np.int64)


def _birnn(lib, vocab_size):
    nn = lib.nn

    class BiRNN(nn.Module):
        def __init__(self, embed_size=8, num_hiddens=6, num_layers=2):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers,
                                   bidirectional=True)
            self.decoder = nn.Linear(4 * num_hiddens, 2)

        def forward(self, inputs):
            embeddings = self.embedding(inputs.T)
            self.encoder.flatten_parameters()
            outputs, _ = self.encoder(embeddings)
            return self.decoder(lib.cat((outputs[0], outputs[-1]), dim=1))

    def init_weights(module):
        if type(module) is nn.Linear:
            nn.init.xavier_uniform_(module.weight)
        if type(module) is nn.LSTM:
            for param in module._flat_weights_names:
                if "weight" in param:
                    nn.init.xavier_uniform_(module._parameters[param])

    net = BiRNN()
    net.apply(init_weights)
    return net


def _textcnn(lib, vocab_size):
    nn = lib.nn

    class TextCNN(nn.Module):
        def __init__(self, embed_size=8, kernel_sizes=(2, 3), num_channels=(4, 5)):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.constant_embedding = nn.Embedding(vocab_size, embed_size)
            self.dropout = nn.Dropout(0.5)
            self.decoder = nn.Linear(sum(num_channels), 2)
            self.pool = nn.AdaptiveAvgPool1d(1)
            self.relu = nn.ReLU()
            self.convs = nn.ModuleList(nn.Conv1d(2 * embed_size, c, k)
                                       for c, k in zip(num_channels, kernel_sizes))

        def forward(self, inputs):
            embeddings = lib.cat((self.embedding(inputs), self.constant_embedding(inputs)),
                                 dim=2).permute(0, 2, 1)
            encoding = lib.cat([lib.squeeze(self.relu(self.pool(conv(embeddings))), dim=-1)
                                for conv in self.convs], dim=1)
            return self.decoder(self.dropout(encoding))

    net = TextCNN()
    net.constant_embedding.weight.requires_grad = False
    return net


@pytest.mark.parametrize("make", [_birnn, _textcnn], ids=["BiRNN", "TextCNN"])
def test_sentiment_models_train_like_torch(d2l_pair, make):
    tokens, labels = _reviews()
    nets = [make(lib, len(_WORDS)) for lib, _ in d2l_pair]
    copy_weights(nets[0], nets[1])
    results = []
    for (lib, d2l), net in zip(d2l_pair, nets):
        net.eval()  # dropout off: the same function in both frameworks
        trainer = lib.optim.Adam((p for p in net.parameters() if p.requires_grad), lr=0.01)
        loss = lib.nn.CrossEntropyLoss(reduction="none")
        history = []
        for start in range(0, len(tokens), 8):
            X, y = lib.tensor(tokens[start: start + 8]), lib.tensor(labels[start: start + 8])
            trainer.zero_grad()
            batch_loss = loss(net(X), y)
            batch_loss.sum().backward()
            trainer.step()
            history.append(batch_loss.sum().item())
        vocab = d2l.Vocab([_WORDS])
        predictions = [d2l.predict_sentiment(net, vocab, text) for text in
                       ("great fun film", "dull boring plot", "the actors were superb")]
        results.append((history, [p.detach().numpy() for p in net.parameters()], predictions))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4)
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-5)
    assert results[0][2] == results[1][2]
    assert set(results[0][2]) <= {"positive", "negative"}
