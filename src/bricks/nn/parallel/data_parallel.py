"""``nn.DataParallel``: torch's single-process wrapper, as it behaves where bricks runs.

Without a GPU it wraps and calls its module, as in torch's CPU build (``device_ids`` is
``[]``); its state dict keys carry the ``module.`` prefix, so checkpoints move between
wrapped and bare models as torch's do. With CUDA it checks that the module lives on
``device_ids[0]``, moves the inputs there and runs the module on that one device: bricks does
not replicate a module over several GPUs in one process (``DistributedDataParallel`` over MPI
runs one process per device), and says so once.
"""

from __future__ import annotations

import warnings
from typing import Any

from ... import cuda as _cuda
from ..._device import device as _device_type
from ..module import Module

__all__ = ["DataParallel"]


def _index(device: Any) -> int:
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    index = _device_type(device).index
    return 0 if index is None else index


def _to(value: Any, device: _device_type) -> Any:
    """``value`` with its tensors (also inside lists, tuples and dicts) moved to ``device``."""
    if hasattr(value, "to") and hasattr(value, "device"):
        return value.to(device)
    if isinstance(value, (list, tuple)):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


class DataParallel(Module):
    """Wrap ``module`` for data-parallel training in one process, as ``torch.nn.DataParallel``.

    Args:
        module: the module to run.
        device_ids: the CUDA devices (default: all of them; none without a GPU).
        output_device: where the output goes (default ``device_ids[0]``).
        dim: the batch dimension.

    Example:
        >>> import bricks
        >>> model = bricks.nn.DataParallel(bricks.nn.Linear(2, 3))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        if not _cuda.is_available():
            self.device_ids: list[int] = []
            return
        if device_ids is None:
            device_ids = list(range(_cuda.device_count()))
        self.device_ids = [_index(d) for d in device_ids]
        self.dim = dim
        self.output_device = _index(self.device_ids[0] if output_device is None
                                    else output_device)
        self.src_device_obj = _device_type("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for tensor in (*self.module.parameters(), *self.module.buffers()):
            if tensor.device != self.src_device_obj:
                raise RuntimeError(
                    f"module must have its parameters and buffers on device "
                    f"{self.src_device_obj} (device_ids[0]) but found one of them on device: "
                    f"{tensor.device}")
        if len(self.device_ids) > 1:
            warnings.warn(f"DataParallel over {len(self.device_ids)} devices runs the whole "
                          f"batch on {self.src_device_obj} in bricks (no replicas in one "
                          "process); use DistributedDataParallel to use every GPU",
                          UserWarning, stacklevel=2)
        output = self.module(*_to(inputs, self.src_device_obj),
                             **_to(kwargs, self.src_device_obj))
        return _to(output, _device_type("cuda", self.output_device))
