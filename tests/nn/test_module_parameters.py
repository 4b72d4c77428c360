"""``Module.parameters()`` keeps its list between calls: every way of changing a tree shows."""

import copy
from collections import OrderedDict

import bricks
from bricks import nn


def _ids(module):
    return [id(p) for p in module.parameters()]


def _fresh_ids(module):
    # What a walk of the tree finds, without any cache: the reference for every check.
    seen = {}
    for _, owner in module.named_modules():
        for p in owner._parameters.values():
            if p is not None:
                seen.setdefault(id(p), None)
    return list(seen)


def test_parameters_follow_every_change_of_the_tree():
    inner = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    net = nn.Sequential(inner, nn.Linear(3, 1))
    changes = [
        lambda: setattr(net[1], "weight", net[0][0].weight),        # tie by assignment
        lambda: inner.append(nn.Linear(3, 3)),                       # container append
        lambda: inner.insert(0, nn.Linear(2, 2)),                    # insert and renumber
        lambda: delattr(net[1], "bias"),                             # delete a parameter
        lambda: net[1].register_parameter("bias", None),             # None placeholder
        lambda: net[1].register_parameter("extra", nn.Parameter(bricks.ones(1))),
        lambda: inner._modules.__setitem__("9", nn.Linear(1, 1)),    # direct dict fill
        lambda: inner._modules.pop("9"),
        lambda: inner._modules.update({"8": nn.Linear(1, 2)}),
        lambda: inner._modules.setdefault("7", nn.Linear(1, 3)),
        lambda: inner._modules.popitem(),
        lambda: inner.__delitem__(0),
        lambda: inner._parameters.__setitem__("p", nn.Parameter(bricks.zeros(2))),
        lambda: inner._parameters.clear(),
        lambda: setattr(net, "head", inner[0]),                      # shared module again
    ]
    for change in changes:
        _ids(net)  # fill the cache, then change the tree behind it
        change()
        assert _ids(net) == _fresh_ids(net)


def test_parameters_of_a_subtree_see_changes_made_through_the_parent():
    net = nn.Sequential(nn.Sequential(nn.Linear(2, 2)), nn.Linear(2, 1))
    child = net[0]
    before = _ids(child)
    net[0][0] = nn.Linear(2, 2)
    assert _ids(child) != before and _ids(child) == _fresh_ids(child)


def test_a_registry_replaced_by_a_plain_dict_is_never_cached():
    net = nn.Sequential(nn.Linear(2, 2))
    _ids(net)
    net[0]._parameters = OrderedDict(weight=nn.Parameter(bricks.ones(1)))
    assert _ids(net) == _fresh_ids(net)
    net[0]._parameters["bias"] = nn.Parameter(bricks.ones(1))   # plain dict: no bump
    assert _ids(net) == _fresh_ids(net)


def test_parameters_without_recursion_and_after_deepcopy():
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, shared)
    net.register_parameter("scale", nn.Parameter(bricks.ones(1)))
    assert [id(p) for p in net.parameters(recurse=False)] == [id(net.scale)]
    _ids(net)
    twin = copy.deepcopy(net)
    assert _ids(twin) == _fresh_ids(twin)
    assert not set(_ids(twin)) & set(_ids(net))
    assert len(_ids(twin)) == 3  # the shared Linear counted once, in the copy too


def test_parameters_is_a_fresh_iterator_each_call():
    net = nn.Linear(2, 2)
    first = net.parameters()
    next(first)
    assert len(list(net.parameters())) == 2
