"""Which ops return views, as torch's: writes through them reach the base, they share its
version counter, and in a graph in-place changes through them give torch's gradients. The
outputs of one function that returns several views (split, chunk, unbind) refuse in-place
changes in a graph with torch's errors; tensor_split's and hsplit's do not."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks

# name -> a view of a (2, 3, 4) tensor, in either library
VIEWS: dict[str, Callable[[Any, Any], Any]] = {
    "diagonal": lambda m, x: x.diagonal(),
    "diagonal_offset_dims": lambda m, x: m.diagonal(x, 1, 2, 1),
    "diagonal_negative_offset": lambda m, x: x.diagonal(-1, 0, 2),
    "diagonal_empty": lambda m, x: x.diagonal(7),
    "T": lambda m, x: x[0].T,
    "mT": lambda m, x: x.mT,
    "unfold": lambda m, x: x.unfold(2, 2, 2),
    "unfold_overlapping": lambda m, x: x.unfold(1, 2, 1),
    "expand": lambda m, x: x[:, :1].expand(2, 3, 4),
    "movedim": lambda m, x: m.movedim(x, (0, 1), (2, 0)),
    "moveaxis": lambda m, x: m.moveaxis(x, 0, -1),
    "swapaxes": lambda m, x: m.swapaxes(x, 0, 2),
    "swapdims": lambda m, x: x.swapdims(1, 2),
    "unflatten": lambda m, x: x.unflatten(2, (2, 2)),
    "view_as": lambda m, x: x.view_as(m.zeros(6, 4)),
    "split": lambda m, x: x.split(2, 2)[1],
    "split_with_sizes": lambda m, x: x.split_with_sizes([1, 3], 2)[1],
    "chunk": lambda m, x: x.chunk(3, 1)[2],
    "unbind": lambda m, x: x.unbind(1)[1],
    "tensor_split": lambda m, x: m.tensor_split(x, [1, 3], 2)[1],
    "hsplit": lambda m, x: m.hsplit(x, 3)[2],
    "vsplit": lambda m, x: m.vsplit(x, [1])[1],
    "dsplit": lambda m, x: m.dsplit(x, 2)[0],
    "as_strided": lambda m, x: m.as_strided(x, (2, 3), (5, 2), 1),
    "as_strided_of_a_slice": lambda m, x: x[1].as_strided((3, 2), (1, 3)),
}


def _base(m: Any) -> Any:
    return m.arange(24.0, dtype=m.float64).reshape(2, 3, 4)


@pytest.mark.parametrize("name", VIEWS)
def test_a_view_shares_memory_and_version_with_its_base(name: str) -> None:
    results = {}
    for m in (torch, bricks):
        x = _base(m)
        v = VIEWS[name](m, x)
        before = x._version
        outcome: Any
        try:
            with m.no_grad():
                if name == "unfold_overlapping":  # torch adds twice where windows overlap
                    v.zero_()
                else:
                    v.add_(100)
            outcome = (x.numpy().copy(), x._version - before, v._version - before)
        except RuntimeError as error:  # torch's overlapping views refuse writes
            outcome = (type(error), x.numpy().copy(), x._version - before)
        results[m.__name__] = (tuple(v.shape), v.stride(), v.storage_offset(), outcome)
    got, expected = results["bricks"], results["torch"]
    assert got[:3] == expected[:3]
    assert len(got[3]) == len(expected[3])
    for a, b in zip(got[3], expected[3]):
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


# name -> a tensor made of a (2, 3, 4) tensor that torch does not make a view of it
NOT_VIEWS: dict[str, Callable[[Any, Any], Any]] = {
    "advanced_index": lambda m, x: x[[0]],
    "mask": lambda m, x: x[x > 3],
    "reshape_of_a_transpose": lambda m, x: x.transpose(0, 2).reshape(-1),
    "flatten_of_a_transpose": lambda m, x: x.mT.flatten(),
    "contiguous_of_a_transpose": lambda m, x: x.mT.contiguous(),
    "detach": lambda m, x: x.detach(),
    "data": lambda m, x: x.data,
    "clone": lambda m, x: x.clone(),
    "diag": lambda m, x: m.diag(x[0]),
    "sum": lambda m, x: x.sum(0),
}


@pytest.mark.parametrize("name", VIEWS)
def test_a_view_names_its_base_as_torch(name: str) -> None:
    for m in (torch, bricks):
        x = _base(m)
        v = VIEWS[name](m, x)
        assert v._is_view() and v._base is x._base  # x is a view of arange's result
        w = v[..., :1]
        assert w._is_view() and w._base is x._base
        assert x._base._base is None and not x._base._is_view()


@pytest.mark.parametrize("name", NOT_VIEWS)
def test_a_copy_is_no_view_as_torch(name: str) -> None:
    for m in (torch, bricks):
        y = NOT_VIEWS[name](m, _base(m).clone())
        assert not y._is_view() and y._base is None


def test_an_index_by_a_0d_integer_tensor_is_a_view_as_torch() -> None:
    results = []
    for m in (torch, bricks):
        x = m.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = x * 1
        v = y[m.tensor(1), 1:]
        name = v.grad_fn.name()
        v.mul_(2)
        (y * y).sum().backward()
        results.append((v._base is y, name, x.grad.numpy().copy()))
    assert results[0][:2] == results[1][:2] == (True, "SliceBackward0")
    np.testing.assert_array_equal(results[1][2], results[0][2])


def test_a_reshape_that_copies_is_changed_in_place_as_a_new_tensor() -> None:
    results = []
    for m in (torch, bricks):
        x = m.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        y = (x * 1).t().reshape(-1)
        name = y.grad_fn.name()
        y.mul_(m.arange(6.0))
        y.sum().backward()
        results.append((name, y.grad_fn.name(), x.grad.numpy().copy()))
    assert results[0][:2] == results[1][:2] == ("UnsafeViewBackward0", "MulBackward0")
    np.testing.assert_array_equal(results[1][2], results[0][2])


def test_diagonal_of_a_matrix_by_diag_is_a_copy() -> None:
    for m in (torch, bricks):
        x = m.ones(3, 3, requires_grad=True)
        d = m.diag(x)
        name = type(d.grad_fn).__name__ if m is torch else d.grad_fn.name()
        assert name == "DiagonalBackward0_copy"
        with m.no_grad():
            d.zero_()
        assert float(x.detach().sum()) == 9.0


def _program(m: Any, step: Callable[[Any, Any, Any], None]) -> tuple:
    x = m.tensor(np.linspace(-1.0, 2.0, 24).reshape(2, 3, 4), requires_grad=True)
    w = m.tensor(np.linspace(0.5, 1.5, 3), requires_grad=True)
    y = x * 2
    step(m, y, w)
    loss = (y * y).sum()
    loss.backward()
    return y.grad_fn.name() if m is bricks else type(y.grad_fn).__name__, x.grad.numpy(), \
        w.grad.numpy() if w.grad is not None else None


@pytest.mark.parametrize("step", [
    lambda m, y, w: y.diagonal(0, 1, 2).mul_(w),
    lambda m, y, w: y[1].diagonal(1).copy_(w.sin()[:3]),
    lambda m, y, w: y.diagonal(-1, 2, 1).zero_(),
    lambda m, y, w: y.diagonal(0, 0, 2)[:, 1].add_(w[0]),
    lambda m, y, w: y.unfold(2, 2, 2).mul_(w[1]),
    lambda m, y, w: m.tensor_split(y, 3, 1)[1].mul_(w[2]),
    lambda m, y, w: m.dsplit(y, [1, 3])[1].sub_(w[0]),
    lambda m, y, w: m.swapaxes(y, 0, 1)[0].relu_(),
    lambda m, y, w: y.as_strided((3, 2), (1, 5), 2).mul_(w[:, None]),
    lambda m, y, w: y[1].as_strided((2, 2), (2, 1)).copy_(w[:2].exp().expand(2, 2)),
], ids=["diagonal", "diagonal_of_select", "diagonal_zero", "select_of_diagonal", "unfold",
        "tensor_split", "dsplit", "swapaxes", "as_strided", "as_strided_of_select"])
def test_in_place_through_a_view_gives_torchs_gradients(step: Any) -> None:
    expected = _program(torch, step)
    got = _program(bricks, step)
    assert got[0] == expected[0] == "CopySlices"
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    if expected[2] is None:
        assert got[2] is None or not got[2].any()
    else:
        np.testing.assert_allclose(got[2], expected[2], rtol=1e-12)


def test_a_change_of_the_base_reaches_a_diagonal_in_the_graph() -> None:
    grads = []
    for m in (torch, bricks):
        x = m.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
        y = x * 1.5
        d = y.diagonal(1)
        y.mul_(y.detach() + 1)
        (d * m.tensor([2.0, 3.0])).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


@pytest.mark.parametrize("f", [
    lambda m, a: a.diagonal(1, 0, 2), lambda m, a: a.unfold(1, 2, 1),
    lambda m, a: m.movedim(a, (2, 0), (0, 1)), lambda m, a: a.tensor_split([1], 2)[1],
    lambda m, a: a.as_strided((4, 3), (2, 3), 1), lambda m, a: a[1].as_strided((3, 3), (1, 1)),
])
def test_gradcheck_float64(f: Any) -> None:
    a = bricks.randn(3, 4, 3, dtype=bricks.float64, requires_grad=True)
    assert bricks.autograd.gradcheck(lambda t: f(bricks, t) * 1.0, (a,))


# ----- several views from one function: no in-place changes in a graph -----

def _grad_base(m: Any, requires_grad: bool = True) -> Any:
    x = m.arange(6.0).reshape(3, 2)
    return x.requires_grad_() * 1 if requires_grad else x


def _outcome(m: Any, f: Callable[[Any], Any]) -> tuple:
    try:
        f(m)
    except Exception as error:  # noqa: BLE001 - the outcome to compare with torch's
        return type(error).__name__, str(error)
    return ("ok",)


def _other_requires_grad(m: Any) -> None:
    _grad_base(m, False).split(1)[1].add_(m.ones(2, requires_grad=True))


def _made_in_no_grad(m: Any) -> None:
    b = _grad_base(m)
    with m.no_grad():
        piece = b.split(1)[1]
    piece.add_(1)


def _both_in_no_grad(m: Any) -> None:
    b = _grad_base(m)
    with m.no_grad():
        b.split(1)[1].add_(1)


def _of_a_leaf(m: Any) -> None:
    m.ones(3, 2, requires_grad=True).split(1)[0].add_(1)


def _a_view_of_a_piece(m: Any) -> None:
    _grad_base(m).unbind()[1][0:1].mul_(2)


def _setitem(m: Any) -> None:
    piece = _grad_base(m).split(1)[0]
    piece[0, 0] = 5


def _a_split_of_a_no_grad_view(m: Any) -> None:
    b = _grad_base(m)
    with m.no_grad():
        v = b[0]
    v.split(1)[0].add_(1)


def _a_view_of_a_no_grad_view(m: Any) -> None:
    b = _grad_base(m)
    with m.no_grad():
        v = b[0]
    v[0:1].add_(1)


def _use_after_the_base_changed(m: Any) -> None:
    b = _grad_base(m)
    pieces = b.split(1)
    b.add_(1)
    (pieces[0] * 2).sum().backward()


def _use_after_a_sibling_changed(m: Any) -> None:
    b = _grad_base(m)
    pieces = b.unbind()
    b[2].mul_(3)
    (pieces[0] * 2).sum().backward()


def _sibling_changed_without_grad_in_the_base(m: Any) -> None:
    b = _grad_base(m, False)
    pieces = b.split(1)
    b.add_(1)
    pieces[0] * 2


def _used_before_the_change(m: Any) -> None:
    b = _grad_base(m)
    pieces = b.chunk(3)
    y = pieces[0] + 1
    b.add_(1)
    y.sum().backward()


MULTI = {
    "split": lambda m: _grad_base(m).split(1)[1].add_(1),
    "split_one_piece": lambda m: _grad_base(m).split(3)[0].mul_(2),
    "split_list": lambda m: _grad_base(m).split([1, 2])[1].zero_(),
    "split_with_sizes": lambda m: _grad_base(m).split_with_sizes([2, 1])[0].fill_(1),
    "chunk": lambda m: _grad_base(m).chunk(3)[2].zero_(),
    "unbind": lambda m: _grad_base(m).unbind(1)[1].mul_(2),
    "unbind_copy_": lambda m: m.unbind(_grad_base(m))[0].copy_(m.ones(2)),
    "unsqueeze_": lambda m: _grad_base(m).split(1)[0].unsqueeze_(0),
    "no_grad_needed": lambda m: _grad_base(m, False).split(1)[1].add_(1),
    "under_no_grad": lambda m: (m.set_grad_enabled(False), _grad_base(m).split(1)[1].add_(1)),
    "other_requires_grad": _other_requires_grad,
    "made_in_no_grad": _made_in_no_grad,
    "both_in_no_grad": _both_in_no_grad,
    "of_a_leaf": _of_a_leaf,
    "a_view_of_a_piece": _a_view_of_a_piece,
    "setitem": _setitem,
    "a_split_of_a_no_grad_view": _a_split_of_a_no_grad_view,
    "a_view_of_a_no_grad_view": _a_view_of_a_no_grad_view,
    "use_after_the_base_changed": _use_after_the_base_changed,
    "use_after_a_sibling_changed": _use_after_a_sibling_changed,
    "sibling_changed_without_grad_in_the_base": _sibling_changed_without_grad_in_the_base,
    "used_before_the_change": _used_before_the_change,
    "tensor_split": lambda m: m.tensor_split(_grad_base(m), 2)[1].zero_(),
    "hsplit": lambda m: m.hsplit(_grad_base(m), 2)[1].zero_(),
    "vsplit": lambda m: m.vsplit(_grad_base(m), 3)[1].zero_(),
}


@pytest.mark.parametrize("name", MULTI)
def test_in_place_on_one_of_several_views_as_torch(name: str) -> None:
    try:
        expected = _outcome(torch, MULTI[name])
    finally:
        torch.set_grad_enabled(True)
    try:
        got = _outcome(bricks, MULTI[name])
    finally:
        bricks.set_grad_enabled(True)
    assert got == expected


def test_a_refused_change_changes_nothing() -> None:
    b = _grad_base(bricks)
    piece = b.split(1)[1]
    node, version = piece.grad_fn, piece._version
    with pytest.raises(RuntimeError, match="returns multiple views"):
        piece.mul_(3)
    assert piece.grad_fn is node and piece._version == version
    np.testing.assert_array_equal(b.detach().numpy(), np.arange(6.0).reshape(3, 2))
    (piece * 2).sum().backward()  # the graph is intact


# ----- errors of the new names, as torch's -----

ERRORS = {
    "tensor_split_zero": lambda m, x: m.tensor_split(x, 0, 1),
    "tensor_split_float_tensor": lambda m, x: m.tensor_split(x, m.tensor([1.0]), 1),
    "tensor_split_2d_tensor": lambda m, x: m.tensor_split(x, m.tensor([[1]]), 1),
    "hsplit_not_divisible": lambda m, x: m.hsplit(x, 2),
    "hsplit_scalar": lambda m, x: m.hsplit(m.tensor(1.0), 1),
    "vsplit_1d": lambda m, x: m.vsplit(m.arange(6.0), 3),
    "dsplit_2d": lambda m, x: m.dsplit(x[0], 1),
    "dsplit_zero": lambda m, x: m.dsplit(x, 0),
    "split_negative": lambda m, x: x.split(-1),
    "split_zero": lambda m, x: x.split(0, 1),
    "split_with_sizes_negative": lambda m, x: x.split_with_sizes([-1, 4], 1),
    "split_with_sizes_sum": lambda m, x: x.split_with_sizes([1, 1], 1),
    "chunk_zero": lambda m, x: x.chunk(0),
    "movedim_lengths": lambda m, x: x.movedim((0, 1), (2,)),
    "movedim_repeated_source": lambda m, x: x.movedim((0, 0), (1, 2)),
    "movedim_repeated_destination": lambda m, x: x.movedim((0, 1), (2, 2)),
    "movedim_out_of_range": lambda m, x: x.movedim(5, 0),
    "unfold_too_big": lambda m, x: x.unfold(2, 5, 1),
    "unfold_step_zero": lambda m, x: x.unfold(2, 2, 0),
    "unfold_negative_size": lambda m, x: x.unfold(2, -1, 1),
    "unfold_dim": lambda m, x: x.unfold(3, 1, 1),
    "diagonal_same_dims": lambda m, x: x.diagonal(0, 1, -2),
    "as_strided_past_the_end": lambda m, x: x.as_strided((2, 2), (30, 2)),
    "as_strided_offset_past_the_end": lambda m, x: m.as_strided(x[1], (3,), (1,), 22),
    "as_strided_negative_stride": lambda m, x: x.as_strided((2,), (-1,)),
    "as_strided_lengths": lambda m, x: x.as_strided((2, 2), (1,)),
    "as_strided_negative_size": lambda m, x: x.as_strided((-1,), (1,)),
    "as_strided_negative_offset": lambda m, x: x.as_strided((1,), (1,), -1),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_as_torch(name: str) -> None:
    outcomes = [_outcome(m, lambda m: ERRORS[name](m, _base(m))) for m in (torch, bricks)]
    assert outcomes[0][0] != "ok"
    assert outcomes[1] == outcomes[0]


def test_edge_shapes_as_torch() -> None:
    cases = [lambda m: m.zeros(0).split(0), lambda m: m.zeros(0, 2).chunk(3),
             lambda m: m.tensor(3.0).unfold(0, 1, 1), lambda m: m.tensor(3.0).unfold(0, 0, 1),
             lambda m: m.zeros(0, 3).unfold(0, 0, 1), lambda m: m.zeros(2, 3).movedim((), ()),
             lambda m: m.tensor_split(m.zeros(5, 2), m.tensor(2)),
             lambda m: m.zeros(3, 3).diagonal(5), lambda m: m.zeros(0, 3).diagonal(-1)]
    for case in cases:
        got, expected = case(bricks), case(torch)
        if isinstance(expected, tuple):
            assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in expected]
        else:
            assert tuple(got.shape) == tuple(expected.shape)
            if expected.numel():  # the strides of an empty tensor are arbitrary
                assert got.stride() == expected.stride()
