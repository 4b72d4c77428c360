"""``mindspore.nn``: Cells as bricks Modules (``construct`` is the forward pass).

A Cell's parameters are bricks Parameters (MindSpore ``Parameter`` is a subclass), so
bricks' traversal, ties, ``apply`` and state dicts serve MindSpore code. Putting a cell
into another (an attribute, or a position in a ``SequentialCell``) prefixes its
parameters' names with that attribute or position, as MindSpore does (``2.bias``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Iterable, Iterator

import bricks
from bricks import nn as bricks_nn
from bricks.nn import functional as F

from ..._facade import compile_facade, unwrap
from ..common.initializer import HeUniform, Uniform, initializer
from ..tensor import Parameter, Tensor, float32

__all__ = ["Cell", "SequentialCell", "CellList", "Dense", "ReLU", "Sigmoid", "Tanh", "Softmax",
           "Flatten", "Dropout", "Conv2d", "MaxPool2d"]


def _tensor(value: Any) -> Any:
    """A bricks result as a MindSpore Tensor (other values unchanged)."""
    return Tensor._wrap(value) if isinstance(value, bricks.Tensor) else value


class Cell(bricks_nn.Module):
    """The base class of MindSpore networks: subclasses write ``construct``.

    Example:
        >>> from bricks.compat.mindspore import nn, ops
        >>> class Twice(nn.Cell):
        ...     def construct(self, x):
        ...         return 2 * x
        >>> Twice()(ops.ones((1,)))
        Tensor(shape=[1], dtype=Float32, value= [ 2.00000000e+00])
    """

    def __init__(self, auto_prefix: bool = True, flags: Any = None) -> None:
        super().__init__()
        self._auto_prefix = auto_prefix

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter) and value.name == "Parameter":
            value.name = name
        elif isinstance(value, Cell) and self.__dict__.get("_auto_prefix", False):
            value.update_parameters_name(name + ".")
        super().__setattr__(name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ..context import _graph_mode

        if kwargs or not _graph_mode():
            return super().__call__(*args, **kwargs)
        compiled = self.__dict__.get("_graph_call")
        if compiled is None:  # GRAPH_MODE: the cell's calls go through bricks.compile
            compiled = self.__dict__["_graph_call"] = compile_facade(super().__call__, Tensor)
        return compiled(*args)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.construct(*args, **kwargs)

    def construct(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the output; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} must implement construct")

    # ----- parameters, MindSpore's way -----
    def update_parameters_name(self, prefix: str = "", recurse: bool = True) -> None:
        """Name each parameter ``prefix`` + its dotted path in this cell."""
        for name, param in self.named_parameters(recurse=recurse):
            if isinstance(param, Parameter):
                param.name = prefix + name

    def get_parameters(self, expand: bool = True) -> Iterator[bricks_nn.Parameter]:
        """Each parameter once (tied ones once)."""
        return self.parameters(recurse=expand)

    def trainable_params(self, recurse: bool = True) -> list[bricks_nn.Parameter]:
        """The parameters with ``requires_grad``."""
        return [p for p in self.parameters(recurse=recurse) if p.requires_grad]

    def untrainable_params(self, recurse: bool = True) -> list[bricks_nn.Parameter]:
        """The parameters without ``requires_grad``."""
        return [p for p in self.parameters(recurse=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse: bool = True) -> OrderedDict:
        """An OrderedDict of each parameter's ``name`` to the parameter."""
        return OrderedDict((p.name, p)  # type: ignore[attr-defined]  # MindSpore's have names
                           for p in self.parameters(recurse=recurse))

    def parameters_and_names(self, name_prefix: str = "", expand: bool = True
                             ) -> Iterator[tuple[str, bricks_nn.Parameter]]:
        """(dotted path, parameter) pairs, each parameter once."""
        return self.named_parameters(prefix=name_prefix, recurse=expand)

    def cells_and_names(self, cells: Any = None, name_prefix: str = "") -> Iterator[tuple]:
        """(dotted path, cell) pairs for this cell and its descendants."""
        return self.named_modules(prefix=name_prefix)

    def cells(self) -> Iterator[bricks_nn.Module]:
        """The direct child cells."""
        return self.children()

    def name_cells(self) -> OrderedDict:
        """An OrderedDict of the direct child cells by name."""
        return OrderedDict(self.named_children())

    def insert_child_to_cell(self, child_name: str, child_cell: Cell) -> None:
        """Add ``child_cell`` under ``child_name``."""
        self.add_module(child_name, child_cell)

    def set_train(self, mode: bool = True) -> Cell:
        """Switch training mode (Dropout) on or off."""
        return self.train(mode)


