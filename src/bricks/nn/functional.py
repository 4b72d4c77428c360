"""``bricks.nn.functional``: stateless layers as functions, with PyTorch's names and arguments.

Activations, convolution, pooling, normalisation, dropout, embedding and padding live here;
the losses live in ``nn/_losses.py`` and are re-exported. The primitives (forward and
backward) are in ``bricks/ops/nn/``.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

from .. import ops
from .._autocast import lower_precision
from .._device import array_module, xp
from .._tensor import Tensor, bump_version
from ..ops.linalg import linear
from ..ops import nn as _prim  # the layer primitives (ops/nn/)
from ._losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, ctc_loss, huber_loss,
    kl_div, l1_loss, margin_ranking_loss, mse_loss, nll_loss, smooth_l1_loss,
    triplet_margin_loss,
)

__all__ = [
    "linear", "bilinear", "relu", "relu_", "leaky_relu", "elu", "gelu", "silu", "sigmoid",
    "tanh", "softmax", "log_softmax", "prelu", "dropout", "conv1d", "conv2d", "max_pool2d",
    "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "layer_norm", "batch_norm",
    "embedding", "one_hot",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "margin_ranking_loss",
    "triplet_margin_loss", "ctc_loss",
]


# ----- activations -----
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)`` elementwise; with ``inplace=True`` the input is overwritten."""
    return ops.inplace.relu_(input) if inplace else ops.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return ops.inplace.relu_(input)


def _inplace(input: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``input`` (the ``inplace=True`` form of an activation)."""
    return ops.inplace.copy_(input, result)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``max(0, x) + negative_slope * min(0, x)`` elementwise."""
    out = _prim.leaky_relu(input, negative_slope)
    return _inplace(input, out) if inplace else out


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere (Clevert et al., 2015)."""
    out = _prim.elu(input, alpha)
    return _inplace(input, out) if inplace else out


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal CDF (Hendrycks & Gimpel, 2016).

    Args:
        input: any shape.
        approximate: ``'none'`` for the exact erf form, ``'tanh'`` for
            ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    Raises:
        RuntimeError: for another ``approximate``.
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got "
                           f"{approximate!r}.")
    return _prim.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (Elfwing et al., 2017; also called swish)."""
    out = ops.mul(input, ops.sigmoid(input))
    return _inplace(input, out) if inplace else out


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))`` elementwise."""
    return ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent elementwise."""
    return ops.tanh(input)


def _softmax_dim(ndim: int, name: str) -> int:
    # PyTorch's legacy rule when no dim is given, with its warning.
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``, stable for large scores."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return ops.log_softmax(input, dim, dtype=dtype)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, ``weight`` one value or one per channel (dim 1).

    Raises:
        RuntimeError: if ``weight`` has neither 1 nor ``input.shape[1]`` elements.
    """
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    if n != 1 and input.ndim >= 2:
        weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    # PyTorch's where(x > 0, x, w x): an inf input stays inf (relu(x) + w min(0, x) gives
    # inf + w * 0 = NaN for w = inf) and NaN takes the w x branch. The inner where keeps the
    # unselected product finite, so its gradient is 0, not 0 * inf.
    positive = input > 0
    return ops.where(positive, input, weight * ops.where(positive, 0.0, input))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    (Srivastava et al., 2014.) Outside training, or with ``p == 0``, returns ``input``.

    Raises:
        ValueError: if ``p`` is not in [0, 1].
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if not inplace:
        return _prim.dropout(input, p)
    from .._creation import _draw

    keep = _draw(None, input.device, "random", input.shape) >= p  # the device's generator
    scale = input._value.dtype.type(0) if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._wrap((keep * scale).astype(input._value.dtype))
    return ops.inplace.mul_(input, mask)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T A_k x2 + b_k`` for x1 (*, in1), x2 (*, in2), A (out, in1, in2).

    Raises:
        RuntimeError: if the input features do not match the weight's dimensions.
    """
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear: expected input1 (*, {in1}) and input2 (*, {in2}) for "
                           f"weight of size {list(weight.shape)}, got {list(input1.shape)} "
                           f"and {list(input2.shape)}")
    mixed = ops.matmul(input1, weight.permute(1, 0, 2).reshape(in1, out_f * in2))
    mixed = mixed.reshape(*input1.shape[:-1], out_f, in2)
    y = (mixed * input2.unsqueeze(-2)).sum(-1)
    return y + bias if bias is not None else y


