"""``torch.fft``: discrete Fourier transforms with gradients, their frequencies and shifts.

Every transform is one primitive, ``FFT``, of one of three kinds, as torch's: complex to complex
(``fft``, ``ifft``, ``fftn``, ...), real to half-spectrum (``rfft``...) and half-spectrum to real
(``irfft``...). ``n``/``s`` cut or zero-pad the input along the transformed dimensions first.
A float32 input gives complex64, a float64 one complex128; integers count as the default
float dtype. Gradients follow torch's convention for complex values (see
``bricks/ops/complex_numbers.py``): the backward of a transform is the transform the other way
with the dual normalization, then the cut or padding undone.
"""

from __future__ import annotations

from typing import Any, Sequence

from ._device import array_module, xp
from ._dtypes import complex_of, get_default_dtype, to_dtype
from ._creation import tensor
from ._quiet import quiet
from ._tensor import Tensor, _check_dim
from .autograd.function import Function
from .ops.complex_numbers import _names, conj
from .ops.elementwise import cast
from .ops.indexing import roll

__all__ = [
    "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn",
    "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]

# The normalization whose transform is the adjoint of a transform normalized by the key.
_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


class FFT(Function):
    """One transform: ``kind`` ``"c2c"`` (``inverse`` or not), ``"r2c"`` or ``"c2r"`` along
    ``axes``, the input first cut or zero-padded to ``sizes`` (for ``c2r``, ``sizes[-1]`` is the
    length of the real output)."""

    complex_grad = True

    def forward(self, x, kind, axes, sizes, norm, inverse=False):
        self.kind, self.axes, self.sizes, self.norm, self.inverse = kind, axes, sizes, norm, inverse
        self.input_shape, self.real_input = x.shape, x.dtype.kind != "c"
        fft = array_module(x).fft
        if kind == "r2c":
            y = fft.rfftn(x, sizes, axes, norm)
        elif kind == "c2r":
            y = fft.irfftn(x, sizes, axes, norm)
        else:
            y = (fft.ifftn if inverse else fft.fftn)(x, sizes, axes, norm)
        return y  # of the input's precision: NumPy 2 and CuPy keep float32 as complex64

    def backward(self, gy):
        fft, axes, dual = array_module(gy).fft, self.axes, _DUAL[self.norm]
        if self.kind == "c2c":
            g = (fft.fftn if self.inverse else fft.ifftn)(gy, None, axes, dual)
        elif self.kind == "r2c":  # the half spectrum zero-padded to the full one, back to real
            g = fft.ifftn(_fit(gy, axes[-1:], self.sizes[-1:]), None, axes, dual)
        else:
            g = fft.rfftn(gy, None, axes, dual)
            # the entries that stand for a pair of conjugate terms of the full spectrum count twice
            twice = self.sizes[-1] - g.shape[axes[-1]]
            if twice > 0:
                g[(slice(None),) * axes[-1] + (slice(1, 1 + twice),)] *= 2
        if self.real_input:
            g = g.real
        return _fit(g, axes, [self.input_shape[a] for a in axes])

    def _name(self) -> str:
        if self.kind == "c2r":
            return "FftC2RBackward0"
        return "FftR2CBackward0" if self.real_input else "FftC2CBackward0"


def _fit(a: Any, axes: Sequence[int], sizes: Sequence[int]) -> Any:
    """``a`` cut, or zero-padded at the end, to ``sizes`` along ``axes``."""
    shape = list(a.shape)
    cut = [slice(None)] * a.ndim
    for axis, n in zip(axes, sizes):
        shape[axis], cut[axis] = n, slice(0, n)
    a = a[tuple(cut)]
    if a.shape == tuple(shape):
        return a
    out = array_module(a).zeros(shape, a.dtype)
    out[tuple(slice(0, n) for n in a.shape)] = a
    return out


# ----- arguments -----

def _norm(norm: str | None) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _input(input: Tensor, kind: str, name: str) -> Tensor:
    """``input`` in a dtype the transform takes: integers and bools as the default float."""
    dtype = input._value.dtype
    if dtype.kind in "iub":
        return cast(input, get_default_dtype().numpy)
    if dtype == xp.float16:
        raise RuntimeError("Unsupported dtype Half")
    if kind == "r2c" and dtype.kind == "c":
        real = "real" if name in ("rfft", "ihfft") else "real-valued"  # torch's two wordings
        raise RuntimeError(f"{name} expects a {real} input tensor, but got {_names(input.dtype)}")
    if kind == "c2r" and dtype.kind != "c":
        return cast(input, complex_of(dtype))
    return input


def _plan(input: Tensor, s: Any, dim: Any, kind: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The transformed axes and the sizes along them, from torch's ``s`` and ``dim``."""
    ndim = input._value.ndim
    if dim is None:
        dims = list(range(ndim)) if s is None else list(range(ndim - len(s), ndim))
        if s is not None and len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{ndim} dimensions.")
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    if s is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if ndim == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    axes = tuple(_check_dim(d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("FFT dims must be unique")
    sizes = [input._value.shape[a] for a in axes]
    if kind == "c2r" and axes:
        sizes[-1] = 2 * (sizes[-1] - 1)  # the default length of the real output
    if s is not None:
        sizes = [size if n == -1 else n for n, size in zip(s, sizes)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return axes, tuple(sizes)


def _transform(kind: str, name: str, input: Tensor, s: Any, dim: Any, norm: str | None,
               inverse: bool = False) -> Tensor:
    norm = _norm(norm)
    input = _input(input, kind, name)
    axes, sizes = _plan(input, s, dim, kind)
    if not axes:  # nothing to transform: the values as complex, as torch
        if kind == "r2c":
            raise RuntimeError(f"{name} must transform at least one axis")
        return cast(input, complex_of(input._value.dtype))
    return FFT.apply(input, kind=kind, axes=axes, sizes=sizes, norm=norm, inverse=inverse)


def _one(name: str, n: int | None, dim: Any) -> tuple[Any, Any]:
    """The ``s`` and ``dim`` of a one-dimensional transform."""
    if not isinstance(dim, int):
        raise TypeError(f"fft_{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    if n is not None and n < 1:  # -1 means "the input's size" in ``s``, not in ``n``
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return (None if n is None else (n,)), (dim,)


# ----- the transforms -----

def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The discrete Fourier transform along ``dim``, of the input cut or zero-padded to ``n``.

    ``norm``: ``"backward"`` (default: no scaling), ``"ortho"`` (``1/sqrt(n)``) or ``"forward"``
    (``1/n``).
    """
    return _transform("c2c", "fft", input, *_one("fft", n, dim), norm)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of ``fft`` (scaled by ``1/n`` with the default ``norm="backward"``)."""
    return _transform("c2c", "ifft", input, *_one("ifft", n, dim), norm, inverse=True)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The ``n // 2 + 1`` non-negative frequencies of the ``fft`` of a real input."""
    return _transform("r2c", "rfft", input, *_one("rfft", n, dim), norm)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real signal of length ``n`` (default ``2 * (m - 1)``) whose ``rfft`` is ``input``."""
    return _transform("c2r", "irfft", input, *_one("irfft", n, dim), norm)


def fftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
         norm: str | None = None) -> Tensor:
    """The ``fft`` along several dimensions (all of them by default, the last ``len(s)`` when
    only ``s`` is given)."""
    return _transform("c2c", "fftn", input, s, dim, norm)


def ifftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
          norm: str | None = None) -> Tensor:
    """The inverse of ``fftn``."""
    return _transform("c2c", "ifftn", input, s, dim, norm, inverse=True)


def rfftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
          norm: str | None = None) -> Tensor:
    """``fftn`` of a real input, the last transformed dimension halved as ``rfft``'s."""
    return _transform("r2c", "rfftn", input, s, dim, norm)


def irfftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
           norm: str | None = None) -> Tensor:
    """The inverse of ``rfftn``: ``s[-1]`` is the length of the last dimension of the output."""
    return _transform("c2r", "irfftn", input, s, dim, norm)


def fft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
         norm: str | None = None) -> Tensor:
    """``fftn`` over the last two dimensions."""
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
          norm: str | None = None) -> Tensor:
    """``ifftn`` over the last two dimensions."""
    return ifftn(input, s, dim, norm)


def rfft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
          norm: str | None = None) -> Tensor:
    """``rfftn`` over the last two dimensions."""
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
           norm: str | None = None) -> Tensor:
    """``irfftn`` over the last two dimensions."""
    return irfftn(input, s, dim, norm)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real ``fft`` of a Hermitian-symmetric signal given by its first half: ``irfft`` of
    the conjugate, scaled as a forward transform."""
    input = _input(input, "c2r", "hfft")
    return irfft(conj(input), n, dim, _DUAL[_norm(norm)])


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of ``hfft``: the conjugate of ``rfft`` of a real signal, scaled as an inverse
    transform."""
    input = _input(input, "r2c", "ihfft")
    return conj(rfft(input, n, dim, _DUAL[_norm(norm)]))


# ----- frequencies and shifts -----

def _frequencies(k: Any, n: int, d: float, dtype: Any, device: Any,
                 requires_grad: bool) -> Tensor:
    """``k / (d * n)`` as a new tensor (``n = 0`` gives NaN, as torch's ``rfftfreq(0)``)."""
    with quiet():
        values = k / (d * n)
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
    return tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, **_: Any) -> Tensor:
    """The frequencies of an ``fft`` of length ``n`` and sample spacing ``d``, in its order:
    ``[0, 1, ..., -(n // 2), ..., -1] / (d * n)``."""
    k = xp.arange(n)
    k[(n + 1) // 2:] -= n
    return _frequencies(k, n, d, dtype, device, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **_: Any) -> Tensor:
    """The ``n // 2 + 1`` frequencies of an ``rfft`` of length ``n``:
    ``[0, ..., n // 2] / (d * n)``."""
    return _frequencies(xp.arange(n // 2 + 1), n, d, dtype, device, requires_grad)


def _shift(input: Tensor, dim: Any, sign: int) -> Tensor:
    ndim = input._value.ndim
    dims = range(ndim) if dim is None else [dim] if isinstance(dim, int) else dim
    axes = tuple(_check_dim(d, ndim) for d in dims)
    if not axes:
        return input
    shifts = tuple(sign * (input._value.shape[a] // 2) for a in axes)
    return roll(input, shifts, axes)


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The zero frequency moved to the middle: each dimension rolled by half its size."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The inverse of ``fftshift``."""
    return _shift(input, dim, -1)
