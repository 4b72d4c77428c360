"""``python -m bricks.convert SRC DST``: write any checkpoint bricks reads as safetensors.

SRC may be a PyTorch ``.pt``/``.pth``/``.bin`` (zip, legacy or tar layout), an MXNet
``.params``/``nd.save`` file, a MindSpore ``.ckpt`` or a safetensors file; nothing in it
is executed. ``bricks.convert(src, dst)`` is the function: ``import bricks`` imports this
package before it binds that name, so a later ``import bricks.convert`` finds the package
in ``sys.modules`` and leaves ``bricks.convert`` the function.
"""

from __future__ import annotations

import argparse
import sys

from ..serialization import CheckpointError, convert

__all__ = ["convert", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 1 with the error on stderr)."""
    parser = argparse.ArgumentParser(
        prog="python -m bricks.convert",
        description="Convert a PyTorch, MXNet or MindSpore checkpoint to safetensors "
                    "without running any code from it.")
    parser.add_argument("src", help="the checkpoint to read")
    parser.add_argument("dst", help="the safetensors file to write")
    args = parser.parse_args(argv)
    try:
        convert(args.src, args.dst)
    except (CheckpointError, OSError, TypeError) as exc:
        print(f"bricks.convert: {exc}", file=sys.stderr)
        return 1
    return 0
