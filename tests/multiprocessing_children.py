"""What the child processes of tests/test_multiprocessing.py run: importable by a ``spawn``
child without the test module (which imports torch, seconds per child)."""

from __future__ import annotations

from typing import Any

import bricks


def add_in_place(tensor: Any, amount: float = 1.0) -> None:
    """Write into the tensor's memory, as a training worker would."""
    tensor.add_(amount)


def spawn_worker(rank: int, shared: Any, unshared: Any, model: Any, queue: Any) -> None:
    """``spawn``'s entry point: add ``rank + 1`` to element ``rank`` of both tensors; rank 0
    reports what it got and adds 1 to the model's parameters in place."""
    shared[rank] += rank + 1
    unshared[rank] += rank + 1
    if rank == 0:
        queue.put((type(model.weight).__name__, model.weight.requires_grad,
                   model.weight.is_shared(), unshared.is_shared()))
        with bricks.no_grad():
            for parameter in model.parameters():
                parameter.add_(1.0)


def serve_queue(requests: Any, done: Any) -> None:
    """Receive tensors through a queue, change each in place, say so."""
    while True:
        tensor = requests.get()
        if tensor is None:
            return
        tensor.mul_(10)
        done.put(tensor.is_shared())


def fail(rank: int, message: str) -> None:
    if rank == 1:
        raise ValueError(message)


def exit_with(rank: int, code: int) -> None:
    if rank == 0:
        raise SystemExit(code)
