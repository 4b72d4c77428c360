"""In-place changes through views of tensors in a graph: gradients as PyTorch's (CopySlices).

Random programs (chains of views, in-place ops on them, ordinary ops in between) run on bricks
and on torch; every leaf gradient must agree, and where torch refuses (a saved value changed
in place), bricks refuses too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bricks

# ----- random programs: a program is a list of steps, interpreted by either library -----


def _view_steps(rng: np.random.Generator, shape: tuple) -> list:
    """One to three view steps valid for ``shape``, with the shapes they lead to."""
    steps = []
    for _ in range(int(rng.integers(1, 4))):
        options = ["reshape", "unsqueeze"]
        if shape and shape[0] > 1:
            options += ["slice", "narrow"]
        if len(shape) >= 1 and shape[0] >= 1:
            options.append("select")
        if len(shape) == 2:
            options.append("t")
        if len(shape) >= 2:
            options += ["transpose", "diagonal"]
        if shape and shape[0] >= 1:
            options.append("unbind")  # one of several outputs: torch refuses in-place changes
        if 1 in shape:
            options.append("squeeze")
        kind = str(rng.choice(options))
        if kind == "slice":
            start = int(rng.integers(0, shape[0] - 1))
            step = (kind, start)
            shape = (shape[0] - start,) + shape[1:]
        elif kind == "narrow":
            start = int(rng.integers(0, shape[0]))
            length = int(rng.integers(1, shape[0] - start + 1))
            step = (kind, start, length)
            shape = (length,) + shape[1:]
        elif kind in ("select", "unbind"):
            step = (kind, int(rng.integers(0, shape[0])))
            shape = shape[1:]
        elif kind == "diagonal":
            step = (kind, int(rng.integers(-2, 3)))
            shape = _shape_after(shape, step)
        elif kind == "reshape":
            step = (kind,)
            shape = (int(np.prod(shape)),)
        elif kind == "unsqueeze":
            step = (kind,)
            shape = (1,) + shape
        elif kind == "squeeze":
            step = (kind, shape.index(1))
            shape = shape[:step[1]] + shape[step[1] + 1:]
        else:  # t, transpose
            step = (kind,)
            shape = shape[::-1] if kind == "t" else (shape[-1],) + shape[1:-1] + (shape[0],)
        steps.append(step)
    return steps


def _apply_view(t, step):
    kind = step[0]
    if kind == "slice":
        return t[step[1]:]
    if kind == "narrow":
        return t.narrow(0, step[1], step[2])
    if kind == "select":
        return t[step[1]]
    if kind == "reshape":
        return t.reshape(-1)
    if kind == "unsqueeze":
        return t.unsqueeze(0)
    if kind == "squeeze":
        return t.squeeze(step[1])
    if kind == "t":
        return t.t()
    if kind == "diagonal":
        return t.diagonal(step[1])
    if kind == "unbind":
        return t.unbind(0)[step[1]]
    return t.transpose(0, -1)


INPLACE = ["add", "mul", "add_w", "mul_w", "copy_w", "setitem_w", "setitem_part", "relu", "zero",
           "fill", "clamp", "sub_w", "div"]


def _apply_inplace(lib, v, kind, w):
    if kind == "add":
        v.add_(1.5)
    elif kind == "mul":
        v.mul_(-2.0)
    elif kind == "add_w":
        v.add_(w * 3)
    elif kind == "sub_w":
        v -= w
    elif kind == "mul_w":
        v.mul_(w)
    elif kind == "div":
        v /= 4.0
    elif kind == "copy_w":
        v.copy_(w.sin())
    elif kind == "setitem_w":
        v[...] = w + 1
    elif kind == "setitem_part":
        if v.dim() and v.shape[0]:
            v[0] = w * w
        else:
            v[...] = w * w
    elif kind == "relu":
        v.relu_()
    elif kind == "zero":
        v.zero_()
    elif kind == "fill":
        v.fill_(0.25)
    else:
        v.clamp_(-1.0, 1.0)


def _program(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    shape = ((3, 4), (2, 3, 2), (5,), (4, 1, 3))[seed % 4]
    steps = []
    views = [shape]  # the shapes of the tensors the program holds: 0 is the base
    for _ in range(int(rng.integers(1, 5))):
        which = int(rng.integers(0, len(views)))
        chain = _view_steps(rng, views[which])
        from_shape = views[which]
        for step in chain:
            from_shape = _shape_after(from_shape, step)
        views.append(from_shape)
        steps.append(("view", which, chain))
        action = rng.random()
        if action < 0.7:
            steps.append(("inplace", len(views) - 1, str(rng.choice(INPLACE))))
        elif action < 0.85:
            steps.append(("use", len(views) - 1))  # an ordinary op reading the view now
        else:
            steps.append(("inplace", 0, str(rng.choice(["add", "mul", "mul_w"]))))
    base_grad = bool(seed % 5)  # now and then a base outside the graph (a buffer)
    return {"shape": shape, "steps": steps, "base_grad": base_grad, "seed": seed}


def _shape_after(shape, step):
    rng_free = {"slice": lambda: (shape[0] - step[1],) + shape[1:],
                "narrow": lambda: (step[2],) + shape[1:],
                "select": lambda: shape[1:],
                "unbind": lambda: shape[1:],
                "diagonal": lambda: shape[2:] + (_diagonal_length(shape, step[1]),),
                "reshape": lambda: (int(np.prod(shape)),),
                "unsqueeze": lambda: (1,) + shape,
                "squeeze": lambda: shape[:step[1]] + shape[step[1] + 1:],
                "t": lambda: shape[::-1],
                "transpose": lambda: (shape[-1],) + shape[1:-1] + (shape[0],)}
    return rng_free[step[0]]()


def _diagonal_length(shape, offset):
    return max(0, min(shape[0] + min(offset, 0), shape[1] - max(offset, 0)))


def _run(lib, program):
    rng = np.random.default_rng(program["seed"] + 1000)
    x_np = rng.standard_normal(program["shape"])
    x = lib.tensor(x_np, dtype=lib.float64, requires_grad=True)
    w = lib.tensor(float(rng.standard_normal()), dtype=lib.float64, requires_grad=True)
    base = x * 1.5 + 0.5 if program["base_grad"] else lib.zeros(program["shape"],
                                                                  dtype=lib.float64)
    held = [base]
    outputs = []
    for step in program["steps"]:
        if step[0] == "view":
            t = held[step[1]]
            for s in step[2]:
                t = _apply_view(t, s)
            held.append(t)
        elif step[0] == "inplace":
            _apply_inplace(lib, held[step[1]], step[2], w)
        else:
            outputs.append((held[step[1]] * 0.7).sum())
    coefficients = lib.tensor(rng.standard_normal(program["shape"]), dtype=lib.float64)
    loss = (base * coefficients).sum()
    for t in held[1:]:
        loss = loss + (t * t).sum() * 0.1
    for o in outputs:
        loss = loss + o
    if not loss.requires_grad:
        return None, None
    loss.backward()
    grad = lambda t: None if t.grad is None else t.grad.numpy()  # noqa: E731
    return grad(x), grad(w)


def _outcome(lib, program):
    try:
        return "ok", _run(lib, program)
    except RuntimeError as error:
        return "error", str(error)


@pytest.mark.parametrize("seed", range(300))
def test_random_view_programs_match_torch(seed):
    program = _program(seed)
    expected_kind, expected = _outcome(torch, program)
    kind, got = _outcome(bricks, program)
    assert kind == expected_kind, (program, expected, got)
    if kind == "error":
        for words in ("modified by an inplace operation", "no_grad mode", "leaf Variable",
                      "returns multiple views"):
            if words in expected:
                assert words in got, (program, expected, got)
        return
    for e, g in zip(expected, got):
        if e is None:
            assert g is None or not np.any(g), program
        else:
            assert g is not None, program
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12, err_msg=str(program))


# ----- the examples of the issue, names, errors -----


@pytest.mark.parametrize("change", [
    lambda y, z: y[0].add_(1),
    lambda y, z: y[1:].mul_(3),
    lambda y, z: y.view(-1)[0].copy_(z),
    lambda y, z: y.view(-1).__setitem__(0, z),
    lambda y, z: y.t().relu_(),
    lambda y, z: y[:, 1].mul_(z),
])
def test_issue_examples(change):
    grads = []
    for lib in (torch, bricks):
        lib.manual_seed(0)
        x = lib.tensor([[1.0, -2.0, 3.0], [-0.5, 2.5, -4.0]], requires_grad=True)
        z = lib.tensor(0.75, requires_grad=True)
        y = x * 2
        change(y, z)
        (y * y).sum().backward()
        grads.append((x.grad.numpy(), None if z.grad is None else z.grad.numpy()))
    np.testing.assert_allclose(grads[1][0], grads[0][0])
    if grads[0][1] is not None:
        np.testing.assert_allclose(grads[1][1], grads[0][1])


def test_node_names_are_torchs():
    x = bricks.randn(3, requires_grad=True)
    y = x * 2
    v = y[0:2]
    v.mul_(3)
    assert y.grad_fn.name() == "CopySlices"
    assert v.grad_fn.name() == "AsStridedBackward0"
    assert v.grad_fn.next_functions[0][0] is y.grad_fn
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"
    y2 = x * 2
    y2.copy_(x)
    assert y2.grad_fn.name() == "CopyBackwards"


def test_a_sibling_view_sees_the_change():
    x = bricks.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    a, b = y[0:2], y[1:3]
    a.mul_(2)
    assert b.grad_fn.name() == "AsStridedBackward0"
    b.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 4.0, 2.0])


def test_a_change_of_the_base_reaches_its_views():
    x = bricks.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    a = y[0:2]
    y.mul_(2)
    a.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0, 0.0])


def test_a_buffer_outside_the_graph_takes_the_gradient_of_what_is_copied_in():
    z = bricks.tensor([1.0, 2.0], requires_grad=True)
    buffer = bricks.zeros(3)
    buffer[1:].copy_(z * 3)
    assert buffer.requires_grad and buffer.grad_fn.name() == "CopySlices"
    (buffer * bricks.tensor([5.0, 6.0, 7.0])).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [18.0, 21.0])


def test_a_view_made_in_no_grad_mode_refuses_a_recorded_change():
    x = bricks.randn(3, requires_grad=True)
    y = x * 2
    with bricks.no_grad():
        v = y[0:2]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        v.mul_(2)
    with bricks.no_grad():
        v.mul_(2)  # both in no_grad: allowed, and only the version changes


def test_a_saved_base_changed_through_a_view_refuses_backward():
    x = bricks.randn(3, requires_grad=True)
    y = x.exp()  # saves its output
    y[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_views_of_a_leaf_that_requires_grad_still_refuse():
    w = bricks.randn(2, 3, requires_grad=True)
    for change in (lambda: w[0:1].add_(1), lambda: w.t().mul_(2), lambda: w.view(-1).zero_(),
                   lambda: w[:, 0].fill_(0)):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            change()


def test_an_expanded_view_refuses_a_write():
    y = bricks.randn(3, 1, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="more than one element"):
        y.expand(3, 2).mul_(2)


def test_a_second_backward_through_a_saving_copyslices_says_freed():
    x = bricks.randn(3, requires_grad=True)
    w = bricks.tensor(2.0, requires_grad=True)
    y = x * 2
    y[0:2].mul_(w)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_on_a_device_the_gradients_stay_device_arrays():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fake_device import fake_device, is_fake

    with fake_device():
        x = bricks.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device="fake", requires_grad=True)
        z = bricks.tensor(2.0, device="fake", requires_grad=True)
        y = x * 2
        y[:, 1].mul_(z)
        y.t()[0].copy_(z.expand(2))
        (y * y).sum().backward()
        assert is_fake(x.grad) and is_fake(z.grad)
        np.testing.assert_allclose(x.grad.cpu().numpy(), [[0.0, 64.0, 24.0], [0.0, 160.0, 48.0]])
        np.testing.assert_allclose(z.grad.cpu().numpy(), 472.0)
