"""The encoder-decoder chapters: machine translation's data pipeline (preprocessing,
tokens, padded arrays, valid lengths), the RNN encoder and decoder, sequence masks and the
masked softmax cross-entropy, training with d2l's Trainer and with a hand-written loop,
greedy prediction, and BLEU, on a tiny made-up translation task instead of the downloaded
English-French file."""

import copy

import numpy as np
import pytest
from _sync import close, paired
from _text import translation, translation_text


def _decoder_class(lib, d2l):
    """The chapter's RNN decoder (our own code after its description): the encoder's last
    hidden state is the context, concatenated to every input embedding."""
    nn = lib.nn

    class Seq2SeqDecoder(d2l.Decoder):
        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.rnn = d2l.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout)
            self.dense = nn.LazyLinear(vocab_size)
            self.apply(d2l.init_seq2seq)

        def init_state(self, enc_all_outputs, *args):
            return enc_all_outputs

        def forward(self, X, state):
            embs = self.embedding(X.t().type(lib.int32))
            enc_output, hidden_state = state
            context = enc_output[-1].repeat(embs.shape[0], 1, 1)
            outputs, hidden_state = self.rnn(lib.cat((embs, context), -1), hidden_state)
            return self.dense(outputs).swapaxes(0, 1), [enc_output, hidden_state]

    return Seq2SeqDecoder


def _model(lib, d2l, data, embed_size=8, num_hiddens=16, num_layers=2):
    """d2l's Seq2Seq whose loss ignores padding, as the chapter's."""
    class MaskedSeq2Seq(d2l.Seq2Seq):
        def loss(self, Y_hat, Y):
            per_token = super().loss(Y_hat, Y, averaged=False)
            mask = (Y.reshape(-1) != self.tgt_pad).type(lib.float32)
            return (per_token * mask).sum() / mask.sum()

    encoder = d2l.Seq2SeqEncoder(len(data.src_vocab), embed_size, num_hiddens, num_layers)
    decoder = _decoder_class(lib, d2l)(len(data.tgt_vocab), embed_size, num_hiddens,
                                       num_layers)
    return MaskedSeq2Seq(encoder, decoder, tgt_pad=data.tgt_vocab["<pad>"], lr=0.01)


def test_translation_data_pipeline(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        data = translation(d2l)
        text = data._preprocess("Go.\tEvas\u202fnoitcelloc\xa0!")
        src, tgt = data._tokenize(data._preprocess(translation_text(6)))
        src_array, tgt_in, src_valid_len, tgt_out = data.arrays
        built = data.build(["run wait .", "sing !"], ["nur tiaw !", "gnis ."])
        results.append((text, src, tgt, data.src_vocab.idx_to_token,
                        data.tgt_vocab.idx_to_token, src_array, tgt_in, src_valid_len, tgt_out,
                        *built, *next(iter(data.train_dataloader()))))
        assert src_valid_len.dtype == lib.int64 and tuple(src_array.shape) == (48, 6)
        assert bool((tgt_in[:, 1:] == tgt_out[:, :-1]).all())
        assert data.tgt_vocab.to_tokens(int(tgt_in[0, 0])) == "<bos>"
    ours, theirs = results
    assert ours[:5] == theirs[:5]
    assert ours[0] == "go .\tevas noitcelloc !"
    for a, b in zip(ours[5:], theirs[5:]):
        close(a, b)


def test_encoder_decoder_shapes(d2l_pair):
    for lib, d2l in d2l_pair:
        encoder = d2l.Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
        X = lib.zeros((4, 9))
        enc_outputs, enc_state = encoder(X)
        d2l.check_shape(enc_outputs, (9, 4, 16))
        d2l.check_shape(enc_state, (2, 4, 16))
        decoder = _decoder_class(lib, d2l)(10, 8, 16, 2)
        state = decoder.init_state(encoder(X))
        dec_outputs, state = decoder(X, state)
        d2l.check_shape(dec_outputs, (4, 9, 10))
        d2l.check_shape(state[1], (2, 4, 16))


def test_sequence_mask_and_masked_softmax_cross_entropy(d2l_pair):
    results = []
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 10)).astype(np.float32)
    for lib, d2l in d2l_pair:
        X = lib.tensor([[1, 2, 3], [4, 5, 6]])
        filled = d2l.sequence_mask(lib.ones(2, 3, 4), lib.tensor([1, 2]), value=-1)
        pred = lib.tensor(logits, requires_grad=True)
        loss = d2l.MaskedSoftmaxCELoss()(pred, lib.ones((3, 4), dtype=lib.long),
                                         lib.tensor([4, 2, 0]))
        loss.sum().backward()
        results.append((d2l.sequence_mask(X, lib.tensor([1, 2])), filled, loss, pred.grad))
    for ours, theirs in zip(*results):
        close(ours, theirs, rtol=1e-5, atol=1e-6)
    assert results[0][0].tolist() == [[1, 0, 0], [4, 5, 0]]
    assert float(results[0][2][2]) == 0.0 and float(results[0][3][2].abs().sum()) == 0.0


