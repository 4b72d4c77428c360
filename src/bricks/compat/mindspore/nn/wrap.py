"""``mindspore.nn`` training wrappers: ``WithLossCell`` and ``TrainOneStepCell``."""

from __future__ import annotations

from typing import Any

from .._autodiff import value_and_grad
from ..tensor import Tensor
from .cell import Cell

__all__ = ["WithLossCell", "TrainOneStepCell"]


class WithLossCell(Cell):
    """A backbone followed by its loss: ``construct(data, label)`` returns the loss.

    Args:
        backbone: the network.
        loss_fn: the loss Cell, called as ``loss_fn(backbone(data), label)``.
    """

    def __init__(self, backbone: Cell, loss_fn: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data: Any, label: Any) -> Tensor:
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self) -> Cell:
        """The network without its loss."""
        return self._backbone


class TrainOneStepCell(Cell):
    """One training step per call: the loss, its gradients, the optimizer's update.

    Args:
        network: a Cell returning the loss (usually a ``WithLossCell``).
        optimizer: the optimizer; the gradients are taken with respect to its parameters.
        sens: the loss's sensitivity (the gradient it starts from).
    """

    def __init__(self, network: Cell, optimizer: Cell, sens: float = 1.0) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.network.set_train()
        self.optimizer = optimizer
        self.weights = optimizer.parameters
        self.sens = sens
        self._grad_fn = value_and_grad(self.network, None, self.weights)

    def construct(self, *inputs: Any) -> Tensor:
        loss, grads = self._grad_fn(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        return loss
