"""A static rule: ops, autograd, nn and optim never create arrays from the module-level NumPy.

Arrays made there with ``xp.zeros(...)`` (``xp`` is NumPy) would be host arrays even when the
inputs live on a GPU. Code creates arrays from its inputs' module instead
(``array_module(x).zeros(...)``, or ``xp.zeros_like(x)``, which dispatches on ``x``). A host
array made on purpose says why in a ``# host:`` comment on its line (or the line above).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "bricks"
CHECKED = ("ops", "autograd", "nn", "optim")
# Whole files that are host code by design, with the reason.
EXEMPT = {
    "nn/init.py": "initializers draw on the host and copy into the tensor, wherever it lives "
                  "(the same initial weights on every device)",
}
EXEMPT_PACKAGES = {
    "nn/parallel": "MPI buffers live on the host (the pip MPI wheels are not CUDA-aware)",
}
CREATION = {"zeros", "empty", "ones", "full", "arange", "array", "asarray", "asanyarray",
            "ascontiguousarray", "eye", "identity", "linspace", "logspace", "frombuffer",
            "fromiter", "tri", "indices"}
HOST_MODULES = {"xp", "np", "numpy"}


def violations(source: str, name: str = "<source>") -> list[str]:
    """``file:line: call`` for each creation call on the module-level NumPy in ``source``."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        chain = []
        target: ast.expr = node.func
        while isinstance(target, ast.Attribute):
            chain.append(target.attr)
            target = target.value
        if not isinstance(target, ast.Name) or target.id not in HOST_MODULES:
            continue
        chain.reverse()
        creates = chain[0] in CREATION or chain[0] == "random"
        if not creates or _explained(lines, node.lineno) or _step_counter(node, name):
            continue
        found.append(f"{name}:{node.lineno}: {target.id}.{'.'.join(chain)}(...)")
    return found


def _explained(lines: list[str], lineno: int) -> bool:
    here = lines[lineno - 1]
    above = lines[lineno - 2] if lineno >= 2 else ""
    return "# host:" in here or above.strip().startswith("# host:")


def _step_counter(node: ast.Call, name: str) -> bool:
    # Optimizers keep their step counts as 0-d host tensors, as torch does for
    # non-capturable optimizers: ``xp.zeros((), xp.float32)``.
    first = node.args[0] if node.args else None
    return name.startswith("optim/") and isinstance(first, ast.Tuple) and not first.elts


def _checked_files() -> list[Path]:
    files = []
    for package in CHECKED:
        for path in sorted((SRC / package).rglob("*.py")):
            relative = path.relative_to(SRC).as_posix()
            if relative in EXEMPT or any(relative.startswith(p + "/") for p in EXEMPT_PACKAGES):
                continue
            files.append(path)
    return files


def test_no_array_creation_from_the_module_level_numpy_in_ops_autograd_nn_optim() -> None:
    files = _checked_files()
    assert len(files) > 40  # the scan sees the packages
    found = []
    for path in files:
        found += violations(path.read_text(), path.relative_to(SRC).as_posix())
    assert not found, ("arrays created from the module-level NumPy (use array_module(x) of an "
                       "input, or say why with '# host:'):\n" + "\n".join(found))


def test_the_rule_catches_a_host_buffer_and_accepts_the_input_module() -> None:
    bad = "def backward(self, gy):\n    gx = xp.zeros(self.shape, gy.dtype)\n    return gx\n"
    assert violations(bad, "ops/x.py") == ["ops/x.py:2: xp.zeros(...)"]
    assert violations("r = xp.random.default_rng(0)\n", "nn/x.py") == [
        "nn/x.py:1: xp.random.default_rng(...)"]
    good = ("def backward(self, gy):\n    gx = array_module(gy).zeros(self.shape, gy.dtype)\n"
            "    gz = xp.zeros_like(gy)\n    h = xp.zeros(3)  # host: dtype arithmetic only\n")
    assert violations(good, "ops/x.py") == []
    assert violations("s = xp.zeros((), xp.float32)\n", "optim/x.py") == []
    assert violations("s = xp.zeros((), xp.float32)\n", "ops/x.py") != []
