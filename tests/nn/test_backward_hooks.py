"""Module backward hooks (full, pre and old-style), each checked against torch."""

import warnings

import numpy as np
import pytest
import torch

import bricks
from bricks import nn
from _tiny_layers import BRICKS, TORCH, ReLU, copy_from_torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4)).astype(np.float32)


def values(grads):
    """A hook's gradient tuple as numpy arrays (None kept), for either library."""
    return [None if g is None else np.array(g.detach().numpy()) for g in grads]


def assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if a is None or b is None:
            assert a is None and b is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def recorder(calls, tag):
    def hook(module, grad_input, grad_output):
        calls.append((tag, values(grad_input), values(grad_output)))
    return hook


def assert_same_calls(ours, theirs):
    assert [c[0] for c in ours] == [c[0] for c in theirs]
    for (_, gi, go), (_, tgi, tgo) in zip(ours, theirs):
        assert_same(gi, tgi)
        assert_same(go, tgo)


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(), lib.nn.Linear(5, 2))


def twin(build):
    """The same model in both libraries, with torch's weights copied into bricks'."""
    torch.manual_seed(0)  # seeded: float32 sums near zero differ by more than rtol alone allows
    theirs = build(TORCH)
    ours = build(BRICKS)
    copy_from_torch(ours, theirs)
    return ours, theirs


class TwoInTwoOut:
    """``forward(a, b, scale)`` returning two tensors: several inputs and a tuple output."""

    @staticmethod
    def make(lib):
        class TwoInTwoOut(lib.nn.Module):
            def forward(self, a, b, scale):
                return a * b * scale, a + b.sum()

        return TwoInTwoOut()


