"""Tiny in-memory text for the sequence chapters: the chapters' data classes download their
corpora, so these subclasses hand them a short text of our own instead, and read it without
shuffling, so that bricks and torch see the same batches in the same order."""

from _sync import close, paired

# A few lines of our own prose (not the book's): enough characters for a character-level
# language model's few training steps, and repeated phrases so that the predictions differ
# from noise.
CORPUS = """The lantern keeper climbs the stair at dusk and counts the steps aloud.
Forty steps to the lamp, forty steps down again, and the sea below keeps its own count.
On calm nights the keeper writes a letter to the town; on rough nights the keeper listens.
The gulls know the hour before the bell does, and the bell knows it before the town.
When the fog comes in the lamp turns slower, and the keeper climbs the stair once more.
"""

# Sentence pairs of a made-up translation task: the target "language" spells each source
# word backwards and ends with a mark, so a sequence-to-sequence model has something to learn.
_WORDS = ["go", "run", "stop", "wait", "come", "look", "sit", "eat", "read", "sing"]


def translation_text(count=48):
    """``count`` tab-separated pairs, one to three source words each, as the book's file."""
    lines = []
    for i in range(count):
        words = [_WORDS[(i * 3 + k * 7) % len(_WORDS)] for k in range(1 + i % 3)]
        target = [word[::-1] for word in words]
        lines.append(" ".join(words) + " .\t" + " ".join(target) + " !")
    return "\n".join(lines)


def in_order(data_module):
    """Make ``data_module`` serve its training batches unshuffled (the validation ones
    already are): the same batches in bricks and torch, whatever their generators."""
    def get_dataloader(train):
        idx = slice(0, data_module.num_train) if train else slice(
            data_module.num_train, data_module.num_train + data_module.num_val)
        return data_module.get_tensorloader(_arrays(data_module), False, idx)

    data_module.get_dataloader = get_dataloader
    return data_module


def _arrays(data_module):
    if hasattr(data_module, "arrays"):
        return data_module.arrays
    return [data_module.X, data_module.Y]


def time_machine(d2l, batch_size=16, num_steps=8, num_train=256, num_val=64):
    """d2l's TimeMachine over :data:`CORPUS` (no download), batches unshuffled."""
    class TinyMachine(d2l.TimeMachine):
        def _download(self):
            return CORPUS

    return in_order(TinyMachine(batch_size, num_steps, num_train, num_val))


def translation(d2l, batch_size=8, num_steps=6, num_train=32, num_val=16):
    """d2l's MTFraEng over :func:`translation_text` (no download), batches unshuffled."""
    class TinyPairs(d2l.MTFraEng):
        def _download(self):
            return translation_text(num_train + num_val)

    return in_order(TinyPairs(batch_size, num_steps, num_train, num_val))


def random_partition(lib, corpus, batch_size, num_steps, rng):
    """The chapter's random sampling: a random offset, then shuffled subsequences."""
    corpus = corpus[rng.randint(0, num_steps - 1):]
    starts = list(range(0, (len(corpus) - 1) // num_steps * num_steps, num_steps))
    rng.shuffle(starts)
    for i in range(0, len(starts) // batch_size * batch_size, batch_size):
        chosen = starts[i: i + batch_size]
        yield (lib.tensor([corpus[j: j + num_steps] for j in chosen]),
               lib.tensor([corpus[j + 1: j + 1 + num_steps] for j in chosen]))


def sequential_partition(lib, corpus, batch_size, num_steps, rng):
    """The chapter's sequential partitioning: adjacent minibatches continue each other."""
    offset = rng.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = lib.tensor(corpus[offset: offset + num_tokens]).reshape(batch_size, -1)
    Ys = lib.tensor(corpus[offset + 1: offset + 1 + num_tokens]).reshape(batch_size, -1)
    for i in range(0, Xs.shape[1] // num_steps * num_steps, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]


def train_language_model(d2l_pair, make, epochs=2):
    """Train ``make(lib, d2l, vocab_size)`` with the Trainer and gradient clipping, on the
    same weights and batches in both; return the two models and vocabularies."""
    datas = [time_machine(d2l) for _, d2l in d2l_pair]
    models = paired(d2l_pair, lambda lib, d2l: make(lib, d2l, len(datas[0].vocab)),
                    lambda lib, model: model(lib.zeros((1, 8), dtype=lib.int64)))
    for (_, d2l), model, data in zip(d2l_pair, models, datas):
        d2l.Trainer(max_epochs=epochs, gradient_clip_val=1).fit(model, data)
    return models, [data.vocab for data in datas]


def compare_language_models(d2l_pair, models, vocabs):
    """The trained models agree: validation loss, parameters and predicted text; returns
    torch's validation perplexity."""
    losses = []
    for (lib, d2l), model in zip(d2l_pair, models):
        X, Y = next(iter(time_machine(d2l).val_dataloader()))
        with lib.no_grad():
            losses.append(model.loss(model(X), Y))
    close(losses[0], losses[1], rtol=1e-4, atol=1e-5)
    for (_, ours), (_, theirs) in zip(models[0].named_parameters(),
                                      models[1].named_parameters()):
        close(ours, theirs, rtol=1e-3, atol=1e-5)
    texts = [model.predict("the keeper", 12, vocab) for model, vocab in zip(models, vocabs)]
    assert texts[0] == texts[1] and texts[0].startswith("the keeper")
    return float(losses[1].exp())
