"""``src/bricks`` stays mypy-clean (STYLE.md: bricks ships ``py.typed``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")


def test_mypy_finds_no_error_in_src() -> None:
    # The configuration is pyproject.toml's [tool.mypy]; the cache goes to a temporary folder.
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--cache-dir", cache],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "MYPY_FORCE_COLOR": "0"})
    assert done.returncode == 0, done.stdout + done.stderr
