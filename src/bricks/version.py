"""``bricks.version``: what this build of bricks is, as torch.version says it of torch.

``cuda`` is the CUDA runtime version CuPy was built for (such as ``'12.4'``) where bricks can
use a GPU, and None otherwise, as in torch's CPU build; it is worked out on first access, so
that ``import bricks`` never loads CuPy.

Example:
    >>> import bricks
    >>> bricks.version.__version__ == bricks.__version__
    True
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__", "cuda", "debug", "git_version", "hip"]

debug = False
git_version = "Unknown"  # bricks is installed from a package, without its commit
hip: str | None = None
cuda: str | None  # answered on first access by __getattr__ below


def _cuda_version() -> str | None:
    from ._cuda_backend import CUDA

    if not CUDA.available():
        return None
    number = int(CUDA.cupy().cuda.runtime.runtimeGetVersion())  # such as 12040
    return f"{number // 1000}.{number % 1000 // 10}"


def __getattr__(name: str) -> Any:
    if name == "cuda":
        value = _cuda_version()
        globals()["cuda"] = value  # answered once, like torch's constant
        return value
    raise AttributeError(f"module 'bricks.version' has no attribute {name!r}")
