"""The name-coverage probe (tools/coverage_probe.py): the share of the ``torch.*`` functions and
Tensor methods a typical user touches that bricks has stays at or above issue 12's 95%."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def _probe():
    spec = importlib.util.spec_from_file_location("coverage_probe",
                                                  ROOT / "tools" / "coverage_probe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_probed_name_exists_in_torch():
    probe = _probe()
    assert [n for n in probe.names(probe.TORCH) if not hasattr(torch, n)] == []
    assert [n for n in probe.names(probe.TENSOR) if not hasattr(torch.Tensor, n)] == []
    assert [n for n in probe.names(probe.NN) if not hasattr(torch.nn, n)] == []
    assert [n for n in probe.names(probe.FUNCTIONAL) if not hasattr(torch.nn.functional, n)] == []
    assert [n for n in probe.names(probe.OPTIM) if not hasattr(torch.optim, n)] == []
    assert [n for n in probe.names(probe.SCHEDULERS)
            if not hasattr(torch.optim.lr_scheduler, n)] == []
    assert [n for n in probe.names(probe.DISTRIBUTIONS)
            if not hasattr(torch.distributions, n)] == []
    assert [n for n in probe.names(probe.ENVIRONMENT) if not probe.has(torch, n)] == []
    assert [n for n in probe.names(probe.TESTING) if not hasattr(torch.testing, n)] == []
    assert [n for n in probe.names(probe.SPECIAL) if not hasattr(torch.special, n)] == []
    assert [n for n in probe.names(probe.FUNC) if not hasattr(torch.func, n)] == []
    for _, dotted, block in probe.NAMESPACES:
        namespace = probe.resolve(torch, dotted)
        assert [n for n in probe.names(block) if not hasattr(namespace, n)] == [], dotted


def test_bricks_has_at_least_95_percent_of_each_group():
    for group, (have, total, missing) in _probe().report().items():
        assert have / total >= 0.95, f"{group}: {have}/{total}, missing {missing}"


def test_every_probed_torch_name_is_in_bricks():
    """issue 12: with ``torch.fft``, the last missing name, every ``torch.*`` name is there."""
    have, total, missing = _probe().report()["torch.*"]
    assert (have, missing) == (total, []) and total >= 266  # names are added, never dropped
