"""The textbook's library loaded twice, once per framework (see ``_d2l.py``)."""

import pytest
import torch
from _d2l import load_d2l

import bricks


@pytest.fixture(scope="session")
def d2l_pair():
    """``[(bricks, d2l on bricks), (torch, d2l on torch)]``: run a chapter on both."""
    return [(bricks, load_d2l(bricks, "d2l_on_bricks")), (torch, load_d2l(torch, "d2l_on_torch"))]


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """torch on one thread while the chapters run: their layers are tiny, and torch's
    thread pool, spinning on a machine shared with other jobs, made a few steps of a small
    GRU take seconds instead of milliseconds. Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _close_figures():
    """d2l's Animator opens a figure per call: close them (matplotlib warns past 20)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
