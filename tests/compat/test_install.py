"""bricks.compat.install: module registration, and bricks never importing the facades."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

import bricks.compat


def test_install_registers_every_mxnet_module_name(mx):
    for name in ("mxnet", "mxnet.gluon", "mxnet.gluon.nn", "mxnet.init", "mxnet.nd",
                 "mxnet.np", "mxnet.npx", "mxnet.autograd"):
        assert name in sys.modules
    from mxnet import autograd, init, nd, np, npx  # noqa: F401
    from mxnet.gluon import nn

    assert nn.Dense.__module__ == "bricks.compat.mxnet.gluon.nn"


def test_install_registers_mindspore_module_names(ms):
    from mindspore import nn, ops  # noqa: F401
    from mindspore.common.initializer import Uniform, initializer  # noqa: F401

    assert sys.modules["mindspore"] is ms


def test_uninstall_removes_the_names():
    bricks.compat.install("mxnet")
    bricks.compat.uninstall("mxnet")
    assert "mxnet" not in sys.modules and "mxnet.gluon.nn" not in sys.modules


def test_install_rejects_unknown_framework():
    with pytest.raises(ValueError, match="expects one of"):
        bricks.compat.install("tensorflow")


def test_bricks_core_never_imports_compat():
    source = pathlib.Path(bricks.compat.__file__).parents[1]
    offenders = []
    for path in source.rglob("*.py"):
        if "compat" in path.relative_to(source).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any("compat" in name.split(".") for name in names):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []
    code = "import bricks, sys; print(any(m.startswith('bricks.compat') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
