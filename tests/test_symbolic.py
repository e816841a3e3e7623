"""The chain sums against sympy.diff of the composed cost: exact equality, one parameter at a
time."""

import pytest
import sympy as sp
from shared import EXACT_CASES

from chainrule.calculus.symbolic import (
    M,
    composed_cost,
    forward_values,
    is_identically_zero,
    local_derivative,
    node_symbol,
    target_symbol,
)
from chainrule.graph.build import build_graph
from chainrule.graph.spec import Network
from chainrule.notation.gradient import Gradient, gradient


@pytest.mark.parametrize("sizes, options", EXACT_CASES, ids=lambda case: str(case))
def test_local_sum_equals_sympy_diff_for_every_parameter(sizes, options):
    net = Network(sizes, **options)
    graph = build_graph(net)
    values = forward_values(net)
    cost = composed_cost(net, values)
    for parameter in net.parameters():
        ours = Gradient(graph, parameter.name).local().xreplace(values)
        reference = sp.diff(cost, node_symbol(parameter.name))
        assert is_identically_zero(ours - reference), parameter.name
        # and the proof can fail: a gradient off by a little is not proven equal
        assert not is_identically_zero(ours - reference + reference / 1000), parameter.name


def test_closed_view_is_the_substituted_local_view():
    net = Network([2, 2, 1], bias=True, activation="softplus,sigmoid")
    g = gradient(net, "theta^(1)_21")
    assert g.closed() == g.local().xreplace(forward_values(net))
    assert not g.closed().free_symbols & {node_symbol("a^(2)_1"), node_symbol("z^(2)_1")}
    assert is_identically_zero(
        g.closed() - sp.diff(composed_cost(net), node_symbol("theta^(1)_21"))
    )


def test_relu_chain_sum_matches_diff_where_it_is_smooth():
    net = Network([2, 2, 1], activation="relu,identity")
    values = forward_values(net)
    cost = composed_cost(net, values)
    point = {
        node_symbol("x_1"): 0.5,
        node_symbol("x_2"): -1.5,
        target_symbol(1): 0.25,
        M: 1,
        node_symbol("theta^(1)_11"): 0.3,
        node_symbol("theta^(1)_12"): -0.2,
        node_symbol("theta^(1)_21"): -0.4,
        node_symbol("theta^(1)_22"): -0.6,
        node_symbol("theta^(2)_11"): 0.7,
        node_symbol("theta^(2)_12"): -0.9,
    }
    for parameter in net.parameters():
        ours = gradient(net, parameter.name).closed().subs(point)
        reference = sp.diff(cost, node_symbol(parameter.name)).subs(point)
        assert float(ours) == pytest.approx(float(reference), abs=1e-15)


@pytest.mark.parametrize(
    "edge, formula",
    [
        (("a^(3)_1", "J"), "(a^(3)_1 - y_1)/m"),
        (("z^(3)_2", "a^(3)_2"), "a^(3)_2*(1 - a^(3)_2)"),
        (("a^(2)_2", "z^(3)_1"), "theta^(2)_12"),
        (("theta^(2)_12", "z^(3)_1"), "a^(2)_2"),
        (("theta^(1)_12", "z^(2)_1"), "x_2"),
        (("theta^(1)_10", "z^(2)_1"), "1"),
        (("x_2", "z^(2)_1"), "theta^(1)_12"),
    ],
)
def test_local_derivative_of_each_kind_of_edge(edge, formula):
    graph = build_graph(Network([2, 2, 2], bias=True))
    assert str(local_derivative(graph, *edge)) == formula


@pytest.mark.parametrize(
    "cost, formula",
    [
        ("se", "a^(2)_1 - y_1"),
        ("bce", "(a^(2)_1 - y_1)/(a^(2)_1*m*(1 - a^(2)_1))"),
        ("softmax-ce", "-y_1/(a^(2)_1*m)"),
    ],
)
def test_cost_edges(cost, formula):
    graph = build_graph(Network([1, 2], cost=cost))
    assert str(local_derivative(graph, "a^(2)_1", "J")) == formula


def test_softmax_edges():
    graph = build_graph(Network([1, 3], cost="softmax-ce"))
    assert str(local_derivative(graph, "z^(2)_2", "a^(2)_2")) == "a^(2)_2*(1 - a^(2)_2)"
    assert str(local_derivative(graph, "z^(2)_3", "a^(2)_1")) == "-a^(2)_1*a^(2)_3"


def test_abstract_view_is_a_sum_of_products_of_partials():
    g = gradient(Network([2, 2, 2]), "theta^(1)_11")
    abstract = g.abstract()
    assert len(abstract.args) == 2 and all(len(term.args) == 5 for term in abstract.args)
    assert str(g) == g.text("abstract")
    assert g._repr_latex_().startswith("$\\displaystyle \\begin{aligned}")


def test_unknown_parameter():
    with pytest.raises(KeyError, match="theta"):
        gradient(Network([1, 1]), "theta^(3)_11")
