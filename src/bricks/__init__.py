"""bricks: a deep-learning framework on NumPy with PyTorch's API.

``import bricks as torch`` runs book-level PyTorch code: tensors with autograd, ``nn``
modules and initializers, optimizers, data loading, and safe checkpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dtypes import (
    bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, float, float16,
    float32, float64, get_default_dtype, half, int, int8, int16, int32, int64, long,
    set_default_dtype, short, uint8,
)
from ._creation import (
    BoolTensor, DoubleTensor, FloatTensor, Generator, IntTensor, LongTensor, arange, as_tensor,
    default_generator, empty, empty_like, eye, from_numpy, full, full_like, initial_seed,
    is_tensor, linspace, manual_seed, normal, numel, ones, ones_like, rand, rand_like, randint,
    randn, randn_like, randperm, seed, tensor, zeros, zeros_like,
)
from ._tensor import Size, Tensor
from . import autograd
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import inference_mode, is_inference_mode_enabled
from . import ops
from .ops import *  # noqa: F403

if TYPE_CHECKING:  # mypy reads only a literal __all__, so it cannot follow ``ops.__all__``
    from .ops.bitwise import *  # noqa: F403
    from .ops.elementwise import *  # noqa: F403
    from .ops.index import *  # noqa: F403
    from .ops.linalg import *  # noqa: F403
    from .ops.reduce import *  # noqa: F403
    from .ops.shape import *  # noqa: F403
    from .ops.sorting import *  # noqa: F403
    from .ops.unary import *  # noqa: F403
    from .ops.indexing import *  # noqa: F403
    from .ops.matrix import *  # noqa: F403
    from .ops.pointwise import *  # noqa: F403
    from .ops.stats import *  # noqa: F403
    from .ops.decompositions import *  # noqa: F403
    from .ops.extras import *  # noqa: F403
    from .ops.complex_numbers import *  # noqa: F403
    from .ops.layout import *  # noqa: F403
from .serialization import CheckpointError, load, load_into, save
from . import nn, optim, utils
from . import inspect
from . import distributed  # collectives over MPI; mpi4py loads only at init_process_group
from .inspect import summary
# devices (see _device.py, cuda/)
from ._device import device, get_default_device, set_default_device
from . import cuda
# ----- compile (issue 15) -----
from . import compiler
from ._compile import compile
from ._threads import get_num_threads, set_num_threads

# ----- everyday names (issue 12: ops-breadth) -----
from . import distributions, fft, linalg
from ._tensor_str import set_printoptions
from ._everyday import (
    are_deterministic_algorithms_enabled, bernoulli, dropout, finfo, get_rng_state, iinfo,
    is_floating_point, is_inference, randint_like, set_rng_state, use_deterministic_algorithms,
)

from ._version import __version__ as __version__

# ----- factories, windows and dtype questions (feat-names) -----
from ._creation_forms import asarray, empty_strided, frombuffer, range, scalar_tensor
from ._type_promotion import can_cast, promote_types, result_type
from ._windows import (
    bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window,
)
from . import signal

# ----- the environment idioms programs start with (issue 12: envmods) -----
from . import accelerator, amp, backends, version
from .amp import autocast, get_autocast_dtype, is_autocast_enabled
from .backends.cuda import get_float32_matmul_precision, set_float32_matmul_precision
from ._workspace import empty_cache

__all__ = [
    "Tensor", "Size", "dtype", "float16", "float32", "float64", "bfloat16", "int8", "int16",
    "complex64", "complex128", "cfloat", "cdouble",
    "int32", "int64", "uint8", "bool", "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "tensor", "as_tensor", "from_numpy", "zeros",
    "ones", "full", "empty", "arange", "linspace", "eye", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand", "randn", "randint", "normal", "rand_like", "randn_like", "randperm",
    "manual_seed", "seed", "initial_seed", "Generator", "default_generator", "FloatTensor",
    "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "is_tensor", "numel", "autograd",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "save", "load",
    "load_into", "CheckpointError", "nn", "optim", "utils", "inspect", "summary", "distributed",
    "empty_cache",
    "inference_mode", "is_inference_mode_enabled",
    "device", "get_default_device", "set_default_device", "cuda",
    "compile", "compiler", "set_num_threads", "get_num_threads",
] + ops.__all__

# Reading other frameworks' checkpoints (PyTorch, MXNet, MindSpore) and converting them.
# Importing the package bricks.convert (python -m bricks.convert) before binding the name
# keeps bricks.convert the function even after an `import bricks.convert`.
from .convert import convert  # noqa: E402

__all__ += ["convert"]
# everyday names (issue 12: ops-breadth)
__all__ += ["distributions", "fft", "linalg", "set_printoptions", "get_rng_state", "set_rng_state",
            "bernoulli", "randint_like", "is_floating_point", "finfo", "iinfo", "dropout",
            "use_deterministic_algorithms", "are_deterministic_algorithms_enabled", "is_inference"]
__all__ += ["asarray", "empty_strided", "frombuffer", "range", "scalar_tensor", "can_cast",
            "promote_types", "result_type", "bartlett_window", "blackman_window",
            "hamming_window", "hann_window", "kaiser_window", "signal"]
__all__ += ["accelerator", "amp", "autocast", "get_autocast_dtype", "is_autocast_enabled",
            "backends", "version", "get_float32_matmul_precision",
            "set_float32_matmul_precision"]

# ----- NumPy's axis=/keepdims= aliases where torch accepts them (see _aliases.py) -----
from ._aliases import takes_dim as _takes_dim, with_numpy_aliases as _aliased  # noqa: E402

for _name in list(ops.__all__):
    if _name in globals() and _takes_dim(globals()[_name]):
        globals()[_name] = _aliased(globals()[_name])

# ----- out= on the everyday functions (issue 12; see _out.py) -----
from ._out import OUT_FUNCTIONS as _OUT_FUNCTIONS, with_out as _with_out  # noqa: E402

for _name in _OUT_FUNCTIONS:
    if _name in globals():
        globals()[_name] = _with_out(globals()[_name])
del _name

# ----- torch.testing, torch.special, torch.func (issue 12: breadth) -----
from . import testing  # noqa: E402

__all__ += ["testing"]
from . import special  # noqa: E402

__all__ += ["special"]
from . import func  # noqa: E402
from .func import vmap  # noqa: E402

__all__ += ["func", "vmap"]

# ----- torch.profiler and torch.multiprocessing: imported when first used -----
_LAZY_MODULES = ("profiler", "multiprocessing")
__all__ += list(_LAZY_MODULES)


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:  # most programs never profile nor start processes
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
