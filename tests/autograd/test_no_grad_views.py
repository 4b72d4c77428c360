"""Views made in no_grad mode of a base that requires grad, as torch's: they require grad but
are leaves without a node, no gradient reaches them (nor their base through them), a recorded
in-place change of them is refused, and once their base changes in place in a graph they
refuse to be used."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks


def _base(m: Any, leaf: bool) -> Any:
    x = m.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    return x if leaf else x * 1


def _no_grad_view(m: Any, leaf: bool, view: Callable[[Any], Any] = lambda a: a[0]) -> tuple:
    a = _base(m, leaf)
    with m.no_grad():
        v = view(a)
    return a, v


def _flags(m: Any, leaf: bool, view: Callable[[Any], Any]) -> tuple:
    a, v = _no_grad_view(m, leaf, view)
    return v.requires_grad, v.is_leaf, v.grad_fn is None, v._is_view(), v._base is a, v._version


def _view_of_a_view_in_no_grad(m: Any, leaf: bool) -> tuple:
    a = _base(m, leaf)
    with m.no_grad():
        v = a.T[1:]
    return v.requires_grad, v.is_leaf, v.grad_fn is None, v._base is a


def _view_of_it_in_grad_mode(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    w = v[1:]
    return w.requires_grad, w.is_leaf, _name(w.grad_fn), w._base is a


def _no_gradient_reaches_it(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    y = v * 2 + a[1]  # the base's own use gets its gradient
    y.sum().backward()
    grad = a.grad.numpy().tolist() if leaf else None
    return _name(y.grad_fn), v.grad, grad


def _a_view_of_it_passes_no_gradient(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    (v[1:] * 3).sum().backward()
    return v.grad, a.grad if leaf else None


def _next_functions(m: Any, leaf: bool) -> list:
    a, v = _no_grad_view(m, leaf)
    return [node is None for node, _ in (v * a[1]).grad_fn.next_functions]


def _backward_from_it(m: Any, leaf: bool) -> None:
    a, v = _no_grad_view(m, leaf)
    v.backward(m.ones(3))


def _grad_with_respect_to_it(m: Any, leaf: bool) -> None:
    a, v = _no_grad_view(m, leaf)
    m.autograd.grad((v * 2).sum(), v)


def _requires_grad_true_gives_it_a_grad(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    v.requires_grad_(True)
    (v * 2).sum().backward()
    return v.grad.numpy().tolist(), a.grad if leaf else None, v.is_leaf


def _requires_grad_false_keeps_it(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    v.requires_grad_(False)
    return v.requires_grad, v.is_leaf


def _hooks_never_run(m: Any, leaf: bool) -> list:
    a, v = _no_grad_view(m, leaf)
    calls: list = []
    v.register_hook(calls.append)
    v.retain_grad()
    (v * 2).sum().backward()
    return calls


def _post_accumulate_hooks_never_run(m: Any, leaf: bool) -> list:
    a, v = _no_grad_view(m, leaf)
    calls: list = []
    v.register_post_accumulate_grad_hook(calls.append)
    (v * 2).sum().backward()
    return calls


def _in_place_in_grad_mode(m: Any, leaf: bool) -> None:
    a, v = _no_grad_view(m, leaf)
    v.mul_(2)


def _setitem_in_grad_mode(m: Any, leaf: bool) -> None:
    a, v = _no_grad_view(m, leaf, lambda a: a.view(3, 2))
    v[0] = m.ones(2, requires_grad=True)


def _in_place_of_a_view_of_it(m: Any, leaf: bool) -> None:
    a, v = _no_grad_view(m, leaf)
    v[1:].add_(1)


def _in_place_in_no_grad_mode(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    with m.no_grad():
        v.mul_(10)
    return a.detach().numpy().tolist(), v.requires_grad, v._version


def _use_after_the_base_changed(m: Any, leaf: bool) -> Any:
    a, v = _no_grad_view(m, leaf)
    if leaf:  # a leaf that requires grad refuses the change itself
        a = a * 1
        with m.no_grad():
            v = a[0]
    a.mul_(2)
    return v * 2


def _ops_on_it_in_no_grad_mode(m: Any, leaf: bool) -> tuple:
    a, v = _no_grad_view(m, leaf)
    with m.no_grad():
        y = v * 2
    return y.requires_grad, (v * 2).requires_grad, v.clone().requires_grad


def _printed(m: Any, leaf: bool) -> str:
    return repr(_no_grad_view(m, leaf)[1]).replace(m.__name__, "torch")


def _numpy(m: Any, leaf: bool) -> Any:
    return _no_grad_view(m, leaf)[1].numpy()


def _split_pieces(m: Any, leaf: bool) -> tuple:
    a = _base(m, leaf)
    with m.no_grad():
        pieces = a.split(1, 1)
    return tuple((p.requires_grad, p.is_leaf, p._base is a) for p in pieces)


def _name(node: Any) -> str | None:
    if node is None:
        return None
    return node.name()


VIEWS: dict[str, Callable[[Any], Any]] = {
    "select": lambda a: a[0],
    "slice": lambda a: a[:, 1:],
    "view": lambda a: a.view(3, 2),
    "reshape": lambda a: a.reshape(-1),
    "transpose": lambda a: a.t(),
    "diagonal": lambda a: a.diagonal(),
    "expand": lambda a: a[:1].expand(4, 3),
    "unbind": lambda a: a.unbind()[1],
    "unsqueeze": lambda a: a.unsqueeze(0),
}

PROGRAMS: dict[str, Callable[[Any, bool], Any]] = {
    "view_of_a_view_in_no_grad": _view_of_a_view_in_no_grad,
    "view_of_it_in_grad_mode": _view_of_it_in_grad_mode,
    "no_gradient_reaches_it": _no_gradient_reaches_it,
    "a_view_of_it_passes_no_gradient": _a_view_of_it_passes_no_gradient,
    "next_functions": _next_functions,
    "backward_from_it": _backward_from_it,
    "grad_with_respect_to_it": _grad_with_respect_to_it,
    "requires_grad_true_gives_it_a_grad": _requires_grad_true_gives_it_a_grad,
    "requires_grad_false_keeps_it": _requires_grad_false_keeps_it,
    "hooks_never_run": _hooks_never_run,
    "post_accumulate_hooks_never_run": _post_accumulate_hooks_never_run,
    "in_place_in_grad_mode": _in_place_in_grad_mode,
    "setitem_in_grad_mode": _setitem_in_grad_mode,
    "in_place_of_a_view_of_it": _in_place_of_a_view_of_it,
    "in_place_in_no_grad_mode": _in_place_in_no_grad_mode,
    "use_after_the_base_changed": _use_after_the_base_changed,
    "ops_on_it_in_no_grad_mode": _ops_on_it_in_no_grad_mode,
    "printed": _printed,
    "numpy": _numpy,
    "split_pieces": _split_pieces,
}


def _outcome(m: Any, f: Callable[[], Any]) -> tuple:
    try:
        result = f()
    except Exception as error:  # noqa: BLE001 - the outcome to compare with torch's
        return type(error).__name__, str(error)
    if type(result).__name__ == "Tensor":
        return ("tensor",)
    return ("ok", result)


def _same(got: tuple, expected: tuple) -> None:
    if expected[0] == "ok" or got[0] == "ok":
        assert got == expected
        return
    # An error: torch's type, and torch's words (bricks may add a line saying what to do).
    assert got[0] == expected[0], (got, expected)
    assert got[-1].startswith(expected[-1].rstrip(".")), (got, expected)


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf_base", "base_in_a_graph"])
@pytest.mark.parametrize("view", VIEWS)
def test_flags_as_torch(view: str, leaf: bool) -> None:
    expected = _flags(torch, leaf, VIEWS[view])
    assert expected[:3] == (True, True, True)
    assert _flags(bricks, leaf, VIEWS[view]) == expected


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf_base", "base_in_a_graph"])
@pytest.mark.parametrize("name", PROGRAMS)
def test_programs_as_torch(name: str, leaf: bool) -> None:
    expected = _outcome(torch, lambda: PROGRAMS[name](torch, leaf))
    got = _outcome(bricks, lambda: PROGRAMS[name](bricks, leaf))
    _same(got, expected)


def test_a_base_without_grad_gives_a_view_without_grad() -> None:
    for m in (torch, bricks):
        a = m.ones(2, 3)
        with m.no_grad():
            v = a[0]
        assert not v.requires_grad and v.is_leaf and v._is_view()


def test_a_refused_change_changes_nothing() -> None:
    a, v = _no_grad_view(bricks, False)
    before = a.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        v.add_(1)
    np.testing.assert_array_equal(a.detach().numpy(), before)
    assert v._version == 0 and v.grad_fn is None and v.requires_grad
    a.sum().backward()  # the base's graph is intact


def test_gradients_of_the_base_are_unchanged_by_such_a_view() -> None:
    grads = []
    for m in (torch, bricks):
        x = m.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
        y = x.exp()
        with m.no_grad():
            v = y[1]
        (y * y).sum().backward(retain_graph=True)
        (v * y[0]).sum().backward()  # through y[0] only
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


def test_a_compiled_step_gives_such_a_view_no_gradient_as_eager() -> None:
    def step(m: Any, x: Any, w: Any, v: Any) -> None:
        ((x * w).sum() + (x * v).sum() * 3).backward()

    data = np.linspace(-1.0, 1.0, 3)
    tw = torch.tensor(data[::-1].copy(), requires_grad=True)
    with torch.no_grad():
        tv = tw[:]
    step(torch, torch.tensor(data), tw, tv)
    w = bricks.tensor(data[::-1].copy(), requires_grad=True)
    with bricks.no_grad():
        v = w[:]
    compiled = bricks.compile(lambda x: step(bricks, x, w, v))
    for _ in range(3):  # the capturing call, then replays
        w.grad = None
        compiled(bricks.tensor(data))
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
        assert v.grad is None and tv.grad is None
