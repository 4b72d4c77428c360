"""bricks.utils.tensorboard: the summaries are torch's bytes, the event files torch's events,
and TensorBoard's own reader reads them back (CRCs checked here too)."""

from __future__ import annotations

import glob
import os
import struct
import time

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import pywrap_tensorflow
from tensorboard.plugins.hparams import plugin_data_pb2
from torch.utils.tensorboard import SummaryWriter as TorchWriter
from torch.utils.tensorboard import summary as torch_summary

import bricks
from bricks.utils.tensorboard import SummaryWriter
from bricks.utils.tensorboard import writer as bricks_writer
from bricks.utils.tensorboard._record import crc32c, masked_crc32c


def _records(path: str) -> list[bytes]:
    """The records of a TFRecord file, each length and data CRC checked."""
    data = open(path, "rb").read()
    records, offset = [], 0
    while offset < len(data):
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        assert length_crc == masked_crc32c(header) == pywrap_tensorflow.masked_crc32c(header)
        body = data[offset + 12:offset + 12 + length]
        (body_crc,) = struct.unpack("<I", data[offset + 12 + length:offset + 16 + length])
        assert body_crc == masked_crc32c(body)
        records.append(body)
        offset += 16 + length
    return records


def _events(log_dir: str) -> list:
    (path,) = glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))
    return [event_pb2.Event.FromString(r) for r in _records(path)]


def test_crc32c_is_castagnolis_and_masked_as_tensorboard() -> None:
    assert crc32c(b"123456789") == 0xE3069283  # the standard check value
    assert crc32c(b"") == 0
    rng = np.random.default_rng(0)
    for n in (1, 7, 100, 1000):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert masked_crc32c(data) == pywrap_tensorflow.masked_crc32c(data)


@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, -3, 1e30, float("inf"), np.float32(2.5),
                                   np.array(7.0)])
def test_scalar_summary_bytes_are_torchs(value) -> None:
    expected = torch_summary.scalar("loss/train", value).SerializeToString()
    assert bricks_writer._scalar("loss/train", value) == expected
    for double in (False, True):
        expected = torch_summary.scalar("x", value, new_style=True, double_precision=double)
        assert bricks_writer._scalar("x", value, True, double) == expected.SerializeToString()


def test_scalar_of_a_tensor_and_bad_scalars_as_torch() -> None:
    expected = torch_summary.scalar("t", torch.tensor([[2.0]])).SerializeToString()
    assert bricks_writer._scalar("t", bricks.tensor([[2.0]])) == expected
    with pytest.raises(AssertionError, match="one element"):
        torch_summary.scalar("t", torch.ones(2))
    with pytest.raises(AssertionError, match="one element"):
        bricks_writer._scalar("t", bricks.ones(2))
    with pytest.raises(NotImplementedError):
        bricks_writer._scalar("t", [1.0])


@pytest.mark.parametrize("bins,max_bins", [("tensorflow", None), ("auto", None), (10, None),
                                           ("tensorflow", 20), (7, 3)])
def test_histogram_summary_bytes_are_torchs(bins, max_bins) -> None:
    values = np.random.default_rng(1).normal(size=(50, 4)) * 3
    torch_bins = bricks_writer._DEFAULT_BINS if bins == "tensorflow" else bins
    expected = torch_summary.histogram("w", values, torch_bins, max_bins).SerializeToString()
    got = bricks_writer._histogram(values.astype(float), torch_bins, max_bins)
    assert bricks_writer._proto.summary_value("w", histo=got) == expected


def test_histogram_of_constant_and_empty_values() -> None:
    values = np.zeros(5)
    expected = torch_summary.histogram("z", values, bricks_writer._DEFAULT_BINS)
    got = bricks_writer._histogram(values, bricks_writer._DEFAULT_BINS, None)
    assert bricks_writer._proto.summary_value("z", histo=got) == expected.SerializeToString()
    with pytest.raises(ValueError, match="no element"):
        bricks_writer._histogram(np.zeros(0), 10, None)


def test_text_summary_bytes_are_torchs() -> None:
    for text in ("", "hello", "naïve **markdown**\n| a | b |"):
        expected = torch_summary.text("notes", text).SerializeToString()
        got = bricks_writer._proto.summary_value(
            "notes/text_summary", tensor=bricks_writer._proto.text_tensor(text),
            metadata=bricks_writer._proto.plugin_metadata("text"))
        assert got == expected


def _plugin_contents(summary) -> list:
    return [plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content)
            for v in summary.value]


def test_hparams_contents_parse_to_torchs_messages() -> None:
    hparams = {"lr": 0.1, "layers": 3, "optimizer": "adam", "nesterov": True, "skip": None}
    domains = {"optimizer": ["adam", "sgd"], "layers": [2, 3]}
    metrics = {"hparam/accuracy": 0.9, "hparam/loss": 0.2}
    expected = torch_summary.hparams(hparams, metrics, domains)
    values = bricks_writer._hparam_values(hparams)
    got = bricks_writer._proto.hparams_content(values, metrics, domains)
    for summary, content in zip(expected, got):
        assert _plugin_contents(summary) == [plugin_data_pb2.HParamsPluginData.FromString(content)]


