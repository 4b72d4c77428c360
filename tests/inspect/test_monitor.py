"""bricks.inspect.ParameterMonitor: statistics against NumPy, ties, CSV, PNG, missing plots."""

from __future__ import annotations

import csv
import math
import sys

import numpy as np
import pytest

import bricks
import bricks.optim
from bricks import nn
from bricks.inspect import STAT_COLUMNS, ParameterMonitor

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _net() -> nn.Sequential:
    bricks.manual_seed(0)
    shared = nn.Linear(6, 6)
    return nn.Sequential(nn.Linear(3, 6), nn.ReLU(), shared, nn.ReLU(), shared, nn.Linear(6, 2))


def _train(net, monitor, steps, on_step=None):
    optimizer = bricks.optim.SGD(net.parameters(), lr=0.05)
    rng = np.random.default_rng(1)
    for step in range(1, steps + 1):
        x = bricks.tensor(rng.standard_normal((8, 3)).astype(np.float32))
        optimizer.zero_grad()
        net(x).pow(2).mean().backward()
        if on_step is not None:
            on_step(step, "before")
        optimizer.step()
        monitor.step()
        if on_step is not None:
            on_step(step, "after")


def _expected(values, prefix):
    flat = np.asarray(values, dtype=np.float64).ravel()
    return {prefix + "norm": np.linalg.norm(flat), prefix + "mean": flat.mean(),
            prefix + "std": flat.std(), prefix + "min": flat.min(), prefix + "max": flat.max(),
            prefix + "zero_fraction": np.mean(flat == 0)}


def test_records_equal_statistics_computed_with_numpy():
    net = _net()
    monitor = ParameterMonitor(net, every=3)
    expected = []
    snapshots = {}

    def capture(step, when):
        if when == "before" and step % 3 == 0:
            snapshots.update({n: p.detach().numpy().astype(np.float64)
                              for n, p in net.named_parameters()})
        if when == "after" and step % 3 == 0:
            for name, param in net.named_parameters():
                row = _expected(param.detach().numpy(), "")
                row.update(_expected(param.grad.numpy(), "grad_"))
                delta = param.detach().numpy().astype(np.float64) - snapshots[name]
                row["update_ratio"] = np.linalg.norm(delta) / np.linalg.norm(snapshots[name])
                expected.append((step, row))

    _train(net, monitor, 7, capture)
    rows = monitor.rows()
    assert [row["step"] for row in rows] == [3] * 6 + [6] * 6
    assert len(rows) == len(expected)
    for row, (step, want) in zip(rows, expected):
        assert row["step"] == step
        for key, value in want.items():
            assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    assert all(list(row) == list(STAT_COLUMNS) for row in rows)


def test_tied_parameters_appear_once_under_all_their_names():
    net = _net()
    monitor = ParameterMonitor(net, every=1)
    _train(net, monitor, 1)
    names = [row["name"] for row in monitor.rows()]
    assert names == ["0.weight", "0.bias", "2.weight = 4.weight", "2.bias = 4.bias",
                     "5.weight", "5.bias"]
    tied = monitor.rows()[2]
    assert tied["shape"] == "6x6" and tied["numel"] == 36


def test_steps_between_records_do_no_work(monkeypatch):
    net = _net()
    monitor = ParameterMonitor(net, every=5)
    calls = []
    original = ParameterMonitor._groups
    monkeypatch.setattr(ParameterMonitor, "_groups",
                        lambda self: calls.append(self.steps_taken) or original(self))
    _train(net, monitor, 10)
    # A copy at the step before each record (for the update ratio), the record itself.
    assert calls == [4, 5, 9, 10]
    assert monitor.steps_taken == 10


def test_gradient_statistics_are_nan_before_any_backward_and_ratio_needs_a_copy():
    net = _net()
    monitor = ParameterMonitor(net, every=4)
    monitor.record()
    row = monitor.rows()[0]
    assert row["step"] == 0 and math.isnan(row["grad_norm"]) and math.isnan(row["update_ratio"])
    assert row["norm"] == pytest.approx(np.linalg.norm(net[0].weight.detach().numpy()))


def test_lazy_parameters_appear_once_materialized():
    net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.Linear(4, 1))
    monitor = ParameterMonitor(net, every=1, histogram_steps=[0, 1])
    assert list(monitor.samples()[0]) == ["2.weight", "2.bias"]
    optimizer = bricks.optim.SGD(net.parameters(), lr=0.1)
    net(bricks.rand(2, 3)).sum().backward()
    optimizer.step()
    monitor.step()
    assert [row["name"] for row in monitor.rows()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    assert math.isnan(monitor.rows()[0]["update_ratio"])
    assert not math.isnan(monitor.rows()[2]["update_ratio"])


def test_csv_has_a_header_and_one_line_per_record(tmp_path):
    net = _net()
    monitor = ParameterMonitor(net, every=2)
    _train(net, monitor, 4)
    path = monitor.to_csv(tmp_path / "stats.csv")
    with open(path, newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == 12 and list(read[0]) == list(STAT_COLUMNS)
    for line, row in zip(read, monitor.rows()):
        assert line["name"] == row["name"] and int(line["step"]) == row["step"]
        assert float(line["grad_std"]) == pytest.approx(row["grad_std"], rel=1e-12)


def test_curves_and_histograms_are_written_as_real_pngs(tmp_path):
    bricks.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 16), nn.Tanh())  # few panels: drawing is the slow part
    monitor = ParameterMonitor(net, every=1, histogram_steps=[1, 4])
    _train(net, monitor, 4)
    for path in (monitor.plot_curves(tmp_path / "curves.png"),
                 monitor.plot_histograms(tmp_path / "sub" / "hist.png", steps=[1, 4])):
        data = open(path, "rb").read()
        assert data[:8] == PNG_SIGNATURE and len(data) > 10_000
    kept = monitor.samples()
    assert sorted(kept) == [1, 4] and list(kept[4]) == ["0.weight", "0.bias"]
    values, grad = kept[4]["0.weight"]
    np.testing.assert_array_equal(values, net[0].weight.detach().numpy().ravel())
    np.testing.assert_array_equal(grad, net[0].weight.grad.numpy().ravel())


def test_histograms_of_a_step_not_sampled_say_how_to_keep_it(tmp_path):
    net = _net()
    monitor = ParameterMonitor(net, every=1, histogram_steps=[2])
    _train(net, monitor, 2)
    with pytest.raises(ValueError, match=r"no samples kept for steps \[1\].*histogram_steps"):
        monitor.plot_histograms(tmp_path / "h.png", steps=[1])


def test_plotting_without_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    net = _net()
    monitor = ParameterMonitor(net, every=1, histogram_steps=[1])
    _train(net, monitor, 1)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib.*bricks\[examples\]"):
        monitor.plot_curves(tmp_path / "c.png")
    with pytest.raises(ImportError, match="pip install matplotlib"):
        monitor.plot_histograms(tmp_path / "h.png")
    assert not (tmp_path / "c.png").exists()


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="every to be a positive int, got 0"):
        ParameterMonitor(_net(), every=0)
    with pytest.raises(ValueError, match="histogram_steps"):
        ParameterMonitor(_net(), histogram_steps=[-1])
    with pytest.raises(ValueError, match="nothing recorded"):
        ParameterMonitor(_net()).plot_curves("never.png")


def test_importing_bricks_does_not_import_plotting_libraries():
    import subprocess

    code = ("import sys, bricks, bricks.inspect; "
            "print(sorted(m for m in ('matplotlib', 'tqdm', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
