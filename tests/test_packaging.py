"""The wheel builds without warnings and works alone: installed into a fresh environment with
only its runtime dependencies, bricks imports, trains a step and round-trips a file."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMOKE = """
import os, sys, tempfile
import bricks
from bricks import nn
net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
opt = bricks.optim.SGD(net.parameters(), lr=0.1)
loss = net(bricks.ones(2, 3)).pow(2).mean()
loss.backward()
opt.step()
path = os.path.join(tempfile.mkdtemp(), "net.safetensors")
bricks.save(net.state_dict(), path)
fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
fresh.load_state_dict(bricks.load(path))
assert bricks.equal(fresh[0].weight, net[0].weight)
optional = sorted(name for name in sys.modules
                  if name.split(".")[0] in ("torch", "safetensors", "scipy", "matplotlib"))
print(bricks.__version__, optional)
"""


def _meaningful(output: str) -> list[str]:
    # pip's own notes about this machine's package-index configuration are not the build's.
    return [line for line in output.splitlines()
            if "warning" in line.lower() and "Location 'file:" not in line]


@pytest.mark.skipif(os.environ.get("BRICKS_SKIP_PACKAGING") == "1",
                    reason="BRICKS_SKIP_PACKAGING=1")
def test_wheel_builds_quietly_and_runs_in_a_fresh_environment(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    assert _meaningful(build.stdout + build.stderr) == []
    (wheel,) = wheels.glob("bricks-*.whl")

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=600, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    smoke = subprocess.run([str(python), "-c", SMOKE], capture_output=True, text=True,
                           timeout=300, check=False, cwd=tmp_path)
    assert smoke.returncode == 0, smoke.stderr
    import bricks

    assert smoke.stdout.split()[0] == bricks.__version__
    assert smoke.stdout.strip().endswith("[]")  # no optional package was needed or imported
