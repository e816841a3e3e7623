"""Chain values, their aggregates by length, layer and lag, and the rnn: and resnet: nets.

The oracles are independent: numpy backprop for layered nets, backpropagation through time and
a residual net's backprop written again here in numpy, and central finite differences.
"""

import json
from functools import cache
from math import comb

import numpy as np
import pytest
from conftest import ARCHITECTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule
from chainrule.calculus.aggregates import enumerated_rows, node_tables, rank_chains
from chainrule.calculus.symbolic import node_symbol
from chainrule.graph.architectures import (
    parse_architecture_graph,
    resnet,
    resnet_size,
    rnn,
    rnn_size,
)
from chainrule.graph.build import build_graph
from chainrule.graph.dag import mlp
from chainrule.graph.graphfile import load_graph_file
from chainrule.graph.paths import path_counts
from chainrule.graph.spec import Network, SpecError
from chainrule.numeric import backprop
from chainrule.numeric.case import Case, random_case
from chainrule.records.paths import Numbers, PathsRequest, tally
from chainrule.verification.verify import (
    adjoints,
    case_leaf_values,
    evaluate_edges,
    random_leaf_values,
)

SIGMOID = (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)
TANH = (np.tanh, lambda z: 1 - np.tanh(z) ** 2)
FUNCTIONS = {"sigmoid": SIGMOID, "tanh": TANH}


# --- independent numpy oracles ------------------------------------------------------------------


def _value(leaves: dict, name: str) -> float:
    return float(leaves[node_symbol(name)][0])


def rnn_arrays(leaves: dict, inputs: int, hidden: int, outputs: int, steps: int, bias: bool):
    """The leaves of an rnn: graph as matrices: U, W, V, b, c and x (m, T, I)."""
    U = np.array(
        [[_value(leaves, f"U_{j}{k}") for k in range(1, inputs + 1)] for j in range(1, hidden + 1)]
    )
    W = np.array(
        [
            [_value(leaves, f"W_{j}{k}") if steps > 1 else 0.0 for k in range(1, hidden + 1)]
            for j in range(1, hidden + 1)
        ]
    )
    V = np.array(
        [[_value(leaves, f"V_{i}{j}") for j in range(1, hidden + 1)] for i in range(1, outputs + 1)]
    )
    b = np.array([_value(leaves, f"b_{j}") if bias else 0.0 for j in range(1, hidden + 1)])
    c = np.array([_value(leaves, f"c_{i}") if bias else 0.0 for i in range(1, outputs + 1)])
    x = np.stack(
        [
            np.stack([leaves[node_symbol(f"x^({t})_{k}")] for k in range(1, inputs + 1)], axis=1)
            for t in range(1, steps + 1)
        ],
        axis=1,
    )
    return U, W, V, b, c, x


def bptt(U, W, V, b, c, x, targets: dict, activation: str, scored: list[int], cost: str):
    """Cost and gradients of an unrolled RNN by backpropagation through time, in numpy only."""
    f, df = FUNCTIONS[activation]
    m, steps, _ = x.shape
    hs, zs = [np.zeros((m, W.shape[0]))], []
    for t in range(steps):
        zs.append(x[:, t] @ U.T + hs[-1] @ W.T + b)
        hs.append(f(zs[-1]))
    scale = m if cost == "mse" else 1
    J, dh_from_output = 0.0, {}
    dV, dc = np.zeros_like(V), np.zeros_like(c)
    for t in scored:
        o = hs[t] @ V.T + c
        a = f(o)
        J += float(np.sum((targets[t] - a) ** 2) / (2 * scale))
        do = (a - targets[t]) / scale * df(o)
        dV += do.T @ hs[t]
        dc += do.sum(axis=0)
        dh_from_output[t] = do @ V
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)
    dh = np.zeros_like(hs[0])
    for t in range(steps, 0, -1):
        dh = dh + dh_from_output.get(t, 0.0)
        dz = dh * df(zs[t - 1])
        dU += dz.T @ x[:, t - 1]
        dW += dz.T @ hs[t - 1]
        db += dz.sum(axis=0)
        dh = dz @ W
    return J, {"U": dU, "W": dW, "V": dV, "b": db, "c": dc}


