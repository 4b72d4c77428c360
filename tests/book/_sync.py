"""Give a bricks model the weights of the same model built in torch."""

import numpy as np

import bricks


def copy_weights(bricks_model, torch_model):
    """Load torch's state dict (parameters and buffers) into the bricks model."""
    state = {key: bricks.tensor(np.array(value.detach().numpy()))
             for key, value in torch_model.state_dict().items()}
    bricks_model.load_state_dict(state)


def close(ours, theirs, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=atol)


def paired(d2l_pair, make, warm_up):
    """The model ``make(lib, d2l)`` in both, run once by ``warm_up(lib, model)`` (lazy
    layers), with torch's weights copied into bricks'."""
    models = []
    for lib, d2l in d2l_pair:
        model = make(lib, d2l)
        model.board.display = False
        warm_up(lib, model)
        models.append(model)
    copy_weights(models[0], models[1])
    return models
