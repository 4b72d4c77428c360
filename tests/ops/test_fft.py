"""``bricks.fft`` against ``torch.fft``: values, dtypes, gradients (of real and complex leaves),
frequencies, shifts, edge inputs and errors. The op table (op_table_complex.py) also runs each
transform through gradcheck, the edge sets, empty inputs and the fake device."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest
import torch

import bricks
from bricks.autograd import gradcheck

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]


def _array(shape: tuple, complex_input: bool, dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_input:
        a = a + 1j * rng.standard_normal(shape)
        return a.astype("complex128" if dtype == "float64" else "complex64")
    return a.astype(dtype)


def _run(lib: Any, name: str, a: np.ndarray, kwargs: dict) -> tuple:
    """The transform's values and the gradient of a fixed real loss of them, in ``lib``."""
    x = lib.tensor(a.copy(), requires_grad=True)
    y = getattr(lib.fft, name)(x, **kwargs)
    if lib is torch:
        y = y.resolve_conj()
    parts = lib.view_as_real(y) if y.is_complex() else y
    w = np.cos(np.arange(parts.numel())).reshape(tuple(parts.shape))
    (parts * lib.tensor(w.astype(parts.detach().numpy().dtype))).sum().backward()
    grad = x.grad.resolve_conj() if lib is torch else x.grad
    return y.detach().numpy(), str(y.dtype).split(".")[-1], grad.numpy(), str(grad.dtype)