def resnet_backprop(leaves: dict, width: int, blocks: int, activation: str):
    """∂J/∂W^(n) and ∂J/∂V of a resnet: graph (mse, no bias), by backprop in numpy only."""
    f, df = FUNCTIONS[activation]
    Ws = [
        np.array(
            [
                [_value(leaves, f"W^({n})_{j}{k}") for k in range(1, width + 1)]
                for j in range(1, width + 1)
            ]
        )
        for n in range(1, blocks + 1)
    ]
    V = np.array([[_value(leaves, f"V_1{j}") for j in range(1, width + 1)]])
    h = np.stack([leaves[node_symbol(f"x_{k}")] for k in range(1, width + 1)], axis=1)
    y = leaves[node_symbol("y_1")][:, None]
    m = h.shape[0]
    hs, zs = [h], []
    for weights in Ws:
        zs.append(hs[-1] @ weights.T)
        hs.append(hs[-1] + f(zs[-1]))
    o = hs[-1] @ V.T
    do = (f(o) - y) / m * df(o)
    gradients = {"V": do.T @ hs[-1]}
    dh = do @ V
    for n in range(blocks, 0, -1):
        dz = dh * df(zs[n - 1])
        gradients[f"W^({n})"] = dz.T @ hs[n - 1]
        dh = dh + dz @ Ws[n - 1]
    return gradients


def _matrix_entry(name: str) -> tuple[str, int, int]:
    """'W^(2)_13' -> ('W^(2)', 0, 2); 'U_21' -> ('U', 1, 0); 'b_2' -> ('b', 1, 0)."""
    stem, indices = name.rsplit("_", 1)
    if len(indices) == 1:
        return stem, int(indices) - 1, 0
    return stem, int(indices[0]) - 1, int(indices[1]) - 1


# --- graphs with numbers ------------------------------------------------------------------------


@cache
def cached_graph(kind: str, shape: tuple, activation: str, bias: bool, extra: str):
    if kind == "layered":
        return build_graph(Network(shape, bias=bias, activation=activation))
    if kind == "dag":
        return mlp(shape, activation=activation, bias=bias).build()
    if kind == "rnn":
        return rnn(*shape, activation=activation, bias=bias, cost_on=extra).build()
    return resnet(*shape, activation=activation, bias=bias).build()


def reference_gradients(
    kind: str,
    shape: tuple,
    activation: str,
    bias: bool,
    extra: str,
    graph,
    seed: int,
    examples: int,
):
    """(leaves, {source: gradient summed over the examples}) from an independent oracle."""
    if kind in ("layered", "dag"):
        case = random_case(
            Network(shape, bias=bias, activation=activation), examples=examples, seed=seed
        )
        _, weights, biases = backprop.backprop(case)
        reference = {}
        for parameter in case.network.parameters():
            layer, j, k = parameter
            reference[parameter.name] = (
                biases[layer - 1][j - 1] if k == 0 else weights[layer - 1][j - 1, k - 1]
            )
        return case_leaf_values(case), reference
    leaves = random_leaf_values(graph, examples, seed)
    if kind == "rnn":
        inputs, hidden, outputs, steps = shape
        U, W, V, b, c, x = rnn_arrays(leaves, *shape, bias)
        scored = list(range(1, steps + 1)) if extra == "sum" else [steps]
        targets = {
            t: np.stack(
                [leaves[node_symbol(f"y^({t})_{i}")] for i in range(1, outputs + 1)], axis=1
            )
            for t in scored
        }
        _, matrices = bptt(U, W, V, b, c, x, targets, activation, scored, "mse")
    else:
        matrices = resnet_backprop(leaves, *shape, activation)
    reference = {}
    for node, kind_of in graph.nodes(data="kind"):
        if kind_of == "param":
            stem, row, column = _matrix_entry(node)
            matrix = matrices[stem]
            reference[node] = matrix[row] if matrix.ndim == 1 else matrix[row, column]
    return leaves, reference


ARCHITECTURE_DRAWS = st.one_of(
    st.tuples(st.just("layered"), st.lists(st.integers(1, 3), min_size=2, max_size=4)),
    st.tuples(st.just("dag"), st.lists(st.integers(1, 3), min_size=2, max_size=3)),
    st.tuples(
        st.just("rnn"),
        st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 2), st.integers(1, 4)),
    ),
    st.tuples(st.just("resnet"), st.tuples(st.integers(1, 3), st.integers(1, 4))),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ARCHITECTURE_DRAWS,
    st.sampled_from(["sigmoid", "tanh"]),
    st.booleans(),
    st.sampled_from(["last", "sum"]),
    st.integers(0, 10_000),
    st.integers(1, 3),
)
def test_the_chain_values_add_up_to_the_numeric_gradient(
    draw, activation, bias, cost_on, seed, examples
):
    kind, shape = draw
    bias = bias and kind in ("layered", "dag", "rnn")  # the resnet oracle has no biases
    extra = cost_on if kind == "rnn" else ""
    graph = cached_graph(kind, tuple(shape), activation, bias, extra)
    leaves, reference = reference_gradients(
        kind, tuple(shape), activation, bias, extra, graph, seed, examples
    )
    with np.errstate(all="ignore"):
        edges = evaluate_edges(graph, leaves, examples)
    tables = node_tables(graph, edges, examples)
    assert set(reference) == {n for n, k in graph.nodes(data="kind") if k == "param"}
    for source, expected in reference.items():
        enumerated = rank_chains(graph, source, edges, top=3)
        assert enumerated.count == path_counts(graph)[source][0]
        assert enumerated.total == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert tables.total(source).sum == pytest.approx(expected, rel=1e-9, abs=1e-12)


