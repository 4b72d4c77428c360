"""Complex tensors against torch: dtypes and promotion, printing, parts, magnitude and phase,
arithmetic with gradients of complex leaves, and torch's refusals of complex input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import bricks

INF, NAN = float("inf"), float("nan")


def _values(seed: int = 0, shape: tuple = (2, 3), dtype: str = "complex64") -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


EDGES = np.array([0, -0.0, 1j, -1, INF, -INF * 1j, NAN, complex(1, NAN), complex(INF, INF),
                  3 - 4j, 1e-30 + 1e-30j], dtype="complex128")


def _as_numpy(t: Any) -> np.ndarray:
    t = t.detach()
    return (t.resolve_conj() if isinstance(t, torch.Tensor) else t).numpy()


def test_dtypes_and_their_aliases() -> None:
    assert bricks.cfloat is bricks.complex64 and bricks.cdouble is bricks.complex128
    assert repr(bricks.complex64) == "bricks.complex64"
    z = bricks.zeros(2, dtype=bricks.cdouble)
    assert z.dtype is bricks.complex128 and z.is_complex() and bricks.is_complex(z)
    assert not z.is_floating_point() and not bricks.ones(2).is_complex()
    assert bricks.complex64.is_complex and not bricks.complex64.is_floating_point
    assert z.element_size() == torch.zeros(2, dtype=torch.cdouble).element_size()
    assert z.type() == torch.zeros(2, dtype=torch.cdouble).type()
    assert bricks.ones(1, dtype=bricks.cfloat).type() == "torch.ComplexFloatTensor"
    assert bricks.tensor([1 + 2j]).dtype is bricks.complex64  # Python complex: the default
    assert bricks.tensor(np.array([1j])).dtype is bricks.complex128  # NumPy's dtype is kept
    assert bricks.tensor([1j], dtype=bricks.float64 and bricks.cdouble).dtype is bricks.cdouble
    assert bricks.randn(3, dtype=bricks.cfloat).dtype is bricks.complex64


def test_randn_draws_parts_of_half_variance_as_torch() -> None:
    bricks.manual_seed(0)
    z = bricks.randn(20000, dtype=bricks.complex128).numpy()
    assert abs(z.real.var() - 0.5) < 0.03 and abs(z.imag.var() - 0.5) < 0.03
    u = bricks.rand(20000, dtype=bricks.complex64).numpy()
    assert 0 <= u.real.min() and u.real.max() < 1 and 0 <= u.imag.min() and u.imag.max() < 1


_PROMOTIONS = [("float32", 1, "complex128", 0), ("float64", 1, "complex64", 0),
               ("float64", 1, "complex64", 1), ("float64", 0, "complex64", 1),
               ("int64", 1, "complex64", 1), ("float16", 1, "complex64", 1),
               ("complex64", 1, "complex128", 1), ("complex64", 1, "complex128", 0),
               ("int32", 1, "complex128", 1), ("complex128", 0, "float32", 1)]


@pytest.mark.parametrize("a,ad,b,bd", _PROMOTIONS)
def test_promotion_matches_torch(a: str, ad: int, b: str, bd: int) -> None:
    def make(lib: Any, dtype: str, ndim: int) -> Any:
        return lib.ones((2,) * ndim, dtype=getattr(lib, dtype))

    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: y - x, lambda x, y: x / y):
        ours = op(make(bricks, a, ad), make(bricks, b, bd))
        theirs = op(make(torch, a, ad), make(torch, b, bd))
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64", "complex128"])
@pytest.mark.parametrize("scalar", [1j, 2.5, 2, 1 - 2j])
def test_python_scalars_promote_as_torch(dtype: str, scalar: Any) -> None:
    a = np.arange(1, 4).astype(dtype)
    for op in (lambda x: x * scalar, lambda x: scalar - x, lambda x: x / scalar,
               lambda x: x + scalar):
        ours, theirs = op(bricks.tensor(a)), op(torch.tensor(a))
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_printing_matches_torch() -> None:
    rng = np.random.default_rng(0)
    arrays = [np.array([1 + 2j, 3.5 - 1j]), np.array([1 + 2j]), np.array(1j),
              np.array([1e10 + 2j, 3.5 - 1j]), np.array([NAN + 1j, INF * 1j, -INF - 0j]),
              np.zeros(0, complex), rng.standard_normal((2, 3)) * (1 + 1j),
              rng.standard_normal((40, 40)) * (1 - 2j), np.array([0j, -0.0 - 0.0j]),
              rng.standard_normal(30) * 1e-5j, EDGES]
    for a in arrays:
        for dtype in ("complex64", "complex128"):
            ours = repr(bricks.tensor(a, dtype=getattr(bricks, dtype)))
            theirs = repr(torch.tensor(a, dtype=getattr(torch, dtype)))
            assert ours.replace("bricks.", "torch.") == theirs
    ours = bricks.tensor([1.5 + 2j], requires_grad=True)
    theirs = torch.tensor([1.5 + 2j], requires_grad=True)
    assert repr(ours) == repr(theirs) and repr(ours * 2) == repr(theirs * 2)


PARTS = [
    ("real", lambda m, z: m.real(z)),
    ("imag", lambda m, z: z.imag),
    ("abs", lambda m, z: z.abs()),
    ("angle", lambda m, z: m.angle(z)),
    ("conj", lambda m, z: m.conj(z)),
    ("view_as_real", lambda m, z: m.view_as_real(z)),
    ("sum_mean", lambda m, z: z.sum(0) * 2 + z.mean()),
    ("mul_conj", lambda m, z: z * z.conj()),
    ("div", lambda m, z: (z + 1) / (z - 2j)),
    ("sub_scalar", lambda m, z: 1 - z * 2j),
    ("index_reshape", lambda m, z: z.reshape(-1)[1:5].flip(0) if m is torch else
     z.reshape(-1)[1:5].flip(0)),
    ("cat_stack", lambda m, z: m.cat([z, m.stack([z[0], z[1]])], 0)),
    ("to_cdouble", lambda m, z: z.to(m.complex128) * 3),
    ("polar_of_parts", lambda m, z: m.polar(z.abs(), m.angle(z))),
    ("fftshift", lambda m, z: m.fft.fftshift(z)),
]


def _loss(lib: Any, y: Any) -> Any:
    """A fixed real loss of ``y``, complex or real."""
    if lib is torch:
        y = y.resolve_conj()
    parts = lib.view_as_real(y) if y.is_complex() else y
    w = np.cos(np.arange(parts.numel()) + 1.0).reshape(tuple(parts.shape))
    return (parts * lib.tensor(w, dtype=parts.dtype)).sum()


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name,f", PARTS, ids=[n for n, _ in PARTS])
def test_values_and_complex_leaf_gradients_match_torch(name: str, f: Any, dtype: str) -> None:
    a = _values(1, (2, 4), dtype)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "complex64" else dict(rtol=1e-10, atol=1e-12)
    results = []
    for lib in (torch, bricks):
        z = lib.tensor(a, requires_grad=True)
        y = f(lib, z)
        _loss(lib, y).backward()
        results.append((_as_numpy(y), str(y.dtype).split(".")[-1], _as_numpy(z.grad)))
    (t_y, t_dtype, t_grad), (b_y, b_dtype, b_grad) = results
    assert b_dtype == t_dtype
    np.testing.assert_allclose(b_y, t_y, **tol)
    np.testing.assert_allclose(b_grad, t_grad, **tol)


@pytest.mark.parametrize("name,f", PARTS[:6], ids=[n for n, _ in PARTS[:6]])
def test_parts_of_edge_values_match_torch(name: str, f: Any) -> None:
    results = []
    for lib in (torch, bricks):
        z = lib.tensor(EDGES, requires_grad=True)
        y = f(lib, z)
        y.abs().sum().backward() if y.is_complex() else y.sum().backward()
        results.append((_as_numpy(y), _as_numpy(z.grad)))
    np.testing.assert_allclose(results[1][0], results[0][0], equal_nan=True)
    np.testing.assert_allclose(results[1][1], results[0][1], equal_nan=True)


def test_real_leaves_get_real_gradients_as_torch() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    grads = []
    for lib in (torch, bricks):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        z = lib.complex(x, y) * (x + 1j) - y / lib.complex(y, x[0]) + x.to(lib.complex128) * 1j
        _loss(lib, z).backward()
        grads.append((x.grad.numpy(), y.grad.numpy(), str(x.grad.dtype)))
    assert grads[1][2].endswith("float64")
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-10)
    np.testing.assert_allclose(grads[1][1], grads[0][1], rtol=1e-10)


def test_parts_are_views_and_angle_of_reals_as_torch() -> None:
    z = bricks.tensor([1 + 2j, 3 - 4j])
    re, im = z.real, z.imag
    z.mul_(2) if hasattr(z, "mul_") else None
    assert re.tolist() == [2.0, 6.0] and im.tolist() == [4.0, -8.0]
    x = bricks.tensor([1.0, -2.0])
    assert bricks.real(x) is x and x.conj() is x and not bricks.is_conj(x)
    for values in ([-1.0, 0.0, NAN, -0.0, INF, -INF], [1, -2, 0]):
        ours = bricks.tensor(values).angle()
        theirs = torch.tensor(values).angle()
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), equal_nan=True)


def test_view_as_complex_round_trip_and_gradient() -> None:
    a = np.arange(12.0).reshape(3, 2, 2)
    grads = []
    for lib in (torch, bricks):
        x = lib.tensor(a, requires_grad=True)
        z = lib.view_as_complex(x)
        assert tuple(z.shape) == (3, 2)
        np.testing.assert_array_equal(lib.view_as_real(z).detach().numpy(), a)
        (z * (2 - 1j)).abs().sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


ERRORS = [  # (name, call, whether bricks words it as torch does)
    ("imag_of_real", lambda m: m.ones(2).imag, True),
    ("view_as_real_of_real", lambda m: m.view_as_real(m.ones(2)), True),
    ("view_as_complex_size", lambda m: m.view_as_complex(m.ones(3, 3)), True),
    ("view_as_complex_stride", lambda m: m.view_as_complex(m.ones(2, 3).t()), True),
    ("view_as_complex_int", lambda m: m.view_as_complex(m.ones(3, 2, dtype=m.int64)), True),
    ("complex_mixed", lambda m: m.complex(m.ones(2), m.ones(2, dtype=m.float64)), True),
    ("complex_int", lambda m: m.complex(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
     True),
    ("complex_shapes", lambda m: m.complex(m.ones(2), m.ones(3)), False),
    ("polar_int", lambda m: m.polar(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)), True),
    ("implicit_grad", lambda m: m.ones(1, dtype=m.cfloat, requires_grad=True).sum().backward(),
     False),
    ("int_requires_grad", lambda m: m.ones(2, dtype=m.int64, requires_grad=True), False),
]


@pytest.mark.parametrize("call,exact", [(c, e) for _, c, e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_match_torch(call: Any, exact: bool) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(bricks)
    if exact:
        assert str(got.value) == str(expected.value)


REFUSED = [
    lambda m, z: z.max(), lambda m, z: z.max(0), lambda m, z: z.min(), lambda m, z: z.amax(),
    lambda m, z: z.argmax(), lambda m, z: m.argmin(z), lambda m, z: z.sort(),
    lambda m, z: z.argsort(), lambda m, z: z.topk(1), lambda m, z: z < z, lambda m, z: z > 0,
    lambda m, z: z <= 1, lambda m, z: m.ge(z, z), lambda m, z: z.relu(),
    lambda m, z: m.nn.functional.relu(z), lambda m, z: z.clamp(0, 1), lambda m, z: z.clip(0, 1),
    lambda m, z: m.maximum(z, z), lambda m, z: m.minimum(z.real, z), lambda m, z: z.floor(),
    lambda m, z: z.ceil(), lambda m, z: z.round(), lambda m, z: z.sign(), lambda m, z: z % 2,
    lambda m, z: z // 2, lambda m, z: z.median(), lambda m, z: z.kthvalue(1),
    lambda m, z: z.unique(), lambda m, z: m.atan2(z, z), lambda m, z: z.arctan2(z),
    lambda m, z: z.softmax(0), lambda m, z: z.cummax(0), lambda m, z: m.quantile(z, 0.5),
    lambda m, z: z.trunc(), lambda m, z: z.erf(), lambda m, z: m.fmax(z, z),
    lambda m, z: m.searchsorted(z, z), lambda m, z: z.signbit(), lambda m, z: z.nansum(),
    lambda m, z: m.nanmean(z), lambda m, z: m.nn.functional.mse_loss(z, z),
    lambda m, z: m.nn.functional.leaky_relu(z), lambda m, z: m.nn.functional.elu(z),
    lambda m, z: m.nn.functional.gelu(z), lambda m, z: m.nn.functional.softplus(z),
    lambda m, z: m.nn.functional.hardtanh(z), lambda m, z: m.nn.functional.relu6(z),
    lambda m, z: m.nn.functional.mish(z), lambda m, z: m.nn.functional.logsigmoid(z),
    lambda m, z: m.nn.functional.layer_norm(z, (4,)),
    lambda m, z: m.nn.functional.binary_cross_entropy_with_logits(z, z),
    lambda m, z: m.nn.functional.max_pool1d(z[None], 2),
    lambda m, z: m.nn.functional.avg_pool1d(z[None], 2),
]


@pytest.mark.parametrize("k", range(len(REFUSED)))
def test_ops_torch_refuses_for_complex_input_raise(k: int) -> None:
    a = _values(3, (4,))
    with pytest.raises(RuntimeError) as expected:  # NotImplementedError is a RuntimeError
        REFUSED[k](torch, torch.tensor(a))
    with pytest.raises(type(expected.value)):
        REFUSED[k](bricks, bricks.tensor(a))


def test_ops_torch_allows_on_complex_input_give_its_values() -> None:
    a = _values(4, (3, 4), "complex128")
    for f in (lambda m, z: z == z, lambda m, z: z != 1j, lambda m, z: z.isnan(),
              lambda m, z: m.isclose(z, z), lambda m, z: z.exp(), lambda m, z: z.sum(1),
              lambda m, z: z.mean(), lambda m, z: z @ z.T, lambda m, z: z.sqrt(),
              lambda m, z: z.prod(), lambda m, z: z.cumsum(0), lambda m, z: z.tanh(),
              lambda m, z: z ** 2, lambda m, z: z.flip(0), lambda m, z: z.roll(1),
              lambda m, z: m.where(z.real > 0, z, 1j), lambda m, z: z.tril()):
        ours, theirs = f(bricks, bricks.tensor(a)), f(torch, torch.tensor(a))
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(_as_numpy(ours), _as_numpy(theirs), rtol=1e-10)


def test_ops_bricks_has_not_derived_for_complex_input_refuse() -> None:
    """torch computes these for complex input; bricks' formulas are for reals, so it refuses
    rather than give other values (a known gap)."""
    z = bricks.tensor(_values(6, (3, 4)))
    for f in (lambda: z.var(), lambda: z.std(0), lambda: z.norm(), lambda: z.logsumexp(0),
              lambda: z.sigmoid(), lambda: z.nan_to_num(), lambda: bricks.std_mean(z),
              lambda: bricks.var_mean(z)):
        with pytest.raises(NotImplementedError, match="of complex tensors is not implemented"):
            f()


def test_gradients_not_derived_for_complex_are_refused_not_wrong() -> None:
    """``exp`` and friends compute complex values, but their backward is written for reals:
    bricks refuses the complex gradient instead of giving a wrong one."""
    z = bricks.tensor(_values(5, (3,)), requires_grad=True)
    loss = z.exp().abs().sum()
    with pytest.raises(NotImplementedError, match="ExpBackward0 for complex"):
        loss.backward()
