"""Load the textbook's library, ``d2l/torch.py`` from the installed ``d2l`` package, twice:
with bricks standing in for torch, and with torch itself, so that a test can run the same
chapter code on both.

The file is read from the installed package (``pip install --no-deps d2l==1.0.3``; the
Makefile's test set-up does it) and executed as a fresh module while ``sys.modules`` maps
``torch``, ``torch.nn``, ``torch.nn.functional``, ``torch.utils`` and ``torch.utils.data`` to
bricks' modules; the real torch modules are put back right after, so that the rest of the
suite (which imports torch as the reference) is untouched.

d2l also imports packages for downloading data sets, images and notebooks display
(``torchvision``, ``PIL``, ``pandas``, ``requests``, ``IPython``, ``matplotlib_inline``).
The chapters tested here use none of them: they build their data in memory and plot
nothing. Where such a package is not installed (bricks' test extra does not ask for them),
a small empty stand-in module lets the import go through; an installed one is used as is.
"""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

_TORCH_NAMES = ("torch", "torch.nn", "torch.nn.functional", "torch.utils", "torch.utils.data")


def _stand_in(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    module.__doc__ = "An empty stand-in for a package d2l imports and these tests never use."
    return module


def _noop(*args: object, **kwargs: object) -> None:
    return None


def _stand_ins() -> dict[str, types.ModuleType]:
    """Stand-ins for the packages d2l imports that are not installed here."""
    transforms = _stand_in("torchvision.transforms")
    display = _stand_in("IPython.display", display=_noop, clear_output=_noop)
    backend_inline = _stand_in("matplotlib_inline.backend_inline",
                               set_matplotlib_formats=_noop)
    image = _stand_in("PIL.Image")
    candidates = {
        "torchvision": _stand_in("torchvision", transforms=transforms),
        "torchvision.transforms": transforms,
        "PIL": _stand_in("PIL", Image=image),
        "PIL.Image": image,
        "pandas": _stand_in("pandas"),
        "requests": _stand_in("requests"),
        "IPython": _stand_in("IPython", display=display),
        "IPython.display": display,
        "matplotlib_inline": _stand_in("matplotlib_inline", backend_inline=backend_inline),
        "matplotlib_inline.backend_inline": backend_inline,
    }
    missing = {}
    for name, module in candidates.items():
        top = name.split(".")[0]
        if importlib.util.find_spec(top) is None:
            missing[name] = module
    return missing


def _torch_modules(lib: types.ModuleType) -> dict[str, types.ModuleType]:
    return {"torch": lib, "torch.nn": lib.nn, "torch.nn.functional": lib.nn.functional,
            "torch.utils": lib.utils, "torch.utils.data": lib.utils.data}


def load_d2l(lib: types.ModuleType, name: str) -> types.ModuleType:
    """``d2l/torch.py`` executed with ``lib`` (bricks or torch) as its ``torch``."""
    spec = importlib.util.find_spec("d2l")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("d2l is not installed: pip install --no-deps d2l==1.0.3")
    path = next(iter(spec.submodule_search_locations)) + "/torch.py"
    import matplotlib

    matplotlib.use("Agg")  # d2l imports pyplot; no window, no notebook
    replaced = {**_torch_modules(lib), **_stand_ins()}
    saved = {key: sys.modules.get(key) for key in replaced}
    file_spec = importlib.util.spec_from_file_location(name, path)
    assert file_spec is not None and file_spec.loader is not None
    module = importlib.util.module_from_spec(file_spec)
    sys.modules.update(replaced)
    sys.modules[name] = module  # d2l does `d2l = sys.modules[__name__]`
    try:
        file_spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module
