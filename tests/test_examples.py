"""The examples run: each seed walk-through script, and the digits demo with few epochs."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Each seed script and a line (regular expression) its output must contain.
SEEDS = {
    "seed_access.py": r"\('0\.weight', bricks\.Size\(\[8, 4\]\)\) \('0\.bias'",
    "seed_init.py": r"tensor\(\[\[42\., 42\., 42\., 42\., 42\., 42\., 42\., 42\.\]\]\)",
    "seed_custom_init.py": r"all \|w\| >= 5 or 0: True",
    "seed_tying.py": r"same object: True",
    "seed_deferred_init.py": r"Init 0\.weight \(256, 20\)",
    "seed_custom_layers.py": r"tensor\(\[-2\., -1\.,  0\.,  1\.,  2\.\]\)",
    "seed_files.py": r"identical: True",
}


def _run(args: list[str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.mark.parametrize("script", sorted(SEEDS))
def test_seed_script_runs_and_prints_what_the_seed_shows(script, tmp_path):
    result = _run([str(EXAMPLES / script), str(tmp_path)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(SEEDS[script], result.stdout), result.stdout


def test_every_seed_script_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("seed_*.py")) == sorted(SEEDS)


def test_demo_trains_writes_its_files_and_verifies_the_reload(tmp_path):
    out = tmp_path / "demo"
    result = _run([str(EXAMPLES / "demo.py"), "--epochs", "8", "--out", str(out)],
                  cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    accuracy = re.search(r"held-out accuracy: (\d\.\d+)", result.stdout)
    assert accuracy and float(accuracy.group(1)) >= 0.95
    assert "reloaded checkpoint gives identical predictions: True" in result.stdout
    assert "Tied parameters (counted once): 2.weight = 4.weight" in result.stdout
    with open(out / "parameter_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"2.weight = 4.weight", "0.weight", "6.bias"} <= {row["name"] for row in rows}
    for name in ("curves.png", "histograms.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE and len(data) > 20_000
    assert (out / "digits_mlp.safetensors").stat().st_size > 10_000
    assert str(out / "curves.png") in result.stdout
