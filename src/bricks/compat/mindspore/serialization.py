"""MindSpore checkpoints on bricks' safe files: ``save_checkpoint``, ``load_checkpoint``,
``load_param_into_net``.

A checkpoint maps each parameter's ``name`` to its values, written by ``bricks.save``
(safetensors, atomic, never pickled).
"""

from __future__ import annotations

from typing import Any

import bricks

from .._facade import unwrap
from .tensor import Parameter

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]


def save_checkpoint(save_obj: Any, ckpt_file_name: str, **kwargs: Any) -> None:
    """Save a Cell's parameters (or a list of ``{'name': ..., 'data': ...}`` dicts).

    Raises:
        TypeError: for another kind of object.
    """
    if hasattr(save_obj, "parameters_dict"):
        items = [(name, param) for name, param in save_obj.parameters_dict().items()]
    elif isinstance(save_obj, list):
        items = [(entry["name"], entry["data"]) for entry in save_obj]
    else:
        raise TypeError(f"For 'save_checkpoint', the argument 'save_obj' should be a Cell or a "
                        f"list of dicts, but got {type(save_obj).__name__}")
    tensors = {name: unwrap(value).detach() for name, value in items}
    bricks.save(tensors, ckpt_file_name)


def load_checkpoint(ckpt_file_name: str, net: Any = None, **kwargs: Any) -> dict:
    """Read a checkpoint as a dict of name -> Parameter (also loaded into ``net`` if given)."""
    loaded = bricks.load(ckpt_file_name)
    params = {name: Parameter(value, name=name) for name, value in loaded.items()}
    if net is not None:
        load_param_into_net(net, params)
    return params


def load_param_into_net(net: Any, parameter_dict: dict, strict_load: bool = False) -> tuple:
    """Copy values by parameter name into ``net``.

    Checks every shape first and copies nothing if one differs.

    Returns:
        (names of net parameters not loaded, names in the checkpoint that were not used).

    Raises:
        TypeError: if ``parameter_dict`` is not a dict.
        RuntimeError: listing every shape mismatch.
    """
    if not isinstance(parameter_dict, dict):
        raise TypeError(f"For 'load_param_into_net', the argument 'parameter_dict' should be a "
                        f"dict, but got {type(parameter_dict).__name__}")
    targets = net.parameters_dict()
    wrong = [f"{name}: checkpoint {tuple(unwrap(value).shape)}, net {targets[name].shape}"
             for name, value in parameter_dict.items()
             if name in targets and tuple(unwrap(value).shape) != targets[name].shape]
    if wrong:
        raise RuntimeError("For 'load_param_into_net', shapes differ: " + "; ".join(wrong))
    for name, value in parameter_dict.items():
        if name in targets:
            targets[name].set_data(value)
    not_loaded = [name for name in targets if name not in parameter_dict]
    unused = [name for name in parameter_dict if name not in targets]
    return not_loaded, unused
