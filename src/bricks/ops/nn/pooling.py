"""Pooling primitives on (N, C, H, W) arrays: the max or sum of kh*kw strided slices.

See ``conv.py`` for why the windows are strided slices (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from ..._device import array_module, xp
from ..._tensor import Tensor
from ...autograd.function import Function
from .conv import pad_nchw, window_slice, output_size

__all__ = ["max_pool2d", "avg_pool2d"]


def _pool_geometry(x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple,
                   dilation: tuple, ceil_mode: bool) -> tuple:
    """Output size and the (top, bottom), (left, right) padding that covers every window."""
    out, pads = [], []
    for axis in range(2):
        size = x_shape[2 + axis]
        n = output_size(size, kernel[axis], stride[axis], padding[axis], dilation[axis],
                        ceil_mode)
        need = (n - 1) * stride[axis] + dilation[axis] * (kernel[axis] - 1) + 1
        pads.append((padding[axis], max(need - size - padding[axis], 0)))
        out.append(n)
    return tuple(out), tuple(pads)


class MaxPool2d(Function):
    # A primitive for speed: the max of kh*kw strided slices; backward finds each window's
    # first maximum again (PyTorch's winner on ties) instead of storing argmax in forward.
    saves = (0,)

    def forward(self, x, kernel, stride, padding, dilation, ceil_mode):
        self.x_shape, self.config = x.shape, (kernel, stride, dilation)
        self.out_hw, self.pads = _pool_geometry(x.shape, kernel, stride, padding, dilation,
                                                ceil_mode)
        self.padded = pad_nchw(x, self.pads, -xp.inf)
        windows = self._windows()
        rows, cols = next(windows)
        y = self.padded[:, :, rows, cols].copy(order="K")
        for rows, cols in windows:
            xp.maximum(y, self.padded[:, :, rows, cols], out=y)  # NaN wins, as in PyTorch
        self.y = y
        return y

    def _windows(self):
        kernel, stride, dilation = self.config
        for i in range(kernel[0]):
            rows = window_slice(i * dilation[0], self.out_hw[0], stride[0])
            for j in range(kernel[1]):
                yield rows, window_slice(j * dilation[1], self.out_hw[1], stride[1])

    def _winners(self):
        """(k, rows, cols, mask): where window cell k holds the window's winner.

        The winner is the first maximum (PyTorch's on ties); in a window with NaN it is the
        last NaN, as PyTorch's kernel takes every NaN it meets.
        """
        windows = list(self._windows())
        masks = []
        open_ = None
        for k, (rows, cols) in enumerate(windows):
            hit = self.padded[:, :, rows, cols] == self.y  # never true where y is NaN
            if self.y.size and any(self.pads[0] + self.pads[1]):
                hit &= self._inside(k)  # a padding cell never wins, even a -inf window
            if open_ is None:
                open_ = ~hit
            else:
                hit &= open_
                open_ &= ~hit
            masks.append(hit)
        nan = self.y != self.y
        if nan.any():
            for k in reversed(range(len(windows))):
                rows, cols = windows[k]
                v = self.padded[:, :, rows, cols]
                hit = nan & (v != v)
                nan &= ~hit
                masks[k] |= hit
        for k, ((rows, cols), hit) in enumerate(zip(windows, masks)):
            yield k, rows, cols, hit

    def _inside(self, k):
        """(out_h, out_w): where window cell ``k`` lies in the input, not in its padding."""
        kernel, stride, dilation = self.config
        module = array_module(self.y)
        inside = []
        for axis, offset in enumerate(divmod(k, kernel[1])):
            before, size = self.pads[axis][0], self.x_shape[2 + axis]
            at = offset * dilation[axis] + module.arange(self.out_hw[axis]) * stride[axis]
            inside.append((at >= before) & (at < before + size))
        return inside[0][:, None] & inside[1][None, :]

    def backward(self, gy):
        n, c, h, w = self.x_shape
        (top, bottom), (left, right) = self.pads
        # gy in the layout of the windows (a pool after a conv is (C, H, W, N) in memory),
        # so that the kh*kw products below run over matching strides.
        same_layout = xp.empty_like(self.y, dtype=gy.dtype)
        same_layout[...] = gy
        gy = same_layout
        if self._tiles():  # each input cell in exactly one window: write, don't add
            gx = xp.empty_like(self.padded, dtype=gy.dtype)
            for _, rows, cols, hit in self._winners():
                xp.multiply(gy, hit, out=gx[:, :, rows, cols])
        else:
            gx = xp.zeros_like(self.padded, dtype=gy.dtype)
            for _, rows, cols, hit in self._winners():
                gx[:, :, rows, cols] += gy * hit
        return gx[:, :, top:top + h, left:left + w]

    def _tiles(self):
        kernel, stride, dilation = self.config
        return (kernel == stride and dilation == (1, 1)
                and self.padded.shape[2:] == (self.out_hw[0] * stride[0],
                                              self.out_hw[1] * stride[1]))

    def indices(self):
        """The flat index into each (H, W) input plane of every maximum, as PyTorch's."""
        kernel, stride, dilation = self.config
        module = array_module(self.y)
        arg = module.zeros(self.y.shape, xp.int64)
        for k, _, _, hit in self._winners():
            arg[hit] = k
        i, j = xp.divmod(arg, kernel[1])
        oh = module.arange(self.out_hw[0]).reshape(-1, 1) * stride[0] - self.pads[0][0]
        ow = module.arange(self.out_hw[1]) * stride[1] - self.pads[1][0]
        return (oh + i * dilation[0]) * self.x_shape[3] + ow + j * dilation[1]


def max_pool2d(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
               dilation: tuple, ceil_mode: bool, return_indices: bool) -> Any:
    """Checked arguments in; the pooled tensor (and PyTorch's indices) out."""
    out = MaxPool2d.apply(input, kernel=kernel, stride=stride, padding=padding,
                          dilation=dilation, ceil_mode=ceil_mode)
    if not return_indices:
        return out
    fn = out.grad_fn
    if fn is None:  # not recorded: recompute the winners without a graph
        fn = MaxPool2d()
        fn.forward(input._value, kernel, stride, padding, dilation, ceil_mode)
    return out, Tensor._wrap(fn.indices())


class AvgPool2d(Function):
    # A primitive for speed: the sum of kh*kw strided slices divided by each window's count.
    def forward(self, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
        self.x_shape, self.config = x.shape, (kernel, stride, (1, 1))
        out_hw, self.pads = _pool_geometry(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
        self.out_hw = out_hw
        total = self._window_sum(pad_nchw(x, self.pads, 0.0))
        self.divisor = divisor if divisor else self._counts(x, padding, count_include_pad)
        return total / self.divisor

    _windows = MaxPool2d._windows

    def _window_sum(self, x):
        total = None
        for rows, cols in self._windows():
            window = x[:, :, rows, cols]
            total = window.copy(order="K") if total is None else total + window
        return total

    def _counts(self, x, padding, count_include_pad):
        # PyTorch divides by the window's cells inside the padded input (count_include_pad)
        # or inside the input itself; cells added only for ceil_mode never count.
        (top, bottom), (left, right) = self.pads
        h, w = x.shape[2], x.shape[3]
        inside = array_module(x).zeros((1, 1, h + top + bottom, w + left + right), x.dtype)
        if count_include_pad:
            inside[..., :h + 2 * padding[0], :w + 2 * padding[1]] = 1
        else:
            inside[..., top:top + h, left:left + w] = 1
        return self._window_sum(inside)

    def backward(self, gy):
        n, c, h, w = self.x_shape
        (top, bottom), (left, right) = self.pads
        g = gy / self.divisor
        gx = xp.zeros_like(gy, shape=(n, c, h + top + bottom, w + left + right))
        for rows, cols in self._windows():
            gx[:, :, rows, cols] += g
        return gx[:, :, top:top + h, left:left + w]


def avg_pool2d(input: Tensor, kernel: tuple, stride: tuple, padding: tuple,
               ceil_mode: bool, count_include_pad: bool,
               divisor_override: int | None) -> Tensor:
    """Checked arguments in; the averaged (N, C, H_out, W_out) tensor out."""
    return AvgPool2d.apply(input, kernel=kernel, stride=stride, padding=padding,
                           ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                           divisor=divisor_override)
