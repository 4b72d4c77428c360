"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search."""

from __future__ import annotations

from typing import Any, Callable

from .._device import array_module, xp
from .._tensor import Tensor, bump_version
from ..autograd.grad_mode import enable_grad
from ._line_search import strong_wolfe
from .optimizer import Optimizer

__all__ = ["LBFGS"]


def _with_grad(closure: Callable[[], Any]) -> Any:
    """The closure's loss, computed with recording on (``step`` may run under ``no_grad``)."""
    with enable_grad():
        return closure()


class LBFGS(Optimizer):
    r"""L-BFGS: quasi-Newton steps from the last ``history_size`` gradient differences.

    Each ``step(closure)`` runs up to ``max_iter`` iterations: the two-loop recursion turns
    the gradient into a direction :math:`d = -H g` (with :math:`H` built from the pairs
    :math:`s_k = \theta_{k+1} - \theta_k`, :math:`y_k = g_{k+1} - g_k`), then moves by
    ``lr`` along it, or by a step chosen with the strong-Wolfe line search. The port follows
    torch's (itself from minFunc), so that both take the same steps.

    Nocedal, "Updating Quasi-Newton Matrices with Limited Storage" (Math. Comp. 1980).

    Args:
        params: the parameters (one group only).
        lr: the step length (the first iteration is scaled by ``1 / |g|_1`` when below 1).
        max_iter: iterations per ``step``.
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient entry is below this.
        tolerance_change: stop when the step or the loss changes by less than this.
        history_size: how many pairs :math:`(s, y)` to keep.
        line_search_fn: ``'strong_wolfe'`` or None.

    Raises:
        ValueError: for a negative lr, or more than one parameter group.

    Example:
        >>> import bricks
        >>> w = bricks.tensor([3.0, -2.0], requires_grad=True)
        >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - 1) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> _ = opt.step(closure)
        >>> [round(v, 4) for v in w.tolist()]
        [1.0, 1.0]
    """

    def __init__(self, params: Any, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # ----- the parameters as one flat vector -----
    def _flat_grad(self) -> Any:
        views = [array_module(p._value).zeros(p._value.size, p._value.dtype) if p.grad is None
                 else p.grad._value.reshape(-1) for p in self._params]
        return xp.concatenate(views)

    def _add_to_params(self, step_size: Any, update: Any) -> None:
        offset = 0
        for p in self._params:
            size = p._value.size
            p._value += (step_size * update[offset:offset + size]).reshape(p._value.shape)
            bump_version(p)
            offset += size

    def _set_params(self, values: list[Any]) -> None:
        for p, value in zip(self._params, values):
            p._value[...] = value
            bump_version(p)

    def _evaluate_along(self, closure: Callable, x: list[Any], d: Any) -> Callable:
        def evaluate(t: Any) -> tuple[float, Any]:
            self._add_to_params(t, d)
            loss = float(_with_grad(closure))
            flat_grad = self._flat_grad()
            self._set_params(x)
            return loss, flat_grad
        return evaluate

    # ----- the step -----
    # closure is required here, as in torch
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations, re-evaluating the model through ``closure``.

        Args:
            closure: clears the gradients, computes the loss, calls ``backward`` and returns
                the loss.

        Returns:
            The loss of the first evaluation.
        """
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = _with_grad(closure)
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= group["tolerance_grad"]:
            return orig_loss
        self._iterate(closure, group, state, loss, flat_grad)
        return orig_loss

    def _iterate(self, closure: Callable, group: dict[str, Any], state: dict[str, Any],
                 loss: float, flat_grad: Any) -> None:
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_change = group["tolerance_change"]
        d, t, prev_flat_grad = state.get("d"), state.get("t"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        current_evals, n_iter = 1, 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                d = self._direction(state, flat_grad, prev_flat_grad, d, t, group)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break
            loss, flat_grad, t, evals = self._move(closure, group, loss, flat_grad, d, t, gtd,
                                                   current_evals, n_iter)
            current_evals += evals
            state["func_evals"] += evals
            if (n_iter == max_iter or current_evals >= max_eval
                    or xp.abs(flat_grad).max() <= group["tolerance_grad"]
                    or xp.abs(d * t).max() <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change):
                break
        state.update(d=d, t=t, prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)

    def _move(self, closure: Callable, group: dict[str, Any], loss: float, flat_grad: Any,
              d: Any, t: Any, gtd: Any, current_evals: int,
              n_iter: int) -> tuple[float, Any, Any, int]:
        """Step along ``d``: by ``t``, or by the line search's step; the new loss and grad."""
        line_search_fn = group["line_search_fn"]
        if line_search_fn is not None:
            if line_search_fn != "strong_wolfe":
                raise RuntimeError("only 'strong_wolfe' is supported")
            x_init = [p._value.copy() for p in self._params]
            evaluate = self._evaluate_along(closure, x_init, d)
            loss, flat_grad, t, evals = strong_wolfe(evaluate, t, d, loss, flat_grad, gtd,
                                                     max_ls=group["max_eval"] - current_evals)
            self._add_to_params(t, d)
            return loss, flat_grad, t, evals
        self._add_to_params(t, d)
        if n_iter == group["max_iter"]:  # the last iteration: torch evaluates no more
            return loss, flat_grad, t, 0
        loss = float(_with_grad(closure))
        return loss, self._flat_grad(), t, 1

    @staticmethod
    def _direction(state: dict[str, Any], flat_grad: Any, prev_flat_grad: Any, d: Any, t: Any,
                   group: dict[str, Any]) -> Any:
        """The quasi-Newton direction by the two-loop recursion, after adding the newest pair."""
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == group["history_size"]:
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)
        al = [None] * len(old_dirs)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r