def _trained(d2l_pair, epochs=6):
    datas = [translation(d2l) for _, d2l in d2l_pair]
    models = paired(d2l_pair, lambda lib, d2l: _model(lib, d2l, datas[0]),
                    lambda lib, model: model(*_first_batch(lib, datas, d2l_pair)[:-1]))
    for (_, d2l), model, data in zip(d2l_pair, models, datas):
        d2l.Trainer(max_epochs=epochs, gradient_clip_val=1).fit(model, data)
    return models, datas


def _first_batch(lib, datas, d2l_pair):
    data = datas[0] if lib is d2l_pair[0][0] else datas[1]
    return next(iter(data.train_dataloader()))


@pytest.fixture(scope="module")
def trained(d2l_pair):
    return _trained(d2l_pair)


def test_seq2seq_trains_like_torch(d2l_pair, trained):
    models, datas = trained
    losses = []
    for (lib, d2l), model, data in zip(d2l_pair, models, datas):
        batch = next(iter(data.val_dataloader()))
        with lib.no_grad():
            losses.append(model.loss(model(*batch[:-1]), batch[-1]))
    close(losses[0], losses[1], rtol=1e-4, atol=1e-5)
    for (name, ours), (_, theirs) in zip(models[0].named_parameters(),
                                         models[1].named_parameters()):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
    assert float(losses[0]) < np.log(len(datas[0].tgt_vocab))  # learnt something


def test_greedy_prediction_and_bleu(d2l_pair, trained):
    models, datas = trained
    results = []
    engs, fras = ["go .", "run stop .", "sing eat look ."], ["og !", "nur pots !",
                                                            "gnis tae kool !"]
    for (lib, d2l), model, data in zip(d2l_pair, models, datas):
        preds, _ = model.predict_step(data.build(engs, fras), d2l.cpu(), data.num_steps)
        scores = []
        for en, fr, p in zip(engs, fras, preds):
            translation_ = []
            for token in data.tgt_vocab.to_tokens(p):
                if token == "<eos>":
                    break
                translation_.append(token)
            scores.append((" ".join(translation_), d2l.bleu(" ".join(translation_), fr, k=2)))
        results.append((preds, scores))
    close(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    assert d2l_pair[0][1].bleu("a b c d", "a b c d", k=2) == 1.0
    assert d2l_pair[0][1].bleu("a b", "a b c d", k=2) == pytest.approx(np.exp(-1))


def _listing(vocab):
    """``vocab`` whose ``to_tokens`` also takes a one-element list (d2l's takes a list of
    two or more, or an index, and fails on a one-token translation in either framework)."""
    listing = copy.copy(vocab)
    listing.to_tokens = lambda indices: [vocab.idx_to_token[int(i)] for i in indices]
    return listing


def test_hand_written_training_loop_with_the_masked_loss(d2l_pair):
    """The first edition's loop: teacher forcing, MaskedSoftmaxCELoss, grad_clipping, Adam;
    then predict_seq2seq, one sentence at a time."""
    datas = [translation(d2l) for _, d2l in d2l_pair]
    models = paired(d2l_pair, lambda lib, d2l: _model(lib, d2l, datas[0], num_layers=1),
                    lambda lib, model: model(*_first_batch(lib, datas, d2l_pair)[:-1]))
    results = []
    for (lib, d2l), net, data in zip(d2l_pair, models, datas):
        optimizer = lib.optim.Adam(net.parameters(), lr=0.01)
        loss, history = d2l.MaskedSoftmaxCELoss(), []
        for _ in range(2):
            for X, dec_input, X_valid_len, Y in data.train_dataloader():
                optimizer.zero_grad()
                Y_valid_len = (Y != data.tgt_vocab["<pad>"]).sum(1)
                per_sentence = loss(net(X, dec_input, X_valid_len), Y, Y_valid_len)
                per_sentence.sum().backward()
                d2l.grad_clipping(net, 1)
                optimizer.step()
                history.append(per_sentence.sum().item())
        prediction = d2l.predict_seq2seq(net, "run wait .", data.src_vocab,
                                         _listing(data.tgt_vocab), data.num_steps, None)
        results.append((history, prediction[0], [p.grad for p in net.parameters()]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4)
    assert results[0][1] == results[1][1]
    for ours, theirs in zip(results[0][2], results[1][2]):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
