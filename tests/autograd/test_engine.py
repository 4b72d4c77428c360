"""The backward engine, grad modes, autograd.grad, the version counter and gradcheck."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import Function, gradcheck


def _pair(values: Any, **kwargs: Any) -> tuple[bricks.Tensor, torch.Tensor]:
    return bricks.tensor(values, **kwargs), torch.tensor(values, **kwargs)


def test_a_tensor_used_several_times_gets_the_sum_of_its_gradients() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x + x.exp() + 3 * x
        y.sum().backward()
        expected = 2 * np.array([1.0, 2, 3]) + np.exp([1.0, 2, 3]) + 3
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


def test_gradients_accumulate_across_backward_calls() -> None:
    x = bricks.tensor([1.0, -2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_grad_is_none_until_backward_reaches_the_leaf() -> None:
    x = bricks.ones(2, requires_grad=True)
    unused = bricks.ones(2, requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    assert x.grad is not None and unused.grad is None


@pytest.mark.parametrize("switch", ["no_grad", "set_grad_enabled"])
def test_grad_modes_work_as_context_managers(switch: str) -> None:
    x = bricks.ones(2, requires_grad=True)
    manager = bricks.no_grad() if switch == "no_grad" else bricks.set_grad_enabled(False)
    with manager:
        y = x * 2
        assert not bricks.is_grad_enabled()
        with bricks.enable_grad():
            z = x * 2
    assert bricks.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad


def test_grad_modes_work_as_decorators_and_restore_on_error() -> None:
    x = bricks.ones(2, requires_grad=True)

    @bricks.no_grad()
    def double(t: bricks.Tensor) -> bricks.Tensor:
        return t * 2

    @bricks.set_grad_enabled(False)
    def triple(t: bricks.Tensor) -> bricks.Tensor:
        return t * 3

    @bricks.no_grad()
    def fail() -> None:
        raise ValueError("boom")

    assert not double(x).requires_grad and not triple(x).requires_grad
    assert bricks.is_grad_enabled()
    with pytest.raises(ValueError):
        fail()
    assert bricks.is_grad_enabled()


def test_set_grad_enabled_as_a_function_switches_until_switched_back() -> None:
    bricks.set_grad_enabled(False)
    try:
        assert not (bricks.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        bricks.set_grad_enabled(True)
    assert bricks.is_grad_enabled()


def test_autograd_grad_returns_gradients_without_touching_grad() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        y = (h * h).sum()
        gx, gh = m.autograd.grad(y, [x, h])
        np.testing.assert_allclose(gx.numpy(), [18.0, 64.0])
        np.testing.assert_allclose(gh.numpy(), [6.0, 16.0])
        assert x.grad is None and w.grad is None


def test_autograd_grad_raises_for_an_unused_input_unless_allowed() -> None:
    x, unused = bricks.ones(2, requires_grad=True), bricks.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        bricks.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = bricks.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.tolist() == [2.0, 2.0]


def test_backward_with_explicit_gradient_and_retain_graph() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.backward(m.tensor([1.0, 0.5]), retain_graph=True)
        y.backward(m.tensor([1.0, 0.5]))
        np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]) * [1, 0.5], rtol=1e-6)


def test_second_backward_without_retain_graph_raises_torchs_error() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_non_scalar_backward_without_gradient_raises() -> None:
    for m in (bricks, torch):
        x = m.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            (x * 2).backward()


def test_backward_of_a_tensor_without_grad_raises() -> None:
    for m in (bricks, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            m.ones(2).sum().backward()


def test_create_graph_is_not_implemented() -> None:
    x = bricks.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="first-order"):
        (x * x).sum().backward(create_graph=True)
    with pytest.raises(NotImplementedError, match="first-order"):
        bricks.autograd.grad((x * x).sum(), x, create_graph=True)


def _version_programs() -> dict[str, Callable[[Any, Any], Any]]:
    """Programs that modify in place a tensor the graph saved (or did not save)."""

    def exp_output(m: Any, x: Any) -> Any:
        y = x.exp()
        y.add_(1)
        return y.sum()

    def mul_input(m: Any, x: Any) -> Any:
        a = x + 0
        b = a * a
        a.mul_(2)
        return b.sum()

    def add_input(m: Any, x: Any) -> Any:
        a = x + 0
        b = a + 1
        a.mul_(2)
        return b.sum()

    def scalar_mul_input(m: Any, x: Any) -> Any:
        a = x + 0
        b = a * 3
        a += 1
        return b.sum()

    def setitem_saved(m: Any, x: Any) -> Any:
        a = x + 0
        b = a.sin()
        a[0] = 5.0
        return b.sum()

    def view_of_saved(m: Any, x: Any) -> Any:
        a = x + 0
        b = a.sin()
        a.view(-1)[1] = 2.0
        return b.sum()

    def saved_view_base_changed(m: Any, x: Any) -> Any:
        a = x + 0
        v = a[1:]
        b = v.cos()
        a.zero_()
        return b.sum()

    def detach_shares_version(m: Any, x: Any) -> Any:
        a = x + 0
        b = a.sin()
        a.detach().zero_()
        return b.sum()

    def data_does_not_bump(m: Any, x: Any) -> Any:
        a = x + 0
        b = a.sin()
        a.data.zero_()
        return b.sum()

    def relu_output(m: Any, x: Any) -> Any:
        y = x.relu()
        y.mul_(2)
        return y.sum()

    def unrelated_inplace(m: Any, x: Any) -> Any:
        a = x + 0
        b = x.sin()
        a.add_(1)
        return (a + b).sum()

    def matmul_weight(m: Any, x: Any) -> Any:
        w = x.reshape(3, 1) + 0
        y = m.ones(2, 3) @ w
        w.add_(1)
        return y.sum()

    return {f.__name__: f for f in (exp_output, mul_input, add_input, scalar_mul_input,
                                    setitem_saved, view_of_saved, saved_view_base_changed,
                                    detach_shares_version, data_does_not_bump, relu_output,
                                    unrelated_inplace, matmul_weight)}


PROGRAMS = _version_programs()


def _raises(m: Any, program: Callable[[Any, Any], Any]) -> bool:
    x = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
    try:
        program(m, x).backward()
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        return True
    return False


@pytest.mark.parametrize("name", PROGRAMS)
def test_inplace_change_of_a_saved_tensor_raises_exactly_when_torch_does(name: str) -> None:
    assert _raises(bricks, PROGRAMS[name]) == _raises(torch, PROGRAMS[name])


@pytest.mark.parametrize("op", ["add_", "mul_", "zero_", "fill_", "setitem", "iadd"])
def test_inplace_on_a_leaf_that_requires_grad_raises_and_changes_nothing(op: str) -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            if op == "setitem":
                x[0] = 3.0
            elif op == "iadd":
                x += 1
            elif op in ("zero_",):
                x.zero_()
            elif op == "fill_":
                x.fill_(2.0)
            else:
                getattr(x, op)(2.0)
        assert x.tolist() == [1.0, 2.0]


def test_inplace_on_a_leaf_under_no_grad_is_allowed() -> None:
    x = bricks.tensor([1.0, 2.0], requires_grad=True)
    with bricks.no_grad():
        x.add_(1)
        x[0] = 0.0
        x *= 2
    assert x.tolist() == [0.0, 6.0] and x.is_leaf and x.requires_grad


def test_inplace_on_a_non_leaf_rebases_its_gradient_like_torch() -> None:
    results = []
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(x)
        y.mul_(x)
        y[1:] *= 3
        y.sum().backward()
        results.append((x.grad.numpy().copy(), type(y.grad_fn).__name__
                        if m is torch else y.grad_fn.name()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]


def test_hooks_see_and_may_replace_gradients() -> None:
    for m in (bricks, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = x.register_hook(lambda g: seen.append(g.tolist()))
        y = x * 3
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        assert seen == [[30.0, 30.0]] and x.grad.tolist() == [30.0, 30.0]
        handle.remove()
        (x * 1).sum().backward()
        assert len(seen) == 1


def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = bricks.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]


class _WrongSquare(Function):
    saves = (0,)

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x  # wrong: the derivative is 2x


class _Square(_WrongSquare):
    def backward(self, gy):
        return 2 * gy * self.x


def test_gradcheck_passes_a_right_backward_and_catches_a_wrong_one() -> None:
    x = bricks.randn(3, 2, dtype=bricks.float64, requires_grad=True)
    assert gradcheck(lambda t: _Square.apply(t), (x,))
    assert gradcheck(lambda t: _Square.apply(t), (x,), n_directions=3)
    assert not gradcheck(lambda t: _WrongSquare.apply(t), (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(lambda t: _WrongSquare.apply(t), (x,), n_directions=2)


def test_custom_function_gets_its_name_from_its_class() -> None:
    x = bricks.ones(2, requires_grad=True)
    assert _Square.apply(x).grad_fn.name() == "_SquareBackward0"


def _random_graph(lib: Any, seed: int, values: list) -> list:
    """Build the same random graph of shared intermediates in either library; leaves' grads."""
    rnd = np.random.default_rng(seed)
    leaves = [lib.tensor(v, requires_grad=True) for v in values]
    pool = list(leaves)
    ops = [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * 3.0,
           lambda x, y: lib.sin(x), lambda x, y: x + x, lambda x, y: -x,
           lambda x, y: x.exp() * y, lambda x, y: (x * 0.5).relu()]
    for _ in range(int(rnd.integers(2, 10))):
        op = ops[int(rnd.integers(len(ops)))]
        pool.append(op(pool[int(rnd.integers(len(pool)))], pool[int(rnd.integers(len(pool)))]))
    out = pool[-1]
    for extra in pool[len(leaves):-1]:
        if rnd.random() < 0.5:
            out = out + extra
    if out.grad_fn is None:
        return []
    out.backward(lib.ones(3))  # a fresh, writable root gradient: nothing forces a copy
    return [None if leaf.grad is None else leaf.grad.detach().numpy() for leaf in leaves]


