"""``bricks.amp.GradScaler``: loss scaling, so that float16 gradients neither underflow nor
poison a step.

The loss is multiplied by a scale before backward; ``unscale_`` divides the gradients back
and notes whether any is inf or NaN; ``step`` skips the optimizer step when one was; ``update``
halves the scale after such a step (``backoff_factor``) and doubles it after
``growth_interval`` clean steps in a row (``growth_factor``). The rules and the errors are
torch's (Micikevicius et al., 2018, "Mixed Precision Training", dynamic loss scaling).

Example:
    >>> import bricks
    >>> model = bricks.nn.Linear(3, 1)
    >>> opt = bricks.optim.SGD(model.parameters(), lr=0.1)
    >>> scaler = bricks.amp.GradScaler("cpu")
    >>> loss = model(bricks.ones(2, 3)).sum()
    >>> scaler.scale(loss).backward()
    >>> scaler.step(opt)
    >>> scaler.update()
    >>> scaler.get_scale()
    65536.0
"""

from __future__ import annotations

import enum
import math
import warnings
from typing import Any

from .. import cuda as _cuda
from .._dtypes import float16, float32
from .._tensor import Tensor
from ..autograd import no_grad

__all__ = ["GradScaler"]

_FIX = ("This may indicate your script did not use scaler.scale(loss or outputs) earlier in "
        "the iteration.")


class _Stage(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


class GradScaler:
    """Dynamic loss scaling for mixed-precision training, as ``torch.amp.GradScaler``.

    Args:
        device: the device type of the gradients (``'cuda'`` by default, as torch's).
        init_scale: the first scale.
        growth_factor: the scale is multiplied by this after ``growth_interval`` clean steps.
        backoff_factor: the scale is multiplied by this after a step with inf/NaN gradients.
        growth_interval: how many clean steps in a row make the scale grow.
        enabled: False makes every method a pass-through (``scale`` returns its input,
            ``step`` just steps).

    Raises:
        AssertionError: ``growth_factor <= 1`` or ``backoff_factor >= 1``, as torch.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not _cuda.is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = float(init_scale)
        self._scale: float | None = None  # made by the first scale(), as torch's
        self._growth_tracker = 0
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._per_optimizer: dict[int, dict[str, Any]] = {}

    # ----- one iteration: scale, (unscale_), step, update -----
    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor, or a list/tuple/iterable of them) times the scale."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = self._init_scale
        if isinstance(outputs, Tensor):
            return outputs * self._scale_tensor(outputs)
        if isinstance(outputs, (list, tuple)) or hasattr(outputs, "__iter__"):
            scaled = [self.scale(output) for output in outputs]
            return type(outputs)(scaled) if isinstance(outputs, (list, tuple)) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _scale_tensor(self, like: Tensor) -> Tensor:
        from .._creation import tensor  # below amp; imported here to keep the header short

        return tensor(self._scale, dtype=float32, device=like.device)  # float32, as torch

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _Stage.READY,
                                                               "found_inf": None})

    def _check_scaled(self, what: str) -> float:
        if self._scale is None:
            raise AssertionError(f"Attempted {what} but _scale is None.  " + _FIX)
        return self._scale

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place, and note
        whether any of them is inf or NaN (then ``step`` will skip)."""
        if not self._enabled:
            return
        scale = self._check_scaled("unscale_")
        state = self._state(optimizer)
        if state["stage"] is _Stage.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        grads = [p.grad for group in optimizer.param_groups for p in group["params"]
                 if p.grad is not None]
        if any(g.dtype is float16 for g in grads):
            raise ValueError("Attempting to unscale FP16 gradients.")
        # torch multiplies by the float32 reciprocal of the scale, computed in float64.
        inv_scale = float(self._float32(1.0 / scale))
        found_inf = False
        with no_grad():
            for grad in grads:
                found_inf = found_inf or not bool(grad.isfinite().all())
                grad.mul_(inv_scale)
        state["found_inf"] = found_inf
        state["stage"] = _Stage.UNSCALED

    @staticmethod
    def _float32(value: float) -> float:
        import numpy

        return float(numpy.float32(value))

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale the gradients if ``unscale_`` was not called, then ``optimizer.step()``
        unless a gradient is inf or NaN; returns what ``step`` returned (None when skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scaled("step")
        state = self._state(optimizer)
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Set the next scale: ``new_scale`` if given, else back off after an inf/NaN step or
        grow after ``growth_interval`` clean ones."""
        if not self._enabled:
            return
        self._check_scaled("update")
        if new_scale is not None:
            self._scale = self._new_scale(new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._grow_or_back_off(any(found))
        self._per_optimizer.clear()

    def _new_scale(self, new_scale: float | Tensor) -> float:
        if isinstance(new_scale, float):
            return self._float32(new_scale)
        if (not isinstance(new_scale, Tensor) or new_scale.device.type != self._device
                or new_scale.numel() != 1 or new_scale.requires_grad):
            raise AssertionError("new_scale should be a float or a 1-element "
                                 "torch.cuda.FloatTensor or torch.FloatTensor with "
                                 "requires_grad=False.")
        return self._float32(new_scale.item())

    def _grow_or_back_off(self, found_inf: bool) -> None:
        scale = self._check_scaled("update")
        if found_inf:
            self._scale = self._float32(scale * self._backoff_factor)
            self._growth_tracker = 0
            return
        self._growth_tracker += 1
        if self._growth_tracker == self._growth_interval:
            grown = self._float32(scale * self._growth_factor)
            if math.isfinite(grown):  # a scale that overflows float32 is not taken
                self._scale = grown
            self._growth_tracker = 0

    # ----- settings and state -----
    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """The scale and its rules, as torch's keys (empty when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take the scale and its rules from ``state_dict`` (from :meth:`state_dict`)."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        self._scale = self._init_scale if self._scale is not None else None
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
