"""Tensor's methods come from one table, ``bricks.ops._METHODS``; the typing declarations in
``_tensor.py`` are generated from it by ``tools/gen_tensor_methods.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import bricks
from bricks import ops

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_tensor_methods", ROOT / "tools" / "gen_tensor_methods.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_typing_declarations_are_the_ones_generated_from_the_table():
    generator = _generator()
    current = generator.TENSOR_FILE.read_text()
    assert generator.generate(current) == current, (
        "src/bricks/_tensor.py is out of date with bricks.ops._METHODS: run `make methods`")


def test_every_entry_of_the_table_is_bound_to_tensor():
    for name, method in ops._METHODS.items():
        assert vars(bricks.Tensor)[name] is method, name


def test_every_family_function_is_a_method_unless_listed_as_function_only():
    for family in ops._FAMILIES:
        for name in family.__all__:
            assert (name in ops._METHODS) != (name in ops._FUNCTIONS_ONLY) or (
                name in ops._METHODS and ops._METHODS[name] is not getattr(family, name)), name


def test_in_place_methods_starting_with_i_are_bound():
    # The table once skipped every in-place name starting with "i" (meant for ``iadd``...).
    x = bricks.zeros(3)
    assert "__iadd__" in ops._METHODS and "iadd" not in ops._METHODS
    x += 1
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_the_declarations_cover_the_table_and_nothing_else():
    import ast
    import textwrap

    _, declarations = _generator().render(ops._METHODS)
    body = ast.parse("class Tensor:\n" + textwrap.indent(declarations, "    ")).body[0].body
    declared = {node.name for node in body if isinstance(node, ast.FunctionDef)}
    declared |= {target.id for node in body if isinstance(node, ast.Assign)
                 for target in node.targets if isinstance(target, ast.Name)}
    assert declared == set(ops._METHODS)