# ----- convolution -----
def _tuple(value: Any, n: int, name: str, op: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return value


def _conv_padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """((before, after), ...) per spatial dimension; 'same' puts any odd cell after."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    pads = _tuple(padding, len(kernel), "padding", "conv")
    return tuple((p, p) for p in pads)


def _check_conv(input: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                dims: int) -> None:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to "
                           f"conv{dims}d, but got input of size: {list(input.shape)}")
    w = list(weight.shape)
    if weight.ndim != dims + 2:
        raise RuntimeError(f"expected weight to be {dims + 2}-dimensional for conv{dims}d, "
                           f"but got weight of size {w}")
    if groups < 1 or w[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size {w} instead")
    channels = input.shape[1] if input.ndim == dims + 2 else input.shape[0]
    if channels != w[1] * groups:
        shape = list(input.shape)
        raise RuntimeError(f"Given groups={groups}, weight of size {w}, expected input{shape} "
                           f"to have {w[1] * groups} channels, but got {channels} channels "
                           "instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w[0]):
        raise RuntimeError(f"Given weight of size {w}, expected bias to be 1-dimensional with "
                           f"{w[0]} elements, but got bias of size {list(bias.shape)} instead")
    if input._value.dtype != weight._value.dtype:
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) "
                           "should be the same")


def _check_positive(**values: tuple) -> None:
    for name, value in values.items():
        if min(value) <= 0:
            raise RuntimeError(f"{name} should be greater than zero, but got {name}="
                               f"{list(value)}")


@lower_precision
def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,
          dilation: Any, groups: int, dims: int) -> Tensor:
    _check_conv(input, weight, bias, groups, dims)
    stride = _tuple(stride, dims, "stride", "conv")
    dilation = _tuple(dilation, dims, "dilation", "conv")
    kernel = tuple(weight.shape[2:])
    pads = _conv_padding(padding, kernel, stride, dilation)
    _check_positive(stride=stride, dilation=dilation)
    if min(min(p) for p in pads) < 0:
        raise RuntimeError(f"negative padding is not supported, got padding={padding}")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    sizes = x.shape[2:]
    padded = [n + a + b for n, (a, b) in zip(sizes, pads)]
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, effective)):
        padded_text, kernel_text = " x ".join(map(str, padded)), " x ".join(map(str, effective))
        raise RuntimeError(f"Calculated padded input size per channel: ({padded_text}). "
                           f"Kernel size: ({kernel_text}). Kernel size can't be greater than "
                           "actual input size")
    if dims == 1:
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    y = _prim.conv2d(x, weight, bias, stride, pads, dilation, groups)
    if dims == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of (N, C_in, L) with weight (C_out, C_in / groups, k).

    Args mean what they mean for ``conv2d``, with one spatial dimension.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of (N, C_in, H, W) with weight (C_out, C_in / groups, kH, kW).

    Args:
        input: (N, C_in, H, W), or (C_in, H, W) unbatched.
        weight: (C_out, C_in / groups, kH, kW).
        bias: (C_out,) or None.
        stride: int or (sH, sW).
        padding: int, (pH, pW), ``'valid'`` (none) or ``'same'`` (output size = input size,
            stride 1 only; an odd total puts the extra cell after, as PyTorch).
        dilation: int or (dH, dW).
        groups: split the channels into this many independent convolutions.

    Returns:
        (N, C_out, H_out, W_out), ``H_out = (H + 2 pH - dH (kH - 1) - 1) // sH + 1``.

    Raises:
        RuntimeError: for mismatched channels, shapes, dtypes or a kernel larger than the
            padded input, with PyTorch's messages.

    Example:
        >>> import bricks
        >>> x, w = bricks.ones(2, 3, 8, 8), bricks.ones(4, 3, 3, 3)
        >>> conv2d(x, w, stride=2, padding=1).shape
        bricks.Size([2, 4, 4, 4])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


# ----- pooling -----
def _pool_args(input: Tensor, kernel_size: Any, stride: Any, padding: Any,
               dilation: Any) -> tuple:
    if input.ndim not in (3, 4) or 0 in input.shape[-3:]:  # an empty batch is allowed
        raise RuntimeError(f"non-empty 3D or 4D (batch mode) tensor expected for input, got "
                           f"shape {list(input.shape)}")
    kernel = _tuple(kernel_size, 2, "kernel_size", "pool")
    stride = kernel if stride is None or stride == [] or stride == () else \
        _tuple(stride, 2, "stride", "pool")
    padding = _tuple(padding, 2, "padding", "pool")
    dilation = _tuple(dilation, 2, "dilation", "pool")
    _check_positive(kernel_size=kernel, stride=stride, dilation=dilation)
    for p, k, d in zip(padding, kernel, dilation):
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    return kernel, stride, padding, dilation


def _check_pool_output(x: Tensor, kernel: tuple, stride: tuple, padding: tuple,
                       dilation: tuple, ceil_mode: bool) -> None:
    out = [_prim.output_size(x.shape[2 + i], kernel[i], stride[i], padding[i], dilation[i],
                             ceil_mode) for i in range(2)]
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({x.shape[1]}x{x.shape[2]}x{x.shape[3]}). "
                           f"Calculated output size: ({x.shape[1]}x{out[0]}x{out[1]}). "
                           "Output size is too small")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum over each (kH, kW) window of (N, C, H, W) or (C, H, W).

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size: int or (kH, kW).
        stride: defaults to ``kernel_size``.
        padding: implicit -inf padding on both sides, at most half the kernel.
        dilation: spacing between window cells.
        ceil_mode: round the output size up instead of down.
        return_indices: also return the flat index in (H, W) of each maximum.

    Returns:
        The pooled tensor, and the int64 indices when ``return_indices``.

    Raises:
        RuntimeError: for a wrong input rank, too much padding or an empty output.
    """
    kernel, stride, padding, dilation = _pool_args(input, kernel_size, stride, padding, dilation)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    _check_pool_output(x, kernel, stride, padding, dilation, ceil_mode)
    out = _prim.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode,
                           return_indices)
    if batched:
        return out
    if return_indices:
        return out[0].squeeze(0), out[1].squeeze(0)
    return out.squeeze(0)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean over each (kH, kW) window of (N, C, H, W) or (C, H, W).

    ``count_include_pad`` counts the zero padding in each window's divisor;
    ``divisor_override`` replaces the divisor.
    """
    kernel, stride, padding, _ = _pool_args(input, kernel_size, stride, padding, 1)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    _check_pool_output(x, kernel, stride, padding, (1, 1), ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = _prim.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad,
                           divisor_override)
    return out if batched else out.squeeze(0)


def _adaptive_matrix(size: int, out: int, like: Any) -> Tensor:
    """(out, size) averaging matrix: row i averages [floor(i*size/out), ceil((i+1)*size/out))."""
    m = array_module(like).zeros((out, size), like.dtype)
    for i, (start, end) in enumerate(_adaptive_windows(size, out)):
        m[i, start:end] = 1.0 / (end - start)
    return Tensor._wrap(m)


def _adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling windows: cell i spans [floor(i*size/out),
    ceil((i+1)*size/out))."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _adaptive_1d_size(input: Tensor, output_size: Any, name: str) -> int:
    """The one output size of a 1-D adaptive pooling, after PyTorch's checks."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"{name})")
    size = (output_size,) if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 1:
        raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got "
                           f"{len(size)})")
    return size[0]


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average (N, C, L) or (C, L) into ``output_size`` cells, PyTorch's windows.

    Raises:
        RuntimeError: as PyTorch, for input that is not 2D or 3D, or an ``output_size``
            that is not one int.
    """
    cells = _adaptive_1d_size(input, output_size, "adaptive_avg_pool1d")
    # window by window, not as a matrix product: an inf then stays inf (inf * 0 is NaN)
    windows = _adaptive_windows(input.shape[-1], cells)
    return ops.cat([input[..., start:end].mean(-1, keepdim=True) for start, end in windows], -1)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average (N, C, H, W) or (C, H, W) into ``output_size`` cells, PyTorch's windows.

    A composite: the pooling is separable, ``A_h @ x @ A_w.T``, so it needs no backward.
    ``None`` in ``output_size`` keeps that dimension.
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    h, w = input.shape[-2:]
    out_h = h if size[0] is None else size[0]
    out_w = w if size[1] is None else size[1]
    rows = _adaptive_matrix(h, out_h, input._value)
    cols = _adaptive_matrix(w, out_w, input._value)
    return ops.matmul(ops.matmul(rows, input), cols.T)


# ----- normalisation, embedding, padding -----
def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims (Ba et al., 2016).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, biased variance.

    Raises:
        RuntimeError: if the input's trailing dimensions differ from ``normalized_shape``.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    return _prim.layer_norm(input, weight, bias, len(shape), eps)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of (N, C, *) (Ioffe & Szegedy, 2015).

    Training uses the batch's statistics and updates ``running_mean``/``running_var`` in
    place: ``running = (1 - momentum) * running + momentum * batch`` (unbiased variance);
    evaluation uses the running statistics.

    Raises:
        ValueError: in training with one value per channel.
    """
    if training:
        count = input.numel() // input.shape[1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _prim.batch_norm(input, weight, bias, running_mean, running_var, training,
                          momentum, eps)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) at the integer indices ``input``.

    ``padding_idx`` gets no gradient; ``max_norm`` renormalises the looked-up rows of
    ``weight`` in place to at most that ``norm_type``-norm, as PyTorch.

    Raises:
        IndexError: for an index outside [0, num_embeddings).
    """
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    index = input._value
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead")
    n = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= n):
        raise IndexError(f"index out of range in self: indices must be in [0, {n}), got "
                         f"values from {index.min()} to {index.max()}")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        _renorm_rows(weight, index, max_norm, norm_type)
    return _prim.embedding(weight, input, padding_idx)


def _renorm_rows(weight: Tensor, index: Any, max_norm: float, norm_type: float) -> None:
    rows = xp.unique(index)
    w = weight._value
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] *= scale.reshape(-1, 1).astype(w.dtype)
    bump_version(weight)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor (*, num_classes) with a 1 at each index of ``tensor``.

    Raises:
        RuntimeError: as PyTorch, for input that is not int64 (int32 and uint8 too),
            negative values, or values >= num_classes.
    """
    index = tensor._value
    if index.dtype != xp.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor, "
                           f"got {tensor.dtype}")
    if index.size and index.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(index.max()) + 1 if index.size else 0
    elif index.size and index.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes: got "
                           f"{int(index.max())} with num_classes={num_classes}.")
    out = array_module(index).zeros(index.shape + (num_classes,), xp.int64)
    xp.put_along_axis(out, index[..., None].astype(xp.int64), 1, axis=-1)
    return Tensor._wrap(out)