# --- the dynamic programme against enumeration --------------------------------------------------


def _graphs_to_enumerate():
    yield "2-2-2", build_graph(Network([2, 2, 2]))
    yield "2-3-2 softmax, bias", build_graph(Network([2, 3, 2], bias=True, cost="softmax-ce"))
    yield "3-2-2-2 tanh", build_graph(Network([3, 2, 2, 2], activation="tanh"))
    yield "rnn:1-2-1:4", rnn(1, 2, 1, 4).build()
    yield "rnn:2-2-2:3 sum, bias", rnn(2, 2, 2, 3, bias=True, cost_on="sum").build()
    yield "resnet:2x3", resnet(2, 3, activation="tanh").build()
    yield "resnet:1x5 bias", resnet(1, 5, bias=True).build()
    for name in ("residual.json", "tied.json"):
        from pathlib import Path

        yield name, load_graph_file(Path(__file__).parent.parent / "examples" / "graphs" / name)


def numbers_for(graph, examples: int, seed: int) -> dict:
    """Every edge's value on a random case (a layered graph's leaves come from a case)."""
    if "network" in graph.graph:
        leaves = case_leaf_values(random_case(graph.graph["network"], examples=examples, seed=seed))
    else:
        leaves = random_leaf_values(graph, examples, seed)
    return evaluate_edges(graph, leaves, examples)


