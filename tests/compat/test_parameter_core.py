"""One parameter core: parameter facts are declared fields of bricks' Parameter, one helper
says whether a parameter is uninitialized, and Gluon's Parameter state is a view over them."""

from __future__ import annotations

import numpy
import pytest

import bricks
from bricks import nn
from bricks.nn.parameter import is_uninitialized


def test_is_uninitialized_is_the_one_test_for_parameters_and_buffers():
    assert is_uninitialized(nn.UninitializedParameter())
    assert is_uninitialized(nn.UninitializedBuffer())
    assert not is_uninitialized(nn.Parameter(bricks.ones(2)))
    assert not is_uninitialized(bricks.ones(2))
    layer = nn.LazyLinear(3)
    assert is_uninitialized(layer.weight)
    layer(bricks.ones(1, 4))
    assert not is_uninitialized(layer.weight)


def test_parameter_facts_are_declared_fields_with_defaults():
    p = nn.Parameter(bricks.ones(2))
    assert (p._bricks_name, p._bricks_initialized, p._bricks_pending_init) == (None, False, None)
    assert p.__dict__ == {}  # nothing stored until a fact is set
    lazy = nn.LazyLinear(3)
    assert lazy.weight._bricks_name == "LazyLinear.weight"
    assert nn.UninitializedParameter(dtype=bricks.float64)._bricks_dtype is bricks.float64
    lazy.initialize(nn.init.Constant(0.5))
    assert lazy.weight._bricks_initialized and lazy.weight._bricks_pending_init is not None
    lazy(bricks.ones(1, 2))
    assert lazy.weight._bricks_pending_init is None
    numpy.testing.assert_array_equal(lazy.weight.detach().numpy(), numpy.full((3, 2), 0.5))


def test_gluon_parameter_state_lives_in_the_bricks_parameter(mx):
    from mxnet import gluon, init, nd

    layer = gluon.nn.Dense(2)
    weight = layer.weight
    assert "_initialized" not in vars(weight) and "_deferred_init" not in vars(weight)
    layer.initialize(init.Constant(0.25))
    var = weight.bricks_parameter
    assert is_uninitialized(var) and var._bricks_pending_init is not None
    assert var._bricks_name == weight.name
    with pytest.raises(gluon.parameter.DeferredInitializationError):
        weight.data()
    layer(nd.ones((1, 3)))
    assert weight.bricks_parameter is var and not is_uninitialized(var)
    assert var._bricks_initialized and var._bricks_pending_init is None
    numpy.testing.assert_array_equal(weight.data().asnumpy(), numpy.full((2, 3), 0.25))
