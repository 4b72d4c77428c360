"""Neural-network building blocks: parameters, modules, containers, layers, init, functional."""

from . import functional, init
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module
from .modules import *  # noqa: F403
from .modules import __all__ as _layers
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from . import utils
from . import parallel
from .parallel import DataParallel

__all__ = ["Module", "Parameter", "UninitializedParameter", "Buffer", "UninitializedBuffer",
           "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "functional", "init", "utils", "parallel", "DataParallel"] + list(_layers)