def _assert_rows_equal(got, expected):
    assert [(r.key, r.count) for r in got] == [(r.key, r.count) for r in expected]
    for g, e in zip(got, expected):
        assert g.sum == pytest.approx(e.sum, rel=1e-9, abs=1e-15)
        assert g.abs_sum == pytest.approx(e.abs_sum, rel=1e-9, abs=1e-15)
        assert g.max_abs == pytest.approx(e.max_abs, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("examples", [1, 3])
@pytest.mark.parametrize(
    "label, graph", list(_graphs_to_enumerate()), ids=[label for label, _ in _graphs_to_enumerate()]
)
def test_the_aggregates_equal_brute_force_enumeration(label, graph, examples):
    edges = numbers_for(graph, examples, seed=7)
    for wrt in ("param", "input"):
        sources = [n for n, k in graph.nodes(data="kind") if k == wrt]
        keys = ["length", "lag"] if label.startswith("rnn") else ["length"]
        for key in keys:
            tables = node_tables(graph, edges, examples, key)
            # by length (or lag) over the whole selection, and over each source alone
            _assert_rows_equal(tables.rows(sources), enumerated_rows(graph, sources, edges, key))
            for source in sources:
                _assert_rows_equal(
                    tables.rows(source), enumerated_rows(graph, [source], edges, key)
                )
                total = tables.total(source)
                by_hand = enumerated_rows(graph, [source], edges, key)
                assert total.count == sum(r.count for r in by_hand)
                assert total.abs_sum == pytest.approx(sum(r.abs_sum for r in by_hand), rel=1e-9)
                assert total.max_abs == pytest.approx(max(r.max_abs for r in by_hand), rel=1e-9)


def test_the_aggregates_by_layer_equal_enumeration():
    graph = resnet(2, 3).build()
    edges = evaluate_edges(graph, random_leaf_values(graph, 1, seed=3), 1)
    parameters = [n for n, k in graph.nodes(data="kind") if k == "param"]
    swept = adjoints(graph, edges, 1)
    reference = {n: float(np.sum(swept[n])) for n in parameters}
    numbers = Numbers(
        graph, parameters, edges, 1, reference, "the δ sweep", "resnet:2x3", (1e-9, 1e-12)
    )
    result = tally(PathsRequest.of("resnet:2x3", top=1), numbers)
    assert result.ok
    assert [row.key for row in result.by_layer.rows] == ["W^(1)", "W^(2)", "W^(3)", "V"]
    for row in result.by_layer.rows:
        members = [n for n in numbers.sources if graph.nodes[n]["group"] == row.key]
        by_hand = enumerated_rows(graph, members, edges)
        assert row.count == sum(r.count for r in by_hand)
        assert row.sum == pytest.approx(sum(r.sum for r in by_hand), rel=1e-12)
        assert row.abs_sum == pytest.approx(sum(r.abs_sum for r in by_hand), rel=1e-12)
        assert row.max_abs == pytest.approx(max(r.max_abs for r in by_hand), rel=1e-12)


def test_with_one_example_the_aggregates_are_over_chain_values():
    graph = rnn(1, 2, 1, 3).build()
    edges = evaluate_edges(graph, random_leaf_values(graph, 1, seed=2), 1)
    ranking = rank_chains(graph, "W_12", edges, top=10**6)
    total = node_tables(graph, edges, 1).total("W_12")
    values = [chain.value for chain in ranking.top]
    assert total.abs_sum == pytest.approx(sum(abs(v) for v in values), rel=1e-12)
    assert total.max_abs == pytest.approx(max(abs(v) for v in values), rel=1e-12)
    assert total.positive == pytest.approx(ranking.positive, rel=1e-12)
    assert total.negative == pytest.approx(ranking.negative, rel=1e-12)


@pytest.mark.parametrize("blocks", [1, 2, 3, 7, 20, 60])
def test_a_width_one_resnet_has_binomial_path_counts(blocks):
    graph = resnet(1, blocks).build()
    ones = {edge: np.ones(1) for edge in graph.edges}
    rows = node_tables(graph, ones, 1).rows("x_1")
    # A path through k of the n branches has n + 2k + 3 terms: C(n, k) of them.
    assert [(row.key, row.count) for row in rows] == [
        (blocks + 2 * k + 3, comb(blocks, k)) for k in range(blocks + 1)
    ]
    assert sum(row.count for row in rows) == 2**blocks == path_counts(graph)["x_1"][0]
    # every product of ones is 1 (floats hold counts above 2^53 to their precision only)
    assert all(row.sum == pytest.approx(row.count, rel=1e-12) for row in rows)


# --- recurrent networks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, bias, cost_on, activation",
    [
        ((2, 3, 1, 6), False, "last", "tanh"),
        ((1, 2, 2, 4), True, "sum", "sigmoid"),
        ((2, 2, 1, 1), True, "last", "tanh"),
        ((1, 1, 1, 8), False, "sum", "sigmoid"),
    ],
)
def test_rnn_gradients_match_numpy_bptt_and_finite_differences(shape, bias, cost_on, activation):
    graph = rnn(*shape, activation=activation, bias=bias, cost_on=cost_on).build()
    examples, outputs, steps = 3, shape[2], shape[3]
    leaves = random_leaf_values(graph, examples, seed=11)
    edges = evaluate_edges(graph, leaves, examples)
    adjoint = adjoints(graph, edges, examples)
    arrays = rnn_arrays(leaves, *shape, bias)
    scored = list(range(1, steps + 1)) if cost_on == "sum" else [steps]

    def targets():
        return {
            t: np.stack(
                [leaves[node_symbol(f"y^({t})_{i}")] for i in range(1, outputs + 1)], axis=1
            )
            for t in scored
        }

    _, gradients = bptt(*arrays, targets(), activation, scored, "mse")
    tables = node_tables(graph, edges, examples)
    step = 1e-5
    for node, kind in graph.nodes(data="kind"):
        if kind != "param":
            continue
        stem, row, column = _matrix_entry(node)
        expected = gradients[stem][row] if stem in "bc" else gradients[stem][row, column]
        assert tables.total(node).sum == pytest.approx(expected, rel=1e-9, abs=1e-13)
        assert float(adjoint[node].sum()) == pytest.approx(expected, rel=1e-9, abs=1e-13)
        # central differences of the numpy cost, one parameter at a time
        costs = []
        for sign in (1, -1):
            U, W, V, b, c, x = (array.copy() for array in arrays)
            shifted = {"U": U, "W": W, "V": V, "b": b, "c": c}[stem]
            if shifted.ndim == 1:
                shifted[row] += sign * step
            else:
                shifted[row, column] += sign * step
            costs.append(bptt(U, W, V, b, c, x, targets(), activation, scored, "mse")[0])
        assert (costs[0] - costs[1]) / (2 * step) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_rnn_contributions_fall_with_the_lag():
    graph = parse_architecture_graph("rnn:1-2-1:20")
    edges = evaluate_edges(graph, random_leaf_values(graph, 1, seed=0), 1)
    rows = node_tables(graph, edges, 1, "lag").rows("W_11")
    assert [row.key for row in rows] == list(range(19))
    assert [row.count for row in rows] == [2**lag for lag in range(19)]
    sizes = [abs(row.sum) for row in rows]
    assert sizes[0] > 1e3 * sizes[6] > 1e6 * sizes[12] > 1e9 * sizes[18]


