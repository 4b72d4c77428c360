"""Run a seed's code block under bricks and under real torch, capturing what it prints.

Each block is kept as the seed writes it; ``run`` executes it in a namespace where
``torch`` (or ``flow``) is bricks, and ``run_torch`` in one where it is real PyTorch, so
that printed output can be compared after the two models are given the same weights.
"""

from __future__ import annotations

import contextlib
import io
import textwrap

import numpy as np
import torch as real_torch

import bricks


def namespace(alias: str = "torch") -> dict:
    from bricks import nn
    from bricks.nn import functional as F

    return {alias: bricks, "nn": nn, "F": F, "__alias__": alias}


def torch_namespace() -> dict:
    return {"torch": real_torch, "nn": real_torch.nn, "F": real_torch.nn.functional}


def run(code: str, ns: dict) -> tuple[str, object]:
    """Execute ``code``; return its stdout and the value of its last expression (or None)."""
    code = textwrap.dedent(code).strip("\n")
    if "__alias__" in ns:
        code = as_bricks(code, ns["__alias__"])
    lines = code.split("\n")
    last = lines[-1]
    out = io.StringIO()
    value = None
    with contextlib.redirect_stdout(out):
        if last and not last[0].isspace() and _is_expression(last):
            exec("\n".join(lines[:-1]), ns)
            value = eval(last, ns)
        else:
            exec(code, ns)
    return out.getvalue(), value


_IMPORTS = {
    "torch": [("import torch.nn.functional as F", "import bricks.nn.functional as F"),
              ("from torch.nn import functional as F", "from bricks.nn import functional as F"),
              ("from torch import nn", "from bricks import nn"),
              ("import torch", "import bricks as torch")],
    "flow": [("import oneflow as flow", "import bricks as flow"),
             ("from oneflow import nn", "from bricks import nn")],
}


def as_bricks(code: str, alias: str) -> str:
    """The seed's import lines, pointed at bricks (``import bricks as torch``); nothing else."""
    lines = code.split("\n")
    for index, line in enumerate(lines):
        for original, replacement in _IMPORTS[alias]:
            if line.strip() == original:
                lines[index] = line.replace(original, replacement)
                break
    return "\n".join(lines)


def _is_expression(line: str) -> bool:
    try:
        compile(line, "<seed>", "eval")
    except SyntaxError:
        return False
    return True


def normalize(text: str) -> str:
    """bricks' printed names read as PyTorch's (``bricks.Size`` -> ``torch.Size``)."""
    return text.replace("bricks.nn.parameter.Parameter", "torch.nn.parameter.Parameter") \
               .replace("bricks.", "torch.")


def sync(ours, theirs) -> None:
    """Give the bricks module the torch module's weights."""
    ours.load_state_dict({k: bricks.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


def to_bricks(t) -> bricks.Tensor:
    return bricks.tensor(np.array(t.detach().numpy()))