# ----- the rest of the functional API, in files by family (each imports the names above it
# needs from this module, so these imports stay at the end) -----
from ._activations import (  # noqa: E402
    celu, glu, gumbel_softmax, hardsigmoid, hardswish, hardtanh, hardtanh_, logsigmoid, mish,
    relu6, rrelu, selu, softmin, softplus, softsign, threshold, threshold_, hardshrink,
    softshrink, tanhshrink, elu_, celu_, selu_, leaky_relu_, rrelu_,
)
from ._sampling import (  # noqa: E402
    channel_shuffle, fold, interpolate, pad, pixel_shuffle, pixel_unshuffle, unfold, upsample,
    upsample_bilinear, upsample_nearest,
)
from ._convolution import (  # noqa: E402
    avg_pool1d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, max_pool1d,
    max_pool3d,
)
from ._normalization import (  # noqa: E402
    cosine_similarity, group_norm, instance_norm, normalize, pairwise_distance, rms_norm,
    local_response_norm, pdist,
)
from ._dropout import (  # noqa: E402
    alpha_dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout,
)
from ._spatial import affine_grid, grid_sample  # noqa: E402
from ._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402
from ._embedding_bag import embedding_bag  # noqa: E402
from ._margin_losses import (  # noqa: E402
    cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, multi_margin_loss,
    multilabel_margin_loss, multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss,
    triplet_margin_with_distance_loss,
)
from ._pooling import (  # noqa: E402
    adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d, adaptive_max_pool2d_with_indices, avg_pool3d, lp_pool1d, lp_pool2d,
    max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d_with_indices, max_unpool1d,
    max_unpool2d, adaptive_max_pool3d, adaptive_max_pool3d_with_indices, max_unpool3d, lp_pool3d,
)
from ._fractional_pooling import (  # noqa: E402
    fractional_max_pool2d, fractional_max_pool2d_with_indices, fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)

