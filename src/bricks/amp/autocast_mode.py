"""``bricks.autocast``: regions where products and convolutions run in a lower precision.

Inside ``with bricks.autocast(device_type, dtype=...)``, matrix products (``matmul``, ``mm``,
``bmm``, ``linear``) and convolutions run on their float inputs cast to ``dtype``, and losses
on float32, as in torch; gradients flow back through the casts to the float32 parameters.

What bricks supports, and why: NumPy and CuPy compute in float16 but have no bfloat16, and
``bricks.bfloat16`` is stored as float32. So ``dtype=bricks.float16`` is real mixed precision
on the CPU and on CUDA. A bfloat16 region (the CPU default) cannot be honoured: on the CPU it
warns and is disabled, as torch does for a CPU dtype it cannot run; on CUDA it raises, as
torch does on a GPU without bfloat16. ``'cuda'`` without a GPU warns and is disabled, as in
torch's CPU build.

Example:
    >>> import bricks
    >>> x, w = bricks.ones(2, 3), bricks.ones(4, 3, requires_grad=True)
    >>> with bricks.autocast("cpu", dtype=bricks.float16):
    ...     y = bricks.nn.functional.linear(x, w)
    >>> y.dtype
    bricks.float16
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from .. import cuda as _cuda
from .._autocast import REGIONS
from .._device import device as _device_type
from .._dtypes import bfloat16, dtype, float16, float64
from .._tensor import Tensor

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled", "get_autocast_dtype",
           "custom_fwd", "custom_bwd"]

_DEFAULT_DTYPES = {"cpu": bfloat16, "cuda": float16}
_NO_BFLOAT16 = ("bricks has no bfloat16 arithmetic (bricks.bfloat16 is stored as float32, "
                "NumPy and CuPy have no bfloat16)")


def _device_kind(device_type: Any) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    return _device_type(device_type).type  # torch's RuntimeError for an unknown type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used for ``device_type`` (``'cpu'`` and ``'cuda'``)."""
    return _device_kind(device_type) in _DEFAULT_DTYPES


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether an enabled autocast region for ``device_type`` is open in this thread (with
    no argument: CUDA's, as torch's legacy form)."""
    return _device_kind(device_type) in REGIONS.dtypes


def get_autocast_dtype(device_type: str) -> dtype:
    """The dtype of the open autocast region of ``device_type``, or its default."""
    kind = _device_kind(device_type)
    return REGIONS.dtypes.get(kind, _DEFAULT_DTYPES.get(kind, float16))


def _open(kind: str, dtype: dtype | None) -> dtype | None:
    """Make ``dtype`` the region dtype of ``kind`` (None: autocast off); return the old one."""
    previous = REGIONS.dtypes.get(kind)
    if dtype is None:
        REGIONS.dtypes.pop(kind, None)
    else:
        REGIONS.dtypes[kind] = dtype
    return previous


class autocast:
    """Context manager (and decorator) for a mixed-precision region, as ``torch.autocast``.

    Args:
        device_type: ``'cpu'`` or ``'cuda'``: the tensors whose ops are cast.
        dtype: the lower precision; ``bricks.float16`` (bfloat16, the CPU default, is refused
            as the module docstring says). Default: bfloat16 on the CPU, float16 on CUDA.
        enabled: False opens a region where autocast is off (also inside an enabled one).
        cache_enabled: accepted for torch's signature; bricks caches no casts.

    Raises:
        ValueError: ``device_type`` is not a str.
        RuntimeError: an unknown device type, or bfloat16 on CUDA.
    """

    def __init__(self, device_type: str, dtype: dtype | None = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        self.device = _device_kind(device_type)
        self.fast_dtype = _DEFAULT_DTYPES[self.device] if dtype is None else dtype
        self._enabled = bool(enabled) and self._supported()
        self._saved: list[Any] = []

    def _supported(self) -> bool:
        """Whether the region can run as asked; warns (or raises) as torch when it cannot."""
        if self.device == "cuda":
            if not _cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", UserWarning, stacklevel=3)
                return False
            if self.fast_dtype is bfloat16:
                raise RuntimeError(f"Current CUDA Device does not support bfloat16: "
                                   f"{_NO_BFLOAT16}. Please switch dtype to float16.")
            return self._float16_only("CUDA")
        if self.fast_dtype is bfloat16:
            warnings.warn(f"In CPU autocast, but the target dtype is not supported: "
                          f"{_NO_BFLOAT16}. Disabling autocast.\nbricks' CPU autocast supports "
                          "dtype=bricks.float16.", UserWarning, stacklevel=3)
            return False
        return self._float16_only("CPU")

    def _float16_only(self, where: str) -> bool:
        if self.fast_dtype is float16:
            return True
        warnings.warn(f"In {where} autocast, but the target dtype is not supported. Disabling "
                      f"autocast.\n{where} Autocast only supports dtype of bricks.float16 "
                      f"currently (got {self.fast_dtype}).", UserWarning, stacklevel=4)
        return False

    def __enter__(self) -> autocast:
        self._saved.append(_open(self.device, self.fast_dtype if self._enabled else None))
        return self

    def __exit__(self, *exc: Any) -> None:
        _open(self.device, self._saved.pop())

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)
        return run


def _cast_floats(value: Any, kind: str, target: dtype) -> Any:
    """``value`` with its float tensors of device type ``kind`` (not float64) as ``target``."""
    if isinstance(value, Tensor):
        if value.is_floating_point() and value.device.type == kind and value.dtype is not \
                float64:
            return value.to(target)
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_floats(v, kind, target) for v in value)
    if isinstance(value, dict):
        return {k: _cast_floats(v, kind, target) for k, v in value.items()}
    return value


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str,
               cast_inputs: dtype | None = None) -> Any:
    """Decorate a custom ``Function.forward`` for autocast regions, as ``torch.amp.custom_fwd``.

    With ``cast_inputs``, inside an enabled region of ``device_type`` the forward runs with
    autocast off on its float inputs cast to ``cast_inputs``; otherwise it runs in the region
    as it is. Either way :func:`custom_bwd` gives the backward the same autocast state.
    """
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    kind = _device_kind(device_type)

    @functools.wraps(fwd)
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        enabled = kind in REGIONS.dtypes
        ctx._autocast_dtype = get_autocast_dtype(kind)
        ctx._fwd_used_autocast = enabled and cast_inputs is None
        if not enabled or cast_inputs is None:
            return fwd(ctx, *args, **kwargs)
        with autocast(kind, enabled=False):
            return fwd(ctx, *_cast_floats(args, kind, cast_inputs),
                       **_cast_floats(kwargs, kind, cast_inputs))
    return forward


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorate a custom ``Function.backward`` to run in the autocast state its forward ran
    in, as ``torch.amp.custom_bwd``."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    kind = _device_kind(device_type)

    @functools.wraps(bwd)
    def backward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        previous = _open(kind, ctx._autocast_dtype if ctx._fwd_used_autocast else None)
        try:
            return bwd(ctx, *args, **kwargs)
        finally:
            _open(kind, previous)
    return backward
