"""bricks.profiler: torch.profiler's API timing bricks' ops through the observer hook: op and
node names among torch's, counts, self and total times consistent, torch's schedule and
table layout, Chrome traces, and coexistence with bricks.compile's capture."""

from __future__ import annotations

import gzip
import json
import os
import re

import numpy as np
import pytest
import torch
import torch.profiler as tprof

import bricks
from bricks import nn
from bricks.autograd import function
from bricks.profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    tensorboard_trace_handler,
)


def _train_step(T, model, x):
    with T.profiler.record_function("model_inference"):
        y = model(x).relu().sum()
    y.backward()


def _profiled(T, **kwargs):
    T.manual_seed(0)
    model = T.nn.Linear(4, 3)
    x = T.randn(2, 4)
    activities = [T.profiler.ProfilerActivity.CPU]
    with T.profiler.profile(activities=activities, **kwargs) as prof:
        _train_step(T, model, x)
    return prof


@pytest.fixture(scope="module")
def torch_averages():
    """torch's profile of the step, once (starting torch's profiler takes seconds)."""
    return _profiled(torch).key_averages()


def test_op_and_node_names_are_among_torchs(torch_averages) -> None:
    names = {e.key for e in _profiled(bricks).key_averages()}
    torch_names = {e.key for e in torch_averages}
    assert {"model_inference", "aten::addmm", "aten::relu", "aten::sum", "AddmmBackward0",
            "ReluBackward0", "SumBackward0"} <= names
    assert names <= torch_names


def test_counts_and_self_and_total_times_add_up() -> None:
    x = bricks.ones(3, requires_grad=True)
    with profile() as prof:
        with record_function("block"):
            for _ in range(5):
                y = x * 2
        y.sum().backward()
    averages = {e.key: e for e in prof.key_averages()}
    assert averages["aten::mul"].count == 5 and averages["MulBackward0"].count == 1
    events = prof.events()
    (block,) = [e for e in events if e.key == "block"]
    muls = [e for e in events if e.key == "aten::mul"]
    assert all(e.cpu_parent is block for e in muls) and block.cpu_parent is None
    assert block.self_cpu_time_total == pytest.approx(
        block.cpu_time_total - sum(e.cpu_time_total for e in muls))
    assert all(0 <= e.self_cpu_time_total <= e.cpu_time_total for e in events)
    mul = averages["aten::mul"]
    assert mul.cpu_time_total == pytest.approx(sum(e.cpu_time_total for e in muls))
    assert mul.cpu_time == pytest.approx(mul.cpu_time_total / 5)
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_table_has_torchs_layout(torch_averages) -> None:
    table = _profiled(bricks).key_averages().table(sort_by="cpu_time_total", row_limit=3)
    torch_table = torch_averages.table(sort_by="cpu_time_total", row_limit=3)
    lines, torch_lines = table.splitlines(), torch_table.splitlines()
    assert len(lines) == len(torch_lines) == 3 + 3 + 2
    assert lines[1].split() == torch_lines[1].split()  # the same column titles
    assert [len(cell) for cell in lines[0].split()][1:] == [12] * 6
    assert re.fullmatch(r"Self CPU time total: \d+\.\d{3}(us|ms|s)", lines[-1])
    rows = [line.split() for line in lines[3:6]]
    totals = [float(re.sub("[a-z]+", "", row[4])) * (1000 if row[4].endswith("ms") else 1)
              for row in rows]
    assert totals == sorted(totals, reverse=True) and rows[0][0] == "model_inference"
    assert all(re.fullmatch(r"\d+\.\d\d%", row[1]) for row in rows)


def test_table_options_shapes_units_top_level() -> None:
    prof = _profiled(bricks, record_shapes=True)
    table = prof.key_averages(group_by_input_shape=True).table(time_unit="ms", row_limit=10)
    assert "Input Shapes" in table and "[[2, 4], [3, 4], [3]]" in table
    assert "us " not in table.replace("# of Calls", "")
    top = prof.key_averages().table(top_level_events_only=True)
    assert "This report only display top-level ops statistics" in top
    assert "model_inference" in top and "aten::addmm" not in top
    with profile() as empty:
        pass
    assert empty.key_averages().table() == ""


def test_with_stack_names_the_calling_line() -> None:
    with profile(with_stack=True) as prof:
        bricks.ones(2).exp()
    (event,) = [e for e in prof.events() if e.key == "aten::exp"]
    assert event.stack[0].startswith(__file__) and "test_with_stack" in event.stack[0]
    table = prof.key_averages(group_by_stack_n=1).table()
    assert "Source Location" in table


@pytest.mark.parametrize("kwargs", [dict(wait=1, warmup=1, active=2),
                                    dict(wait=0, warmup=2, active=1, repeat=2),
                                    dict(wait=2, warmup=1, active=1, skip_first=3),
                                    dict(wait=3, warmup=1, active=2, skip_first=2,
                                         skip_first_wait=1)])
def test_schedule_is_torchs(kwargs) -> None:
    ours, theirs = schedule(**kwargs), tprof.schedule(**kwargs)
    assert [ours(i).name for i in range(20)] == [theirs(i).name for i in range(20)]


