"""bricks.inspect.summary: rows, output shapes, counts with ties once, lazy models, errors."""

from __future__ import annotations

import pytest

import bricks
from bricks import nn
from bricks.inspect import summary


def _tied_net() -> nn.Sequential:
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.Linear(8, 1))


def test_rows_list_every_path_with_type_shape_and_own_count():
    info = summary(_tied_net(), input_size=(2, 4), print_table=False)
    rows = [(r.name, r.type, r.output_shapes, r.num_params, r.repeated) for r in info.rows]
    assert rows == [
        ("", "Sequential", [[2, 1]], 0, False),
        ("0", "Linear", [[2, 8]], 40, False),
        ("1", "ReLU", [[2, 8]], 0, False),
        ("2", "Linear", [[2, 8]], 72, False),
        ("3", "ReLU", [[2, 8]], 0, False),
        ("4", "Linear", [[2, 8]], 72, True),
        ("5", "Linear", [[2, 1]], 9, False),
    ]
    assert [r.depth for r in info.rows] == [0, 1, 1, 1, 1, 1, 1]


def test_totals_count_a_tied_parameter_once_and_rows_name_the_ties():
    info = summary(_tied_net(), input_size=(2, 4), print_table=False)
    assert info.total_params == 40 + 72 + 9
    assert info.trainable_params == 121 and info.non_trainable_params == 0
    assert info.params_bytes == 121 * 4
    assert info.tied_groups == [["2.weight", "4.weight"], ["2.bias", "4.bias"]]
    assert info.rows[3].tied_to == {"weight": ["4.weight"], "bias": ["4.bias"]}
    assert info.rows[5].tied_to == {"weight": ["2.weight"], "bias": ["2.bias"]}
    assert info.rows[1].tied_to == {}
    table = str(info)
    assert "Total params: 121" in table
    assert "2.weight = 4.weight" in table and "72 (tied)" in table


def test_frozen_parameters_are_counted_as_non_trainable():
    net = _tied_net()
    net[0].requires_grad_(False)
    info = summary(net, input_size=(3, 4), print_table=False)
    assert (info.trainable_params, info.non_trainable_params) == (81, 40)
    assert info.rows[1].trainable is False
    assert "(frozen)" in str(info)


def test_lazy_model_is_materialized_by_the_forward_pass():
    net = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(3))
    info = summary(net, input_data=bricks.rand(5, 7), print_table=False)
    assert info.total_params == 7 * 16 + 16 + 16 * 3 + 3
    assert info.rows[-1].output_shapes == [[5, 3]]
    assert tuple(net[0].weight.shape) == (16, 7)


class _TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 3)

    def forward(self, a, b):
        return self.linear(self.linear(a) + b), a


def test_several_inputs_dtypes_and_a_layer_called_twice_at_one_path():
    # float64 inputs need a float64 model: Linear refuses mixed dtypes, as torch's does
    info = summary(_TwoInputs().double(), input_size=[(2, 3), (2, 3)],
                   dtypes=[bricks.float64, bricks.float64], print_table=False)
    assert info.input_shapes == [[2, 3], [2, 3]]
    assert info.rows[0].output_shapes == [[[2, 3], [2, 3]]]
    assert info.rows[1].output_shapes == [[2, 3], [2, 3]]
    assert info.total_params == 12


def test_print_table_prints_and_as_dicts_gives_plain_rows(capsys):
    info = summary(_tied_net(), input_size=(2, 4))
    out = capsys.readouterr().out
    assert "Layer (type)" in out and "4 (Linear)" in out and "Tied to" in out
    dicts = info.as_dicts()
    assert dicts[1]["name"] == "0" and dicts[1]["num_params"] == 40


def test_input_size_and_input_data_are_exclusive():
    with pytest.raises(ValueError, match="exactly one of input_size or input_data"):
        summary(_tied_net(), print_table=False)
    with pytest.raises(ValueError, match="both"):
        summary(_tied_net(), input_size=(2, 4), input_data=bricks.rand(2, 4))


def test_failed_forward_names_the_layers_that_ran_and_removes_hooks():
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(9, 1))
    with pytest.raises(RuntimeError, match=r"Layers that ran: 0, 1\.") as caught:
        summary(net, input_size=(2, 4), print_table=False)
    assert "input_size" in str(caught.value)
    assert all(not m._forward_hooks for m in net.modules())
