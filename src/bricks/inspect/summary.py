"""``summary``: one forward pass with hooks, then a table of layers, shapes, counts and ties.

In the spirit of torchinfo: each row is one layer at one dotted path, with its type, the
shape of its output, the number of parameters it holds itself and the names those
parameters are tied to. The totals count a tied parameter once, as ``parameters()`` does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from .._shapes import shape_text

__all__ = ["summary", "ModelSummary", "LayerRow"]


@dataclass
class LayerRow:
    """One layer of a summary: where it sits, what it is, what it produced and holds.

    Attributes:
        name: dotted path of the layer in the model (``'0.block 1.2'``); ``''`` is the model.
        type: the class name (``'Linear'``).
        depth: nesting depth; the model itself is 0.
        output_shapes: the output shape of each call of the layer seen at this path, as
            lists (a layer that returns several tensors gives a list of shapes per call).
        num_params: number of elements in the parameters this layer holds directly.
        trainable: whether all of those parameters require grad.
        tied_to: for each directly held parameter that is tied, the other dotted names
            it is known by (``{'weight': ['4.weight']}``).
        repeated: True when this layer object already appeared at an earlier path, so its
            parameters are not counted again in the totals.
    """

    name: str
    type: str
    depth: int
    output_shapes: list = field(default_factory=list)
    num_params: int = 0
    trainable: bool = True
    tied_to: dict = field(default_factory=dict)
    repeated: bool = False


@dataclass
class ModelSummary:
    """What ``summary`` found: rows, totals (ties counted once) and the tied groups.

    ``str(summary)`` is the table; ``as_dicts()`` gives the rows as plain dicts.
    """

    rows: list[LayerRow]
    input_shapes: list
    total_params: int
    trainable_params: int
    non_trainable_params: int
    params_bytes: int
    tied_groups: list[list[str]]

    def as_dicts(self) -> list[dict[str, Any]]:
        """The rows as dicts (for CSV, JSON or a DataFrame)."""
        return [asdict(row) for row in self.rows]

    def __str__(self) -> str:
        return _format_table(self)


def summary(model: Any, input_size: Sequence | None = None, input_data: Any = None, *,
            dtypes: Sequence | None = None, print_table: bool = True) -> ModelSummary:
    """Run one forward pass and describe every layer: output shape, parameters and ties.

    Lazy layers are materialized by the forward pass, so a model built with
    ``nn.LazyLinear`` can be summarized before it has ever seen data. The pass runs under
    ``no_grad`` and leaves every hook as it was.

    Args:
        model: a ``bricks.nn.Module``.
        input_size: the shape of one input (``(2, 64)``) or a list of shapes for a model
            taking several; random inputs of those shapes are made.
        input_data: an example input instead (a Tensor, or a tuple/list of positional
            inputs, or a dict of keyword inputs).
        dtypes: dtypes of the inputs made from ``input_size`` (default: the default dtype).
        print_table: print the table as well as returning it.

    Returns:
        A ``ModelSummary`` with ``rows`` (one ``LayerRow`` per layer path), the totals
        ``total_params``, ``trainable_params``, ``non_trainable_params`` (a tied parameter
        counted once), ``params_bytes`` and ``tied_groups``.

    Raises:
        ValueError: if neither or both of ``input_size`` and ``input_data`` are given.
        RuntimeError: if the forward pass fails; it names the layers that did run.

    Example:
        >>> from bricks import nn
        >>> from bricks.inspect import summary
        >>> shared = nn.Linear(8, 8)
        >>> net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), shared, shared)
        >>> info = summary(net, input_size=(2, 4), print_table=False)
        >>> info.total_params, [row.output_shapes for row in info.rows[1:3]]
        (112, [[[2, 8]], [[2, 8]]])
    """
    first = next(iter(model.parameters()), None)
    device = None if first is None else first.device
    args, kwargs = _make_inputs(input_size, input_data, dtypes, device)
    outputs = _run_with_hooks(model, args, kwargs)
    rows = _build_rows(model, outputs)
    unique = list(model.parameters())
    trainable = sum(p.numel() for p in unique if p.requires_grad)
    total = sum(p.numel() for p in unique)
    info = ModelSummary(
        rows=rows, input_shapes=[_shape_of(a) for a in args] + [_shape_of(v) for v in
                                                                 kwargs.values()],
        total_params=total, trainable_params=trainable, non_trainable_params=total - trainable,
        params_bytes=sum(p.numel() * p.element_size() for p in unique),
        tied_groups=[names for names in _aliases(model).values() if len(names) > 1])
    if print_table:
        print(info)
    return info


def _make_inputs(input_size: Sequence | None, input_data: Any,
                 dtypes: Sequence | None, device: Any = None) -> tuple[tuple, dict]:
    if (input_size is None) == (input_data is None):
        raise ValueError("summary() expected exactly one of input_size or input_data, got "
                         f"{'both' if input_data is not None else 'neither'}")
    if input_data is not None:
        if isinstance(input_data, dict):
            return (), dict(input_data)
        if isinstance(input_data, (list, tuple)):
            return tuple(input_data), {}
        return (input_data,), {}
    from .._creation import rand

    assert input_size is not None  # exactly one of the two, checked above
    sizes = list(input_size)
    if not sizes or all(isinstance(s, int) for s in sizes):
        sizes = [tuple(sizes)]
    if dtypes is None:
        dtypes = [None] * len(sizes)
    if len(dtypes) != len(sizes):
        raise ValueError(f"summary() got {len(sizes)} input sizes but {len(dtypes)} dtypes")
    # Made on the model's device, as torchinfo does.
    return tuple(rand(*size, dtype=dtype, device=device) for size, dtype in zip(sizes, dtypes)), {}


def _run_with_hooks(model: Any, args: tuple, kwargs: dict) -> dict[int, list]:
    """Output shapes of every call of every module, keyed by module id, in call order."""
    from ..autograd import no_grad

    outputs: dict[int, list] = {}
    order: list[str] = []
    names = {id(module): name for name, module in model.named_modules()}

    def record(module: Any, inputs: Any, output: Any) -> None:
        outputs.setdefault(id(module), []).append(_shape_of(output))
        order.append(names.get(id(module)) or type(module).__name__)

    handles = [module.register_forward_hook(record) for _, module in model.named_modules()]
    try:
        with no_grad():
            model(*args, **kwargs)
    except Exception as error:
        ran = ", ".join(order) or "none"
        raise RuntimeError(f"summary(): the forward pass of {type(model).__name__} failed "
                           f"with {type(error).__name__}: {error}. Layers that ran: {ran}. "
                           "Check input_size / input_data.") from error
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def _build_rows(model: Any, outputs: dict[int, list]) -> list[LayerRow]:
    """One row per path (a shared layer gets a row at every path it sits at)."""
    paths = list(model.named_modules(remove_duplicate=False))
    occurrences: dict[int, list[str]] = {}
    for name, module in paths:
        occurrences.setdefault(id(module), []).append(name)
    aliases = _aliases(model)
    rows = []
    for name, module in paths:
        seen_at = occurrences[id(module)]
        own = [(key, p) for key, p in module._parameters.items() if p is not None]
        rows.append(LayerRow(
            name=name, type=type(module).__name__, depth=name.count(".") + 1 if name else 0,
            output_shapes=_calls_for(outputs.get(id(module), []), seen_at, name),
            num_params=sum(p.numel() for _, p in own),
            trainable=all(p.requires_grad for _, p in own),
            tied_to=_ties_of(name, own, aliases), repeated=seen_at.index(name) > 0))
    return rows


def _aliases(model: Any) -> dict[int, list[str]]:
    """Every dotted name of every parameter, keyed by the parameter's id."""
    names: dict[int, list[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(param), []).append(name)
    return names


def _ties_of(prefix: str, own: list, aliases: dict[int, list[str]]) -> dict[str, list[str]]:
    ties = {}
    for key, param in own:
        full = f"{prefix}.{key}" if prefix else key
        others = [name for name in aliases.get(id(param), []) if name != full]
        if others:
            ties[key] = others
    return ties


def _calls_for(calls: list, seen_at: list[str], name: str) -> list:
    """The calls to show at path ``name``: the k-th call at the k-th path when they pair up."""
    if len(seen_at) > 1 and len(calls) == len(seen_at):
        return [calls[seen_at.index(name)]]
    return calls


def _shape_of(value: Any) -> Any:
    if hasattr(value, "shape") and not isinstance(value, (list, tuple, dict)):
        return list(value.shape)
    if isinstance(value, (list, tuple)):
        return [_shape_of(item) for item in value]
    if isinstance(value, dict):
        return {key: _shape_of(item) for key, item in value.items()}
    return None


# ----- the table -----
_COLUMNS = ("Layer (type)", "Output shape", "Param #", "Tied to")


def _cells(row: LayerRow) -> tuple[str, str, str, str]:
    indent = "  " * max(row.depth - 1, 0)
    label = f"{indent}{row.name or '(model)'} ({row.type})"
    shapes = " | ".join(_shape_text(shape) for shape in row.output_shapes) or "--"
    if row.num_params == 0:
        count = "--"
    else:
        count = f"{row.num_params:,}" + (" (tied)" if row.repeated else "")
        if not row.trainable:
            count += " (frozen)"
    tied = ", ".join(f"{key}={'='.join(others)}" for key, others in row.tied_to.items())
    return label, shapes, count, tied or ""


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list) and all(isinstance(dim, int) for dim in shape):
        return shape_text(shape, "list")
    if isinstance(shape, list):
        return "(" + ", ".join(_shape_text(item) for item in shape) + ")"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {_shape_text(v)}" for k, v in shape.items()) + "}"
    return "--"


def _format_table(info: ModelSummary) -> str:
    cells = [_COLUMNS] + [_cells(row) for row in info.rows if row.name]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
    rule = "=" * (sum(widths) + 3 * (len(widths) - 1))

    def line(values: Sequence[str]) -> str:
        return "   ".join(value.ljust(width) for value, width in zip(values, widths)).rstrip()

    lines = [rule, line(cells[0]), rule] + [line(c) for c in cells[1:]] + [rule]
    lines += [f"Total params: {info.total_params:,}",
              f"Trainable params: {info.trainable_params:,}",
              f"Non-trainable params: {info.non_trainable_params:,}",
              f"Params size (KB): {info.params_bytes / 1024:,.2f}"]
    if info.tied_groups:
        lines.append("Tied parameters (counted once): "
                     + "; ".join(" = ".join(group) for group in info.tied_groups))
    lines.append(rule)
    return "\n".join(lines)