def _same(name: str, a: np.ndarray, kwargs: dict) -> None:
    try:
        expected = _run(torch, name, a, kwargs)
    except RuntimeError as error:  # then bricks refuses with torch's message
        with pytest.raises(RuntimeError, match=str(error)):
            _run(bricks, name, a, kwargs)
        return
    got = _run(bricks, name, a, kwargs)
    tol = dict(rtol=1e-9, atol=1e-9) if a.real.dtype == np.float64 else dict(rtol=1e-4, atol=1e-4)
    assert got[1] == expected[1]  # the dtype of the result
    assert got[0].shape == expected[0].shape
    np.testing.assert_allclose(got[0], expected[0], **tol)
    assert got[3].split(".")[-1] == expected[3].split(".")[-1]  # the dtype of the gradient
    np.testing.assert_allclose(got[2], expected[2], **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("complex_input", [False, True])
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("n", [None, 1, 4, 7, 12])
@pytest.mark.parametrize("name", ONE_D)
def test_one_dimensional_transforms_match_torch(name: str, n: Any, norm: Any,
                                                complex_input: bool, dtype: str) -> None:
    if name in ("rfft", "ihfft") and complex_input:
        return  # an error, checked below
    for shape, dim in (((5,), -1), ((6, 3), 0), ((2, 7), 1)):
        _same(name, _array(shape, complex_input, dtype), dict(n=n, dim=dim, norm=norm))


@pytest.mark.parametrize("complex_input", [False, True])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("s,dim", [(None, None), ((3, 5), None), ((4,), None), (None, (0,)),
                                   ((2, 6), (0, 2)), ((-1, 5), (1, 2)), (None, (2, 0)),
                                   ((7,), (-2,))])
@pytest.mark.parametrize("name", N_D)
def test_n_dimensional_transforms_match_torch(name: str, s: Any, dim: Any, norm: Any,
                                              complex_input: bool) -> None:
    if name.startswith("rfft") and complex_input:
        return
    kwargs = dict(s=s, norm=norm)
    if dim is not None:
        kwargs["dim"] = dim
    for dtype in ("float32", "float64"):
        _same(name, _array((2, 3, 6), complex_input, dtype), kwargs)


def test_fft_is_a_module_of_bricks() -> None:
    assert isinstance(bricks.fft, types.ModuleType)
    import bricks.fft as fft_module

    assert fft_module is bricks.fft and bricks.fft.rfft is fft_module.rfft
    assert not [name for name in bricks.fft.__all__ if not hasattr(torch.fft, name)]


@pytest.mark.parametrize("dtype,expected", [("float32", "complex64"), ("float64", "complex128"),
                                            ("int64", "complex64"), ("int32", "complex64"),
                                            ("bool", "complex64"), ("complex64", "complex64"),
                                            ("complex128", "complex128")])
def test_result_dtypes_match_torch(dtype: str, expected: str) -> None:
    a = np.arange(6).astype(dtype)
    assert bricks.fft.fft(bricks.tensor(a)).dtype.name == expected
    assert str(torch.fft.fft(torch.tensor(a)).dtype) == "torch." + expected
    real = {"complex64": "float32", "complex128": "float64"}[expected]
    assert bricks.fft.irfft(bricks.tensor(a)).dtype.name == real
    assert str(torch.fft.irfft(torch.tensor(a)).dtype) == "torch." + real


def test_zeros_and_constants_transform_exactly_as_torch() -> None:
    for a in (np.zeros(8), np.ones(8), np.zeros((3, 4)), np.full(5, 2.0)):
        for name in ("fft", "rfft", "ifft", "fftn", "rfftn"):
            ours = getattr(bricks.fft, name)(bricks.tensor(a)).numpy()
            theirs = getattr(torch.fft, name)(torch.tensor(a)).resolve_conj().numpy()
            np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_spread_as_in_torch(special: float) -> None:
    """A NaN or infinity reaches every frequency; which part of a value turns NaN depends on
    the FFT algorithm (MKL in torch, pocketfft in NumPy), so magnitudes are compared."""
    a = np.arange(8.0)
    a[3] = special
    for name in ("fft", "rfft", "ifft"):
        ours = np.abs(getattr(bricks.fft, name)(bricks.tensor(a)).numpy())
        theirs = np.abs(getattr(torch.fft, name)(torch.tensor(a)).resolve_conj().numpy())
        np.testing.assert_array_equal(np.isfinite(ours), np.isfinite(theirs))
        np.testing.assert_array_equal(np.isnan(ours) | np.isinf(ours),
                                      np.isnan(theirs) | np.isinf(theirs))


def test_zero_dimensional_and_empty_inputs() -> None:
    # fftn of a 0-d tensor transforms no dimension: the value as complex, as torch
    for name in ("fftn", "ifftn"):
        ours = getattr(bricks.fft, name)(bricks.tensor(2.5))
        theirs = getattr(torch.fft, name)(torch.tensor(2.5))
        assert ours.shape == theirs.shape and ours.dtype.name == "complex64"
        assert ours.item() == theirs.item()
    # an empty batch: torch's MKL fails there ("Inconsistent configuration parameters"); bricks
    # returns the empty result NumPy's transform has
    x = bricks.zeros(0, 4, requires_grad=True)
    for name, size in (("fft", 4), ("rfft", 3), ("irfft", 6), ("ifft", 4)):
        y = getattr(bricks.fft, name)(x)
        assert tuple(y.shape) == (0, size)
        assert tuple(getattr(np.fft, name)(np.zeros((0, 4))).shape) == (0, size)
    bricks.view_as_real(bricks.fft.fft(x)).sum().backward()
    assert tuple(x.grad.shape) == (0, 4)


def test_complex_leaf_gradients_match_torch() -> None:
    """A complex leaf's .grad is torch's (the conjugate Wirtinger derivative, doubled)."""
    rng = np.random.default_rng(4)
    a = (rng.standard_normal((3, 8)) + 1j * rng.standard_normal((3, 8))).astype("complex64")
    grads = []
    for lib in (torch, bricks):
        z = lib.tensor(a, requires_grad=True)
        spectrum = lib.fft.fft(z * (1 - 2j), norm="ortho")
        loss = (spectrum.abs() ** 2).sum() + lib.fft.irfft(z, n=10).sum() + (z.real * z.imag).sum()
        loss.backward()
        grads.append(z.grad.numpy())
        assert str(z.grad.dtype).endswith("complex64")
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-4, atol=1e-4)


def test_descending_a_real_loss_of_a_complex_parameter() -> None:
    """``p -= lr * p.grad`` lowers a real loss, as with torch's convention."""
    bricks.manual_seed(0)
    target = bricks.fft.fft(bricks.randn(16, dtype=bricks.float64))
    p = bricks.zeros(16, dtype=bricks.complex128, requires_grad=True)
    losses = []
    for _ in range(30):
        loss = ((bricks.fft.fft(p) - target).abs() ** 2).sum()
        loss.backward()
        with bricks.no_grad():
            p -= 0.01 * p.grad
        p.grad = None
        losses.append(loss.item())
    assert losses[-1] < 1e-3 * losses[0]


@pytest.mark.parametrize("name", ONE_D + N_D)
def test_gradcheck_of_real_and_complex_inputs_in_float64(name: str) -> None:
    rng = np.random.default_rng(1)
    re, im = (bricks.tensor(rng.standard_normal((4, 5)), requires_grad=True) for _ in range(2))
    transform = getattr(bricks.fft, name)

    def of_parts(a: Any, b: Any) -> Any:
        y = transform(bricks.complex(a, b), norm="ortho")
        return bricks.view_as_real(y) if y.is_complex() else y

    if not name.startswith(("rfft", "ihfft")):  # those refuse complex input
        assert gradcheck(of_parts, (re, im))
    if not name.startswith(("irfft", "hfft")):
        def of_real(a: Any) -> Any:
            y = transform(a)
            return bricks.view_as_real(y) if y.is_complex() else y

        assert gradcheck(of_real, (re,))


