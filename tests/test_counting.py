"""Closed form, dynamic programme and brute-force enumeration must agree on every count, and
the closed-form operation counts must agree with the graph walk."""

import networkx as nx
import pytest
from conftest import ARCHITECTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.calculus.counting import count, count_parameter, operation_counts
from chainrule.graph.build import build_graph
from chainrule.graph.paths import iter_paths, path_counts
from chainrule.graph.spec import Network


def test_fixed_figures():
    one = count(Network([1, 1, 1]))
    assert (one.parameters, one.chains, one.terms) == (2, 2, 8)
    two = count(Network([2, 2, 2]))
    assert (two.parameters, two.chains, two.terms) == (8, 12, 52)
    assert [
        (row.layer, row.parameters, row.chains, row.terms, row.chain_length) for row in two.layers
    ] == [(1, 4, 8, 40, 5), (2, 4, 4, 12, 3)]


def test_issue_figures_for_benchmark_networks():
    c = count(Network([10, 10, 10, 10]))
    assert (c.chains, c.terms) == (11_100, 75_300)
    assert count(Network([10, 10, 10, 10, 10])).terms == 975_300


def test_closed_form_of_design_notes():
    """A weight feeding layer l+1 has n_{l+2}...n_L chains of 3 + 2(L - l - 1) terms."""
    sizes = (5, 4, 3, 2, 7)
    net, L = Network(sizes), len(sizes)
    for row in count(net).layers:
        l = row.layer
        chains_each = 1
        for n in sizes[l + 1 :]:
            chains_each *= n
        assert row.chains == row.parameters * chains_each
        assert row.chain_length == 3 + 2 * (L - l - 1)
        assert row.terms == row.chains * row.chain_length


def test_exact_for_huge_networks():
    c = count(Network([784, 512, 512, 10]))
    assert c.parameters == 784 * 512 + 512 * 512 + 512 * 10
    assert c.chains == 784 * 512 * 512 * 10 + 512 * 512 * 10 + 512 * 10
    huge = count(Network([10**6] * 30))
    assert huge.chains > 10**170 and isinstance(huge.terms, int)


def _counts_three_ways(net: Network):
    """Per parameter: (closed form, dynamic programme, enumeration) of (chains, terms)."""
    graph = build_graph(net)
    programme = path_counts(graph)
    for parameter in net.parameters():
        paths = list(iter_paths(graph, parameter.name))
        enumerated = (len(paths), sum(len(path) - 1 for path in paths))
        yield count_parameter(net, parameter), programme[parameter.name], enumerated


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("cost", ["mse", "softmax-ce"])
@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_closed_form_dynamic_programme_and_enumeration_agree(sizes, bias, cost):
    if cost == "softmax-ce" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]  # softmax-ce needs at least 2 outputs
    net = Network(sizes, bias=bias, cost=cost)
    total_chains = total_terms = 0
    for closed, programme, enumerated in _counts_three_ways(net):
        assert closed == programme == enumerated
        total_chains += closed[0]
        total_terms += closed[1]
    c = count(net)
    assert (c.chains, c.terms) == (total_chains, total_terms)
    assert c.parameters == sum(row.parameters for row in c.layers) == net.parameter_count


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=5),
    bias=st.booleans(),
    cost=st.sampled_from(["mse", "se", "bce", "softmax-ce"]),
)
def test_agreement_on_random_architectures(sizes, bias, cost):
    if cost == "softmax-ce" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]  # softmax-ce needs 2 outputs
    for closed, programme, enumerated in _counts_three_ways(Network(sizes, bias=bias, cost=cost)):
        assert closed == programme == enumerated


def test_enumeration_matches_networkx_all_simple_paths():
    graph = build_graph(Network([2, 3, 2], bias=True, cost="softmax-ce"))
    for source in ["theta^(1)_10", "theta^(1)_32", "x_2", "z^(3)_1"]:
        ours = list(iter_paths(graph, source))
        theirs = [tuple(path) for path in nx.all_simple_paths(graph, source, "J")]
        assert sorted(ours) == sorted(theirs)
        assert len(set(ours)) == len(ours)


def test_softmax_multiplies_chains_by_output_width():
    plain, softmax = count(Network([2, 3, 4])), count(Network([2, 3, 4], cost="softmax-ce"))
    assert softmax.chains == 4 * plain.chains
    assert [row.chain_length for row in softmax.layers] == [
        row.chain_length for row in plain.layers
    ]


def test_path_counts_on_a_hand_made_dag():
    """A diamond with a skip edge: s->a->t, s->b->t, s->t."""
    graph = nx.DiGraph(cost="t")
    graph.add_edges_from([("s", "a"), ("a", "t"), ("s", "b"), ("b", "t"), ("s", "t")])
    assert path_counts(graph)["s"] == (3, 5)
    assert sorted(iter_paths(graph, "s")) == [("s", "a", "t"), ("s", "b", "t"), ("s", "t")]


def test_operation_counts_of_2_2_2_by_hand():
    ops = operation_counts(Network([2, 2, 2]))
    # expanded: 12 chains, 52 terms -> 52 - 12 multiplications, 12 - 8 additions
    assert ops.expanded == (40, 4)
    # reverse: 8 (delta * a for each weight) + 4 (delta^(3), delta^(2) times f') + 4 (delta*theta)
    assert ops.reverse == (16, 2)
    # forward: per theta^(1) weight 7 multiplications and 1 addition, per theta^(2) weight 2 and 0
    assert ops.forward == (4 * 7 + 4 * 2, 4 * 1)


@pytest.mark.parametrize("cost", ["mse", "softmax-ce"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_closed_form_counts_match_the_graph(sizes, bias, cost):
    if cost == "softmax-ce" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]  # softmax-ce needs at least 2 outputs
    net = Network(sizes, bias=bias, cost=cost)
    closed_form = operation_counts(net)
    assert closed_form == operation_counts(build_graph(net))  # the walk, on the built graph
    every = [parameter.name for parameter in net.parameters()]
    assert closed_form == operation_counts(net, every)  # sources given: the walk as well


def test_counting_operations_of_a_layered_network_builds_no_graph(monkeypatch):
    import chainrule.graph.build as build

    monkeypatch.setattr(build, "build_graph", lambda network: pytest.fail("built a graph"))
    ops = operation_counts(Network([784, 512, 512, 10]))
    assert ops.reverse.multiplications < ops.forward.multiplications < ops.expanded.multiplications


def test_expanded_grows_exponentially_and_reverse_linearly_with_depth():
    depths = range(3, 13)
    ops = [operation_counts(Network([2] * depth)) for depth in depths]
    expanded = [sum(o.expanded) for o in ops]
    reverse = [sum(o.reverse) for o in ops]
    ratios = [later / earlier for earlier, later in zip(expanded, expanded[1:])]
    assert all(ratio > 1.9 for ratio in ratios[3:])  # doubling per layer: exponential
    differences = [later - earlier for earlier, later in zip(reverse, reverse[1:])]
    assert len(set(differences)) == 1 and differences[0] > 0  # a constant step: linear
    assert expanded[-1] > 1000 * reverse[-1]
