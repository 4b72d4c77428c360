"""MindSpore checkpoints on bricks' safe files: ``save_checkpoint``, ``load_checkpoint``,
``load_param_into_net``.

A checkpoint maps each parameter's ``name`` to its values, written by ``bricks.save``
(safetensors, atomic, never pickled). Loading into a network checks every entry first (shape,
and dtype: floats convert to each other, anything else must match exactly) and changes
nothing unless all pass, with MindSpore's errors and return values.
"""

from __future__ import annotations

import os
from typing import Any

import numpy

import bricks

from .._facade import unwrap
from .tensor import Parameter, to_ms_dtype

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]


def _entries(save_obj: Any) -> list[tuple[str, Any]]:
    if hasattr(save_obj, "parameters_dict"):
        return list(save_obj.parameters_dict().items())
    if isinstance(save_obj, dict):
        return list(save_obj.items())
    if isinstance(save_obj, list):
        entries = []
        for entry in save_obj:
            if isinstance(entry, dict) and {"name", "data"} <= set(entry):
                entries.append((entry["name"], entry["data"]))
            elif isinstance(entry, list):  # [name, data] pairs, as MindSpore also accepts
                entries.append((entry[0], entry[1]))
            else:
                raise TypeError(f"For 'save_checkpoint', each element of a list 'save_obj' "
                                f"should be a dict with 'name' and 'data', but got {entry!r}")
        return entries
    raise TypeError(f"For 'save_checkpoint', the argument 'save_obj' should be a Cell, a dict "
                    f"or a list, but got {type(save_obj).__name__}")


def _array(name: str, value: Any) -> bricks.Tensor:
    if isinstance(value, bool):
        return bricks.tensor(value)
    if isinstance(value, int):
        return bricks.tensor(value, dtype=bricks.int64)
    if isinstance(value, float):
        return bricks.tensor(value, dtype=bricks.float32)
    if isinstance(value, (numpy.ndarray, numpy.generic)):
        return bricks.from_numpy(numpy.array(value))
    tensor = unwrap(value)
    if not isinstance(tensor, bricks.Tensor):
        raise TypeError(f"For 'save_checkpoint', the value of {name!r} should be a Tensor, "
                        f"Parameter, number or array, but got {type(value).__name__}")
    return tensor.detach()


def save_checkpoint(save_obj: Any, ckpt_file_name: str | os.PathLike,
                    integrated_save: bool = True, async_save: bool = False,
                    append_dict: dict | None = None, **kwargs: Any) -> None:
    """Save a Cell's parameters, a dict, or a list of ``{'name': ..., 'data': ...}`` dicts.

    Args:
        save_obj: what to save.
        ckpt_file_name: the file; ``.ckpt`` is added when the name has no such suffix.
        append_dict: more entries (numbers become Int64 or Float32 scalars, as MindSpore's).

    Raises:
        TypeError: for another kind of object or value.
    """
    path = os.fspath(ckpt_file_name)
    if not path.endswith(".ckpt"):
        path += ".ckpt"
    entries = _entries(save_obj) + list((append_dict or {}).items())
    bricks.save({name: _array(name, value) for name, value in entries}, path)


def load_checkpoint(ckpt_file_name: str | os.PathLike, net: Any = None,
                    strict_load: bool = False, filter_prefix: Any = None,
                    **kwargs: Any) -> dict:
    """Read a checkpoint as a dict of name -> Parameter, each of the dtype it was saved with
    (also loaded into ``net`` if given).

    Raises:
        ValueError: if the file does not exist or holds no checkpoint dict.
    """
    path = os.fspath(ckpt_file_name)
    if not os.path.isfile(path):
        raise ValueError(f"For 'load_checkpoint', the checkpoint file {path} does not exist, "
                         f"please check whether the 'ckpt_file_name' is correct.")
    loaded = bricks.load(path)
    if not isinstance(loaded, dict) or not all(isinstance(v, bricks.Tensor)
                                               for v in loaded.values()):
        raise ValueError(f"For 'load_checkpoint', the file {path} is not a checkpoint: it holds "
                         f"a {type(loaded).__name__}, not a dict of names to tensors")
    prefixes = (filter_prefix,) if isinstance(filter_prefix, str) else tuple(filter_prefix or ())
    params = {name: Parameter(value, name=name) for name, value in loaded.items()
              if not name.startswith(prefixes) or not prefixes}
    if net is not None:
        load_param_into_net(net, params, strict_load)
    return params


def _problem(name: str, target: Any, value: Any) -> str | None:
    source = unwrap(value)
    source = source if isinstance(source, bricks.Tensor) else bricks.as_tensor(source)
    if tuple(source.shape) != tuple(target.shape):
        return (f"For 'load_param_into_net', {name} in the argument 'net' should have the same "
                f"shape as {name} in the argument 'parameter_dict'. But got its shape "
                f"{tuple(target.shape)} in the argument 'net' and shape {tuple(source.shape)} "
                f"in the argument 'parameter_dict'.")
    target_dtype = bricks.Tensor.dtype.fget(target)  # type: ignore[attr-defined]
    both_float = source.is_floating_point() and target_dtype.is_floating_point
    if source.dtype != target_dtype and not both_float:
        return (f"For 'load_param_into_net', {name} in the argument 'net' should have the same "
                f"type as {name} in the argument 'parameter_dict'. but got its type "
                f"{to_ms_dtype(target_dtype)} in the argument 'net' and type "
                f"{to_ms_dtype(source.dtype)} in the argument 'parameter_dict'.")
    return None


def load_param_into_net(net: Any, parameter_dict: dict, strict_load: bool = False,
                        **kwargs: Any) -> tuple[list[str], list[str]]:
    """Copy values by parameter name into ``net``, all of them or none.

    Returns:
        (names of net parameters not loaded, names in ``parameter_dict`` not used).

    Raises:
        TypeError: if ``parameter_dict`` is not a dict.
        RuntimeError: listing every shape or dtype mismatch; nothing is changed then.
    """
    if not isinstance(parameter_dict, dict):
        raise TypeError(f"For 'load_param_into_net', the argument 'parameter_dict' should be a "
                        f"dict, but got {type(parameter_dict).__name__}")
    targets = net.parameters_dict()
    problems = [problem for name, value in parameter_dict.items() if name in targets
                for problem in [_problem(name, targets[name], value)] if problem]
    if problems:
        raise RuntimeError("\n".join(problems) + " May you need to check whether the "
                                                 "checkpoint you loaded is correct.")
    with bricks.no_grad():
        for name, value in parameter_dict.items():
            if name in targets:
                target = targets[name]
                source = unwrap(value)
                target.detach().copy_(source if isinstance(source, bricks.Tensor)
                                      else bricks.as_tensor(source))
    not_loaded = [name for name in targets if name not in parameter_dict]
    unused = [name for name in parameter_dict if name not in targets]
    return not_loaded, unused
