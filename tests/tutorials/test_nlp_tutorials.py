"""The NLP tutorials, written anew: word embeddings with an N-gram language model
(nn.Embedding, log_softmax, NLLLoss, SGD) and the LSTM part-of-speech tagger; bricks against
torch on the same initial weights."""

import numpy as np
import torch

import bricks

SENTENCE = """When forty winters shall besiege thy brow, And dig deep trenches in thy
beauty's field, Thy youth's proud livery so gazed on now, Will be a totter'd weed of small
worth held""".split()


def _copy(b_model, t_model):
    b_model.load_state_dict({k: bricks.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


def _ngram_model(lib, vocab_size, embedding_dim=10, context_size=2):
    nn, F = lib.nn, lib.nn.functional

    class NGramLanguageModeler(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.linear1 = nn.Linear(context_size * embedding_dim, 32)
            self.linear2 = nn.Linear(32, vocab_size)

        def forward(self, inputs):
            embeds = self.embeddings(inputs).view((1, -1))
            out = F.relu(self.linear1(embeds))
            return F.log_softmax(self.linear2(out), dim=1)

    return NGramLanguageModeler()


def test_ngram_language_model_trains_like_torch():
    ngrams = [([SENTENCE[i - j - 1] for j in range(2)], SENTENCE[i])
              for i in range(2, 18)]
    vocab = sorted(set(SENTENCE))
    word_to_ix = {word: i for i, word in enumerate(vocab)}
    models = [_ngram_model(lib, len(vocab)) for lib in (bricks, torch)]
    _copy(models[0], models[1])
    results = []
    for lib, model in zip((bricks, torch), models):
        loss_function = lib.nn.NLLLoss()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.001)
        losses = []
        for _ in range(2):
            total_loss = 0
            for context, target in ngrams:
                context_idxs = lib.tensor([word_to_ix[w] for w in context], dtype=lib.long)
                model.zero_grad()
                log_probs = model(context_idxs)
                loss = loss_function(log_probs,
                                     lib.tensor([word_to_ix[target]], dtype=lib.long))
                loss.backward()
                optimizer.step()
                total_loss += loss.item()
            losses.append(total_loss)
        results.append((losses, model.embeddings.weight[word_to_ix["beauty's"]]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    assert results[0][0][-1] < results[0][0][0]
    np.testing.assert_allclose(results[0][1].detach().numpy(), results[1][1].detach().numpy(),
                               rtol=1e-5, atol=1e-7)


TRAINING_DATA = [("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
                 ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])]


def _tagger(lib, vocab_size, tagset_size, embedding_dim=6, hidden_dim=6):
    nn, F = lib.nn, lib.nn.functional

    class LSTMTagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            return F.log_softmax(tag_space, dim=1)

    return LSTMTagger()


def test_lstm_part_of_speech_tagger_trains_like_torch():
    word_to_ix, tag_to_ix = {}, {"DET": 0, "NN": 1, "V": 2}
    for sent, _ in TRAINING_DATA:
        for word in sent:
            word_to_ix.setdefault(word, len(word_to_ix))
    models = [_tagger(lib, len(word_to_ix), len(tag_to_ix)) for lib in (bricks, torch)]
    _copy(models[0], models[1])
    results = []
    for lib, model in zip((bricks, torch), models):
        def prepare_sequence(seq, to_ix):
            return lib.tensor([to_ix[w] for w in seq], dtype=lib.long)

        loss_function = lib.nn.NLLLoss()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        with lib.no_grad():
            before = model(prepare_sequence(TRAINING_DATA[0][0], word_to_ix))
        for _ in range(12):
            for sentence, tags in TRAINING_DATA:
                model.zero_grad()
                tag_scores = model(prepare_sequence(sentence, word_to_ix))
                loss = loss_function(tag_scores, prepare_sequence(tags, tag_to_ix))
                loss.backward()
                optimizer.step()
        with lib.no_grad():
            after = model(prepare_sequence(TRAINING_DATA[0][0], word_to_ix))
        results.append((before.numpy(), after.numpy(), after.argmax(1).tolist()))
    for ours, theirs in zip(*results[:2]):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-4,
                                   atol=1e-5)