def test_rnn_graph_shape_names_and_sharing():
    graph = rnn(2, 3, 1, 6).build()
    assert rnn_size(2, 3, 1, 6) == (graph.number_of_nodes(), graph.number_of_edges())
    # one W_12 node, used at every step from 2 on: weight tying
    assert sorted(graph.successors("W_12")) == [f"z^({t})_1" for t in range(2, 7)]
    assert graph.nodes["x^(3)_2"]["latex"] == "x_{2}^{(3)}"
    assert graph.nodes["yhat^(6)_1"]["latex"] == r"\hat{y}_{1}^{(6)}"
    assert [n for n, k in graph.nodes(data="kind") if k == "param"][:3] == ["U_11", "U_12", "U_21"]
    assert "W_11" not in rnn(1, 1, 1, 1).build()  # one step: h^(0) = 0 and W never acts


def test_resnet_graph_shape_and_names():
    graph = resnet(2, 8, bias=True).build()
    assert resnet_size(2, 8, bias=True) == (graph.number_of_nodes(), graph.number_of_edges())
    assert sorted(graph.predecessors("h^(3)_2")) == ["f^(3)_2", "h^(2)_2"]
    assert graph.nodes["W^(3)_12"]["latex"] == "W_{12}^{(3)}"
    assert sorted(graph.predecessors("z^(1)_1")) == [
        "W^(1)_11",
        "W^(1)_12",
        "b^(1)_1",
        "x_1",
        "x_2",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("rnn:1-1:2", "write rnn:I-H-O:T"),
        ("rnn:0-1-1:2", "inputs must be at least 1"),
        ("resnet:2x", "write resnet:WxN"),
        ("resnet:2x0", "blocks must be at least 1"),
        ("resnet:300x300", "more than the 200,000"),
        ("rnn:1-1-1:9999999999", "absurdly large"),
    ],
)
def test_bad_spellings_are_refused(text, message):
    with pytest.raises(SpecError, match=message):
        parse_architecture_graph(text)


def test_the_python_builders_are_exported():
    # U, W, V, x and z and h at 2 steps, o, yhat, J
    assert chainrule.rnn(1, 1, 1, 2).build().number_of_nodes() == 12
    assert chainrule.resnet(1, 2).build().graph["cost"] == "J"
    assert parse_architecture_graph("2-2-2") is None


# --- the hand-worked 2-2-2 case -----------------------------------------------------------------


def hand_case() -> Case:
    """Identity activations, se cost, one example, numbers chosen to work by hand:

    x = (1, 2), Θ^(1) = I, so a^(2) = (1, 2); Θ^(2) = [[1, 1], [3, -1]], so a^(3) = (3, 1);
    y = (1, 2), so dJ/da^(3) = a - y = (2, -1). The chains of θ^(1)_11:
      via a^(3)_1:  2 · θ^(2)_11 · x_1 =  2 · 1 · 1 =  2
      via a^(3)_2: -1 · θ^(2)_21 · x_1 = -1 · 3 · 1 = -3
    so ∂J/∂θ^(1)_11 = -1: the chains cancel to a third of the larger one.
    """
    network = Network([2, 2, 2], activation="identity", cost="se")
    return Case(
        network,
        (np.eye(2), np.array([[1.0, 1.0], [3.0, -1.0]])),
        None,
        np.array([[1.0, 2.0]]),
        np.array([[1.0, 2.0]]),
    )


