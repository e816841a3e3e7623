"""The numbers the explorer plays and plugs in: each factoring step at a case, each hovered
edge's factor and the symbols of its formula, the order of the two passes, and the weights it
draws while training. Checked against HIPS autograd on the same case (a program that shares no
code with chainrule's graph), and against Mazur's published worked example."""

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import chainrule.api as api
from chainrule.explore import work
from chainrule.explore.api import answer
from chainrule.graph.build import build_graph
from chainrule.graph.spec import Network
from chainrule.numeric.case import random_case

pytest.importorskip("autograd")
from test_values import TOLERANCE, layered_program

ROOT = Path(__file__).resolve().parent.parent


def close(got, expected) -> bool:
    return bool(np.allclose(got, expected, **TOLERANCE))


def values_at(query: dict) -> dict:
    status, document = answer(work.values, query, None, {})
    assert status == 200, document
    return document


@pytest.mark.parametrize(
    "sizes, options, parameter, examples",
    [
        ((2, 2, 2), {}, "theta^(1)_11", 3),
        ((2, 3, 2), {"bias": True, "activation": "tanh"}, "theta^(1)_20", 1),
        ((1, 2, 2, 1), {"cost": "bce"}, "theta^(1)_11", 2),
        ((2, 2, 3), {"cost": "softmax-ce"}, "theta^(2)_31", 2),
    ],
)
def test_the_page_numbers_agree_with_autograd(sizes, options, parameter, examples):
    network = Network(sizes, **options)
    case = random_case(network, examples=examples, seed=examples + 4)
    query = {
        "arch": ["-".join(map(str, sizes))],
        "param": [",".join(parameter.replace("theta^(", "").replace(")_", "").strip())],
        "case": [json.dumps(case.as_dict())],
    }
    document = values_at(query)  # the case sets the network's bias, activation and cost
    program = layered_program(case)
    values, deltas = program.numbers()
    gradient = float(np.sum(deltas[parameter]))

    # the chains are the case's network's (a pasted case may set another cost or biases than
    # the page's form): their values add up to the gradient
    assert close(sum(document["chains"]["values"]), gradient)
    assert close(document["chains"]["gradient"], gradient)
    # every step of the factoring sums to the gradient, and each term is its numbers' product
    steps = document["steps"]
    assert len(steps) >= 2
    for step in steps:
        assert close(step["value"], gradient)
        for term in step["terms"]:
            assert close(np.prod(term["numbers"]), term["example"])
    # the last step is δ times the local factor: δ of the node the weight feeds, at example 1
    layer, j = int(parameter[7]), int(parameter.split("_")[1][0])
    z = f"z^({layer + 1})_{j}"
    (last,) = steps[-1]["terms"]
    assert close(last["numbers"][0], deltas[z][0])

    # each edge's factor at example 1, and the numbers its formula names
    graph = build_graph(network)
    for wrt, of in graph.edges:
        if of == "J" or graph.nodes[of]["kind"] == "act" and options.get("cost") == "softmax-ce":
            continue  # fused: covered by the δ of the logits above
        assert close(document["factors"][f"{wrt}->{of}"], program.factor(of, wrt, values)[0])
    targets = {name: value for name, value in document["givens"].items() if name != "m"}
    assert targets == {f"y_{i + 1}": case.targets[0, i] for i in range(sizes[-1])}
    assert document["givens"]["m"] == examples

    # the forward pass computes each node after every node it reads; the backward pass each
    # δ after the δs of the nodes it feeds
    forward, backward = document["sweep"]["forward"], document["sweep"]["backward"]
    computed = [n for n in graph if graph.nodes[n]["kind"] not in ("input", "param")]
    assert sorted(forward) == sorted(computed)
    assert sorted(backward) == sorted(n for n in graph if n != "J")
    for order, before in ((forward, graph.predecessors), (backward, graph.successors)):
        position = {name: i for i, name in enumerate(order)}
        for name in order:
            assert all(position.get(other, -1) < position[name] for other in before(name))


def test_the_mazur_steps_reach_the_published_gradient():
    # Matt Mazur's step-by-step post: dE_total/dw1 = 0.000438568, dE_total/dw5 = 0.082167041.
    query = {
        "graph": [(ROOT / "examples/graphs/mazur.json").read_text()],
        "case": [(ROOT / "examples/cases/mazur.json").read_text()],
    }
    for parameter, published in (("w1", 0.000438568), ("w5", 0.082167041)):
        document = values_at({**query, "param": [parameter]})
        assert [round(step["value"], 9) for step in document["steps"]] == [published] * len(
            document["steps"]
        )
        # one example: the plugged-in numbers of the last step multiply to the gradient
        assert round(sum(np.prod(t["numbers"]) for t in document["steps"][-1]["terms"]), 9) == (
            published
        )
    assert document["givens"] == {"target_o1": 0.01, "target_o2": 0.99, "m": 1.0}
    # out_h1 is computed before net_o1 reads it, though the file lists the nodes otherwise
    forward = document["sweep"]["forward"]
    assert forward.index("out_h1") < forward.index("net_o1") < forward.index("E_total")


def test_training_streams_the_weights_the_train_command_ends_with():
    query = {"arch": ["2-3-1"], "bias": ["true"], "epochs": ["60"], "lr": ["2"], "seed": ["3"]}
    run = work.training(query, None)
    painted = None
    while True:
        status, (run, lines) = work.advance(run)
        assert status == 200
        painted = next((line["parameters"] for line in lines if "parameters" in line), painted)
        if lines[-1].get("done"):
            break
    record = api.train("2-3-1", bias=True, epochs=60, lr=2, seed=3, data="xor")
    trained = record.trained
    network = record.network
    assert len(painted) == network.parameter_count
    for parameter in network.parameters():
        assert painted[parameter.name]["value"] == trained.parameter_value(*parameter)
    # each gradient is autograd's, on the trained case
    _, deltas = layered_program(trained).numbers()
    for name, weight in painted.items():
        assert close(weight["gradient"], np.sum(deltas[name]))


def test_a_graph_trains_with_its_weights_and_their_gradients():
    """Mazur's network trained on its drawn case: each chunk's weights are the run's own, and
    their gradients those of central finite differences of the cost there (an oracle that
    shares nothing with the δ sweep)."""
    query = {
        "graph": [(ROOT / "examples/graphs/mazur.json").read_text()],
        "epochs": ["30"],
        "lr": ["0.5"],
    }
    run = work.training(query, None)
    status, (run, lines) = work.advance(run)
    weights = next(line["parameters"] for line in lines if "parameters" in line)
    assert set(weights) == set(run.case.parameters)
    assert {name: w["value"] for name, w in weights.items()} == run.case.parameters
    step = 1e-6
    for name, weight in weights.items():
        costs = [
            work._graph_cost(run.case.with_parameters({name: run.case.parameters[name] + h}))
            for h in (step, -step)
        ]
        assert weight["gradient"] == pytest.approx((costs[0] - costs[1]) / (2 * step), abs=1e-8)
    assert nx.is_directed_acyclic_graph(run.case.graph)
