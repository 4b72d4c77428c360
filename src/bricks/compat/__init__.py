"""Dialect facades: run MXNet Gluon and MindSpore code on the bricks engine.

``install("mxnet")`` (or ``"mindspore"``) registers the facade under the framework's own
module names in ``sys.modules``, so that unchanged code such as
``from mxnet.gluon import nn`` runs on bricks. Nothing in ``bricks`` imports this package.

Example:
    >>> import bricks.compat
    >>> mx = bricks.compat.install("mxnet")
    >>> from mxnet import nd
    >>> nd.ones((2, 3)).shape
    (2, 3)
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["install", "uninstall"]

# Module name the user imports -> facade module that serves it.
_MODULES = {
    "mxnet": {
        "mxnet": "bricks.compat.mxnet",
        "mxnet.ndarray": "bricks.compat.mxnet.ndarray",
        "mxnet.nd": "bricks.compat.mxnet.ndarray",
        "mxnet.numpy": "bricks.compat.mxnet.numpy",
        "mxnet.np": "bricks.compat.mxnet.numpy",
        "mxnet.numpy_extension": "bricks.compat.mxnet.npx",
        "mxnet.npx": "bricks.compat.mxnet.npx",
        "mxnet.autograd": "bricks.compat.mxnet.autograd",
        "mxnet.initializer": "bricks.compat.mxnet.initializer",
        "mxnet.init": "bricks.compat.mxnet.initializer",
        "mxnet.gluon": "bricks.compat.mxnet.gluon",
        "mxnet.gluon.nn": "bricks.compat.mxnet.gluon.nn",
        "mxnet.gluon.loss": "bricks.compat.mxnet.gluon.loss",
        "mxnet.gluon.parameter": "bricks.compat.mxnet.gluon.parameter",
        "mxnet.gluon.block": "bricks.compat.mxnet.gluon.block",
        "mxnet.gluon.trainer": "bricks.compat.mxnet.gluon.trainer",
        "mxnet.gluon.data": "bricks.compat.mxnet.gluon.data",
        "mxnet.gluon.data.vision": "bricks.compat.mxnet.gluon.data.vision",
        "mxnet.gluon.rnn": "bricks.compat.mxnet.gluon.rnn",
        "mxnet.context": "bricks.compat.mxnet.context",
        "mxnet.image": "bricks.compat.mxnet.image",
    },
    "mindspore": {
        "mindspore": "bricks.compat.mindspore",
        "mindspore.nn": "bricks.compat.mindspore.nn",
        "mindspore.ops": "bricks.compat.mindspore.ops",
        "mindspore.common": "bricks.compat.mindspore.common",
        "mindspore.common.initializer": "bricks.compat.mindspore.common.initializer",
        "mindspore.common.tensor": "bricks.compat.mindspore.tensor",
        "mindspore.common.parameter": "bricks.compat.mindspore.tensor",
        "mindspore.train": "bricks.compat.mindspore.serialization",
        "mindspore.train.serialization": "bricks.compat.mindspore.serialization",
        "mindspore.context": "bricks.compat.mindspore.context",
    },
}


def install(name: str) -> ModuleType:
    """Make ``import name`` (and its submodules) load the bricks facade for that framework.

    Args:
        name: ``"mxnet"`` or ``"mindspore"``.

    Returns:
        The facade's top-level module (what ``import name`` now gives).

    Raises:
        ValueError: for a framework bricks has no facade for.
    """
    if name not in _MODULES:
        raise ValueError(f"install(name=...) expects one of {sorted(_MODULES)}, got {name!r}")
    for alias, target in _MODULES[name].items():
        sys.modules[alias] = importlib.import_module(target)
    return sys.modules[name]


def uninstall(name: str) -> None:
    """Remove the facade's entries from ``sys.modules`` (the real framework can load again).

    Args:
        name: ``"mxnet"`` or ``"mindspore"``.

    Raises:
        ValueError: for a framework bricks has no facade for.
    """
    if name not in _MODULES:
        raise ValueError(f"uninstall(name=...) expects one of {sorted(_MODULES)}, got {name!r}")
    for alias, target in _MODULES[name].items():
        if getattr(sys.modules.get(alias), "__name__", None) == target:
            del sys.modules[alias]
