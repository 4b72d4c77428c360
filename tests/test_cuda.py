"""bricks.cuda without a GPU: False/0 answers, torch's errors, and no CuPy at import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import bricks

CUDA = bricks.cuda.is_available()
no_cuda = pytest.mark.skipif(CUDA, reason="checks a machine without CUDA")


@no_cuda
def test_answers_without_a_gpu() -> None:
    assert bricks.cuda.is_available() is False
    assert bricks.cuda.device_count() == 0
    assert bricks.cuda.memory_allocated() == 0 and bricks.cuda.memory_reserved() == 0
    bricks.cuda.manual_seed(0)  # kept for later, as torch does without a GPU
    bricks.cuda.manual_seed_all(0)
    bricks.cuda.empty_cache()


@no_cuda
@pytest.mark.parametrize("call", [
    bricks.cuda.current_device, bricks.cuda.synchronize, bricks.cuda.get_device_name,
    lambda: bricks.cuda.set_device(0), lambda: bricks.cuda.device(0),
])
def test_calls_that_need_a_gpu_raise_torchs_error(call) -> None:
    with pytest.raises(RuntimeError, match="CUDA") as info:
        call()
    assert isinstance(info.value, AssertionError)  # as torch's CPU build


def _run(code: str, path: str = "") -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (path, env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, check=True,
                          capture_output=True, text=True).stdout


def test_import_bricks_does_not_import_cupy(tmp_path) -> None:
    # A stand-in CuPy that says when it is imported, and finds no GPU.
    package = tmp_path / "cupy"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent("""
        print("cupy imported")

        class cuda:
            @staticmethod
            def is_available():
                return False
    """))
    out = _run("""
        import sys
        import bricks
        print("after import:", "cupy" in sys.modules)
        print("available:", bricks.cuda.is_available(), bricks.cuda.device_count())
        try:
            bricks.zeros(1, device="cuda")
        except RuntimeError as error:
            print("error:", error)
    """, str(tmp_path))
    lines = out.splitlines()
    assert lines[0] == "after import: False"
    assert lines[1:3] == ["cupy imported", "available: False 0"]
    assert lines[3].startswith("error: No CUDA GPUs are available")


def test_without_cupy_cuda_reports_torchs_not_compiled_error(tmp_path) -> None:
    (tmp_path / "cupy.py").write_text("raise ImportError('no cupy here')\n")
    out = _run("""
        import bricks
        print(bricks.cuda.is_available(), bricks.cuda.device_count())
        try:
            bricks.ones(2).to("cuda:0")
        except AssertionError as error:
            print(error)
    """, str(tmp_path))
    available, message = out.splitlines()
    assert available == "False 0"
    assert message.startswith("Torch not compiled with CUDA enabled") and "CuPy" in message
