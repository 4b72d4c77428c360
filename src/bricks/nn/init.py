"""``bricks.nn.init``: PyTorch's initialization functions, and initializer objects over them.

Every function of ``torch.nn.init`` is here with the same name, arguments and formula; it
fills its tensor in place without recording gradients and returns it. Fan-in and fan-out come
from one helper, ``_calculate_fan_in_and_fan_out``.

The initializer objects (``Normal``, ``Uniform``, ``XavierUniform``, ...; what MXNet Gluon and
MindSpore offer) are thin callables over those functions. A custom initializer subclasses
``Initializer`` and overrides one method, ``init_tensor(name, data)``.

Example:
    >>> import bricks
    >>> from bricks.nn import init
    >>> w = bricks.empty(3, 5)
    >>> _ = init.constant_(w, 0.5)
    >>> float(w.sum())
    7.5
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .._device import xp
from .._creation import Generator, default_generator, fill_random
from .._tensor import Tensor, bump_version
from ..autograd.grad_mode import no_grad
from ..ops.pointwise import erf_array

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
    "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "Initializer",
    "Normal",
    "Uniform", "Constant", "Zeros", "Ones", "XavierUniform", "XavierNormal", "KaimingUniform",
    "KaimingNormal", "Orthogonal", "TruncatedNormal",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The recommended gain for a nonlinearity, PyTorch's table.

    linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2)),
    slope = ``param`` (0.01 by default); selu: 3/4 (Klambauer et al., 2017, as PyTorch).

    Raises:
        ValueError: for an unknown nonlinearity or a non-numeric ``param``.

    Example:
        >>> calculate_gain("tanh")
        1.6666666666666667
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (size(1), size(0)) times the receptive field (sizes from dim 2 on).

    Raises:
        ValueError: for a tensor of fewer than 2 dimensions.
    """
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {list(tensor.shape)})")
    receptive_field = 1
    for s in tensor.shape[2:]:
        receptive_field *= s
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _rng(generator: Generator | None) -> Any:
    return (generator or default_generator).numpy


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` into ``tensor`` in place, outside the graph; return ``tensor``."""
    with no_grad():
        tensor.copy_(Tensor._wrap(xp.asarray(values).astype(tensor._value.dtype, copy=False)))
    return tensor


def _write_random(tensor: Tensor, generator: Generator | None, method: str,
                  *params: float) -> Tensor:
    """Draw into ``tensor`` in place, in bounded memory where it is a host float array."""
    rng = _rng(generator)
    values = getattr(tensor, "_value", None)
    if fill_random(values, rng, method, *params):
        bump_version(tensor)
        return tensor
    return _write(tensor, getattr(rng, method)(*params, tuple(tensor.shape)))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with samples of the uniform distribution U(a, b)."""
    return _write_random(tensor, generator, "uniform", a, b)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with samples of the normal distribution N(mean, std^2)."""
    return _write_random(tensor, generator, "normal", mean, std)


def _erfinv(y: Any) -> Any:
    """The inverse error function: Winitzki's approximation, then Newton steps on ``erf``."""
    a = 0.147
    log_term = xp.log1p(-y * y)
    first = 2 / (math.pi * a) + log_term / 2
    x = xp.sign(y) * xp.sqrt(xp.sqrt(first * first - log_term / a) - first)
    for _ in range(3):
        x = x - (erf_array(x) - y) / (2 / math.sqrt(math.pi) * xp.exp(-x * x))
    return x


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with samples of N(mean, std^2) truncated to [a, b] (``a``, ``b`` absolute bounds).

    Inverse-CDF sampling as PyTorch: ``u ~ U(2 Phi(a') - 1, 2 Phi(b') - 1)`` with
    ``a' = (a - mean) / std``, then ``x = mean + std sqrt(2) erfinv(u)``, clamped to [a, b].
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    low = 0.5 * (1 + math.erf((a - mean) / std / math.sqrt(2)))
    high = 0.5 * (1 + math.erf((b - mean) / std / math.sqrt(2)))
    u = _rng(generator).uniform(2 * low - 1, 2 * high - 1, tuple(tensor.shape))
    x = mean + std * math.sqrt(2.0) * _erfinv(u)
    return _write(tensor, xp.clip(x, a, b))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    return _write(tensor, xp.full(tuple(tensor.shape), val))


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal), preserving identity of
    the inputs in linear layers.

    Raises:
        ValueError: if the tensor is not 2-D.
    """
    if tensor.dim() != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape "
                         f"{list(tensor.shape)}")
    return _write(tensor, xp.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3/4/5-D conv weight with the Dirac delta: the convolution is the identity on
    as many channels as possible, in each of ``groups`` groups.

    Raises:
        ValueError: for another rank, or ``size(0)`` not divisible by ``groups``.
    """
    sizes = tuple(tensor.shape)
    if len(sizes) not in (3, 4, 5):
        raise ValueError(f"Only tensors with 3, 4, or 5 dimensions are supported, got shape "
                         f"{list(sizes)}")
    if sizes[0] % groups != 0:
        raise ValueError(f"dim 0 must be divisible by groups (got size {sizes[0]} and groups "
                         f"{groups})")
    per_group = sizes[0] // groups
    values = xp.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min(per_group, sizes[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(6 / (fan_in + fan_out))``.

    Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    networks" (2010).
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))`` (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)``, gain = ``calculate_gain(nonlinearity, a)``.

    He et al., "Delving deep into rectifiers: Surpassing human-level performance on ImageNet
    classification" (2015). ``mode`` picks fan_in (forward variance) or fan_out (backward).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with ``std = gain / sqrt(fan)`` (He et al., 2015)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix (the tensor flattened to (size(0), rest)) times ``gain``.

    Saxe et al., "Exact solutions to the nonlinear dynamics of learning in deep linear neural
    networks" (2013): Q of the QR decomposition of a normal matrix, signs fixed by diag(R).

    Raises:
        ValueError: for a tensor of fewer than 2 dimensions.
    """
    if tensor.dim() < 2:
        raise ValueError(f"Only tensors with 2 or more dimensions are supported, got shape "
                         f"{list(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, (gain * q).reshape(tuple(tensor.shape)))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with ``ceil(sparsity * rows)`` zeros in each column of a 2-D tensor.

    Martens, "Deep learning via Hessian-free optimization" (2010).

    Raises:
        ValueError: if the tensor is not 2-D.
    """
    if tensor.dim() != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape "
                         f"{list(tensor.shape)}")
    rows, cols = tensor.shape
    rng = _rng(generator)
    values = rng.normal(0.0, std, (rows, cols))
    zeros = int(math.ceil(sparsity * rows))
    for col in range(cols):
        values[rng.permutation(rows)[:zeros], col] = 0
    return _write(tensor, values)


def _deprecated(method: Any) -> Any:
    old = method.__name__[:-1]

    def deprecated(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`.",
                      FutureWarning, stacklevel=2)
        return method(*args, **kwargs)

    deprecated.__name__ = old
    deprecated.__doc__ = f"Deprecated alias of ``{method.__name__}`` (as in PyTorch)."
    return deprecated


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)