# ----- full backward hooks -----
def test_full_hook_gets_input_and_output_gradients_as_torch():
    ours, theirs = twin(mlp)
    results = []
    for lib, model in ((bricks, ours), (torch, theirs)):
        calls = []
        model[2].register_full_backward_hook(recorder(calls, "last"))
        model.register_full_backward_hook(recorder(calls, "model"))
        x = lib.tensor(X, requires_grad=True)
        (model(x) ** 2).sum().backward()
        results.append((calls, values([x.grad, model[0].weight.grad])))
    assert_same_calls(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


@pytest.mark.parametrize("use", ["both", "first", "second"])
def test_several_inputs_and_tuple_outputs_as_torch(use):
    # b needs no gradient: torch passes zeros for it; the scale is no Tensor: None.
    results = []
    for lib in (bricks, torch):
        module = TwoInTwoOut.make(lib)
        calls = []
        module.register_full_backward_hook(recorder(calls, "hook"))
        a = lib.tensor(X, requires_grad=True)
        b = lib.tensor(X[::-1].copy())
        first, second = module(a, b, 2.0)
        loss = {"both": first.sum() + (second * 3).sum(), "first": first.sum(),
                "second": (second * 3).sum()}[use]
        loss.backward()
        results.append((calls, a.grad.numpy()))
    assert_same_calls(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
    assert results[0][0][0][1][2] is None


def test_a_module_used_twice_fires_once_per_use():
    ours, theirs = twin(lambda lib: lib.nn.Linear(4, 4))
    results = []
    for lib, layer in ((bricks, ours), (torch, theirs)):
        calls = []
        layer.register_full_backward_hook(recorder(calls, "use"))
        x = lib.tensor(X, requires_grad=True)
        layer(layer(x)).sum().backward()
        results.append(calls)
    assert len(results[0]) == 2
    assert_same_calls(*results)


def test_unused_input_that_requires_grad_gets_zeros_as_torch():
    grads = []
    for lib in (bricks, torch):
        module = TwoInTwoOut.make(lib)
        calls = []
        module.register_full_backward_hook(recorder(calls, "hook"))
        a = lib.tensor(X, requires_grad=True)
        b = lib.tensor(X, requires_grad=True)
        module(a, b, 1.0)[0].sum().backward()
        grads.append((calls, b.grad.numpy()))
    assert_same_calls(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


def test_only_outputs_require_grad_fires_with_none_inputs_and_warns():
    ours, theirs = twin(lambda lib: lib.nn.Linear(4, 2))
    results = []
    for lib, layer in ((bricks, ours), (torch, theirs)):
        calls = []
        layer.register_full_backward_hook(recorder(calls, "hook"))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            layer(lib.tensor(X)).sum().backward()
        results.append(calls)
    assert results[0][0][1] == [None]
    assert_same_calls(*results)


def test_returning_a_gradient_when_no_input_requires_grad_raises():
    for lib in (bricks, torch):
        layer = lib.nn.Linear(4, 2)
        layer.register_full_backward_hook(lambda m, gi, go: (lib.ones(3, 4),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="should always return None or None for all"):
                layer(lib.tensor(X)).sum().backward()


def test_returned_tuple_replaces_grad_input_as_torch():
    grads = []
    for lib in (bricks, torch):
        module = TwoInTwoOut.make(lib)
        module.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10, None, None))
        a = lib.tensor(X, requires_grad=True)
        b = lib.tensor(X, requires_grad=True)
        first, second = module(a, b, 2.0)
        (first + second).sum().backward()
        grads.append((a.grad.numpy(), b.grad))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-6)
    assert grads[0][1] is None and grads[1][1] is None


@pytest.mark.parametrize("result, message", [
    (lambda gi: (gi[0],), "invalid number of grad_input, got 1, but expected 2"),
    (lambda gi: (gi[0][:1], None), "has changed the size of value"),
    (lambda gi: (gi[0].double(), None), "has changed the type of value"),
])
def test_a_wrong_grad_input_raises_as_torch(result, message):
    for lib in (bricks, torch):
        layer = lib.nn.Module()
        layer.forward = lambda x, k: x * k
        layer.register_full_backward_hook(lambda m, gi, go: result(gi))
        with pytest.raises(RuntimeError, match=message):
            layer(lib.tensor(X, requires_grad=True), 3).sum().backward()


def test_full_hook_fires_at_every_backward_of_a_retained_graph():
    counts = []
    for lib in (bricks, torch):
        calls = []
        layer = lib.nn.Linear(4, 2)
        layer.register_full_backward_hook(recorder(calls, "hook"))
        loss = layer(lib.tensor(X, requires_grad=True)).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        counts.append(len(calls))
    assert counts == [2, 2]


def test_autograd_grad_runs_the_hooks_too():
    results = []
    for lib in (bricks, torch):
        calls = []
        layer = ReLU() if lib is bricks else torch.nn.ReLU()
        layer.register_full_backward_hook(recorder(calls, "hook"))
        x = lib.tensor(X, requires_grad=True)
        (grad,) = lib.autograd.grad((layer(x) * 3).sum(), x)
        results.append((calls, grad.numpy()))
    assert_same_calls(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_an_in_place_change_of_the_input_after_forward_is_caught():
    for lib in (bricks, torch):
        module = lib.nn.Module()
        module.forward = lambda x: x * x
        module.register_full_backward_hook(lambda *args: None)
        x = lib.tensor(X, requires_grad=True) * 1
        y = module(x)
        x.add_(1)
        with pytest.raises(RuntimeError, match="inplace"):
            y.sum().backward()


def test_output_node_has_torch_name_and_no_grad_routes_nothing():
    layer = nn.Linear(4, 2)
    layer.register_full_backward_hook(lambda *args: None)
    y = layer(bricks.tensor(X, requires_grad=True))
    assert y.grad_fn.name() == "BackwardHookFunctionBackward"
    with bricks.no_grad():
        assert layer(bricks.tensor(X, requires_grad=True)).grad_fn is None


def test_non_tensor_output_warns_and_hook_never_fires():
    for lib in (bricks, torch):
        module = lib.nn.Module()
        module.forward = lambda x: {"y": x * 2}
        calls = []
        module.register_full_backward_hook(recorder(calls, "hook"))
        with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple"):
            out = module(lib.tensor(X, requires_grad=True))
        out["y"].sum().backward()
        assert calls == []


# ----- backward pre-hooks -----
def test_pre_hook_sees_and_replaces_grad_output_as_torch():
    ours, theirs = twin(mlp)
    results = []
    for lib, model in ((bricks, ours), (torch, theirs)):
        calls = []

        def pre(module, grad_output, calls=calls):
            calls.append(("pre", [], values(grad_output)))
            return (grad_output[0] * 2,)

        model[2].register_full_backward_pre_hook(pre)
        model[2].register_full_backward_hook(recorder(calls, "hook"))
        x = lib.tensor(X, requires_grad=True)
        (model(x) ** 2).sum().backward()
        results.append((calls, x.grad.numpy(), model[0].weight.grad.numpy()))
    assert_same_calls(results[0][0], results[1][0])
    for ours_grad, theirs_grad in zip(results[0][1:], results[1][1:]):
        np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-5, atol=1e-6)


def test_pre_hook_fires_when_no_input_requires_grad_and_checks_its_result():
    for lib in (bricks, torch):
        layer = lib.nn.Linear(4, 2)
        layer.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but "
                                                   "expected 1"):
                layer(lib.tensor(X)).sum().backward()


