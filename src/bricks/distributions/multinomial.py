"""``torch.distributions.multinomial``: the module path PyTorch code imports from."""

from .discrete import Multinomial

__all__ = ["Multinomial"]
