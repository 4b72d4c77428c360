"""Convolution primitives on (N, C, H, W) arrays, and the sliding blocks (im2col, col2im).

Speed choices (docs/performance.md): im2col and col2im are built from kh*kw contiguous slice
copies/adds on a (C, H, W, N) copy of the input, so that the batch is the innermost axis and
every copy moves long contiguous runs; pooling (``pooling.py``) is the max (or sum) of kh*kw
strided slices.
On the LeNet train step this is about as fast as PyTorch; a 6-D ``sliding_window_view``
transpose is 3x slower.
"""

from __future__ import annotations

from typing import Any

from ... import _workspace
from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled

__all__ = ["conv2d", "output_size", "block_counts",
           "im2col", "col2im", "conv_transpose2d"]


def output_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                ceil_mode: bool = False) -> int:
    """The output length of a sliding window, PyTorch's formula (ceil_mode included)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return out


def window_slice(offset: int, count: int, stride: int) -> slice:
    """The ``count`` window starts, ``stride`` apart from ``offset``, along one axis."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _to_cwhn(x: Any, pad: tuple, fill: float = 0.0) -> Any:
    """``x`` (N, C, H, W) as a padded contiguous (C, H + pads, W + pads, N) array."""
    (top, bottom), (left, right) = pad
    n, c, h, w = x.shape
    out = _workspace.take(x, (c, h + top + bottom, w + left + right, n), x.dtype)
    if top or bottom or left or right:
        out.fill(fill)
    out[:, top:top + h, left:left + w, :] = x.transpose(1, 2, 3, 0)
    return out


