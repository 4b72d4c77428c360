"""``bricks.utils.tensorboard``: torch.utils.tensorboard's ``SummaryWriter``.

It writes TensorBoard's event files itself (TFRecord framing, hand-encoded protocol
buffers), so neither ``tensorboard`` nor ``protobuf`` is needed to log; TensorBoard reads the
files as it reads torch's.
"""

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
