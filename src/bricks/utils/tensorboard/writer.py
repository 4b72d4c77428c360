"""``SummaryWriter``: torch.utils.tensorboard's writer, with no TensorBoard or protobuf needed.

It writes the event files TensorBoard reads (``_record.py``: TFRecord framing with masked
CRC32C; ``_proto.py``: the Event and Summary messages, encoded by hand), in torch's layout:
``add_scalars`` writes one sub-run per tag, ``add_hparams`` a sub-run named by the time.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime
from typing import Any

import numpy as np

from ..._tensor import Tensor
from . import _proto
from ._record import EventFileWriter

__all__ = ["SummaryWriter"]


def _default_bins() -> list[float]:
    """torch's "tensorflow" bins: ±1.1**k from 1e-12 up to 1e20, and 0."""
    v = 1e-12
    buckets = []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in reversed(buckets)] + [0] + buckets


_DEFAULT_BINS = _default_bins()


def _numpy(x: Any) -> np.ndarray:
    """Values as an array, as torch's ``make_np``: arrays as they are, scalars as one item."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    raise NotImplementedError(f"Got {type(x)}, but numpy array or torch tensor are expected.")


class SummaryWriter:
    """Writes scalars, histograms, text and hyperparameters to TensorBoard event files.

    Args:
        log_dir: the run's directory (default ``runs/<Mon>DD_HH-MM-SS_<host><comment>``).
        comment: appended to the default ``log_dir``; ignored when ``log_dir`` is given.
        purge_step: a step from which TensorBoard hides the events of an earlier, crashed run.
        max_queue: events kept in memory before they are written.
        flush_secs: seconds between automatic flushes to disk.
        filename_suffix: appended to every event file's name.

    Example:
        >>> import tempfile
        >>> from bricks.utils.tensorboard import SummaryWriter
        >>> with tempfile.TemporaryDirectory() as log_dir:
        ...     with SummaryWriter(log_dir) as writer:
        ...         for step in range(3):
        ...             writer.add_scalar("loss", 1.0 / (step + 1), step)
    """

    def __init__(self, log_dir: str | None = None, comment: str = "",
                 purge_step: int | None = None, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = "") -> None:
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.default_bins = _DEFAULT_BINS
        self.file_writer: EventFileWriter | None = None
        self.all_writers: dict[str, EventFileWriter] | None = None
        self._get_file_writer()

    def _new_writer(self, log_dir: str) -> EventFileWriter:
        return EventFileWriter(log_dir, self.max_queue, self.flush_secs, self.filename_suffix)

    def _get_file_writer(self) -> EventFileWriter:
        """The run's own event file writer, opened again after ``close()``."""
        if self.file_writer is None or self.all_writers is None:
            self.file_writer = self._new_writer(self.log_dir)
            self.all_writers = {self.log_dir: self.file_writer}
            if self.purge_step is not None:
                step, self.purge_step = self.purge_step, None
                version = _proto.event(time.time(), step, file_version="brain.Event:2")
                self.file_writer.add_event(version)
                # Event.session_log = 7: SessionLog {status = 1: START (1)}
                start = _proto.bytes_field(7, _proto.int_field(1, 1), always=True)
                self.file_writer.add_event(_proto.event(time.time(), step) + start)
        return self.file_writer

    def get_logdir(self) -> str:
        """The directory the event files are written to."""
        return self.log_dir

    def _add(self, summary: bytes, global_step: int | None, walltime: float | None,
             writer: EventFileWriter | None = None) -> None:
        wall_time = time.time() if walltime is None else walltime
        step = 0 if global_step is None else int(global_step)
        event = _proto.event(wall_time, step, summary=summary)
        (writer or self._get_file_writer()).add_event(event)

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Log one number under ``tag`` at ``global_step``.

        Args:
            tag: the series' name.
            scalar_value: a number, or a tensor or array with one element.
            global_step: the step (x axis).
            walltime: seconds since the epoch (default: now).
            new_style: write it as a tensor of the scalars plugin instead of a simple value.
            double_precision: with ``new_style``, keep it as a float64.

        Raises:
            AssertionError: ``scalar_value`` has more than one element (torch's error).
        """
        self._add(_scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any],
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """Log several numbers on one chart: each tag goes to its own sub-run,
        ``<log_dir>/<main_tag>_<tag>``, under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        log_dir = self._get_file_writer().log_dir
        assert self.all_writers is not None
        for tag, scalar_value in tag_scalar_dict.items():
            sub_run = log_dir + "/" + main_tag.replace("/", "_") + "_" + tag
            writer = self.all_writers.get(sub_run)
            if writer is None:
                writer = self.all_writers[sub_run] = self._new_writer(sub_run)
            self._add(_scalar(main_tag, scalar_value), global_step, walltime, writer)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: Any = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        """Log the distribution of ``values`` (a tensor or array of any shape).

        Args:
            bins: ``"tensorflow"`` (TensorBoard's exponential bins), or anything
                ``numpy.histogram`` takes (``"auto"``, ``"fd"``, a count, the edges).
            max_bins: merge neighbouring bins until at most this many remain.

        Raises:
            ValueError: ``values`` is empty.
        """
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        values = _numpy(values).astype(float)
        histo = _histogram(values, bins, max_bins)
        self._add(_proto.summary_value(tag, histo=histo), global_step, walltime)

    def add_histogram_raw(self, tag: str, min: float, max: float, num: int, sum: float,
                          sum_squares: float, bucket_limits: Any, bucket_counts: Any,
                          global_step: int | None = None,
                          walltime: float | None = None) -> None:
        """Log a histogram already counted: each bucket's right edge and its count."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        limits, counts = (_numpy(x) if isinstance(x, Tensor) else np.asarray(x)
                          for x in (bucket_limits, bucket_counts))
        histo = _proto.histogram(min, max, num, sum, sum_squares, limits.ravel(), counts.ravel())
        self._add(_proto.summary_value(tag, histo=histo), global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """Log a (Markdown) text under ``<tag>/text_summary``, as torch does."""
        tensor = _proto.text_tensor(text_string)
        summary = _proto.summary_value(tag + "/text_summary", tensor=tensor,
                                       metadata=_proto.plugin_metadata("text"))
        self._add(summary, global_step, walltime)

    def add_hparams(self, hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                    hparam_domain_discrete: dict[str, list] | None = None,
                    run_name: str | None = None, global_step: int | None = None) -> None:
        """Log one run's hyperparameters and final metrics for TensorBoard's HParams tab.

        They go to a sub-run ``<log_dir>/<run_name>`` (default: the current time), with each
        metric also logged there as a scalar.

        Args:
            hparam_dict: name -> an int, float, bool, str, one-element tensor, or None (skipped).
            metric_dict: metric tag -> its value.
            hparam_domain_discrete: name -> every value that hyperparameter can take.

        Raises:
            TypeError: a dict argument is not a dict, or a domain does not fit its value.
            ValueError: a hyperparameter of another type.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        contents = _proto.hparams_content(_hparam_values(hparam_dict), metric_dict,
                                          _domains(hparam_dict, hparam_domain_discrete))
        tags = ("_hparams_/experiment", "_hparams_/session_start_info",
                "_hparams_/session_end_info")
        log_dir = os.path.join(self._get_file_writer().log_dir, run_name or str(time.time()))
        with SummaryWriter(log_dir=log_dir) as run:
            for tag, content in zip(tags, contents):
                metadata = _proto.plugin_metadata("hparams", content)
                run._add(_proto.summary_value(tag, metadata=metadata), global_step, None)
            for key, value in metric_dict.items():
                run.add_scalar(key, value, global_step)

    def flush(self) -> None:
        """Write every pending event to disk."""
        for writer in (self.all_writers or {}).values():
            writer.flush()

    def close(self) -> None:
        """Flush and close every event file (a later ``add_*`` opens a new one)."""
        for writer in (self.all_writers or {}).values():
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scalar(tag: str, value: Any, new_style: bool = False,
            double_precision: bool = False) -> bytes:
    array = _numpy(value).squeeze()
    if array.ndim != 0:
        raise AssertionError("Tensor should contain one element (0 dimensions). Was given "
                             f"size: {array.size} and {array.ndim} dimensions.")
    number = float(array)
    if not new_style:
        return _proto.summary_value(tag, simple_value=number)
    if double_precision:  # TensorProto {dtype=1: DT_DOUBLE (2), double_val=6}
        tensor = _proto.int_field(1, 2) + _proto.packed_doubles(6, [number])
    else:  # DT_FLOAT (1), float_val=5
        packed = np.array([number], "<f4").tobytes()
        tensor = _proto.int_field(1, 1) + _proto.bytes_field(5, packed)
    return _proto.summary_value(tag, tensor=tensor, metadata=_proto.plugin_metadata("scalars"))


def _histogram(values: np.ndarray, bins: Any, max_bins: int | None) -> bytes:
    """torch's ``make_histogram``: counts over ``bins``, trimmed to the bins that hold values
    with one empty bin kept on the left (TensorBoard reads only right edges)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        counts, limits = _merge_bins(counts, limits, max_bins)
    cumulative = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cumulative, [0, cumulative[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return _proto.histogram(values.min(), values.max(), len(values), values.sum(),
                            values.dot(values), limits.tolist(), counts.tolist())


def _merge_bins(counts: np.ndarray, limits: np.ndarray,
                max_bins: int) -> tuple[np.ndarray, np.ndarray]:
    step = len(counts) // max_bins
    if len(counts) % step:
        counts = np.pad(counts, [[0, step - len(counts) % step]])
    counts = counts.reshape(-1, step).sum(axis=-1)
    merged = np.empty((counts.size + 1,), limits.dtype)
    merged[:-1] = limits[:-1:step]
    merged[-1] = limits[-1]
    return counts, merged


def _hparam_values(hparam_dict: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for key, value in hparam_dict.items():
        if value is None:
            continue
        if isinstance(value, Tensor):
            value = float(_numpy(value).reshape(-1)[0])
        if not isinstance(value, (int, float, str)):
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        values[key] = value
    return values


def _domains(hparam_dict: dict[str, Any], domains: dict | None) -> dict[str, list]:
    domains = domains or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing "
                        "logged.")
    for key, values in domains.items():
        if (key not in hparam_dict or not isinstance(values, list)
                or not all(isinstance(d, type(hparam_dict[key])) for d in values)):
            raise TypeError(f"parameter: hparam_domain_discrete[{key}] should be a list of "
                            f"same type as hparam_dict[{key}].")
    return domains
