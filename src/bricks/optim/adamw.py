"""``AdamW``: Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Adam whose weight decay shrinks the weights directly instead of adding to the gradient.

    Each step first scales :math:`\theta \leftarrow \theta (1 - \gamma\lambda)`, then takes
    the Adam step of ``Adam`` (whose docstring gives the formulas) on the plain gradient.
    Loshchilov and Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).

    Args:
        params: parameters or parameter groups (see ``Optimizer``).
        lr: learning rate :math:`\gamma`.
        betas: the averaging factors of the first and second moments.
        eps: added to the denominator for stability.
        weight_decay: the decoupled decay :math:`\lambda` (default 0.01).
        amsgrad: use the maximum of past second moments.
        maximize: maximize the objective instead of minimizing it.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a beta outside [0, 1).
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