def test_hand_worked_2_2_2_ranked_chains_shares_and_cancellation():
    case = hand_case()
    graph = build_graph(case.network)
    edges = evaluate_edges(graph, case_leaf_values(case), 1)
    ranking = rank_chains(graph, "theta^(1)_11", edges, top=10)
    assert ranking.count == 2
    assert [(chain.value, chain.nodes) for chain in ranking.top] == [
        (-3.0, ("theta^(1)_11", "z^(2)_1", "a^(2)_1", "z^(3)_2", "a^(3)_2", "J")),
        (2.0, ("theta^(1)_11", "z^(2)_1", "a^(2)_1", "z^(3)_1", "a^(3)_1", "J")),
    ]
    assert (ranking.positive, ranking.negative, ranking.total) == (2.0, -3.0, -1.0)
    _, weights, _ = backprop.backprop(case)
    assert weights[0][0, 0] == -1.0
    reference = {
        p.name: float(weights[p.layer - 1][p.j - 1, p.k - 1]) for p in case.network.parameters()
    }
    numbers = Numbers(
        graph, list(reference), edges, 1, reference, "numeric backprop", "2-2-2", (1e-9, 1e-12)
    )
    result = tally(PathsRequest.of("2-2-2", top=10, limit=100), numbers)
    assert (result.max_abs_error, result.ok) == (0.0, True)
    document = result.as_dict()
    first = document["gradients"][0]
    assert first == {
        "parameter": "theta^(1)_11",
        "gradient": -1.0,
        "positive": 2.0,
        "negative": -3.0,
        "count": 2,
        "chains": [
            {"value": -3.0, "share": 3.0, "nodes": list(ranking.top[0].nodes)},
            {"value": 2.0, "share": -2.0, "nodes": list(ranking.top[1].nodes)},
        ],
    }
    # θ^(2)_11 has one chain: dJ/da^(3)_1 · 1 · a^(2)_1 = 2 · 1 = 2, all of its gradient
    second_layer = next(g for g in document["gradients"] if g["parameter"] == "theta^(2)_11")
    assert second_layer["chains"] == [
        {"value": 2.0, "share": 1.0, "nodes": ["theta^(2)_11", "z^(3)_1", "a^(3)_1", "J"]}
    ]
    # by length: 4 chains of 3 terms (layer 2), 8 of 5 (layer 1); by layer: θ^(1), θ^(2)
    assert [(row["length"], row["count"]) for row in document["by_length"]] == [(3, 4), (5, 8)]
    assert [row["layer"] for row in document["by_layer"]] == ["theta^(1)", "theta^(2)"]
    layer_two = document["by_length"][0]
    # dJ/da^(3) = (2, -1) times a^(2) = (1, 2): chains 2, 4, -1, -2
    assert (layer_two["sum"], layer_two["abs_sum"], layer_two["max_abs"]) == (3.0, 9.0, 4.0)


# --- the command ----------------------------------------------------------------------------------


def test_top_chains_of_theta_1_11_add_up_to_its_gradient(run_cli):
    status, out, _ = run_cli("paths", "2-2-2", "--param", "1,1,1", "--json")
    document = json.loads(out)
    (gradient,) = document["gradients"]
    assert status == 0 and document["check"]["ok"] and gradient["count"] == 2
    assert sum(chain["value"] for chain in gradient["chains"]) == pytest.approx(
        gradient["gradient"], rel=1e-12
    )
    assert sum(chain["share"] for chain in gradient["chains"]) == pytest.approx(1.0)
    assert gradient["positive"] + gradient["negative"] == pytest.approx(gradient["gradient"])


def test_paths_json_schema(run_cli):
    status, out, _ = run_cli("paths", "rnn:1-2-1:3", "--examples", "2", "--top", "2", "--json")
    document = json.loads(out)
    assert status == 0
    assert set(document) >= {"gradients", "by_length", "by_layer", "by_lag", "check", "abs_basis"}
    assert document["abs_basis"] == "example" and document["examples"] == 2
    for gradient in document["gradients"]:
        assert set(gradient) == {"parameter", "gradient", "positive", "negative", "count", "chains"}
        assert len(gradient["chains"]) == min(2, gradient["count"])
        assert set(gradient["chains"][0]) == {"value", "share", "nodes"}
    for row in document["by_length"] + document["by_layer"] + document["by_lag"]:
        assert {"count", "sum", "abs_sum", "max_abs"} <= set(row)
    assert [row["layer"] for row in document["by_layer"]] == ["U", "W", "V"]


def test_paths_beyond_the_limit_aggregates_without_ranking(run_cli):
    status, out, _ = run_cli("paths", "resnet:1x60", "--wrt", "inputs", "--by", "length", "--json")
    document = json.loads(out)
    (gradient,) = document["gradients"]
    assert status == 0 and "chains" not in gradient and gradient["count"] == 2**60
    rows = document["by_length"]
    assert [row["count"] for row in rows] == [comb(60, k) for k in range(61)]
    most_common = max(rows, key=lambda row: row["count"])["length"]
    heaviest = max(rows, key=lambda row: row["abs_sum"])["length"]
    assert heaviest < most_common - 20  # the short paths carry the gradient
    status, out, _ = run_cli("paths", "resnet:1x60", "--wrt", "inputs", "--by", "length")
    assert "not ranked one by one" in out and "most chains at length 123" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["paths", "2-2-2", "--by", "lag"], "--by lag is for recurrent networks"),
        (["paths", "2-2-2", "--plot", "x.pdf"], "must end in .png, .svg"),
        (["paths", "rnn:1-1-1:2", "--param", "nope"], "no parameter 'nope'"),
        (
            [
                "paths",
                "30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30"
                "-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30-30",
            ],
            "edges, more than the 50,000",
        ),
        (["count", "rnn:2-2:3"], "invalid architecture"),
    ],
)
def test_paths_refusals(run_cli, args, message):
    status, out, err = run_cli(*args, expect=2)
    assert status == 2 and out == "" and message in err