def test_schedule_arguments_are_checked_as_torch() -> None:
    with pytest.raises(AssertionError, match="Invalid profiler schedule arguments"):
        schedule(wait=0, warmup=1, active=0)
    with pytest.warns(UserWarning, match="won't be using warmup"):
        schedule(wait=1, warmup=0, active=1)


def test_steps_record_only_the_active_steps_and_call_on_trace_ready(tmp_path) -> None:
    traces = []
    x = bricks.ones(2)
    with profile(schedule=schedule(wait=1, warmup=1, active=2, repeat=1),
                 on_trace_ready=lambda p: traces.append(p.key_averages())) as prof:
        for _ in range(6):
            x = x * 2
            prof.step()
    assert len(traces) == 1
    keys = {e.key: e.count for e in traces[0]}
    assert keys == {"ProfilerStep#2": 1, "ProfilerStep#3": 1, "aten::mul": 2}
    assert prof.step_num == 6 and prof.current_action is ProfilerAction.NONE


def test_chrome_trace_is_valid_json_with_nested_ranges(tmp_path) -> None:
    prof = _profiled(bricks, record_shapes=True)
    path = str(tmp_path / "trace.json")
    prof.export_chrome_trace(path)
    trace = json.load(open(path))
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(events) == len(prof.events())
    for event in events:
        assert {"name", "cat", "pid", "tid", "ts", "dur", "args"} <= set(event)
        assert event["dur"] >= 0
    outer = next(e for e in events if e["name"] == "model_inference")
    addmm = next(e for e in events if e["name"] == "aten::addmm")
    assert outer["ts"] <= addmm["ts"] <= addmm["ts"] + addmm["dur"] <= outer["ts"] + outer["dur"]
    assert addmm["args"]["Input Dims"] == [[2, 4], [3, 4], [3]]
    assert addmm["cat"] == "cpu_op" and outer["cat"] == "user_annotation"


def test_tensorboard_trace_handler_writes_gzipped_traces(tmp_path) -> None:
    handler = tensorboard_trace_handler(str(tmp_path / "log"), worker_name="w0", use_gzip=True)
    with profile(on_trace_ready=handler):
        bricks.ones(3).sum()
    (name,) = os.listdir(tmp_path / "log")
    assert re.fullmatch(r"w0\.\d+\.pt\.trace\.json\.gz", name)
    trace = json.loads(gzip.decompress((tmp_path / "log" / name).read_bytes()))
    assert [e["name"] for e in trace["traceEvents"] if e["ph"] == "X"] == ["aten::sum"]


def test_record_function_decorates_and_is_silent_outside_a_profile() -> None:
    @record_function("helper")
    def helper(t):
        return t + 1

    assert helper(bricks.ones(1)).item() == 2.0  # no profiler: nothing recorded, no error
    with profile() as prof:
        helper(helper(bricks.ones(1)))
    averages = {e.key: e.count for e in prof.key_averages()}
    assert averages == {"helper": 2, "aten::add": 2}


def test_backward_outside_the_profile_is_not_recorded_and_the_hook_is_removed() -> None:
    x = bricks.ones(2, requires_grad=True)
    with profile() as prof:
        y = (x * 3).sum()
    assert function._observer is None
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert {e.key for e in prof.events()} == {"aten::mul", "aten::sum"}
    with profile():
        with pytest.raises(RuntimeError, match="already enabled"):
            profile().start()


def test_operator_shortcuts_are_timed_while_profiling_and_restored_after() -> None:
    shortcuts = {name: vars(bricks.Tensor)[name] for name in ("__add__", "__mul__", "__iadd__")}
    a, b = bricks.ones(3), bricks.ones(3)
    with profile() as prof:
        c = a + b
        c *= 2
        d = a * 3.0
    assert [e.key for e in prof.events()] == ["aten::add", "aten::mul", "aten::mul"]
    assert c.tolist() == [4.0] * 3 and d.tolist() == [3.0] * 3
    assert all(vars(bricks.Tensor)[name] is method for name, method in shortcuts.items())


def test_profiler_times_a_compiled_step_and_the_capture_still_replays() -> None:
    model = nn.Linear(3, 1)
    optimizer = bricks.optim.SGD(model.parameters(), lr=0.1)
    x, target = bricks.ones(4, 3), bricks.zeros(4, 1)

    def step():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        return loss

    compiled = bricks.compile(step)
    add = vars(bricks.Tensor)["__add__"]
    with profile() as prof:
        losses = [compiled().item() for _ in range(3)]
    assert compiled.replays
    assert function._observer is None and vars(bricks.Tensor)["__add__"] is add
    names = {e.key for e in prof.events()}
    assert {"aten::addmm", "aten::mse_loss", "AddmmBackward0"} <= names
    assert np.all(np.diff(losses) < 0)


def test_unsupported_options_warn_and_activities_are_torchs() -> None:
    assert [a.name for a in ProfilerActivity] == list(tprof.ProfilerActivity.__members__)
    with pytest.warns(UserWarning, match="profile_memory"):
        profile(profile_memory=True)
