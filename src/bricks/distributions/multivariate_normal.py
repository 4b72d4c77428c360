"""``torch.distributions.multivariate_normal``: the module path PyTorch code imports from."""

from .normal import MultivariateNormal

__all__ = ["MultivariateNormal"]
