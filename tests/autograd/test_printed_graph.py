"""The graph as torch prints it: ``grad_fn`` reprs with an address, ``next_functions``."""

from __future__ import annotations

import re

import torch

import bricks


def _walk(node, depth=0):
    """The names of the graph below ``node``, depth first, as nested tuples."""
    if node is None:
        return None
    name = node.name() if hasattr(node, "name") else type(node).__name__
    return name, tuple(_walk(child, depth + 1) for child, _ in node.next_functions)


def test_grad_fn_repr_has_an_address_as_torch():
    for lib in (bricks, torch):
        x = lib.ones(2, requires_grad=True)
        text = repr((x * 2).grad_fn)
        assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", text), text


def test_next_functions_walk_the_graph_as_torch():
    graphs = []
    for lib in (bricks, torch):
        w = lib.ones(3, 2, requires_grad=True)
        b = lib.zeros(2, requires_grad=True)
        x = lib.ones(4, 3)
        hidden = (x @ w + b).relu()
        loss = (hidden * hidden).mean()
        graphs.append(_walk(loss.grad_fn))
    assert graphs[0] == graphs[1]


def test_python_numbers_are_no_next_functions_in_torch_but_none_entries_in_bricks():
    # Known difference: bricks records a Python number operand as an input without grad.
    x = bricks.ones(2, requires_grad=True)
    assert [n for n, _ in (x ** 2).grad_fn.next_functions][1:] == [None]


def test_a_leaf_has_one_accumulate_grad_node_holding_it():
    w = bricks.ones(2, requires_grad=True)
    first = (w * 2).grad_fn.next_functions[0][0]
    second = (w + 1).grad_fn.next_functions[0][0]
    assert first is second and first.variable is w
    assert repr(first).startswith("<AccumulateGrad object at 0x")
    assert (w * bricks.ones(2)).grad_fn.next_functions[1] == (None, 0)


def test_the_accumulate_grad_cache_lets_a_leaf_die():
    import gc

    from bricks.autograd import function

    w = bricks.ones(2, requires_grad=True)
    (w * 2).grad_fn.next_functions
    key = id(w)
    assert key in function._ACCUMULATORS
    del w
    gc.collect()
    assert key not in function._ACCUMULATORS
