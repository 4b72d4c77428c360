"""Run a script of test cases on N MPI processes from pytest (skipped without MPI)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parent.parent / "src"


def mpi_run(nprocs: int, script: str, *args: str, timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess:
    """Run ``tests/distributed/<script> args`` on ``nprocs`` ranks through bricks' launcher."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (pip install bricks[distributed])")
    from bricks.distributed.run import find_mpiexec

    try:
        find_mpiexec()
    except FileNotFoundError:
        pytest.skip("mpiexec is not installed (pip install bricks[distributed])")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    command = [sys.executable, "-m", "bricks.distributed.run", "-n", str(nprocs),
               str(HERE / script), *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                            check=False)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n"
                    f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}")
    return result


def passed(result: subprocess.CompletedProcess, nprocs: int, cases: list[str]) -> None:
    """Every rank printed ``ok <case>`` for every case."""
    lines = result.stdout.splitlines()
    for case in cases:
        count = lines.count(f"ok {case}")
        assert count == nprocs, f"case {case}: {count} of {nprocs} ranks passed\n{result.stdout}"
