"""The first edition's machine-translation utilities that d2l/torch.py still carries
(``preprocess_nmt``, ``tokenize_nmt``, ``truncate_pad``, ``build_array_nmt``,
``load_data_nmt``, ``train_seq2seq``, ``predict_seq2seq``), ``evaluate_loss``, and the
semantic segmentation chapter's colormap-to-label lookup that the FCN chapter trains on. The
downloaded English-French file is replaced by a made-up translation task, the VOC label
images by a random one of VOC's colors."""

import numpy as np
import pytest
from _sync import close, copy_weights
from _text import translation_text

NUM_STEPS = 6


def _text():
    """The made-up pairs with capitals and punctuation glued to words, as the raw file."""
    return translation_text(40).replace("go", "Go").replace(" .", ".").replace(" !", "!")


@pytest.fixture
def nmt_pair(d2l_pair, monkeypatch):
    """d2l on both frameworks reading :func:`_text` instead of downloading, with
    ``load_array`` unshuffled (the same batches in both)."""
    for _, d2l in d2l_pair:
        monkeypatch.setattr(d2l, "read_data_nmt", _text)
        load_array = d2l.load_array
        monkeypatch.setattr(d2l, "load_array",
                            lambda arrays, batch_size, is_train=True, load=load_array:
                            load(arrays, batch_size, False))
    return d2l_pair


def test_preprocessing_tokens_and_padded_arrays(d2l_pair):
    results = []
    for lib, d2l in d2l_pair:
        text = d2l.preprocess_nmt(_text())
        assert text.startswith("go .\tog !") and "\u202f" not in text
        source, target = d2l.tokenize_nmt(text, num_examples=30)
        assert len(source) == len(target) == 31  # the first edition stops past num_examples
        assert d2l.truncate_pad([1, 2, 3], 5, 0) == [1, 2, 3, 0, 0]
        assert d2l.truncate_pad([1, 2, 3], 2, 0) == [1, 2]
        vocab = d2l.Vocab(source, min_freq=2, reserved_tokens=["<pad>", "<bos>", "<eos>"])
        array, valid_len = d2l.build_array_nmt(source, vocab, NUM_STEPS)
        assert array.dtype == lib.int64 and valid_len.dtype == lib.int64
        assert tuple(array.shape) == (31, NUM_STEPS)
        eos = (array == vocab["<eos>"]).int().argmax(1)
        assert (valid_len == eos + 1).all()
        results.append((array.tolist(), valid_len.tolist()))
    assert results[0] == results[1]


def test_load_data_nmt_serves_every_pair(nmt_pair):
    results = []
    for lib, d2l in nmt_pair:
        data_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(4, NUM_STEPS, num_examples=30)
        batches = list(data_iter)
        assert [len(batch[0]) for batch in batches] == [4] * 7 + [3]
        X, X_valid_len, Y, Y_valid_len = (lib.cat(parts) for parts in zip(*batches))
        assert (Y != tgt_vocab["<pad>"]).sum(1).tolist() == Y_valid_len.tolist()
        results.append((src_vocab.idx_to_token, tgt_vocab.idx_to_token, X.tolist(),
                        X_valid_len.tolist(), Y.tolist(), Y_valid_len.tolist()))
    assert results[0] == results[1]


def _encoder_decoder(lib, d2l, src_size, tgt_size, own_layers):
    """The first edition's RNN encoder-decoder, which returns the decoder's state too.
    With ``own_layers`` its GRU and Linear are subclasses, which train_seq2seq's
    ``type(m) == nn.GRU`` initialization passes over: the weights copied from torch stay."""
    nn = lib.nn
    GRU, Linear = (type("GRU", (nn.GRU,), {}), type("Linear", (nn.Linear,), {})) \
        if own_layers else (nn.GRU, nn.Linear)

    class Encoder(d2l.Encoder):
        def __init__(self):
            super().__init__()
            self.embedding, self.rnn = nn.Embedding(src_size, 8), GRU(8, 16, 2)

        def forward(self, X, *args):
            return self.rnn(self.embedding(X).permute(1, 0, 2))

    class Decoder(d2l.Decoder):
        def __init__(self):
            super().__init__()
            self.embedding, self.rnn = nn.Embedding(tgt_size, 8), GRU(8 + 16, 16, 2)
            self.dense = Linear(16, tgt_size)

        def init_state(self, enc_outputs, *args):
            return enc_outputs[1]

        def forward(self, X, state):
            X = self.embedding(X).permute(1, 0, 2)
            context = state[-1].repeat(X.shape[0], 1, 1)
            output, state = self.rnn(lib.cat((X, context), 2), state)
            return self.dense(output).permute(1, 0, 2), state

    class EncoderDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = Encoder(), Decoder()

        def forward(self, enc_X, dec_X, *args):
            state = self.decoder.init_state(self.encoder(enc_X, *args), *args)
            return self.decoder(dec_X, state)

    return EncoderDecoder()