__all__ += [
    "celu", "glu", "gumbel_softmax", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_",
    "logsigmoid", "mish", "relu6", "rrelu", "selu", "softmin", "softplus", "softsign",
    "threshold", "threshold_", "hardshrink", "softshrink", "tanhshrink", "elu_", "celu_",
    "selu_", "leaky_relu_", "rrelu_",
    "fold", "interpolate", "pad", "pixel_shuffle", "pixel_unshuffle", "unfold", "upsample",
    "upsample_nearest", "upsample_bilinear", "channel_shuffle",
    "avg_pool1d", "conv3d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool3d",
    "conv_transpose3d",
    "cosine_similarity", "group_norm", "instance_norm", "normalize", "pairwise_distance",
    "rms_norm", "local_response_norm", "pdist",
    "dropout1d", "dropout2d", "dropout3d", "multi_head_attention_forward",
    "scaled_dot_product_attention", "embedding_bag",
    "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "avg_pool3d", "lp_pool1d",
    "lp_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
    "max_unpool3d", "lp_pool3d", "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d", "fractional_max_pool3d_with_indices",
    "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "multi_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
    "soft_margin_loss", "triplet_margin_with_distance_loss",
    "alpha_dropout", "feature_alpha_dropout", "affine_grid", "grid_sample",
]