@pytest.mark.parametrize("seed", range(120))
def test_gradients_through_random_shared_graphs_match_torch(seed: int) -> None:
    # A gradient array handed both to a leaf (kept as .grad, then added into in place) and
    # to another node must not be one array: this once doubled gradients.
    values = np.random.default_rng(seed).standard_normal((3, 3)).tolist()
    ours, theirs = _random_graph(bricks, seed, values), _random_graph(torch, seed, values)
    assert len(ours) == len(theirs)
    for g, expected in zip(ours, theirs):
        assert (g is None) == (expected is None)
        if g is not None:
            np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6)


def test_a_hook_that_keeps_its_gradient_sees_it_unchanged() -> None:
    for lib in (bricks, torch):
        x = lib.ones(2, requires_grad=True)
        kept = []
        y = x * 2.0
        y.register_hook(lambda g: kept.append(g))
        (y + x).backward(lib.ones(2))
        assert kept[0].tolist() == [1.0, 1.0]
        assert x.grad.tolist() == [3.0, 3.0]


def test_a_leaf_keeps_a_fresh_gradient_array_uncopied_whatever_its_id() -> None:
    # Each node's backward returns a new array while the previous one is freed, so CPython
    # may give the new array the id of a freed one that went to a node: the engine must still
    # see it as unshared and keep it as ``.grad`` without a copy.
    made: list[Any] = []

    class Fresh(Function):
        def forward(self, x: Any) -> Any:
            return x * 1.0

        def backward(self, gy: Any) -> Any:
            g = gy * 1.0
            made[:] = [g]  # only the last one stays alive
            return g

    for _ in range(20):
        made.clear()
        x = bricks.ones(3, requires_grad=True)
        y = x
        for _ in range(6):
            y = Fresh.apply(y)
        y.sum().backward()
        assert x.grad._value is made[0]