def _listing(vocab):
    """``vocab`` whose ``to_tokens`` takes a list of any length (d2l's indexes a list with
    the list when it holds two or more: a TypeError in either framework)."""
    vocab.to_tokens = lambda indices: [vocab.idx_to_token[int(i)] for i in indices]
    return vocab


def test_train_seq2seq_and_predict_seq2seq_like_torch(nmt_pair, capsys):
    datas = [d2l.load_data_nmt(4, NUM_STEPS, num_examples=30) for _, d2l in nmt_pair]
    sizes = len(datas[0][1]), len(datas[0][2])
    nets = []
    for lib, d2l in nmt_pair:
        lib.manual_seed(0)  # the same weights on every run
        nets.append(_encoder_decoder(lib, d2l, *sizes, own_layers=True))
    copy_weights(nets[0], nets[1])
    results = []
    for (lib, d2l), net, (data_iter, src_vocab, tgt_vocab) in zip(nmt_pair, nets, datas):
        d2l.train_seq2seq(net, data_iter, 0.01, 3, tgt_vocab, d2l.cpu())
        printed = capsys.readouterr().out
        assert printed.startswith("loss ") and printed.rstrip().endswith("on cpu")
        translations = [d2l.predict_seq2seq(net, sentence, src_vocab, _listing(tgt_vocab),
                                            NUM_STEPS, d2l.cpu())
                        for sentence in ("go .", "run wait .", "look sit eat .")]
        assert all(weights == [] for _, weights in translations)
        results.append((float(printed.split()[1].rstrip(",")), [text for text, _ in translations],
                        list(net.parameters()), [p.grad for p in net.parameters()]))
    assert results[0][0] == pytest.approx(results[1][0], abs=1e-3)
    assert results[0][1] == results[1][1]
    for ours, theirs in zip(results[0][2], results[1][2]):
        close(ours, theirs, rtol=1e-3, atol=1e-4)
    for ours, theirs in zip(results[0][3], results[1][3]):  # Adam's steps on float32 rounding
        close(ours, theirs, rtol=1e-2, atol=1e-3 * float(theirs.abs().max()))
    assert not net.training  # predict_seq2seq leaves the model in eval mode


def test_train_seq2seq_starts_from_xavier_uniform_weights(nmt_pair, capsys):
    """With a learning rate of 0, Adam leaves the weights as train_seq2seq initialized
    them: GRU and Linear weights within Xavier's bound (and redrawn), the rest untouched."""
    for lib, d2l in nmt_pair:
        data_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(4, NUM_STEPS, num_examples=30)
        net = _encoder_decoder(lib, d2l, len(src_vocab), len(tgt_vocab), own_layers=False)
        before = {name: p.detach().clone() for name, p in net.named_parameters()}
        d2l.train_seq2seq(net, data_iter, 0.0, 1, tgt_vocab, d2l.cpu())
        capsys.readouterr()
        redrawn = 0
        for name, p in net.named_parameters():
            if "weight" in name and "embedding" not in name:
                fan_out, fan_in = p.shape
                assert p.abs().max() <= (6 / (fan_in + fan_out)) ** 0.5
                redrawn += not lib.equal(p, before[name])
            else:
                assert lib.equal(p, before[name]), name
        assert redrawn == 9  # four GRU weights in each of two GRUs, and the dense layer's


def test_evaluate_loss_averages_over_examples(d2l_pair):
    nets, results = [], []
    for lib, _ in d2l_pair:
        nets.append(lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)))
    copy_weights(nets[0], nets[1])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)).astype(np.float32), rng.normal(size=10).astype(np.float32)
    for (lib, d2l), net in zip(d2l_pair, nets):
        data_iter = d2l.load_array((lib.tensor(X), lib.tensor(y)), 4, is_train=False)
        with lib.no_grad():
            loss = d2l.evaluate_loss(net, data_iter, lib.nn.MSELoss(reduction="none"))
            expected = ((net(lib.tensor(X)).reshape(-1) - lib.tensor(y)) ** 2).mean()
        assert loss == pytest.approx(float(expected), rel=1e-6)
        results.append(loss)
    assert results[0] == pytest.approx(results[1], rel=1e-6)


def test_voc_colormap_to_class_indices(d2l_pair):
    rng = np.random.default_rng(1)
    classes = rng.integers(0, 21, size=(6, 9))
    results = []
    for lib, d2l in d2l_pair:
        colormap2label = d2l.voc_colormap2label()
        assert colormap2label.dtype == lib.int64 and tuple(colormap2label.shape) == (256 ** 3,)
        assert int(colormap2label.count_nonzero()) == 20  # background is class 0 and 0
        colors = np.array(d2l.VOC_COLORMAP, dtype=np.uint8)[classes]
        label = lib.tensor(colors.transpose(2, 0, 1).copy())  # (3, H, W), as read_image's
        indices = d2l.voc_label_indices(label, colormap2label)
        assert indices.dtype == lib.int64 and indices.tolist() == classes.tolist()
        results.append(indices.tolist())
    assert results[0] == results[1]