class SequentialCell(Cell):
    """Run cells in order; built from a list (or OrderedDict) and grown with ``append``."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        cells: Iterable = args[0] if len(args) == 1 and isinstance(args[0], (list, dict)) \
            else args
        items = cells.items() if isinstance(cells, dict) else None
        if items is not None:
            for name, cell in items:
                self._insert(name, cell)
        else:
            for cell in cells:
                self.append(cell)

    def _insert(self, name: str, cell: Cell) -> None:
        if not isinstance(cell, bricks_nn.Module):
            raise TypeError(f"For 'SequentialCell', each cell must be a Cell, but got "
                            f"{type(cell).__name__}")
        self.insert_child_to_cell(name, cell)
        if isinstance(cell, Cell):
            cell.update_parameters_name(name + ".")

    def append(self, cell: Cell) -> SequentialCell:
        """Add ``cell`` at the end (named by its position)."""
        self._insert(str(len(self._modules)), cell)
        return self

    def __getitem__(self, index: Any) -> Any:
        cells = list(self._modules.values())
        if isinstance(index, slice):
            return SequentialCell(cells[index])
        return cells[index]

    def __len__(self) -> int:
        return len(self._modules)

    def construct(self, input_data: Any) -> Any:
        for cell in self._modules.values():
            input_data = cell(input_data)
        return input_data


class CellList(Cell):
    """A list of cells (indexable, ``append``); it has no ``construct`` of its own."""

    def __init__(self, cells: Iterable | None = None) -> None:
        super().__init__()
        for cell in cells or []:
            self.append(cell)

    def append(self, cell: Cell) -> None:
        """Add ``cell`` at the end."""
        name = str(len(self._modules))
        self.insert_child_to_cell(name, cell)
        cell.update_parameters_name(name + ".")

    def __getitem__(self, index: int) -> Cell:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._modules.values())


class _Activation(Cell):
    _function: Any = None

    def construct(self, x: Any) -> Tensor:
        return _tensor(type(self)._function(unwrap(x)))


class ReLU(_Activation):
    """max(x, 0), elementwise."""

    _function = staticmethod(bricks.relu)


class Sigmoid(_Activation):
    """The logistic function, elementwise."""

    _function = staticmethod(bricks.sigmoid)


class Tanh(_Activation):
    """The hyperbolic tangent, elementwise."""

    _function = staticmethod(bricks.tanh)


class Softmax(Cell):
    """Softmax along ``axis``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Any) -> Tensor:
        return _tensor(F.softmax(unwrap(x), dim=self.axis))


_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax}


def _activation(activation: Any) -> Cell | None:
    if activation is None or isinstance(activation, Cell):
        return activation
    if activation not in _ACTIVATIONS:
        raise KeyError(f"activation must be a Cell or one of {sorted(_ACTIVATIONS)}, got "
                       f"{activation!r}")
    return _ACTIVATIONS[activation]()


