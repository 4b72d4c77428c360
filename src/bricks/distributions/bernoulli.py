"""``torch.distributions.bernoulli``: the module path PyTorch code imports from."""

from .discrete import Bernoulli

__all__ = ["Bernoulli"]
