"""``torch.distributions``: probability distributions with ``sample``, ``rsample`` (the
reparameterized, differentiable draw), ``log_prob``, ``entropy``, ``mean``, ``mode`` and
``variance``, and ``kl_divergence`` between registered pairs.

Every formula is a composite of bricks ops, so gradients flow to the parameters without a
backward of its own; draws come from bricks' generator (``bricks.manual_seed``). The gamma and
Dirichlet draws (under Gamma, Chi2, Beta, Dirichlet and StudentT) are primitives of
``bricks.ops.gamma_draws`` whose backward is the implicit reparameterization gradient.
"""

import sys as _sys

from .distribution import Distribution
from .normal import MultivariateNormal, Normal
from .discrete import Bernoulli, Categorical, Multinomial
from .uniform import Uniform
from .gamma import Beta, Chi2, Dirichlet, Exponential, Gamma
from .location_scale import Cauchy, HalfNormal, Laplace, LogNormal, StudentT
from .counts import Binomial, Geometric, Poisson
from .independent import Independent, OneHotCategorical
from .kl import kl_divergence, register_kl
from . import kl as kl
# torch's module paths (torch.distributions.multinomial.Multinomial):
from . import bernoulli as bernoulli, categorical as categorical, multinomial as multinomial
from . import multivariate_normal as multivariate_normal

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical", "Multinomial",
           "MultivariateNormal", "Gamma", "Chi2", "Exponential", "Beta", "Dirichlet", "Laplace",
           "Cauchy", "StudentT", "LogNormal", "HalfNormal", "Poisson", "Binomial", "Geometric",
           "Independent", "OneHotCategorical", "kl_divergence", "register_kl"]

# torch.distributions.<lowercase name>.<Name> for the rest (torch.distributions.beta.Beta):
for _name in ("Gamma", "Chi2", "Exponential", "Beta", "Dirichlet", "Laplace", "Cauchy",
              "StudentT", "LogNormal", "HalfNormal", "Poisson", "Binomial", "Geometric",
              "Independent", "OneHotCategorical"):
    _module = _sys.modules[globals()[_name].__module__]
    _alias = "studentT" if _name == "StudentT" else _name.lower()
    _alias = {"onehotcategorical": "one_hot_categorical",
              "lognormal": "log_normal", "halfnormal": "half_normal"}.get(_alias, _alias)
    globals()[_alias] = _sys.modules[f"{__name__}.{_alias}"] = _module