class Dense(Cell):
    """A fully connected layer ``activation(x W^T + b)``, as MindSpore 2.x's.

    The weight (out_channels, in_channels) defaults to ``HeUniform(sqrt(5))`` and the bias
    to ``Uniform(1 / sqrt(in_channels))``: the same distributions as PyTorch's Linear.

    Args:
        in_channels: the input size.
        out_channels: the output size.
        weight_init: an initializer, name, number or Tensor for the weight.
        bias_init: the same for the bias.
        has_bias: whether to add a bias.
        activation: a Cell or a name (``'relu'``), or None.
        dtype: the parameters' dtype.
    """

    def __init__(self, in_channels: int, out_channels: int, weight_init: Any = None,
                 bias_init: Any = None, has_bias: bool = True, activation: Any = None,
                 dtype: Any = float32) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.has_bias = has_bias
        weight_init = HeUniform(math.sqrt(5)) if weight_init is None else weight_init
        self.weight = Parameter(initializer(weight_init, [out_channels, in_channels], dtype),
                                name="weight")
        self.bias = None
        if has_bias:
            if bias_init is None:
                bias_init = Uniform(scale=1 / math.sqrt(in_channels))
            self.bias = Parameter(initializer(bias_init, [out_channels], dtype), name="bias")
        self.activation = _activation(activation)

    def construct(self, x: Any) -> Tensor:
        out = F.linear(unwrap(x), self.weight, self.bias)
        if self.activation is not None:
            out = unwrap(self.activation(Tensor._wrap(out)))
        return Tensor._wrap(out)

    def extra_repr(self) -> str:
        text = f"input_channels={self.in_channels}, output_channels={self.out_channels}"
        if self.has_bias:
            text += f", has_bias={self.has_bias}"
        if self.activation is not None:
            text += f", activation={self.activation}"
        return text


class Flatten(Cell):
    """Reshape (batch, ...) inputs to (batch, -1)."""

    def construct(self, x: Any) -> Tensor:
        tensor = unwrap(x)
        return _tensor(tensor.reshape((tensor.shape[0], -1)))


class Dropout(Cell):
    """Zero each element with probability ``p`` in training mode (``set_train()``)."""

    def __init__(self, keep_prob: float | None = None, p: float | None = None) -> None:
        super().__init__()
        self.p = p if p is not None else (1 - keep_prob if keep_prob is not None else 0.5)

    def construct(self, x: Any) -> Tensor:
        return _tensor(F.dropout(unwrap(x), self.p, training=self.training))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Conv2d(Cell):
    """A 2-D convolution over NCHW inputs (``pad_mode='valid'`` or ``'pad'``; weight
    ``HeUniform(sqrt(5))`` and bias ``Uniform(1/sqrt(fan_in))`` by default, as MindSpore 2.x).

    Raises:
        ValueError: for ``pad_mode='same'`` (not supported by this facade).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 pad_mode: str = "same", padding: int = 0, dilation: Any = 1, group: int = 1,
                 has_bias: bool = False, weight_init: Any = None, bias_init: Any = None,
                 data_format: str = "NCHW", dtype: Any = float32) -> None:
        super().__init__()
        if pad_mode not in ("valid", "pad"):
            raise ValueError(f"Conv2d(pad_mode=...) supports 'valid' and 'pad' here, got "
                             f"{pad_mode!r}")
        kernel = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
        self.stride, self.dilation, self.group = stride, dilation, group
        self.padding = padding if pad_mode == "pad" else 0
        shape = [out_channels, in_channels // group, *kernel]
        weight_init = HeUniform(math.sqrt(5)) if weight_init is None else weight_init
        self.weight = Parameter(initializer(weight_init, shape, dtype), name="weight")
        self.bias = None
        if has_bias:
            fan_in = in_channels // group * kernel[0] * kernel[1]
            bias_init = Uniform(1 / math.sqrt(fan_in)) if bias_init is None else bias_init
            self.bias = Parameter(initializer(bias_init, [out_channels], dtype), name="bias")

    def construct(self, x: Any) -> Tensor:
        return _tensor(F.conv2d(unwrap(x), self.weight, self.bias, self.stride, self.padding,
                                self.dilation, self.group))


class MaxPool2d(Cell):
    """2-D max pooling over NCHW inputs (``pad_mode='valid'``)."""

    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid") -> None:
        super().__init__()
        if pad_mode.lower() != "valid":
            raise ValueError(f"MaxPool2d(pad_mode=...) supports 'valid' here, got {pad_mode!r}")
        self.kernel_size, self.stride = kernel_size, stride

    def construct(self, x: Any) -> Tensor:
        return _tensor(F.max_pool2d(unwrap(x), self.kernel_size, self.stride))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode=VALID"
