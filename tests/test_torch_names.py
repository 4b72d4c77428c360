"""torch's everyday names added in issue 12 (feat-tbreadth): the derived in-place forms
(version counter, leaf and dtype errors, autograd through them, views), the torch-level
in-place functions, and the composites without gradients (integer maths, ``frexp``, ``isin``,
``heaviside``...), each compared with torch."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import bricks


def _both(f: Callable[[Any], Any]) -> tuple[Any, Any]:
    return f(torch), f(bricks)


def _same(t: Any, b: Any) -> None:
    if isinstance(t, tuple):
        for x, y in zip(t, b):
            _same(x, y)
        return
    assert str(t.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    np.testing.assert_allclose(b.detach().numpy(), t.detach().numpy(), rtol=1e-6)


def _error(f: Callable[[Any], Any]) -> tuple[BaseException, BaseException]:
    caught = []
    for m in (torch, bricks):
        with pytest.raises(Exception) as info:
            f(m)
        caught.append(info.value)
    return caught[0], caught[1]


INPLACE = ["sin_", "cos_", "tan_", "tanh_", "sigmoid_", "log_", "log1p_", "log2_", "log10_",
           "exp2_", "expm1_", "erf_", "erfinv_", "floor_", "ceil_", "round_", "trunc_", "frac_",
           "reciprocal_", "rsqrt_", "square_", "sign_", "lgamma_", "digamma_", "asin_", "acos_",
           "atan_", "sinh_", "cosh_", "asinh_", "atanh_", "arcsin_", "arccos_", "arctan_",
           "arcsinh_", "arctanh_", "tril_", "triu_", "fix_", "sgn_", "negative_", "absolute_",
           "deg2rad_", "rad2deg_", "logit_", "i0_", "sinc_", "nan_to_num_"]


@pytest.mark.parametrize("name", INPLACE)
def test_unary_inplace_forms_match_torch(name: str) -> None:
    values = np.array([[0.25, 0.5, 0.75], [0.1, 0.3, 0.9]], np.float32)
    t, b = _both(lambda m: m.tensor(values))
    vt, vb = t._version, b._version
    assert getattr(t, name)() is t and getattr(b, name)() is b
    np.testing.assert_allclose(b.numpy(), t.numpy(), rtol=1e-6, equal_nan=True)
    assert b._version - vb == t._version - vt == 1


@pytest.mark.parametrize("name,args", [
    ("lt_", (0.5,)), ("le_", (0.5,)), ("gt_", (0.5,)), ("ge_", (0.5,)), ("eq_", (0.5,)),
    ("ne_", (0.5,)), ("fmod_", (0.3,)), ("remainder_", (0.3,)), ("floor_divide_", (0.3,)),
    ("true_divide_", (4.0,)), ("hypot_", (bricks.tensor(2.0),)), ("clamp_min_", (0.4,)),
    ("clamp_max_", (0.4,)),
    ("clip_", (0.2, 0.6)), ("cumsum_", (1,)), ("cumprod_", (0,)), ("multiply_", (3,)),
    ("subtract_", (1,)), ("divide_", (2,)), ("greater_", (0.4,)), ("less_equal_", (0.4,)),
    ("not_equal_", (0.5,)), ("xlogy_", (2.0,)), ("float_power_", (2,)),
])
def test_inplace_forms_with_arguments_match_torch(name: str, args: tuple) -> None:
    values = np.array([[0.25, 0.5, 0.75], [0.1, 0.3, 0.9]])
    def run(m: Any) -> Any:
        given = [m.tensor(a.item()) if isinstance(a, bricks.Tensor) else a for a in args]
        return getattr(m.tensor(values), name)(*given)

    t, b = _both(run)
    _same(t, b)


@pytest.mark.parametrize("name", ["sin_", "exp2_", "sigmoid_", "sqrt_", "erf_"])
def test_float_result_into_integer_tensor_raises_torch_error(name: str) -> None:
    t, b = _both(lambda m: m.tensor([1, 2, 3]))
    errors = _error(lambda m: getattr(t if m is torch else b, name)())
    assert type(errors[0]) is type(errors[1]) is RuntimeError
    assert str(errors[1]) == str(errors[0]) == \
        "result type Float can't be cast to the desired output type Long"
    assert b.tolist() == [1, 2, 3] and b._version == 0  # a failed operation changes nothing


def test_leaf_requiring_grad_is_refused() -> None:
    for m in (torch, bricks):
        leaf = m.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            leaf.tanh_()
        with pytest.raises(RuntimeError, match="view of a leaf Variable"):
            leaf[1:].addcmul_(leaf[1:], leaf[1:])


def test_autograd_through_chained_inplace_forms_and_views_matches_torch() -> None:
    values = np.random.default_rng(0).normal(size=(3, 4))
    grads, outs = [], []
    for m in (torch, bricks):
        x = m.tensor(values, requires_grad=True)
        o = m.tensor(values[::-1].copy(), requires_grad=True)
        y = x * 1
        y[1:].sin_().addcdiv_(o[1:], o[1:].exp(), value=0.5)
        y.clamp_max_(0.5).lerp_(o, 0.25).tril_()
        m.sigmoid_(y)
        (y * y).sum().backward()
        outs.append(y.detach().numpy())
        grads.append((x.grad.numpy(), o.grad.numpy(), y.grad_fn.name()
                      if m is bricks else type(y.grad_fn).__name__))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-10)
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-10)
    np.testing.assert_allclose(grads[1][1], grads[0][1], rtol=1e-10)
    assert grads[1][2] == grads[0][2] == "SigmoidBackward0"


def test_inplace_change_of_a_saved_tensor_is_detected() -> None:
    for m in (torch, bricks):
        x = m.ones(3, requires_grad=True)
        y = x * 2
        z = y.sin()  # saves y
        y.cos_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


@pytest.mark.parametrize("name", ["sigmoid_", "relu_", "exp_", "sin_", "log1p_", "sqrt_",
                                  "abs_", "neg_", "zero_", "trunc_", "nan_to_num_", "square_"])
def test_torch_level_inplace_functions(name: str) -> None:
    t, b = _both(lambda m: m.tensor([-1.5, 0.0, 2.0]))
    assert getattr(torch, name)(t) is t and getattr(bricks, name)(b) is b
    np.testing.assert_allclose(b.numpy(), t.numpy(), equal_nan=True)


def test_torch_level_fill_clamp_and_detach() -> None:
    for m in (torch, bricks):
        x = m.tensor([1.0, 5.0])
        assert m.fill_(x, 2.0) is x and x.tolist() == [2.0, 2.0]
        assert m.clamp_(x, max=1.0).tolist() == [1.0, 1.0]
        y = m.ones(2, requires_grad=True) * 2
        assert m.detach_(y) is y and y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("f", [
    lambda m: m.gcd(m.tensor([12, 18, -4, 0]), m.tensor([8, 27, 6, 0])),
    lambda m: m.lcm(m.tensor([12, 18, -4, 0]), m.tensor([8, 27, 6, 5])),
    lambda m: m.tensor([12, 9]).gcd(m.tensor(6)),
    lambda m: m.frexp(m.tensor([0.0, 1.5, -3.0, 1e-3, float("inf"), float("nan")])),
    lambda m: m.tensor([5.0, -0.5]).frexp(),
    lambda m: m.ldexp(m.tensor([1.0, 3.0]), m.tensor([2, -1])),
    lambda m: m.nextafter(m.tensor([1.0, 2.0, 0.0]), m.tensor([2.0, 1.0, -1.0])),
    lambda m: m.heaviside(m.tensor([-1.0, 0.0, 2.0, float("nan")]), m.tensor([0.5])),
    lambda m: m.isin(m.tensor([1, 2, 3, 4]), m.tensor([2, 4])),
    lambda m: m.isin(m.tensor([[1, 2], [3, 4]]), m.tensor([2, 4]), invert=True),
    lambda m: m.diff(m.tensor([True, False, False, True])),
    lambda m: m.diff(m.tensor([1, 4, 9, 16]), n=2, prepend=m.tensor([0])),
    lambda m: m.diff(m.tensor([1.0, 2.0]), n=3),
    lambda m: m.logcumsumexp(m.tensor([-float("inf"), 0.0, 1000.0, float("nan")]), 0),
    lambda m: m.aminmax(m.tensor([[1.0, float("nan")], [2.0, 3.0]])),
    lambda m: m.aminmax(m.tensor([[1, 7], [2, 3]]), dim=0, keepdim=True),
    lambda m: m.tensor([[3.0, 1.0], [2.0, 5.0]]).aminmax(),
    lambda m: m.positive(m.tensor([1, -2])),
    lambda m: m.sgn(m.tensor([-2.0, 0.0, 3.0, -0.0])),
    lambda m: m.sgn(m.tensor([3 + 4j, 0j])),
    lambda m: m.cov(m.tensor([1.0, 2.0, 4.0])),
    lambda m: m.cov(m.tensor([[1, 2, 4], [2, 1, 0]])),
    lambda m: m.cov(m.tensor([[1.0, 2, 4], [2, 1, 0]]), fweights=m.tensor([1, 2, 3]),
                    aweights=m.tensor([0.5, 1.0, 2.0])),
    lambda m: m.corrcoef(m.tensor([[1.0, 2, 4], [2, 1, 0], [1, 1, 1]])),
    lambda m: m.float_power(m.tensor([2, 3]), 2),
    lambda m: m.float_power(m.tensor([2.0], dtype=m.float32), m.tensor([0.5])),
    lambda m: m.copysign(m.tensor([1.0, -2.0, 0.0, float("inf")]),
                         m.tensor([-0.0, 1.0, -1.0, -1.0])),
    lambda m: m.copysign(m.tensor([1, -2]), -1),
    lambda m: m.trapezoid(m.tensor([1.0, 2.0, 4.0]), m.tensor([0.0, 1.0, 3.0])),
    lambda m: m.trapezoid(m.tensor([1, 2, 4])),
    lambda m: m.cumulative_trapezoid(m.tensor([[1.0, 2.0, 4.0]]), dx=2.0),
    lambda m: m.logaddexp2(m.tensor([-float("inf"), 0.0, 1000.0]),
                           m.tensor([1.0, 0.0, 1000.0])),
    lambda m: m.vdot(m.tensor([1 + 2j, 3j]), m.tensor([2 - 1j, 1 + 1j])),
    lambda m: m.addcmul(m.tensor([1, 2]), m.tensor([3, 4]), m.tensor([5, 6]), value=2),
    lambda m: m.msort(m.tensor([[3, 1], [1, 2], [2, 0]])),
    lambda m: m.ravel(m.ones(2, 0, 3)),
    lambda m: m.renorm(m.tensor([[3.0, 4.0], [0.3, 0.4]]), 1, 0, 2.0),
    lambda m: m.tensor([4.0, 6.0]).divide(m.tensor([3.0, 4.0]), rounding_mode="trunc"),
    lambda m: m.addmv(m.tensor([float("nan"), 1.0]), m.ones(2, 3), m.ones(3), beta=0),
    lambda m: m.addr(m.zeros(2, 2, dtype=m.int64), m.tensor([1, 2]), m.tensor([3, 4])),
])
def test_values_and_dtypes_match_torch(f: Callable[[Any], Any]) -> None:
    t, b = _both(f)
    _same(tuple(t) if isinstance(t, tuple) else t, tuple(b) if isinstance(b, tuple) else b)


@pytest.mark.parametrize("f", [
    lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])),
    lambda m: m.addcdiv(m.ones(2), m.tensor([1, 2]), m.tensor([3, 4])),
    lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1])),
    lambda m: m.frexp(m.tensor([1, 2])),
    lambda m: m.logcumsumexp(m.tensor([[1, 2], [3, 4]]), 1),
    lambda m: m.diff(m.tensor(1.0)),
    lambda m: m.diff(m.ones(3), n=-1),
    lambda m: m.aminmax(m.ones(0)),
    lambda m: m.cov(m.ones(2, 2, 2)),
    lambda m: m.renorm(m.ones(2, 2), -1, 0, 1.0),
    lambda m: m.positive(m.tensor([True])),
    lambda m: m.polygamma(-1, m.ones(2)),
    lambda m: m.addmv(m.ones(2), m.ones(2, 3), m.ones(4)),
])
def test_errors_match_torch_type(f: Callable[[Any], Any]) -> None:
    t, b = _error(f)
    assert isinstance(b, type(t)), (t, b)


@pytest.mark.parametrize("f", [
    lambda m: m.atleast_1d(m.tensor(3.0)),
    lambda m: m.atleast_2d(m.tensor([1.0, 2.0])),
    lambda m: m.atleast_3d(m.ones(2, 3)),
    lambda m: m.atleast_3d(m.tensor([1, 2])),
    lambda m: m.atleast_2d(m.tensor(1), m.ones(2, 2, 2)),
    lambda m: m.atleast_1d([m.tensor(1), m.tensor([2])]),
    lambda m: m.diagflat(m.tensor([[1, 2], [3, 4]]), 1),
    lambda m: m.tensor([1.0, 2.0]).diagflat(-1),
    lambda m: m.cartesian_prod(m.tensor([1, 2]), m.tensor([3, 4, 5])),
    lambda m: m.cartesian_prod(m.tensor([1, 2])),
    lambda m: m.tril_indices(3, 4),
    lambda m: m.triu_indices(4, 3, offset=1, dtype=m.int32),
    lambda m: m.tril_indices(3, 3, -1),
])
def test_structure_helpers_match_torch(f: Callable[[Any], Any]) -> None:
    t, b = _both(f)
    _same(tuple(t) if isinstance(t, (tuple, list)) else t,
          tuple(b) if isinstance(b, (tuple, list)) else b)


def test_structure_gradients_and_predicates_match_torch() -> None:
    grads = []
    for m in (torch, bricks):
        x = m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
        (m.diagflat(x, 1) * 2).sum().backward()
        (m.cartesian_prod(x, x)[:, 1] ** 2).sum().backward()
        m.atleast_3d(x).sum().backward()
        grads.append(x.grad.numpy())
        assert m.broadcast_shapes((2, 1), (3,), 1) == (2, 3)
        assert m.is_nonzero(m.tensor([1.5])) and not m.is_nonzero(m.tensor(0))
        assert m.ones(2, 3).is_same_size(m.zeros(2, 3)) and not m.is_same_size(m.ones(2), m.ones(3))
        assert m.ones(1).is_signed() and not m.is_signed(m.ones(1, dtype=m.uint8))
        assert not m.ones(1, dtype=m.bool).is_signed()
    np.testing.assert_allclose(grads[1], grads[0])


@pytest.mark.parametrize("f", [
    lambda m: m.broadcast_shapes((2,), (3,)),
    lambda m: m.is_nonzero(m.ones(2)),
    lambda m: m.is_nonzero(m.ones(0)),
])
def test_structure_errors_match_torch(f: Callable[[Any], Any]) -> None:
    t, b = _error(f)
    assert type(b) is type(t)
