"""torch.func (functional_call, grad, grad_and_value, vjp, jacrev, jacfwd, vmap) and torch.vmap
against torch: values, structures, and errors (type and message)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bricks

LIBS = (torch, bricks)


def _np(tree):
    """Nested results as NumPy arrays (tuples, lists and dicts kept; sizes as tuples)."""
    if isinstance(tree, (torch.Size, bricks.Size)):
        return tuple(tree)
    if isinstance(tree, (tuple, list)):
        return type(tree)(_np(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _np(v) for k, v in tree.items()}
    if isinstance(tree, (torch.Tensor, bricks.Tensor)):
        return tree.detach().numpy()
    return tree


def _assert_same(ours, theirs):
    ours, theirs = _np(ours), _np(theirs)
    if isinstance(theirs, (tuple, list, dict)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        keys = theirs.keys() if isinstance(theirs, dict) else range(len(theirs))
        for k in keys:
            _assert_same(ours[k], theirs[k])
    elif isinstance(theirs, np.ndarray):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    else:
        assert ours == theirs


def _outcome(make):
    """(result, None) or (None, (error type, message)) for torch and for bricks."""
    results = []
    for m in LIBS:
        try:
            results.append((make(m), None))
        except Exception as error:  # noqa: BLE001 - compared below
            results.append((None, (type(error).__name__, str(error).replace("bricks", "torch"))))
    return results


def _compare(make):
    (theirs, their_error), (ours, our_error) = _outcome(make)
    assert our_error == their_error
    if their_error is None:
        _assert_same(ours, theirs)


def _data(m, *shape, seed=0):
    return m.tensor(np.random.default_rng(seed).standard_normal(shape))


# ----- grad and friends -----

GRAD_CASES = [
    lambda m: m.func.grad(lambda x: (x ** 2).sum())(_data(m, 3)),
    lambda m: m.func.grad(lambda x: (x.sin() * x).sum())(_data(m, 2, 3)),
    lambda m: m.func.grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(_data(m, 3),
                                                                      _data(m, 3, seed=1)),
    lambda m: m.func.grad(lambda x, y: x.sum(), argnums=1)(_data(m, 2), _data(m, 1)),
    lambda m: m.func.grad(lambda x: ((x ** 2).sum(), x * 2), has_aux=True)(_data(m, 3)),
    lambda m: m.func.grad_and_value(lambda x: (x ** 3).sum())(_data(m, 4)),
    lambda m: m.func.grad_and_value(lambda x: ((x ** 3).sum(), 7), has_aux=True)(_data(m, 4)),
    lambda m: m.func.grad(lambda d: (d["a"] ** 2).sum() + d["b"][0].sum())(
        {"a": _data(m, 2), "b": [_data(m, 3)]}),
    lambda m: m.func.grad(lambda x: x ** 2)(_data(m, 2)),
    lambda m: m.func.grad(lambda x: 3.0)(_data(m, 2)),
    lambda m: m.func.grad(lambda x: x.sum(), has_aux=True)(_data(m, 2)),
    lambda m: m.func.grad(lambda x: (x.sum(),))(_data(m, 2)),
    lambda m: m.func.grad(lambda x: x.sum(), argnums=2)(_data(m, 2)),
    lambda m: m.func.grad(lambda x: (x ** 2).sum())(3.0),
    lambda m: m.func.grad(lambda x: m.nn.functional.mse_loss(x, x.detach() * 0 + 1))(
        _data(m, 5)),
]


@pytest.mark.parametrize("make", GRAD_CASES)
def test_grad_matches_torch(make):
    _compare(make)


VJP_CASES = [
    lambda m: m.func.vjp(lambda x: x ** 2, _data(m, 3))[1](_data(m, 3, seed=2)),
    lambda m: m.func.vjp(lambda x: x ** 2, _data(m, 3))[0],
    lambda m: m.func.vjp(lambda x, y: x * y, _data(m, 2), _data(m, 2, seed=1))[1](
        m.ones(2, dtype=m.float64)),
    lambda m: m.func.vjp(lambda x: (x * 2, x.sum()), _data(m, 2))[1](
        (m.ones(2, dtype=m.float64), m.tensor(3.0, dtype=m.float64))),
    lambda m: m.func.vjp(lambda x: (x ** 2, x), _data(m, 2), has_aux=True)[2],
    lambda m: m.func.vjp(lambda x: x * 2, 2.0),
]


@pytest.mark.parametrize("make", VJP_CASES)
def test_vjp_matches_torch(make):
    _compare(make)


def test_vjp_of_a_wrong_shape_raises_as_torch():
    # the message names the shapes in each library's own way (torch.Size([3]) / (3,))
    for m in LIBS:
        with pytest.raises(RuntimeError, match="Mismatch in shape: grad_output.0. has a shape"):
            m.func.vjp(lambda x: x ** 2, _data(m, 2))[1](m.ones(3, dtype=m.float64))


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("make", [
    lambda m, j: j(lambda x: x ** 2)(_data(m, 3)),
    lambda m, j: j(lambda x: x @ x.T)(_data(m, 2, 3)),
    lambda m, j: j(lambda x: (x ** 2, x.sum()))(_data(m, 2)),
    lambda m, j: j(lambda x, y: (x * y).sum(), argnums=(0, 1))(_data(m, 2), _data(m, 2, seed=1)),
    lambda m, j: j(lambda x, y: x * y, argnums=1)(_data(m, 2), _data(m, 2, seed=1)),
    lambda m, j: j(lambda x: (x.exp(), x), has_aux=True)(_data(m, 2)),
    lambda m, j: j(lambda x: m.nn.functional.softmax(x, 0))(_data(m, 4)),
])
def test_jacobians_match_torch(make, transform):
    _compare(lambda m: make(m, getattr(m.func, transform)))


def test_hessian_says_gradients_of_gradients_are_out_of_scope():
    with pytest.raises(NotImplementedError, match="create_graph"):
        bricks.func.hessian(lambda x: (x ** 3).sum())(bricks.ones(2))


# ----- functional_call -----

class _Tied:
    """A module with a tied weight and a buffer, built the same way in each library."""

    @staticmethod
    def make(m):
        class Tied(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = m.nn.Linear(2, 2, bias=False)
                self.b = m.nn.Linear(2, 2, bias=False)
                self.b.weight = self.a.weight
                self.register_buffer("buf", m.ones(2))

            def forward(self, x, scale=1.0):
                return (self.a(x) + self.b(x) + self.buf) * scale

        m.manual_seed(0)
        net = Tied()
        with m.no_grad():
            net.a.weight.copy_(m.tensor([[1.0, 2.0], [3.0, 4.0]]))
        return net


def _linear(m):
    net = m.nn.Linear(3, 2)
    with m.no_grad():
        net.weight.copy_(m.tensor(np.arange(6.0).reshape(2, 3)))
        net.bias.fill_(0.5)
    return net


X = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
FUNCTIONAL_CASES = [
    lambda m: m.func.functional_call(_linear(m), {"weight": m.zeros(2, 3)}, m.tensor(X)),
    lambda m: m.func.functional_call(_linear(m), {"weight": m.ones(2, 3), "bias": m.zeros(2)},
                                     (m.tensor(X),)),
    lambda m: m.func.functional_call(_linear(m), ({"weight": m.zeros(2, 3)},
                                                  {"bias": m.ones(2)}), (m.tensor(X),)),
    lambda m: m.func.functional_call(_linear(m), ({"weight": m.zeros(2, 3)},
                                                  {"weight": m.ones(2, 3)}), (m.tensor(X),)),
    lambda m: m.func.functional_call(_linear(m), {"weight": m.zeros(2, 3)}, m.tensor(X),
                                     strict=True),
    lambda m: m.func.functional_call(_linear(m), {"extra": m.zeros(1), "weight": m.zeros(2, 3)},
                                     m.tensor(X), strict=True),
    lambda m: m.func.functional_call(_linear(m), {"weight": m.zeros(2, 3), "bias": m.zeros(2),
                                                  "extra": m.zeros(1)}, m.tensor(X)),
    lambda m: m.func.functional_call(_Tied.make(m), {"a.weight": m.zeros(2, 2)}, m.ones(1, 2)),
    lambda m: m.func.functional_call(_Tied.make(m), {"a.weight": m.zeros(2, 2)}, m.ones(1, 2),
                                     tie_weights=False),
    lambda m: m.func.functional_call(_Tied.make(m), {"a.weight": m.zeros(2, 2),
                                                     "b.weight": m.ones(2, 2)}, m.ones(1, 2)),
    lambda m: m.func.functional_call(_Tied.make(m), {"buf": m.zeros(2)}, m.ones(1, 2),
                                     strict=True),
    lambda m: m.func.functional_call(_Tied.make(m), {"buf": m.zeros(2)}, (m.ones(1, 2),),
                                     {"scale": 2.0}),
    lambda m: m.func.functional_call(_Tied.make(m), {"a.weight": m.zeros(2, 2)},
                                     kwargs={"x": m.ones(1, 2)}),
]


@pytest.mark.parametrize("make", FUNCTIONAL_CASES)
def test_functional_call_matches_torch(make):
    _compare(make)


@pytest.mark.parametrize("m", LIBS)
def test_functional_call_restores_the_module_and_differentiates_the_given_tensors(m):
    net = _linear(m)
    before = {k: v.detach().clone() for k, v in net.named_parameters()}
    params = {k: v.detach().clone().requires_grad_() for k, v in net.named_parameters()}
    m.func.functional_call(net, params, m.tensor(X)).sum().backward()
    assert all(params[k].grad is not None for k in params)
    assert all(net.weight.grad is None for _ in [0])
    for k, v in net.named_parameters():
        assert type(v).__name__ == "Parameter" and bool((v == before[k]).all())


def test_functional_call_under_grad_matches_torch():
    def make(m):
        net = _linear(m)
        params = {k: v.detach() for k, v in net.named_parameters()}

        def loss(p, x):
            return (m.func.functional_call(net, p, (x,)) ** 2).mean()

        return m.func.grad(loss)(params, m.tensor(X))

    _compare(make)


def test_stateless_functional_call_warns_as_torch():
    outcomes = []
    for m in LIBS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = m.nn.utils.stateless.functional_call(_linear(m), {"bias": m.zeros(2)},
                                                       m.tensor(X))
        outcomes.append((_np(out), [(w.category, str(w.message)) for w in caught]))
    np.testing.assert_allclose(outcomes[1][0], outcomes[0][0], rtol=1e-6)
    assert outcomes[1][1] == outcomes[0][1]


def test_stack_module_state_feeds_an_ensemble_through_vmap():
    def make(m):
        models = []
        for k in range(3):
            net = _linear(m)
            with m.no_grad():
                net.weight.mul_(k + 1)
            models.append(net)
        params, buffers = m.func.stack_module_state(models)
        base = _linear(m)

        def one(p, x):
            return m.func.functional_call(base, p, (x,))

        return params["weight"].shape, m.func.vmap(one, in_dims=(0, None))(params, m.tensor(X))

    (theirs, _), (ours, _) = _outcome(make)
    assert tuple(ours[0]) == tuple(theirs[0])
    _assert_same(ours[1], theirs[1])


# ----- vmap -----

VMAP_CASES = [
    lambda m: m.vmap(lambda x: x.sum())(m.ones(3, 4)),
    lambda m: m.vmap(lambda x, y: x * y, in_dims=(0, None))(_data(m, 3, 4), m.arange(4.0)),
    lambda m: m.vmap(lambda x: x.sum(0), in_dims=1, out_dims=0)(_data(m, 3, 4)),
    lambda m: m.vmap(lambda x: x, out_dims=-1)(_data(m, 3, 2)),
    lambda m: m.vmap(lambda x: x, in_dims=-1)(_data(m, 3, 2)),
    lambda m: m.vmap(lambda x, y: x + y)(m.ones(3, 4), m.ones(2, 4)),
    lambda m: m.vmap(lambda x: x, in_dims=2)(m.ones(3)),
    lambda m: m.vmap(lambda x: x)(m.tensor(1.0)),
    lambda m: m.vmap(lambda x: 3)(m.ones(3)),
    lambda m: m.vmap(lambda x: (x, x * 2), out_dims=(0, 1))(_data(m, 3, 2)),
    lambda m: m.vmap(m.vmap(lambda x, y: x * y), in_dims=(0, None))(_data(m, 2, 3), _data(m, 3)),
    lambda m: m.vmap(lambda x: x)(2.0),
    lambda m: m.vmap(lambda d: d["a"] * 2)({"a": _data(m, 3)}),
    lambda m: m.vmap(lambda x: {"y": x * 2, "z": [x]})(_data(m, 3)),
    lambda m: m.vmap(lambda x: x, in_dims=None)(m.ones(3)),
    lambda m: m.vmap(lambda x: x, in_dims=[0])(m.ones(3, 2)),
    lambda m: m.vmap(lambda x: x, in_dims=0.5)(m.ones(3, 2)),
    lambda m: m.vmap(lambda x, y: x, in_dims=(0, None))(m.ones(3, 2), 5),
    lambda m: m.vmap(lambda x: m.ones(2), out_dims=None)(m.ones(3)),
    lambda m: m.vmap(lambda x: (x, 3), out_dims=(0, None))(m.ones(3)),
    lambda m: m.vmap(lambda x: x, randomness="bad")(m.ones(3)),
    lambda m: m.vmap(lambda x: x, out_dims=2)(m.ones(3)),
    lambda m: m.vmap(lambda x: m.rand(1))(m.ones(3)),
    lambda m: m.vmap(lambda x: x + m.nn.functional.dropout(x, 0.5))(m.ones(3)),
    lambda m: m.vmap(lambda x: m.nn.functional.dropout(x, 0.5, training=False))(m.ones(3)),
    lambda m: m.vmap(lambda x: m.rand(2), randomness="different")(m.ones(3)).shape,
    lambda m: m.vmap(lambda x: x, chunk_size=2)(_data(m, 3)),
    lambda m: m.vmap(lambda x: x * 2)(m.ones(0, 2)),
    lambda m: m.vmap(lambda x: x.sum(), in_dims=1)(m.ones(2, 0)),
    lambda m: m.vmap(lambda x: m.nn.functional.linear(x, m.ones(2, 3, dtype=m.float64)))(
        _data(m, 5, 3)),
    lambda m: m.vmap(m.func.grad(lambda x: (x ** 3).sum()))(_data(m, 4, 2)),
    lambda m: m.func.jacrev(m.vmap(lambda x: x.sin()))(_data(m, 3)),
]


@pytest.mark.parametrize("make", VMAP_CASES)
def test_vmap_matches_torch(make):
    _compare(make)


def test_vmap_same_randomness_gives_every_slice_the_same_draws():
    out = bricks.vmap(lambda x: bricks.randn(2), randomness="same")(bricks.ones(3))
    assert out.shape == (3, 2) and bool((out == out[0]).all())
    different = bricks.vmap(lambda x: bricks.randn(2), randomness="different")(bricks.ones(3))
    assert not bool((different == different[0]).all())


def test_vmap_is_differentiable_through_the_loop():
    def make(m):
        x = _data(m, 3, 2).requires_grad_()
        m.vmap(lambda row: (row ** 2).sum())(x).sum().backward()
        return x.grad

    _compare(make)


def test_every_name_exists_in_torch_func():
    assert [n for n in bricks.func.__all__ if not hasattr(torch.func, n)] == []
    assert torch.vmap is torch.func.vmap and bricks.vmap is bricks.func.vmap
