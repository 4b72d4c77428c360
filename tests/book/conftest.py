"""The textbook's library loaded twice, once per framework (see ``_d2l.py``)."""

import pytest
import torch
from _d2l import load_d2l

import bricks


@pytest.fixture(scope="session")
def d2l_pair():
    """``[(bricks, d2l on bricks), (torch, d2l on torch)]``: run a chapter on both."""
    return [(bricks, load_d2l(bricks, "d2l_on_bricks")), (torch, load_d2l(torch, "d2l_on_torch"))]


@pytest.fixture(autouse=True)
def _close_figures():
    """d2l's Animator opens a figure per call: close them (matplotlib warns past 20)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
