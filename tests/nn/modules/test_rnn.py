"""RNN, GRU and LSTM against torch: outputs, final states, gradients, names and repr."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import bricks
from bricks import nn

from _layer_check import check_same, copy_weights, randn

CONFIGS = [
    {},
    {"num_layers": 2},
    {"batch_first": True},
    {"num_layers": 2, "batch_first": True, "bidirectional": True},
    {"bias": False, "bidirectional": True},
]


def _make(name, **kwargs):
    return getattr(nn, name)(5, 4, **kwargs), getattr(torch.nn, name)(5, 4, **kwargs)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("kwargs", CONFIGS)
def test_recurrent_layer_matches_torch(name, kwargs):
    layer, expected = _make(name, **kwargs)
    assert repr(layer) == repr(expected)
    assert list(layer.state_dict()) == list(expected.state_dict())
    check_same(layer, expected, randn(3, 6, 5), atol=1e-4)


@pytest.mark.parametrize("name", ["RNN", "GRU"])
def test_rnn_and_gru_with_initial_state_match_torch(name):
    layer, expected = _make(name, num_layers=2, bidirectional=True)
    check_same(layer, expected, randn(6, 3, 5), randn(4, 3, 4, seed=1), atol=1e-4)


def test_lstm_with_initial_state_matches_torch():
    layer, expected = _make("LSTM", num_layers=2, batch_first=True)

    class Wrap:
        def __init__(self, module):
            self.module = module

        def __call__(self, x, h, c):
            return self.module(x, (h, c))

        def __getattr__(self, name):
            return getattr(self.module, name)

    check_same(Wrap(layer), Wrap(expected), randn(3, 6, 5), randn(2, 3, 4, seed=1),
               randn(2, 3, 4, seed=2), atol=1e-4)


def test_relu_rnn_matches_torch():
    layer, expected = _make("RNN", nonlinearity="relu", num_layers=2)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(4, 2, 5), atol=1e-4)


def test_lstm_with_projection_matches_torch():
    layer, expected = _make("LSTM", proj_size=3, num_layers=2, bidirectional=True)
    assert repr(layer) == repr(expected)
    assert [(k, tuple(v.shape)) for k, v in layer.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in expected.state_dict().items()]
    check_same(layer, expected, randn(4, 2, 5), atol=1e-4)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_unbatched_input_matches_torch(name):
    layer, expected = _make(name, num_layers=2)
    check_same(layer, expected, randn(7, 5), atol=1e-4)


def test_weights_shared_across_steps_get_the_sum_of_step_gradients():
    layer = nn.RNN(1, 1, bias=False)
    with bricks.no_grad():
        layer.weight_ih_l0.fill_(1.0)
        layer.weight_hh_l0.fill_(0.0)
    x = bricks.tensor([[[1.0]], [[2.0]], [[3.0]]])
    output, _ = layer(x)
    output.sum().backward()
    expected = sum(v * (1 - math.tanh(v) ** 2) for v in (1.0, 2.0, 3.0))
    assert layer.weight_ih_l0.grad.item() == pytest.approx(expected, rel=1e-5)


def test_dropout_between_layers_applies_in_training_only():
    layer, expected = _make("LSTM", num_layers=2, dropout=0.5)
    assert repr(layer) == repr(expected) == "LSTM(5, 4, num_layers=2, dropout=0.5)"
    x = bricks.tensor(randn(4, 2, 5))
    layer.eval()
    expected.eval()
    check_same(layer, expected, x.numpy(), atol=1e-4)
    layer.train()
    bricks.manual_seed(0)
    outputs = [layer(x)[0].detach().numpy() for _ in range(2)]
    assert not np.allclose(outputs[0], outputs[1])


def test_recurrent_default_init_is_uniform_with_torch_bounds():
    bricks.manual_seed(0)
    layer = nn.LSTM(64, 100)
    bound = 1 / math.sqrt(100)
    values = np.concatenate([p.detach().numpy().ravel() for p in layer.parameters()])
    assert np.abs(values).max() <= bound
    assert stats.kstest(values, "uniform", args=(-bound, 2 * bound)).pvalue > 1e-3


def test_all_weights_groups_parameters_by_layer_and_direction():
    layer = nn.GRU(5, 4, num_layers=2, bidirectional=True)
    expected = torch.nn.GRU(5, 4, num_layers=2, bidirectional=True)
    assert [[tuple(p.shape) for p in group] for group in layer.all_weights] == \
        [[tuple(p.shape) for p in group] for group in expected.all_weights]
    assert layer._flat_weights_names == expected._flat_weights_names
    assert [tuple(p.shape) for p in layer._flat_weights] == \
        [tuple(p.shape) for p in expected._flat_weights]
    assert layer._flat_weights[0] is layer.weight_ih_l0


def test_recurrent_layers_reject_bad_input_and_hidden_sizes():
    layer = nn.GRU(5, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 5"):
        layer(bricks.ones(3, 2, 6))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 2, 4\), got \(1, 2, 4\)"):
        layer(bricks.ones(3, 2, 5), bricks.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        layer(bricks.ones(3, 2, 5, 1))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\)"):
        nn.LSTM(5, 4)(bricks.ones(3, 2, 5), (bricks.zeros(1, 2, 4), bricks.zeros(1, 2, 3)))


@pytest.mark.parametrize("call", [
    lambda m: m.nn.GRU(3, 2)(m.ones(2, 1, 3, dtype=m.float64)),
    lambda m: m.nn.RNN(3, 2)(m.ones(2, 1, 3, dtype=m.int64)),
    lambda m: m.nn.GRU(3, 2, batch_first=True)(m.ones(2, 0, 3)),
    lambda m: m.nn.LSTM(3, 2)(m.ones(0, 3)),
    lambda m: m.nn.GRU(3, 2)(m.nn.utils.rnn.pack_sequence([m.ones(2, 3, dtype=m.float64)])),
])
def test_recurrent_layers_refuse_other_dtypes_and_empty_sequences_as_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as ours:
        call(bricks)
    assert str(ours.value).replace("bricks.", "torch.") == str(expected.value)


def test_recurrent_layers_take_an_empty_batch():
    layer = nn.GRU(3, 2, batch_first=True)
    output, h_n = layer(bricks.ones(0, 2, 3))
    assert tuple(output.shape) == (0, 2, 2) and tuple(h_n.shape) == (1, 0, 2)


@pytest.mark.parametrize("kwargs", [{"nonlinearity": "sigmoid"}, {"dropout": 2.0},
                                    {"num_layers": 0}])
def test_rnn_rejects_bad_config_with_torch_exception_type(kwargs):
    with pytest.raises(ValueError):
        torch.nn.RNN(5, 4, **kwargs)
    with pytest.raises(ValueError):
        nn.RNN(5, 4, **kwargs)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_recurrent_gradients_pass_float64_central_differences(name):
    bricks.manual_seed(0)
    layer = getattr(nn, name)(3, 2, num_layers=2, bidirectional=True).double()
    x = bricks.tensor(randn(4, 2, 3, dtype=np.float64), requires_grad=True)

    def run(x, *params):
        output, state = layer(x)
        return (output,) + (state if isinstance(state, tuple) else (state,))

    assert bricks.autograd.gradcheck(run, (x, *layer.parameters()))


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
         ("GRUCell", {}), ("LSTMCell", {}), ("LSTMCell", {"bias": False})]


@pytest.mark.parametrize("name, kwargs", CELLS)
def test_cell_matches_torch_without_state(name, kwargs):
    layer, expected = getattr(nn, name)(3, 4, **kwargs), getattr(torch.nn, name)(3, 4, **kwargs)
    assert repr(layer) == repr(expected)
    check_same(layer, expected, randn(5, 3))


@pytest.mark.parametrize("name, kwargs", CELLS)
def test_cell_matches_torch_with_state(name, kwargs):
    layer, expected = getattr(nn, name)(3, 4, **kwargs), getattr(torch.nn, name)(3, 4, **kwargs)
    copy_weights(layer, expected)
    arrays = [randn(5, 3, seed=3), randn(5, 4, seed=1), randn(5, 4, seed=2)]
    count = 3 if name == "LSTMCell" else 2
    results = []
    for lib, cell in ((bricks, layer), (torch, expected)):
        x, *hidden = [lib.tensor(a, requires_grad=True) for a in arrays[:count]]
        out = cell(x, tuple(hidden) if name == "LSTMCell" else hidden[0])
        outs = list(out) if isinstance(out, tuple) else [out]
        sum((o * lib.tensor(randn(5, 4, seed=9))).sum() for o in outs).backward()
        results.append([o.detach().numpy() for o in outs]
                       + [t.grad.numpy() for t in (x, *hidden)]
                       + [p.grad.numpy() for p in cell.parameters()])
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_accepts_unbatched_input_as_torch(name):
    check_same(getattr(nn, name)(3, 4), getattr(torch.nn, name)(3, 4), randn(3))


def test_cell_default_init_is_uniform_with_torch_bounds_and_state_dict_matches():
    cell, expected = nn.LSTMCell(3, 16), torch.nn.LSTMCell(3, 16)
    assert list(cell.state_dict()) == list(expected.state_dict())
    for param in cell.parameters():
        values = param.detach().numpy()
        assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.2


def test_cells_reject_bad_sizes_and_inputs():
    with pytest.raises(RuntimeError, match="hidden_size must be non-negative"):
        nn.RNNCell(3, -1)
    with pytest.raises(TypeError, match="argument 'input_size' must be an int"):
        nn.GRUCell(2.5, 3)
    with pytest.raises(ValueError, match="Expected input to be 1D or 2D"):
        nn.RNNCell(3, 4)(bricks.ones(2, 2, 3))
    with pytest.raises(RuntimeError, match="inconsistent input_size"):
        nn.LSTMCell(3, 4)(bricks.ones(2, 5))
