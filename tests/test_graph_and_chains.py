import types

import pytest
from conftest import ARCHITECTURES
from shared import HAND_DERIVATION_THETA_1_11

from chainrule import budget
from chainrule.errors import TooLarge
from chainrule.graph.build import build_graph, check_graph_size, graph_size
from chainrule.graph.chains import Chain, chain_from_path, iter_chains
from chainrule.graph.paths import iter_paths, walk_edges
from chainrule.graph.spec import Network


def test_nodes_carry_design_attributes():
    graph = build_graph(Network([2, 2, 2], bias=True))
    assert graph.nodes["x_2"] == {
        "kind": "input",
        "layer": 1,
        "index": (2,),
        "name": "x_2",
        "latex": "x_{2}",
    }
    assert graph.nodes["theta^(1)_20"] == {
        "kind": "param",
        "layer": 1,
        "index": (2, 0),
        "name": "theta^(1)_20",
        "latex": r"\theta_{20}^{(1)}",
    }
    assert graph.nodes["z^(3)_1"]["kind"] == "pre" and graph.nodes["a^(3)_1"]["kind"] == "act"
    assert graph.nodes["J"]["kind"] == "cost" and graph.nodes["J"]["layer"] == 4
    kinds = [data["kind"] for _, data in graph.nodes(data=True)]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "input": 2,
        "param": 12,
        "pre": 4,
        "act": 4,
        "cost": 1,
    }


def test_edges_point_from_cause_to_effect():
    graph = build_graph(Network([2, 2, 2], bias=True))
    assert set(graph.predecessors("z^(2)_1")) == {
        "theta^(1)_10",
        "theta^(1)_11",
        "theta^(1)_12",
        "x_1",
        "x_2",
    }
    assert set(graph.predecessors("z^(3)_2")) == {
        "theta^(2)_20",
        "theta^(2)_21",
        "theta^(2)_22",
        "a^(2)_1",
        "a^(2)_2",
    }
    assert list(graph.predecessors("a^(2)_1")) == ["z^(2)_1"]
    assert set(graph.predecessors("J")) == {"a^(3)_1", "a^(3)_2"}
    assert graph.out_degree("J") == 0
    factor = graph.edges["a^(2)_1", "z^(3)_2"]["factor"]
    assert (factor.of, factor.wrt) == ("z^(3)_2", "a^(2)_1")


def test_softmax_couples_every_output():
    graph = build_graph(Network([2, 3], cost="softmax-ce"))
    for j in (1, 2, 3):
        assert list(graph.successors(f"z^(2)_{j}")) == ["a^(2)_1", "a^(2)_2", "a^(2)_3"]
    plain = build_graph(Network([2, 3]))
    assert list(plain.successors("z^(2)_2")) == ["a^(2)_2"]


@pytest.mark.parametrize("cost", ["mse", "softmax-ce"])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_graph_size_predicts_the_graph(sizes, bias, cost):
    if cost == "softmax-ce" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]  # softmax-ce needs at least 2 outputs
    net = Network(sizes, bias=bias, cost=cost)
    graph = build_graph(net)
    assert graph_size(net) == (graph.number_of_nodes(), graph.number_of_edges())


def test_refuses_a_graph_too_large_before_building_it():
    net = Network([3000, 3000])
    assert sum(graph_size(net)) > budget.DEFAULT_MAX_GRAPH
    with pytest.raises(
        TooLarge,
        match="^27,015,001 nodes and edges in the computation graph of "
        "3000-3000, more than the limit of 250,000; raise it "
        "with max_graph=27015001",
    ):
        build_graph(net)
    check_graph_size(Network([100, 100]))  # fine, and returns quietly
    check_graph_size(net, limit=27_015_001)  # a limit raised far enough lets it through
    with pytest.raises(TooLarge, match="more than the limit of 1,000"):
        build_graph(Network([20, 20, 20]), max_graph=1_000)


def test_two_chains_of_theta_1_11_in_hand_derivation_order():
    chains = list(iter_chains(build_graph(Network([2, 2, 2])), "theta^(1)_11"))
    assert [chain.text for chain in chains] == HAND_DERIVATION_THETA_1_11
    first = chains[0]
    assert len(first) == 5 and first.parameter == "theta^(1)_11"
    assert [(f.of, f.wrt) for f in first.factors] == [
        ("J", "a^(3)_1"),
        ("a^(3)_1", "z^(3)_1"),
        ("z^(3)_1", "a^(2)_1"),
        ("a^(2)_1", "z^(2)_1"),
        ("z^(2)_1", "theta^(1)_11"),
    ]
    assert first[2].as_dict() == {
        "of": "z^(3)_1",
        "wrt": "a^(2)_1",
        "latex": r"\frac{\partial z_{1}^{(3)}}{\partial a_{1}^{(2)}}",
    }


def test_bias_chains_and_output_layer_chains():
    graph = build_graph(Network([2, 2, 2], bias=True))
    (bias_chain,) = list(iter_chains(graph, "theta^(2)_10"))
    assert bias_chain.text == "dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_10"


def test_softmax_chains_run_through_every_output():
    graph = build_graph(Network([1, 2], cost="softmax-ce"))
    assert [chain.text for chain in iter_chains(graph, "theta^(1)_11")] == [
        "dJ/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11",
        "dJ/da^(2)_2 * da^(2)_2/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11",
    ]


def test_chains_are_the_paths_read_backwards():
    graph = build_graph(Network([2, 3, 2, 2], bias=True, cost="softmax-ce"))
    for parameter in ["theta^(1)_30", "theta^(2)_12", "theta^(3)_21"]:
        streamed = list(iter_chains(graph, parameter))
        rebuilt = [chain_from_path(graph, path) for path in iter_paths(graph, parameter)]
        assert streamed == rebuilt
        assert all(isinstance(chain, Chain) for chain in streamed)


def test_enumerations_stream():
    graph = build_graph(Network([6, 6, 6, 6, 6, 6, 6]))  # 6^5 = 7776 chains per first-layer weight
    chains = iter_chains(graph, "theta^(1)_11")
    assert not isinstance(chains, (list, tuple))
    first = next(iter(chains))
    assert len(first) == 13
    assert isinstance(iter_paths(graph, "theta^(1)_11"), types.GeneratorType)
    assert isinstance(walk_edges(graph, "theta^(1)_11"), types.GeneratorType)


def test_unknown_source_is_a_clear_error():
    with pytest.raises(KeyError, match="no node 'theta"):
        next(iter_paths(build_graph(Network([1, 1])), "theta^(5)_11"))
