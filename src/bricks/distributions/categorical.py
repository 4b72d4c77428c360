"""``torch.distributions.categorical``: the module path PyTorch code imports from."""

from .discrete import Categorical

__all__ = ["Categorical"]
