"""Module core: attribute routing, registration, the traversal, hooks, modes, dtypes, repr."""

import numpy as np
import pytest
import torch

import bricks
from bricks import nn
from _tiny_layers import BRICKS, TORCH, Linear, ReLU, copy_from_torch


def nested(lib):
    """The seeds' nested-blocks model (``'block i'`` names), for bricks or torch."""
    def block1():
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(),
                                 lib.nn.Linear(8, 4), lib.nn.ReLU())

    def block2():
        net = lib.nn.Sequential()
        for i in range(4):
            net.add_module(f"block {i}", block1())
        return net

    return lib.nn.Sequential(block2(), lib.nn.Linear(4, 1))


class MLP:
    """A custom module with two named children, for both libraries."""

    @staticmethod
    def make(lib):
        class MLP(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = lib.nn.Linear(20, 16)
                self.out = lib.nn.Linear(16, 10)
                self.rand_weight = lib.tensor([1.0, 2.0])  # a plain tensor: not a parameter

            def forward(self, x):
                return self.out(self.hidden(x).relu())

        return MLP()


# ----- attribute routing -----
def test_setattr_routes_parameters_modules_and_plain_values():
    m = MLP.make(BRICKS)
    assert list(m._modules) == ["hidden", "out"]
    assert "rand_weight" in m.__dict__ and "rand_weight" not in m._parameters
    m.scale = nn.Parameter(bricks.ones(1))
    assert list(m._parameters) == ["scale"]
    assert [n for n, _ in m.named_parameters()] == [
        "scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_assigning_none_to_registered_names_keeps_the_slot():
    m = Linear(2, 3)
    m.bias = None
    assert "bias" in m._parameters and m.bias is None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign 'bricks.Tensor' as parameter 'weight'"):
        m.weight = bricks.ones(3, 2)
    seq = nn.Sequential(Linear(1, 1))
    seq[0] = Linear(1, 2)
    setattr(seq, "0", None)
    assert seq._modules["0"] is None
    with pytest.raises(TypeError, match="child module '0'"):
        setattr(seq, "0", 3)


def test_reassigning_a_name_to_another_kind_moves_it_as_torch():
    m, tm = nn.Module(), torch.nn.Module()
    m.x, tm.x = Linear(1, 1), torch.nn.Linear(1, 1)
    m.x, tm.x = nn.Parameter(bricks.ones(1)), torch.nn.Parameter(torch.ones(1))
    assert "x" not in m._modules and m._parameters["x"] is m.x
    assert "x" not in tm._modules
    with pytest.raises(TypeError, match="as parameter 'x'"):
        m.x = Linear(1, 1)
    with pytest.raises(TypeError, match="as parameter 'x'"):
        tm.x = torch.nn.Linear(1, 1)


def test_getattr_error_names_the_type_and_the_attribute():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
        Linear(1, 1).foo


def test_delattr_removes_from_every_registry():
    m = Linear(2, 2)
    m.register_buffer("running", bricks.zeros(2))
    del m.bias
    del m.running
    assert list(m.state_dict()) == ["weight"]
    with pytest.raises(AttributeError):
        del m.nothing


def test_register_checks_names_and_types_as_torch():
    m = nn.Module()
    tm = torch.nn.Module()
    for mod, par in ((m, nn.Parameter(bricks.ones(1))), (tm, torch.nn.Parameter(torch.ones(1)))):
        with pytest.raises(KeyError):
            mod.register_parameter("a.b", par)
        with pytest.raises(KeyError):
            mod.register_parameter("", par)
        with pytest.raises(TypeError):
            mod.register_parameter(1, par)
        with pytest.raises(TypeError):
            mod.add_module("x", 3)
        mod.plain = 1
        with pytest.raises(KeyError, match="already exists"):
            mod.register_buffer("plain", None)
    with pytest.raises(TypeError, match="bricks.nn.Parameter or None required"):
        m.register_parameter("w", bricks.ones(1))


def test_registering_before_init_says_so():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(bricks.ones(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_dir_lists_members():
    names = dir(MLP.make(BRICKS))
    assert {"hidden", "out", "forward", "state_dict"} <= set(names)


def test_subclass_may_fill_modules_directly():
    class MySequential(nn.Module):
        def __init__(self, *args):
            super().__init__()
            for idx, module in enumerate(args):
                self._modules[str(idx)] = module

        def forward(self, X):
            for block in self._modules.values():
                X = block(X)
            return X

    net = MySequential(Linear(20, 8), ReLU(), Linear(8, 10))
    assert net(bricks.rand(2, 20)).shape == bricks.Size([2, 10])
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_forward_missing_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


# ----- traversal against torch -----
def test_named_members_match_torch_on_nested_blocks():
    ours, theirs = nested(BRICKS), nested(TORCH)
    for method in ("named_parameters", "named_modules", "named_children", "named_buffers"):
        assert [n for n, _ in getattr(ours, method)()] == \
            [n for n, _ in getattr(theirs, method)()], method
    assert [n for n, _ in ours.named_parameters(prefix="net", recurse=True)] == \
        [n for n, _ in theirs.named_parameters(prefix="net", recurse=True)]
    assert [n for n, _ in ours[0].named_parameters(recurse=False)] == []
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 18
    assert len(list(ours.modules())) == len(list(theirs.modules()))


def test_apply_visits_children_first_and_a_shared_module_once():
    shared = Linear(8, 8)
    net = nn.Sequential(Linear(4, 8), nn.Sequential(shared, ReLU()), shared)
    seen = []
    assert net.apply(lambda m: seen.append(m)) is net
    assert seen == [net[0], shared, net[1][1], net[1], net]


def test_get_submodule_and_parameter_by_dotted_path():
    net = nested(BRICKS)
    assert net.get_submodule("0.block 1.2") is net[0][1][2]
    assert net.get_parameter("0.block 1.2.bias") is net[0][1][2].bias
    assert net.get_submodule("") is net
    with pytest.raises(AttributeError, match="has no attribute `block 9`"):
        net.get_submodule("0.block 9")
    with pytest.raises(AttributeError, match="has no attribute `gamma`"):
        net.get_parameter("1.gamma")


# ----- calling and hooks -----
def test_forward_hooks_run_in_order_and_can_be_removed():
    layer = Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: calls.append("pre"))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    first = layer.register_forward_pre_hook(lambda m, args: calls.append("first"), prepend=True)
    layer(bricks.ones(1, 2))
    assert calls == ["first", "pre", ("post", bricks.Size([1, 2]))]
    for handle in (pre, post, first):
        handle.remove()
    layer(bricks.ones(1, 2))
    assert len(calls) == 3


def test_hooks_may_replace_inputs_and_outputs():
    layer = ReLU()
    layer.register_forward_pre_hook(lambda m, args: (args[0] * -1,))
    layer.register_forward_hook(lambda m, args, out: out + 1)
    assert layer(bricks.tensor([2.0, -3.0])).tolist() == [1.0, 4.0]


def test_hooks_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    assert m(bricks.tensor([1.0])).tolist() == [3.0]


def test_always_call_forward_hooks_run_when_forward_raises_as_torch():
    records = []
    for lib in (bricks, torch):
        calls = []
        module = lib.nn.Module()

        def forward(x, scale):
            raise ValueError("boom")

        def silenced(m, args, output):
            raise KeyError("inner")

        module.forward = forward
        module.register_forward_hook(lambda m, args, out: calls.append(("always", out)),
                                     always_call=True)
        module.register_forward_hook(lambda m, args, out: calls.append("plain"))
        module.register_forward_hook(lambda m, args, kwargs, out: calls.append(("kw", kwargs)),
                                     always_call=True, with_kwargs=True)
        module.register_forward_hook(silenced, always_call=True)
        with pytest.warns(UserWarning, match="always_call=True`` raised an exception that was "
                                             "silenced.*'inner'"):
            with pytest.raises(ValueError, match="boom"):
                module(lib.ones(1), scale=2)
        records.append(calls)
    assert records[0] == records[1] == [("always", None), ("kw", {"scale": 2})]


def test_always_call_hook_runs_once_when_a_later_hook_raises():
    calls = []
    layer = ReLU()
    layer.register_forward_hook(lambda m, args, out: calls.append(out.tolist()), always_call=True)

    def later(m, args, out):
        raise TypeError("later")

    layer.register_forward_hook(later)
    with pytest.raises(TypeError, match="later"):
        layer(bricks.ones(1))
    assert calls == [[1.0]]


def test_a_with_kwargs_pre_hook_must_return_args_and_kwargs():
    layer = ReLU()
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\)"):
        layer(bricks.ones(1))


def test_calling_a_module_whose_init_skipped_module_init_raises_attribute_error():
    class Forgetful(nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Forgetful()(bricks.ones(1))


# ----- modes, gradients, dtypes -----
def test_train_eval_reach_every_module():
    net = nested(BRICKS)
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_zero_grad_and_requires_grad():
    net = nn.Sequential(Linear(3, 2))
    net(bricks.ones(1, 3)).sum().backward()
    assert net[0].weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert net[0].weight.grad.tolist() == [[0.0] * 3] * 2
    net.zero_grad()
    assert net[0].weight.grad is None
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_dtype_converts_in_place_and_keeps_ties():
    shared = Linear(2, 2)
    net = nn.Sequential(shared, shared)
    weight = shared.weight
    assert net.double() is net
    assert net[1].weight is weight and weight.dtype is bricks.float64
    assert net(bricks.ones(1, 2, dtype=bricks.float64)).dtype is bricks.float64
    net.to(bricks.float32)
    assert weight.dtype is bricks.float32
    net.half().float()
    assert weight.dtype is bricks.float32
    if not bricks.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            net.to("cuda")
        assert weight.dtype is bricks.float32  # the failed move changed nothing


# ----- printing -----
def test_repr_of_nested_blocks_matches_torch():
    assert repr(nested(BRICKS)) == repr(nested(TORCH))


def test_repr_of_custom_and_empty_modules_matches_torch():
    assert repr(MLP.make(BRICKS)) == repr(MLP.make(TORCH))

    class Empty(nn.Module):
        pass

    class Empty2(torch.nn.Module):
        pass

    assert repr(Empty()) == "Empty()" and repr(Empty2()) == "Empty2()"


def test_repr_of_multiline_extra_repr_matches_torch():
    class Odd(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    class TOdd(torch.nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    a, b = Odd(), TOdd()
    a.child, b.child = ReLU(), torch.nn.ReLU()
    assert repr(a).replace("Odd", "X") == repr(b).replace("TOdd", "X")


def test_module_outputs_match_torch_with_the_same_weights():
    ours, theirs = nested(BRICKS), nested(TORCH)
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(0).random((2, 4), dtype=np.float32)
    np.testing.assert_allclose(ours(bricks.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_modules_are_never_pickled():
    import pickle

    with pytest.raises(TypeError, match="never pickles"):
        pickle.dumps(Linear(1, 1))


def test_deepcopy_gives_independent_arrays_and_keeps_ties_inside_the_copy():
    import copy

    shared = Linear(2, 2)
    net = nn.Sequential(Linear(2, 2), shared, shared)
    net[0].register_buffer("running", bricks.ones(2))
    net(bricks.ones(1, 2)).sum().backward()
    clone = copy.deepcopy(net)
    assert clone[1] is clone[2] and clone[1] is not shared
    assert list(clone.state_dict()) == list(net.state_dict())
    clone[0].weight.data[0, 0] = 99.0
    clone[0].running[0] = 5.0
    assert net[0].weight[0, 0].item() != 99.0 and net[0].running[0].item() == 1.0
    np.testing.assert_array_equal(clone[0].weight.grad.numpy(), net[0].weight.grad.numpy())
    x = bricks.rand(3, 2)
    np.testing.assert_allclose(clone[1:](x).detach().numpy(), net[1:](x).detach().numpy())
