"""``bricks.backends``: the switches of torch.backends that everyday programs set or read.

``torch.backends.cudnn.benchmark = True`` and ``torch.backends.mps.is_available()`` are in
the first lines of many training scripts. bricks computes on NumPy (CPU) and CuPy (GPU), with
neither cuDNN, MPS nor oneDNN of its own, so these report that honestly (``is_available()`` is
False) while their flags keep the values a program gives them, as torch's do.

Example:
    >>> import bricks.backends.cudnn as cudnn
    >>> cudnn.benchmark = True
    >>> cudnn.benchmark, cudnn.is_available()
    (True, False)
    >>> cudnn.benchmark = False
"""

from __future__ import annotations

from . import cuda, cudnn, mkldnn, mps

__all__ = ["cuda", "cudnn", "mkldnn", "mps"]