# ----- initializer objects -----
class Initializer:
    """The base of initializer objects: ``init(tensor)`` fills ``tensor`` in place.

    A custom initializer overrides ``init_tensor`` only. It gets the parameter's name and
    its detached data (sharing memory), which it fills in place: ``data[:] = ...`` or
    ``data *= ...``. Calling the object runs that without recording gradients.

    Example:
        >>> import bricks
        >>> class Halves(Initializer):
        ...     def init_tensor(self, name, data):
        ...         data[:] = 0.5
        >>> float(Halves()(bricks.empty(2, 2)).sum())
        2.0
    """

    def __call__(self, tensor: Tensor, name: str | None = None) -> Tensor:
        """Fill ``tensor`` (named ``name``, for messages and name-based rules); return it."""
        with no_grad():
            self.init_tensor(name or "", tensor.data if tensor.requires_grad else tensor)
        return tensor

    def init_tensor(self, name: str, data: Tensor) -> None:
        """Fill ``data`` in place: the one method a custom initializer overrides."""
        raise NotImplementedError(f"{type(self).__name__} must override "
                                  "init_tensor(self, name, data)")

    def _config(self) -> dict:
        """The constructor arguments shown by ``repr``, in order."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self._config().items())
        return f"{type(self).__name__}({args})"


class Normal(Initializer):
    """Samples of N(mean, std^2) (``normal_``)."""

    def __init__(self, std: float = 0.01, mean: float = 0.0) -> None:
        self.std, self.mean = std, mean

    def init_tensor(self, name: str, data: Tensor) -> None:
        normal_(data, self.mean, self.std)

    def _config(self) -> dict:
        return {"std": self.std} if self.mean == 0.0 else {"std": self.std, "mean": self.mean}


class Uniform(Initializer):
    """Samples of U(a, b) (``uniform_``); ``Uniform(scale)`` means U(-scale, scale).

    Args:
        a: the lower bound, or with ``b`` omitted the scale.
        b: the upper bound.
        scale: MXNet Gluon's spelling: U(-scale, scale).
    """

    def __init__(self, a: float = -0.07, b: float | None = None, *,
                 scale: float | None = None) -> None:
        if scale is not None:
            a = scale
        if b is None:
            a, b = -abs(a), abs(a)
        if a > b:
            raise ValueError(f"Uniform: expected a <= b, got a={a}, b={b}")
        self.a, self.b = a, b

    def init_tensor(self, name: str, data: Tensor) -> None:
        uniform_(data, self.a, self.b)

    def _config(self) -> dict:
        return {"a": self.a, "b": self.b}


class Constant(Initializer):
    """The value ``value`` everywhere (``constant_``)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def init_tensor(self, name: str, data: Tensor) -> None:
        constant_(data, self.value)

    def _config(self) -> dict:
        return {"value": self.value}