def _log(writer_class, log_dir: str) -> None:
    """The same logging calls, each at a fixed wall time."""
    writer = writer_class(log_dir, flush_secs=60)
    for step in range(4):
        writer.add_scalar("loss", 1.0 / (step + 1), step, walltime=100.0 + step)
    writer.add_scalar("no_step", 2.0, walltime=5.0)
    values = np.random.default_rng(2).normal(size=200)
    writer.add_histogram("weights", values, 3, walltime=7.0)
    writer.add_histogram_raw("raw", 0.0, 4.0, 5, 8.0, 20.0, [1.0, 2.0, 4.0], [1, 2, 2], 1,
                             walltime=8.0)
    writer.add_text("note", "lr=0.1", 2, walltime=9.0)
    writer.close()


def test_event_file_equals_torchs_event_by_event(tmp_path) -> None:
    _log(TorchWriter, str(tmp_path / "torch"))
    _log(SummaryWriter, str(tmp_path / "bricks"))
    expected = _events(str(tmp_path / "torch"))
    got = _events(str(tmp_path / "bricks"))
    assert got[0].file_version == expected[0].file_version == "brain.Event:2"
    assert abs(got[0].wall_time - time.time()) < 60
    assert got[1:] == expected[1:]
    assert len(got) == 9


def test_tensorboard_reads_the_run_back(tmp_path) -> None:
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(5):
            writer.add_scalar("train/loss", 0.5 ** step, step)
        writer.add_histogram("layer.weight", bricks.randn(300), 4)
        writer.add_text("config", "batch 32", 0)
        writer.add_scalars("acc", {"train": 0.9, "test": 0.8}, 4)
        writer.add_hparams({"lr": 0.01, "opt": "sgd"}, {"hp/acc": 0.8}, run_name="hp")
    run = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})
    run.Reload()
    scalars = run.Scalars("train/loss")
    assert [s.step for s in scalars] == list(range(5))
    np.testing.assert_allclose([s.value for s in scalars], 0.5 ** np.arange(5))
    histogram = run.Histograms("layer.weight")[0]
    assert histogram.step == 4 and histogram.histogram_value.num == 300
    assert run.Tensors("config/text_summary")[0].tensor_proto.string_val == [b"batch 32"]
    for tag, value in (("train", 0.9), ("test", 0.8)):
        sub_run = EventAccumulator(str(tmp_path / f"acc_{tag}"))
        sub_run.Reload()
        assert sub_run.Scalars("acc")[0].value == pytest.approx(value)
    hp_run = EventAccumulator(str(tmp_path / "hp"))
    hp_run.Reload()
    content = hp_run.SummaryMetadata("_hparams_/session_start_info").plugin_data.content
    start = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert start.hparams["lr"].number_value == 0.01
    assert start.hparams["opt"].string_value == "sgd"
    assert hp_run.Scalars("hp/acc")[0].value == pytest.approx(0.8)


def test_default_log_dir_is_runs_datetime_host_comment(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    writer = SummaryWriter(comment="_lr0.1")
    writer.close()
    (run,) = os.listdir(tmp_path / "runs")
    assert writer.get_logdir() == os.path.join("runs", run)
    assert run.endswith("_" + os.uname().nodename + "_lr0.1")
    time.strptime(run.split("_")[0] + "_" + run.split("_")[1], "%b%d_%H-%M-%S")


def test_events_reach_disk_on_the_flush_timer_and_after_close_a_new_file(tmp_path) -> None:
    writer = SummaryWriter(str(tmp_path), flush_secs=0.05)
    writer.add_scalar("x", 1.0, 0)
    deadline = time.monotonic() + 5
    while len(_events(str(tmp_path))) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _events(str(tmp_path))[1].summary.value[0].simple_value == 1.0
    writer.close()
    writer.close()  # a second close does nothing
    writer.add_scalar("x", 2.0, 1)  # opens a new event file, as torch's writer does
    writer.flush()
    assert len(glob.glob(str(tmp_path / "events.out.tfevents.*"))) == 2
    writer.close()


def test_bad_arguments_raise_torchs_errors(tmp_path) -> None:
    with SummaryWriter(str(tmp_path)) as writer:
        with pytest.raises(TypeError, match="should be dictionary"):
            writer.add_hparams([("lr", 0.1)], {})
        with pytest.raises(TypeError, match=r"hparam_domain_discrete\[lr\]"):
            writer.add_hparams({"lr": 0.1}, {}, hparam_domain_discrete={"lr": ["a"]})
        with pytest.raises(ValueError, match="one of int, float, str"):
            writer.add_hparams({"lr": [0.1]}, {})
        with pytest.raises(ValueError, match="no element"):
            writer.add_histogram("empty", bricks.zeros(0))