@pytest.mark.parametrize("n", [0, 1, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.25])
def test_frequencies_match_torch(n: int, d: float) -> None:
    for name in ("fftfreq", "rfftfreq"):
        ours = getattr(bricks.fft, name)(n, d)
        theirs = getattr(torch.fft, name)(n, d)
        assert ours.dtype.name == "float32" and tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
        typed = getattr(bricks.fft, name)(n, d, dtype=bricks.float64, requires_grad=True)
        assert typed.dtype is bricks.float64 and typed.requires_grad


@pytest.mark.parametrize("shape,dim", [((5,), None), ((6,), None), ((3, 4), None), ((3, 4), 1),
                                       ((3, 5), (0,)), ((2, 3, 4), (-1, 0)), ((0, 3), None)])
def test_shifts_match_torch(shape: tuple, dim: Any) -> None:
    a = np.arange(int(np.prod(shape))).reshape(shape)
    for name in ("fftshift", "ifftshift"):
        ours = getattr(bricks.fft, name)(bricks.tensor(a), dim=dim)
        theirs = getattr(torch.fft, name)(torch.tensor(a), dim=dim)
        assert ours.dtype.name == "int64"
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    z = bricks.tensor(a * (1 + 1j))
    back = bricks.fft.ifftshift(bricks.fft.fftshift(z, dim=dim), dim=dim)
    np.testing.assert_array_equal(back.numpy(), z.numpy())


ERRORS = [
    ("fft", lambda m: m.fft.fft(m.zeros(0))),
    ("fft", lambda m: m.fft.fft(m.zeros(4), n=0)),
    ("fft", lambda m: m.fft.fft(m.zeros(4), n=-1)),
    ("fft", lambda m: m.fft.fft(m.zeros(4), dim=1)),
    ("fft", lambda m: m.fft.fft(m.zeros(4), norm="bad")),
    ("fft", lambda m: m.fft.fft(m.zeros(4, dtype=m.float16))),
    ("fft", lambda m: m.fft.fft(m.tensor(2.0))),
    ("fft", lambda m: m.fft.fft(m.zeros(4), dim=(0,))),
    ("rfft", lambda m: m.fft.rfft(m.zeros(4, dtype=m.complex64))),
    ("ihfft", lambda m: m.fft.ihfft(m.zeros(4, dtype=m.complex64))),
    ("hfft", lambda m: m.fft.hfft(m.zeros(1, dtype=m.complex64))),
    ("rfftn", lambda m: m.fft.rfftn(m.zeros(2, 4, dtype=m.complex128))),
    ("irfft", lambda m: m.fft.irfft(m.zeros(1, dtype=m.complex64))),
    ("irfft", lambda m: m.fft.irfft(m.zeros(0, dtype=m.complex64))),
    ("fftn", lambda m: m.fft.fftn(m.zeros(4), s=(2, 3), dim=(0,))),
    ("fftn", lambda m: m.fft.fftn(m.zeros(2, 2), dim=(0, 0))),
    ("fftn", lambda m: m.fft.fftn(m.zeros(2, 2), dim=(0, 2))),
    ("fftn", lambda m: m.fft.fftn(m.zeros(3, 0))),
    ("fft2", lambda m: m.fft.fft2(m.zeros(4))),
    ("ifft2", lambda m: m.fft.ifft2(m.zeros(2, 2), s=(0, 2))),
]


@pytest.mark.parametrize("call", [c for _, c in ERRORS], ids=[n for n, _ in ERRORS])
def test_errors_match_torch(call: Any) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(bricks)
    assert str(got.value) == str(expected.value)


def test_a_failed_transform_changes_nothing() -> None:
    x = bricks.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError):
        bricks.fft.rfft(x, n=0)
    assert x.grad is None and x.grad_fn is None and x._version == 0


def test_grad_fn_names_match_torch() -> None:
    for name, complex_input in (("fft", False), ("fft", True), ("rfft", False),
                                ("irfft", True), ("fftn", True), ("rfft2", False)):
        a = _array((2, 4), complex_input, "float32")
        ours = getattr(bricks.fft, name)(bricks.tensor(a, requires_grad=True))
        theirs = getattr(torch.fft, name)(torch.tensor(a, requires_grad=True))
        assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
