"""How modules print: PyTorch's nested format, character for character."""

from __future__ import annotations

from typing import Any

__all__ = ["module_repr", "add_indent", "compressed_list_repr", "parameter_line"]


def add_indent(text: str, spaces: int) -> str:
    """Indent every line but the first by ``spaces`` (PyTorch's ``_addindent``)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * spaces + line for line in lines)


def module_repr(module: Any) -> str:
    """``Name(config)`` or ``Name(\\n  (child): ...\\n)``, as ``torch.nn.Module.__repr__``."""
    extra = module.extra_repr()
    extra_lines = extra.split("\n") if extra else []
    child_lines = [f"({name}): " + add_indent(repr(child), 2)
                   for name, child in module._modules.items()]
    lines = extra_lines + child_lines
    text = module._get_name() + "("
    if lines:
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        else:
            text += "\n  " + "\n  ".join(lines) + "\n"
    return text + ")"


def compressed_list_repr(module: Any) -> str:
    """ModuleList's repr: runs of equal children print once as ``(0-2): 3 x Linear(...)``."""
    reprs = [repr(child) for child in module]
    if not reprs:
        return module._get_name() + "()"
    runs: list[list[Any]] = []
    for index, text in enumerate(reprs):
        if runs and runs[-1][2] == text:
            runs[-1][1] = index
        else:
            runs.append([index, index, text])
    lines = []
    for start, end, text in runs:
        label = f"({start}): {text}" if start == end else \
            f"({start}-{end}): {end - start + 1} x {text}"
        lines.append(add_indent(label, 2))
    return module._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


def parameter_line(key: Any, value: Any, type_text: str) -> str:
    """One line of ParameterList/ParameterDict's repr."""
    from .parameter import Parameter
    from .._tensor import Tensor

    if not isinstance(value, Tensor):
        return f"  ({key}): Object of type: {type(value).__name__}"
    size = "x".join(str(n) for n in value.size())
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"  ({key}): {kind} containing: [{type_text} of size {size}]"
