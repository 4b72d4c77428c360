"""The launcher's command line: one-machine settings, or a host file passed through."""

import os
import sys

import pytest

from bricks.distributed import run


@pytest.fixture
def fake_open_mpi(tmp_path):
    mpiexec = tmp_path / "mpiexec"
    mpiexec.write_text("#!/bin/sh\necho 'mpiexec (Open MPI) 5.0.11'\n")
    mpiexec.chmod(0o755)
    return str(mpiexec)


def test_one_machine_gets_oversubscription_shared_memory_and_the_same_python(fake_open_mpi):
    command, env = run.build_command(3, ["train.py", "--epochs", "2"], mpiexec=fake_open_mpi)
    assert command[:3] == [fake_open_mpi, "-n", "3"]
    assert "--oversubscribe" in command and "--hostfile" not in command
    assert command[command.index(sys.executable):] == [sys.executable, "train.py", "--epochs",
                                                        "2"]
    assert env["OMPI_MCA_btl"] == "self,sm"
    if os.geteuid() == 0:
        assert env["OMPI_ALLOW_RUN_AS_ROOT"] == env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] == "1"


def test_a_host_file_is_passed_through_and_the_network_left_to_mpi(fake_open_mpi, monkeypatch):
    monkeypatch.delenv("OMPI_MCA_btl", raising=False)
    command, env = run.build_command(8, ["train.py"], hostfile="hosts.txt",
                                     mpiexec=fake_open_mpi)
    assert command[command.index("--hostfile") + 1] == "hosts.txt"
    assert "--oversubscribe" not in command and "OMPI_MCA_btl" not in env


def test_without_mpiexec_the_launcher_says_how_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(run.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run.main(["-n", "2", "train.py"]) == 127
    assert "pip install bricks[distributed]" in capsys.readouterr().err
