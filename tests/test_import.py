"""``import bricks`` stays light: no heavy optional module is loaded, and it is quick."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "scipy", "tqdm", "torch", "sklearn")

_PROBE = """
import json, sys, time
start = time.perf_counter()
import bricks
seconds = time.perf_counter() - start
print(json.dumps({"modules": sorted(sys.modules), "seconds": seconds}))
"""


def _import_bricks() -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_optional_module() -> None:
    result = _import_bricks()
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "bricks" in loaded and "numpy" in loaded
    # Measured, never asserted: the time is printed for the test log (pytest -s shows it).
    print(f"import bricks took {result['seconds'] * 1000:.0f} ms")


def test_import_exposes_the_core_public_names() -> None:
    import bricks

    for name in ("tensor", "Tensor", "no_grad", "autograd", "float32", "manual_seed", "Size"):
        assert hasattr(bricks, name), name