class Zeros(Initializer):
    """Zeros (``zeros_``)."""

    def init_tensor(self, name: str, data: Tensor) -> None:
        zeros_(data)


class Ones(Initializer):
    """Ones (``ones_``)."""

    def init_tensor(self, name: str, data: Tensor) -> None:
        ones_(data)


class XavierUniform(Initializer):
    """Glorot's uniform scheme (``xavier_uniform_``)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def init_tensor(self, name: str, data: Tensor) -> None:
        xavier_uniform_(data, self.gain)

    def _config(self) -> dict:
        return {"gain": self.gain}


class XavierNormal(XavierUniform):
    """Glorot's normal scheme (``xavier_normal_``)."""

    def init_tensor(self, name: str, data: Tensor) -> None:
        xavier_normal_(data, self.gain)


class KaimingUniform(Initializer):
    """He's uniform scheme (``kaiming_uniform_``)."""

    def __init__(self, a: float = 0, mode: str = "fan_in",
                 nonlinearity: str = "leaky_relu") -> None:
        self.a, self.mode, self.nonlinearity = a, mode, nonlinearity

    def init_tensor(self, name: str, data: Tensor) -> None:
        kaiming_uniform_(data, self.a, self.mode, self.nonlinearity)

    def _config(self) -> dict:
        return {"a": self.a, "mode": self.mode, "nonlinearity": self.nonlinearity}


class KaimingNormal(KaimingUniform):
    """He's normal scheme (``kaiming_normal_``)."""

    def init_tensor(self, name: str, data: Tensor) -> None:
        kaiming_normal_(data, self.a, self.mode, self.nonlinearity)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain`` (``orthogonal_``)."""

    def __init__(self, gain: float = 1) -> None:
        self.gain = gain

    def init_tensor(self, name: str, data: Tensor) -> None:
        orthogonal_(data, self.gain)

    def _config(self) -> dict:
        return {"gain": self.gain}


class TruncatedNormal(Initializer):
    """N(mean, std^2) truncated to [a, b] (``trunc_normal_``; ``a``, ``b`` absolute)."""

    def __init__(self, std: float = 0.02, mean: float = 0.0, a: float = -2,
                 b: float = 2) -> None:
        self.std, self.mean, self.a, self.b = std, mean, a, b

    def init_tensor(self, name: str, data: Tensor) -> None:
        trunc_normal_(data, self.mean, self.std, self.a, self.b)

    def _config(self) -> dict:
        return {"std": self.std, "mean": self.mean, "a": self.a, "b": self.b}
