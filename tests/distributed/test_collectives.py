"""bricks.distributed: collectives on 4 processes, failure handling, and life without MPI."""

import subprocess
import sys

import pytest
from _launch import mpi_run, passed

import bricks.distributed as dist

CASES = ["all_reduce_ops", "async_collectives", "broadcast_gather_scatter_reduce", "objects",
         "errors_change_nothing"]


def test_collectives_equal_their_numpy_definitions_on_4_processes():
    result = mpi_run(4, "_collective_cases.py", *CASES)
    passed(result, 4, CASES)


def test_a_rank_that_raises_ends_the_job_with_an_error_not_a_hang():
    result = mpi_run(2, "_collective_cases.py", "raise_on_rank_1", timeout=60, check=False)
    assert result.returncode != 0
    assert "rank 1 fails on purpose" in result.stderr


def test_import_bricks_does_not_import_mpi4py():
    code = ("import sys, bricks, bricks.distributed, bricks.nn.parallel; "
            "import bricks.utils.data.distributed; "
            "assert 'mpi4py' not in sys.modules, 'mpi4py imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_without_mpi4py_is_available_is_false_and_init_says_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mpi4py" else real(name, *a))
    assert dist.is_available() is False
    with pytest.raises(RuntimeError, match=r"pip install bricks\[distributed\]"):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_before_init_rank_queries_raise_as_torch():
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.all_reduce(None)


def test_other_backends_are_refused_with_what_to_use():
    with pytest.raises(RuntimeError, match="'mpi' backend"):
        dist.init_process_group("nccl")
