"""Op-table rows of complex tensors and ``torch.fft`` (issue 12). Complex inputs are made from
real ones with ``complex(a, b)`` and complex results read with ``view_as_real``, so that the
generic checks (values and gradients against torch, gradcheck in float64, edge values, empty
inputs, the fake device) run on them unchanged. Joined to ``OPS`` in op_table.py."""

from __future__ import annotations

from typing import Any

from op_table import row

_EDGES = dict(edges=(((3, 1),), ((1,),)))
_EDGES2 = dict(edges=(((3, 1), (3, 1)), ((1,), (1,))))


def _z(m: Any, a: Any, b: Any) -> Any:
    return m.complex(a, b)


def _pairs(m: Any, z: Any) -> Any:
    return m.view_as_real(z)


COMPLEX = [
    row("complex", lambda m, a, b: _pairs(m, _z(m, a, b)), (2, 3), (2, 3), grad_fn=False),
    row("complex_broadcast", lambda m, a, b: _pairs(m, _z(m, a, b)), (2, 3), (3,),
        grad_fn=False),
    row("polar", lambda m, a, b: _pairs(m, m.polar(a, b)), (2, 3), (2, 3), domain="positive",
        grad_fn=False),
    row("complex_add", lambda m, a, b, c: _pairs(m, _z(m, a, b) + _z(m, c, a)), (2, 3), (2, 3),
        (2, 3), grad_fn=False),
    row("complex_sub_real", lambda m, a, b, c: _pairs(m, c - _z(m, a, b)), (2, 3), (2, 3),
        (3,), grad_fn=False),
    row("complex_mul", lambda m, a, b, c, d: _pairs(m, _z(m, a, b) * _z(m, c, d)), (2, 3),
        (2, 3), (2, 3), (2, 3), grad_fn=False),
    row("complex_mul_real", lambda m, a, b, c: _pairs(m, c * _z(m, a, b)), (2, 3), (2, 3),
        (2, 1), grad_fn=False),
    row("complex_mul_scalar", lambda m, a, b: _pairs(m, _z(m, a, b) * (2 - 1j)), (2, 3), (2, 3),
        grad_fn=False),
    row("real_mul_imaginary_scalar", lambda m, a: _pairs(m, a * 1j), (2, 3), grad_fn=False),
    row("complex_div", lambda m, a, b, c, d: _pairs(m, _z(m, a, b) / _z(m, c, d)), (2, 3),
        (2, 3), (2, 3), (2, 3), domain="nonzero", grad_fn=False),
    row("complex_div_real", lambda m, a, b, c: _pairs(m, c / _z(m, a, b)), (2, 3), (2, 3),
        (2, 3), domain="nonzero", grad_fn=False),
    row("complex_abs", lambda m, a, b: _z(m, a, b).abs(), (2, 3), (2, 3), grad_fn=False),
    row("complex_angle", lambda m, a, b: m.angle(_z(m, a, b)), (2, 3), (2, 3), grad_fn=False),
    row("angle_real", lambda m, a: a.angle(), (2, 3)),
    row("real_imag", lambda m, a, b: _z(m, a, b).real * 2 + m.imag(_z(m, a, b)), (2, 3),
        (2, 3), grad_fn=False),
    row("conj", lambda m, a, b: _pairs(m, m.conj(_z(m, a, b) * 2).resolve_conj()), (2, 3),
        (2, 3), grad_fn=False),
    row("view_as_complex", lambda m, a: m.view_as_complex(a * 2).abs(), (3, 2), grad_fn=False),
    row("complex_sum_mean", lambda m, a, b: _pairs(m, _z(m, a, b).sum(0) + _z(m, b, a).mean()),
        (2, 3), (2, 3), grad_fn=False),
    row("complex_reshape_index", lambda m, a, b: _pairs(m, _z(m, a, b).t().reshape(6)[1:4]),
        (2, 3), (2, 3), grad_fn=False),
    row("to_complex", lambda m, a: _pairs(m, a.to(m.complex64 if a.dtype == m.float32
                                                   else m.complex128) * (1 + 2j)), (2, 3),
        grad_fn=False),
]