def test_paths_plot_writes_a_figure(run_cli, tmp_path):
    target = tmp_path / "lag.svg"
    status, out, _ = run_cli("paths", "rnn:1-2-1:6", "--by", "lag", "--plot", str(target))
    assert status == 0 and target.read_text().startswith("<?xml")
    assert f"wrote {target}" in out and "by lag" in out


@pytest.mark.parametrize(
    "args, expected",
    [
        (["count", "rnn:2-3-1:6", "resnet:2x8"], "rnn:2-3-1:6"),
        (["chains", "rnn:1-1-1:2", "--param", "W_11"], "dz^(2)_1/dW_11"),
        (["chains", "resnet:1x2", "--wrt", "inputs"], "dJ/dx_1: 4 chains"),
        (["delta", "rnn:1-1-1:3", "--param", "U_11"], "delta_z^(1)_1"),
        (["verify", "rnn:1-2-1:3", "--bias", "--activation", "tanh"], "agrees"),
        (["verify", "resnet:2x2", "--cost", "se"], "agrees"),
    ],
)
def test_the_spellings_work_in_every_graph_command(run_cli, args, expected):
    status, out, _ = run_cli(*args)
    assert status == 0 and expected in out


def test_network_options_apply_to_the_spellings(run_cli):
    _, plain, _ = run_cli("count", "rnn:1-1-1:2", "--json")
    _, biased, _ = run_cli("count", "rnn:1-1-1:2", "--bias", "--json")
    assert json.loads(plain)[0]["parameters"] == 3 and json.loads(biased)[0]["parameters"] == 5
    status, out, _ = run_cli("paths", "resnet:2x2", "--activation", "tanh", "--cost", "se")
    assert status == 0 and "(activation tanh, cost se)" in out
    status, out, _ = run_cli("paths", "rnn:1-1-1:3", "--rnn-cost", "sum", "--json")
    assert status == 0 and json.loads(out)["gradients"][-1]["count"] == 3  # V_11: every step


def test_paths_for_inputs_of_a_layered_net(run_cli):
    status, out, _ = run_cli("paths", "2-3-2", "--wrt", "inputs", "--examples", "3", "--json")
    document = json.loads(out)
    assert status == 0 and [g["parameter"] for g in document["gradients"]] == ["x_1", "x_2"]
    assert document["check"]["ok"] and document["by_layer"][0]["layer"] == "x"


@pytest.mark.parametrize("sizes", ARCHITECTURES[:8])
def test_paths_check_agrees_on_layered_nets(run_cli, sizes):
    status, out, _ = run_cli(
        "paths", "-".join(map(str, sizes)), "--examples", "2", "--bias", "--json"
    )
    assert status == 0 and json.loads(out)["check"]["ok"]


@pytest.mark.parametrize("top", [1, 3, 1000])
@pytest.mark.parametrize(
    "label, graph",
    list(_graphs_to_enumerate())[:6],
    ids=[label for label, _ in list(_graphs_to_enumerate())[:6]],
)
def test_the_heap_keeps_exactly_the_largest_chains(label, graph, top):
    from chainrule.graph.paths import iter_paths

    edges = numbers_for(graph, 2, seed=5)
    for source in [n for n, k in graph.nodes(data="kind") if k == "param"][:4]:
        everything = [
            (float(np.sum(np.prod([edges[e] for e in zip(path, path[1:])], axis=0))), path)
            for path in iter_paths(graph, source)
        ]
        # largest |value| first; equal sizes in enumeration order (a stable sort keeps it)
        expected = sorted(everything, key=lambda pair: -abs(pair[0]))[:top]
        ranking = rank_chains(graph, source, edges, top)
        assert [chain.nodes for chain in ranking.top] == [path for _, path in expected]
        assert [chain.value for chain in ranking.top] == pytest.approx(
            [value for value, _ in expected], rel=1e-12, abs=1e-300
        )
        assert ranking.positive == pytest.approx(
            sum(v for v, _ in everything if v > 0), rel=1e-12, abs=1e-300
        )
        assert ranking.negative == pytest.approx(
            sum(v for v, _ in everything if v < 0), rel=1e-12, abs=1e-300
        )


