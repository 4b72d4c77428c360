"""``mindspore.nn``: Cells as bricks Modules, losses, optimizers and training wrappers."""

from __future__ import annotations

from .cell import *  # noqa: F403
from .cell import __all__ as _cells
from .layer import *  # noqa: F403
from .layer import __all__ as _layers
from .loss import *  # noqa: F403
from .loss import __all__ as _losses
from .optim import *  # noqa: F403
from .optim import __all__ as _optimizers
from .wrap import *  # noqa: F403
from .wrap import __all__ as _wrappers

__all__ = _cells + _layers + _losses + _optimizers + _wrappers