# The transforms run along the first dimension (or all), so that the empty-input check meets
# torch's "Invalid number of data points (0)": on an empty batch dimension torch's MKL fails
# ("Inconsistent configuration parameters") where bricks returns an empty result (test_fft.py).
FFT = [
    row("fft", lambda m, a: _pairs(m, m.fft.fft(a, dim=0)), (5, 3), grad_fn=False, **_EDGES),
    row("fft_pad", lambda m, a: _pairs(m, m.fft.fft(a, n=7, dim=0)), (4, 3), grad_fn=False),
    row("fft_cut_ortho", lambda m, a: _pairs(m, m.fft.fft(a, n=3, dim=0, norm="ortho")), (6, 2),
        grad_fn=False),
    row("fft_complex", lambda m, a, b: _pairs(m, m.fft.fft(_z(m, a, b), dim=0, norm="forward")),
        (4, 2), (4, 2), grad_fn=False, **_EDGES2),
    row("ifft", lambda m, a, b: _pairs(m, m.fft.ifft(_z(m, a, b), dim=0)), (5, 3), (5, 3),
        grad_fn=False, **_EDGES2),
    row("ifft_pad_ortho", lambda m, a, b: _pairs(m, m.fft.ifft(_z(m, a, b), 6, 0, "ortho")),
        (3, 2), (3, 2), grad_fn=False),
    row("rfft", lambda m, a: _pairs(m, m.fft.rfft(a, dim=0)), (6, 3), grad_fn=False, **_EDGES),
    row("rfft_odd", lambda m, a: _pairs(m, m.fft.rfft(a, n=5, dim=0, norm="forward")), (4, 3),
        grad_fn=False),
    row("irfft", lambda m, a, b: m.fft.irfft(_z(m, a, b), dim=0), (4, 3), (4, 3),
        grad_fn=False, edges=(((2, 3), (2, 3)), ((2,), (2,)))),
    row("irfft_odd_ortho", lambda m, a, b: m.fft.irfft(_z(m, a, b), 7, 0, "ortho"), (4, 2),
        (4, 2), grad_fn=False),
    row("irfft_cut", lambda m, a, b: m.fft.irfft(_z(m, a, b), n=3, dim=0), (5, 2), (5, 2),
        grad_fn=False),
    row("fftn", lambda m, a, b: _pairs(m, m.fft.fftn(_z(m, a, b))), (2, 3, 4), (2, 3, 4),
        grad_fn=False),
    row("fftn_s_dim", lambda m, a: _pairs(m, m.fft.fftn(a, s=(3, 5), dim=(0, 2))), (2, 3, 4),
        grad_fn=False),
    row("ifftn", lambda m, a, b: _pairs(m, m.fft.ifftn(_z(m, a, b), s=(4,), dim=(0,),
                                                       norm="ortho")), (2, 3), (2, 3),
        grad_fn=False),
    row("rfftn", lambda m, a: _pairs(m, m.fft.rfftn(a, s=(4, 5), dim=(0, 2))), (2, 3, 4),
        grad_fn=False),
    row("irfftn", lambda m, a, b: m.fft.irfftn(_z(m, a, b), s=(3, 5), dim=(0, 2)), (2, 3, 4),
        (2, 3, 4), grad_fn=False),
    row("fft2", lambda m, a: _pairs(m, m.fft.fft2(a, dim=(0, 1))), (2, 3, 4), grad_fn=False),
    row("ifft2", lambda m, a, b: _pairs(m, m.fft.ifft2(_z(m, a, b), s=(2, 5))), (3, 4),
        (3, 4), grad_fn=False),
    row("rfft2", lambda m, a: _pairs(m, m.fft.rfft2(a, norm="ortho")), (3, 5), grad_fn=False),
    row("irfft2", lambda m, a, b: m.fft.irfft2(_z(m, a, b), dim=(0, 1)), (3, 3, 2), (3, 3, 2),
        grad_fn=False),
    row("fftshift", lambda m, a: m.fft.fftshift(a), (3, 4)),
    row("ifftshift_dim", lambda m, a: m.fft.ifftshift(a, dim=1), (3, 5)),
    row("fft_roundtrip", lambda m, a: m.fft.irfft(m.fft.rfft(a, dim=0) * 2, n=5, dim=0),
        (5, 2), grad_fn=False),
]

# Rows whose non-finite results torch computes another way: a transform's NaNs and infinities
# depend on the FFT algorithm (torch's MKL, NumPy's pocketfft), and torch adds complex tensors
# as a + alpha * b with a complex alpha = 1, whose product turns inf * 0 into NaN.
NON_FINITE_DIFFER = {op.name for op in FFT} - {"fftshift", "ifftshift_dim"} | {
    "complex_add", "complex_sub_real"}

COMPLEX_AND_FFT = COMPLEX + FFT