def test_chains_through_a_softmax_read_apart(run_cli):
    status, out, _ = run_cli("paths", "2-3-3", "--cost", "softmax-ce", "--param", "1,1,1", "--json")
    chains = json.loads(out)["gradients"][0]["chains"]
    assert status == 0 and len(chains) == 9 and len({tuple(c["nodes"]) for c in chains}) == 9
    status, out, _ = run_cli("paths", "2-3-3", "--cost", "softmax-ce", "--param", "1,1,1")
    through = [line.split()[-3:] for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(through) == 9 and len({tuple(t) for t in through}) == 9


def test_tables_kept_for_the_sources_only_are_the_same():
    graph = resnet(2, 4).build()
    edges = numbers_for(graph, 2, seed=1)
    inputs = ["x_1", "x_2"]
    full, lean = node_tables(graph, edges, 2), node_tables(graph, edges, 2, keep=inputs)
    assert set(lean.counts) == set(inputs) | {n for n in graph if not graph.pred[n]}
    assert lean.rows(inputs) == full.rows(inputs)


@pytest.mark.parametrize("command", ["explain", "report"])
def test_layered_only_commands_name_the_spellings(run_cli, tmp_path, command):
    extra = ["-o", str(tmp_path / "r.md")] if command == "report" else []
    status, out, err = run_cli(command, "rnn:1-1-1:2", *extra, expect=2)
    assert status == 2 and out == "" and "rnn: and resnet: work with count" in err


def test_paths_reads_a_case_file_as_verify_does(run_cli, tmp_path):
    from chainrule.verification.casefile import save_case

    case_file = tmp_path / "hand.json"
    save_case(hand_case(), case_file)
    status, out, _ = run_cli("paths", "--case", str(case_file), "--param", "1,1,1", "--json")
    document = json.loads(out)
    assert status == 0 and document["case"] == str(case_file) and document["seed"] is None
    (gradient,) = document["gradients"]
    assert (gradient["gradient"], gradient["positive"], gradient["negative"]) == (-1.0, 2.0, -3.0)
    assert [chain["value"] for chain in gradient["chains"]] == [-3.0, 2.0]
    status, out, _ = run_cli("paths", "--case", str(case_file), "--param", "1,1,1")
    assert status == 0 and f"1 example, case file {case_file}" in out
    status, _, err = run_cli("paths", "rnn:1-1-1:2", "--case", str(case_file), expect=2)
    assert status == 2 and "describes a layered network; a graph's case names its leaves" in err
    status, _, err = run_cli("paths", expect=2)
    assert status == 2 and "give an architecture (ARCH) or a case file" in err


def test_the_api_returns_the_record_whose_document_the_cli_prints(run_cli):
    import chainrule.api

    record = chainrule.api.paths("rnn:1-2-1:3", examples=2, top=2)
    _, out, _ = run_cli("paths", "rnn:1-2-1:3", "--examples", "2", "--top", "2", "--json")
    assert record.as_dict() == json.loads(out) and record.ok


def test_a_deep_narrow_net_is_refused_before_any_edge_is_evaluated(run_cli, monkeypatch):
    """paths of 5,000 layers of width 2 took 4.3 GB and minutes: the tables by length grow
    with the graph times its depth, and are counted before anything is evaluated."""
    import chainrule.api
    from chainrule.errors import TooLarge
    from chainrule.verification import verify

    def evaluated(*args, **kwargs):
        raise AssertionError("an edge was evaluated before the budget was checked")

    monkeypatch.setattr(verify, "evaluate_edges", evaluated)
    deep = "-".join(["2"] * 5000)
    _, out, err = run_cli("paths", deep, "--by", "length", expect=2)
    assert out == "" and err.startswith("chainrule: error: 3,599,480,000 numbers in the tables")
    assert err.count("\n") == 1
    with pytest.raises(TooLarge, match=r"more than the limit of 20,000,000; raise it with "):
        chainrule.api.paths("-".join(["2"] * 500))
    with pytest.raises(TooLarge, match=r"raise it with max_numbers=\d+$"):
        chainrule.api.paths("-".join(["2"] * 500))


def test_the_tables_estimate_is_the_dynamic_programmes_size():
    """The estimate reads the longest chain from the layer count: the programme's own."""
    from chainrule.calculus.aggregates import longest_key
    from chainrule.records.paths import table_numbers

    for sizes in ARCHITECTURES:
        network = Network(list(sizes))
        graph = build_graph(network)
        assert longest_key(graph) == 2 * network.depth - 1
    graph = build_graph(Network([2, 2, 2]))
    elements = graph.number_of_nodes() + graph.number_of_edges()
    assert table_numbers(elements, longest_key(graph), 1) == 41 * 6 * 4


def test_a_plot_without_matplotlib_is_one_line_and_status_two(run_cli, monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if it were not installed
    status, out, err = run_cli("paths", "2-2-2", "--plot", str(tmp_path / "p.png"), expect=2)
    assert out == "" and err == (
        "chainrule: error: plotting needs matplotlib: pip install 'chainrule[plot]' "
        "(or pip install matplotlib)\n"
    )
