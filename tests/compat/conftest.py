"""Fixtures: the facades installed under their frameworks' names for each test."""

from __future__ import annotations

import pytest

import bricks
import bricks.compat


@pytest.fixture
def mx():
    """``mxnet`` served by bricks.compat.mxnet (classic NDArray mode, seeded)."""
    bricks.manual_seed(0)
    module = bricks.compat.install("mxnet")
    module.npx.reset_np()
    yield module
    module.npx.reset_np()
    bricks.compat.uninstall("mxnet")


@pytest.fixture
def ms():
    """``mindspore`` served by bricks.compat.mindspore (seeded)."""
    bricks.manual_seed(0)
    module = bricks.compat.install("mindspore")
    yield module
    bricks.compat.uninstall("mindspore")