def test_hooks_run_in_registration_order_and_prepend_goes_first():
    orders = []
    for lib in (bricks, torch):
        order = []
        layer = ReLU() if lib is bricks else torch.nn.ReLU()
        layer.register_full_backward_hook(lambda *args: order.append("hook 1"))
        layer.register_full_backward_hook(lambda *args: order.append("hook 0"), prepend=True)
        layer.register_full_backward_pre_hook(lambda *args: order.append("pre 1"))
        layer.register_full_backward_pre_hook(lambda *args: order.append("pre 0"), prepend=True)
        layer(lib.tensor(X, requires_grad=True)).sum().backward()
        orders.append(order)
    assert orders[0] == orders[1] == ["pre 0", "pre 1", "hook 0", "hook 1"]


def test_removed_backward_hooks_leave_the_plain_call_path():
    layer = nn.Linear(4, 2)
    calls = []
    handles = [layer.register_full_backward_hook(recorder(calls, "hook")),
               layer.register_full_backward_pre_hook(lambda *args: calls.append("pre"))]
    for handle in handles:
        handle.remove()
    handles[0].remove()
    assert not layer._backward_hooks and not layer._backward_pre_hooks
    y = layer(bricks.tensor(X, requires_grad=True))
    assert y.grad_fn.name() != "BackwardHookFunctionBackward"
    y.sum().backward()
    assert calls == []


def test_hooks_leave_state_dict_and_repr_unchanged():
    layer = nn.Linear(4, 2)
    before = (repr(layer), list(layer.state_dict()))
    layer.register_full_backward_hook(lambda *args: None)
    layer.register_full_backward_pre_hook(lambda *args: None)
    assert (repr(layer), list(layer.state_dict())) == before


# ----- old-style backward hooks -----
def test_old_style_hook_matches_torch_on_a_single_op_module():
    # Guided backprop: the classic use, on ReLU.
    results = []
    for lib in (bricks, torch):
        calls = []
        layer = ReLU() if lib is bricks else torch.nn.ReLU()
        layer.register_backward_hook(recorder(calls, "hook"))
        layer.register_backward_hook(lambda m, gi, go: (gi[0].clamp(min=0),))
        x = lib.tensor(X, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (layer(x) * lib.tensor(X)).sum().backward()
        results.append((calls, values([x.grad])))
    assert_same_calls(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])
    assert (results[0][1][0] >= 0).all() and (results[0][1][0] > 0).any()


def test_old_style_hook_gives_none_for_an_input_without_grad_as_torch():
    results = []
    for lib in (bricks, torch):
        module = lib.nn.Module()
        module.forward = lambda a, b: a * b
        calls = []
        module.register_backward_hook(recorder(calls, "hook"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module(lib.tensor(X, requires_grad=True) * 1, lib.tensor(X)).sum().backward()
        results.append(calls)
    assert results[0][0][1][1] is None
    assert_same_calls(*results)


def test_old_style_hook_on_a_layer_with_parameters_warns_and_keeps_grad_output():
    ours, theirs = twin(lambda lib: lib.nn.Linear(4, 2))
    grad_outputs = []
    for lib, layer in ((bricks, ours), (torch, theirs)):
        calls = []
        layer.register_backward_hook(recorder(calls, "hook"))
        with pytest.warns(FutureWarning, match="missing some grad_input"):
            y = layer(lib.tensor(X, requires_grad=True))
        (y ** 2).sum().backward()
        grad_outputs.append(calls[0][2])
    assert_same(*grad_outputs)


def test_mixing_full_and_old_style_hooks_raises_as_torch():
    for lib in (bricks, torch):
        for first, second in (("register_full_backward_hook", "register_backward_hook"),
                              ("register_backward_hook", "register_full_backward_hook")):
            layer = lib.nn.Linear(2, 2)
            getattr(layer, first)(lambda *args: None).remove()
            with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks "
                                                   "and full backward hooks"):
                getattr(layer, second)(lambda *args: None)
