"""The ``Example:`` sections of bricks' docstrings run, as doctests, in the suite."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import bricks

# Modules that need an optional dependency (MPI, CuPy) or run a program when imported.
SKIPPED_PREFIXES = ("bricks.distributed", "bricks.cuda", "bricks.backend.cupy", "bricks.__main__",
                    "bricks.convert.__main__")


def _module_names() -> list[str]:
    names = [bricks.__name__]
    for info in pkgutil.walk_packages(bricks.__path__, prefix="bricks."):
        if not info.name.startswith(SKIPPED_PREFIXES) and not info.name.endswith("__main__"):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _module_names())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    dtype = bricks.get_default_dtype()
    try:
        with bricks.enable_grad():  # an example may switch grad mode off as a plain call
            for test in finder.find(module, name):
                runner.run(test)
    finally:
        bricks.set_default_dtype(dtype)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples failed in {name}"