class Conv2d(Function):
    # A primitive for speed: im2col + one GEMM (per group) forward, GEMM + col2im backward.
    # The padded input and the im2col matrix are scratch buffers of bricks._workspace: reused
    # step after step, they are not page-faulted in again (LeNet's step: 2,900 faults -> 0).
    saves = (0, 1)

    def forward(self, x, w, b, stride, pad, dilation, groups, recorded=True):
        self.config = (stride, pad, dilation, groups)
        self.x_shape, self.w = x.shape, w
        out_h = (x.shape[2] + pad[0][0] + pad[0][1] - dilation[0] * (w.shape[2] - 1) - 1) \
            // stride[0] + 1
        out_w = (x.shape[3] + pad[1][0] + pad[1][1] - dilation[1] * (w.shape[3] - 1) - 1) \
            // stride[1] + 1
        self.out_hw = (out_h, out_w)
        padded = _to_cwhn(x, pad)
        cols = self._im2col(padded)
        _workspace.give(padded)
        out = self._gemm_forward(cols, w, groups)  # (O, OH, OW, N)
        if recorded:
            self.cols = cols  # handed back by release(), when the engine frees this node
        else:
            _workspace.give(cols)
        if b is not None:
            out += b.reshape(-1, 1, 1, 1)
        return out.transpose(3, 0, 1, 2)

    def _im2col(self, xt):
        stride, _, dilation, _ = self.config
        c, kh, kw = xt.shape[0], self.w.shape[2], self.w.shape[3]
        out_h, out_w = self.out_hw
        cols = _workspace.take(xt, (c, kh, kw, out_h, out_w, xt.shape[3]), xt.dtype)
        for i in range(kh):
            rows = window_slice(i * dilation[0], out_h, stride[0])
            for j in range(kw):
                cols[:, i, j] = xt[:, rows, window_slice(j * dilation[1], out_w, stride[1])]
        return cols

    def _gemm_forward(self, cols, w, groups):
        o = w.shape[0]
        length = cols[0, 0, 0].size
        if groups == 1:
            y = w.reshape(o, -1) @ cols.reshape(-1, length)
        else:
            y = w.reshape(groups, o // groups, -1) @ cols.reshape(groups, -1, length)
        return y.reshape(o, *self.out_hw, -1)

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad
        stride, pad, dilation, groups = self.config
        w, cols = self.w, self.cols
        o = w.shape[0]
        gyt = array_module(gy).ascontiguousarray(gy.transpose(1, 2, 3, 0))
        gyt = gyt.reshape(groups, o // groups, -1)
        gb = gyt.reshape(o, -1).sum(axis=1) if nb else None
        gw = gx = None
        if nw:
            # cols (C*kh*kw, L) times gy^T, transposed after: with L long, OpenBLAS runs this
            # layout ~2x faster than gy @ cols^T (conv1 of LeNet: 0.7 ms instead of 1.3 ms).
            gw = cols.reshape(groups, -1, gyt.shape[2]) @ gyt.transpose(0, 2, 1)
            gw = gw.transpose(0, 2, 1).reshape(w.shape)
        if nx:
            gcols = w.reshape(groups, o // groups, -1).transpose(0, 2, 1) @ gyt
            gx = self._col2im(gcols.reshape(cols.shape))
        return gx, gw, gb

    def release(self):
        # Called once backward has run for the last time (not with retain_graph=True).
        _workspace.give(self.cols)

    def _col2im(self, gcols):
        stride, pad, dilation, _ = self.config
        n, c, h, w = self.x_shape
        (top, bottom), (left, right) = pad
        out_h, out_w = self.out_hw
        gxt = array_module(gcols).zeros((c, h + top + bottom, w + left + right, n), gcols.dtype)
        for i in range(gcols.shape[1]):
            rows = window_slice(i * dilation[0], out_h, stride[0])
            for j in range(gcols.shape[2]):
                gxt[:, rows, window_slice(j * dilation[1], out_w, stride[1])] += gcols[:, i, j]
        return gxt[:, top:top + h, left:left + w, :].transpose(3, 0, 1, 2)


class ConvTranspose2d(Function):
    # A primitive for speed and PyTorch's arithmetic: the input gradient of Conv2d (one GEMM
    # per group, then col2im) forward; Conv2d itself (and its weight gradient) backward. A
    # convolution of the zero-dilated input would do stride^2 times the work and meet 0 * inf.
    saves = (0, 1)
    torch_name = "ConvolutionBackward0"

    def forward(self, x, w, b, stride, pad, dilation, groups, out_size):
        self.x, self.w, self.config = x, w, (stride, pad, dilation, groups)
        n, c_in, h, width = x.shape
        c_out, kh, kw = w.shape[1] * groups, w.shape[2], w.shape[3]
        conv = Conv2d()
        conv.config, conv.w = self.config, w
        conv.x_shape, conv.out_hw = (n, c_out) + tuple(out_size), (h, width)
        xt = array_module(x).ascontiguousarray(x.transpose(1, 2, 3, 0))
        xt = xt.reshape(groups, c_in // groups, -1)
        gcols = w.reshape(groups, c_in // groups, -1).transpose(0, 2, 1) @ xt
        y = conv._col2im(gcols.reshape(c_out, kh, kw, h, width, n))
        if b is not None:
            y = y + b.reshape(1, -1, 1, 1)
        return y

    def backward(self, gy):
        nx, nw, nb = self.needs_input_grad
        conv = Conv2d()
        gx = conv.forward(gy, self.w, None, *self.config)
        gw = None
        if nw:
            conv.needs_input_grad = (False, True, False)
            gw = conv.backward(self.x)[1]
        gb = gy.sum(axis=(0, 2, 3)) if nb else None
        return (gx if nx else None), gw, gb


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None,
                     stride: tuple, pad: tuple, dilation: tuple, groups: int,
                     out_size: tuple) -> Tensor:
    """Checked (N, C_in, H, W) and weight (C_in, C_out / groups, kh, kw) in; the transposed
    convolution (N, C_out, *out_size) out, ``pad`` as ((top, bottom), (left, right))."""
    return ConvTranspose2d.apply(input, weight, bias, stride=stride, pad=pad, dilation=dilation,
                                 groups=groups, out_size=out_size)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple,
           pad: tuple, dilation: tuple, groups: int) -> Tensor:
    """Checked arguments in, (N, C_out, H_out, W_out) out; ``pad`` is ((top, bottom), (l, r))."""
    recorded = is_grad_enabled() and (input.requires_grad or weight.requires_grad
                                       or (bias is not None and bias.requires_grad))
    return Conv2d.apply(input, weight, bias, stride=stride, pad=pad, dilation=dilation,
                        groups=groups, recorded=recorded)


def pad_nchw(x: Any, pads: tuple, fill: float) -> Any:
    """``x`` (N, C, H, W) with ``fill`` around its planes: ((top, bottom), (left, right))."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = xp.full_like(x, fill, shape=(n, c, h + top + bottom, w + left + right))
    out[:, :, top:top + h, left:left + w] = x
    return out


def block_counts(size: tuple, kernel: tuple, dilation: tuple, padding: tuple,
                 stride: tuple) -> tuple:
    """The number of sliding blocks along each of the two spatial dimensions."""
    return tuple(output_size(size[i], kernel[i], stride[i], padding[i], dilation[i])
                 for i in range(2))


def _block_slices(kernel: tuple, dilation: tuple, stride: tuple, blocks: tuple) -> Any:
    """(i, j, rows, cols) for every kernel cell: the padded input cells that it meets."""
    for i in range(kernel[0]):
        rows = window_slice(i * dilation[0], blocks[0], stride[0])
        for j in range(kernel[1]):
            yield i, j, rows, window_slice(j * dilation[1], blocks[1], stride[1])


def _unfold(x: Any, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> Any:
    n, c, h, w = x.shape
    blocks = block_counts((h, w), kernel, dilation, padding, stride)
    padded = pad_nchw(x, tuple((p, p) for p in padding), 0.0)
    cols = array_module(x).empty((n, c, kernel[0], kernel[1]) + blocks, x.dtype)
    for i, j, rows, columns in _block_slices(kernel, dilation, stride, blocks):
        cols[:, :, i, j] = padded[:, :, rows, columns]
    return cols.reshape(n, c * kernel[0] * kernel[1], blocks[0] * blocks[1])


def _fold(cols: Any, size: tuple, kernel: tuple, dilation: tuple, padding: tuple,
          stride: tuple) -> Any:
    n = cols.shape[0]
    blocks = block_counts(size, kernel, dilation, padding, stride)
    cols = cols.reshape((n, -1, kernel[0], kernel[1]) + blocks)
    padded = array_module(cols).zeros(
        (n, cols.shape[1], size[0] + 2 * padding[0], size[1] + 2 * padding[1]), cols.dtype)
    for i, j, rows, columns in _block_slices(kernel, dilation, stride, blocks):
        padded[:, :, rows, columns] += cols[:, :, i, j]
    return padded[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]


class Im2Col(Function):
    # A primitive for speed: kh*kw slice copies forward, kh*kw slice adds backward.
    def forward(self, x, kernel, dilation, padding, stride):
        self.size, self.config = x.shape[2:], (kernel, dilation, padding, stride)
        return _unfold(x, *self.config)

    def backward(self, gy):
        return _fold(gy, self.size, *self.config)


class Col2Im(Function):
    # The adjoint of Im2Col: each backward is the other's forward.
    def forward(self, cols, size, kernel, dilation, padding, stride):
        self.config = (kernel, dilation, padding, stride)
        return _fold(cols, size, *self.config)

    def backward(self, gy):
        return _unfold(gy, *self.config)


def im2col(input: Tensor, kernel: tuple, dilation: tuple, padding: tuple,
           stride: tuple) -> Tensor:
    """Checked (N, C, H, W) in; the (N, C * kh * kw, L) sliding blocks out."""
    return Im2Col.apply(input, kernel=kernel, dilation=dilation, padding=padding, stride=stride)


def col2im(input: Tensor, size: tuple, kernel: tuple, dilation: tuple,
           padding: tuple, stride: tuple) -> Tensor:
    """Checked (N, C * kh * kw, L) blocks in; their sum into (N, C, *size) out."""
    return Col2Im.apply(input, size=size, kernel=kernel, dilation=dilation, padding=padding,
                        stride=stride)
