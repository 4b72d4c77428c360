"""``torch.distributions``: probability distributions with ``sample``, ``rsample`` (the
reparameterized, differentiable draw), ``log_prob``, ``entropy``, ``mean`` and ``variance``.

Every formula is a composite of bricks ops, so gradients flow to the parameters without a
backward of its own; draws come from bricks' generator (``bricks.manual_seed``).
"""

from .distribution import Distribution
from .normal import MultivariateNormal, Normal
from .discrete import Bernoulli, Categorical, Multinomial
from .uniform import Uniform
# torch's module paths (torch.distributions.multinomial.Multinomial):
from . import bernoulli as bernoulli, categorical as categorical, multinomial as multinomial
from . import multivariate_normal as multivariate_normal

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical", "Multinomial",
           "MultivariateNormal"]
