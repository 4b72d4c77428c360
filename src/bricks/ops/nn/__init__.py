"""Layer primitives: the ``Function`` classes under ``bricks.nn.functional``.

``bricks.ops``' other modules are the Tensor method families (``bricks.<name>`` and
``Tensor.<name>``); this package holds what only layers use: convolution, pooling,
activations, normalisation and losses. Their functions take arguments already checked and
normalised by ``nn.functional``, which is the public surface; nothing here is a Tensor method.
"""

from .activation import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .loss import *  # noqa: F403
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pooling import *  # noqa: F403
from .sparse import *  # noqa: F403
from .stochastic import *  # noqa: F403
