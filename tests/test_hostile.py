"""Hostile input: every spelling of a bad formula, graph, option or file is one clear refusal.

The fuzzer (test_fuzz.py) runs the command line; these tests pin the individual guards.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache

import networkx as nx
import pytest
import sympy as sp
from shared import HANG_CPU_SECONDS

from chainrule import budget
from chainrule.calculus.symbolic import M, node_symbol
from chainrule.errors import SpecError
from chainrule.graph.dag import Dag, mlp, sigmoid
from chainrule.graph.graphfile import dag_from_document, load_graph_file, parse_formula
from chainrule.graph.paths import iter_paths, path_counts
from chainrule.graph.spec import Network

NAMES = {"w": node_symbol("w"), "x": node_symbol("x")}


@pytest.mark.parametrize(
    "text, message",
    [
        ("(((2^100)^100)^100)^100*w*x", "a constant power beyond 10^300 at position 9"),
        ("((2^100)^100)^100", "a constant power beyond 10^300"),
        ("w^1e10^100", "a constant power beyond 10^300"),
        ("w^100^100", "an exponent larger than 100 at position 1"),
        ("(w^100)^100", "an exponent larger than 100 at position 7"),
        ("2^1000*w", "an exponent larger than 100 at position 1"),
        ("1e300*1e300*w", "a constant larger than 10^300 at position 5"),
        ("w*1e300*1e300", "a constant larger than 10^300 at position 7"),
        ("w*(1e300+1e300)", "a constant larger than 10^300"),
        ("1e999999999*w", "the number 1e999999999 at position 0 is too large"),
        ("1e-999999999*w", "is too small or too precise (more than 300 decimal places)"),
        ("w*" + "9" * 5000, "a number of more than 400 characters at position 2"),
        ("w*" + "9" * 350, "the number 999999999999...999999 at position 2 is too large"),
        ("exp(exp(exp(exp(1000))))*w", "a constant larger than 10^300 at position 12"),
        ("exp(691)*w", "a constant larger than 10^300"),
        ("log(-1)", "the log of a negative constant at position 0 (not a real number)"),
        ("w*log(-1)", "the log of a negative constant"),
        ("w*log(1-2)", "the log of a negative constant"),
        ("(-8)^(1/3)*w", "a constant that is not a real number"),
        ("0^-1*w", "an undefined value"),
        ("w/(1-1)", "an undefined value"),
        ("sigmoid(" * 21 + "w" + ")" * 21, "nesting deeper than 100 levels (a function counts 5)"),
    ],
)
def test_constants_past_the_limits_are_refused_whatever_the_spelling(text, message):
    started = time.process_time()
    with pytest.raises(SpecError) as error:
        parse_formula(text, NAMES)
    assert message in str(error.value) and len(str(error.value)) < 300
    assert time.process_time() - started < 2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("exp(2)*exp(3)*w", sp.exp(5) * node_symbol("w")),
        ("1/3 + 1/7 + w", node_symbol("w") + sp.Rational(10, 21)),
        ("(-2)^3*w", -8 * node_symbol("w")),
        ("w*(2^(1/2))^2", 2 * node_symbol("w")),
        ("0^0*w", node_symbol("w")),
        ("1e300*w", sp.Integer(10) ** 300 * node_symbol("w")),
        ("1e-300*w", node_symbol("w") / sp.Integer(10) ** 300),
        ("exp(690)*w", sp.exp(690) * node_symbol("w")),
        ("w - 2*x/4 + 3", node_symbol("w") - node_symbol("x") / 2 + 3),
        ("w/x/2", node_symbol("w") / node_symbol("x") / 2),
        ("-w^2", -(node_symbol("w") ** 2)),
        ("sigmoid(" * 20 + "w" + ")" * 20, None),
    ],
)
def test_constants_within_the_limits_still_fold(text, expected):
    result = parse_formula(text, NAMES)
    if expected is not None:
        assert result == expected


def test_long_formulas_parse_in_linear_time():
    # Adding 5,000 terms one by one made SymPy re-sort the growing sum each time: ~0.6 s a
    # formula, a minute for a 1 MB file. Gathered and added once it is a few ms.
    started = time.process_time()
    for text in [
        "w" + "+w" * 4999,
        "x" + "*w" * 4999,
        "+".join(f"{i}*w" for i in range(1400)),
        "1" + "+1" * 4998 + "+w",
        "log(2)" + "*log(3)" * 1400 + "*w",
    ]:
        parse_formula(text, NAMES)
    assert time.process_time() - started < 5


#: Texts past one of the limits, each spelled so that a graph-file formula over w and x and
#: the right-hand side of a claim about a graph with w and x read it alike.
PAST_THE_LIMITS = [
    "1e999999999*w",
    "1e-999999999*w",
    "w*" + "9" * 500,
    "w*1e300*1e300",
    "((10^100)^100)^100*w",
    "w^101",
    "(w^100)^100",
    "exp(exp(exp(1000)))*w",
    "exp(691)*w",
    "log(-1)*w",
    "w*(-8)^(1/3)",
    "w/(1-1)",
    "(" * 101 + "w" + ")" * 101,
    "-" * 101 + "w",
    "sigmoid(" * 21 + "w" + ")" * 21,
]


@cache
def _claim_vocabulary():
    from chainrule.notation.reading import Vocabulary

    dag = Dag()
    x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
    h = dag.node("h", w * x)
    dag.cost((h - y) ** 2 / 2)
    return Vocabulary(dag.build())


@pytest.mark.parametrize("text", PAST_THE_LIMITS, ids=lambda text: text[:30])
def test_claims_and_graph_files_share_one_set_of_limits(text):
    """Both are read by one expression core: the same text is refused with the same message
    (positions shifted by the claim's "dJ/dw = "), at once."""
    from chainrule.notation.reading import read_claim

    prefix = "dJ/dw = "
    started = time.process_time()
    with pytest.raises(SpecError) as formula_error:
        parse_formula(text, NAMES)
    with pytest.raises(SpecError) as claim_error:
        read_claim(prefix + text, _claim_vocabulary())
    assert time.process_time() - started < 2

    def shifted(match):
        return f"position {int(match.group(1)) - len(prefix)}"

    formula_message = str(formula_error.value).split(' in "')[0]
    claim_message = re.sub(r"position (\d+)", shifted, str(claim_error.value).split(' in "')[0])
    assert claim_message == formula_message


def _a_number(value) -> bool:
    """Whether an assigned value is a number written out (1_000, 10**300, 2.5)."""
    import ast

    if isinstance(value, ast.Constant):
        return isinstance(value.value, (int, float)) and not isinstance(value.value, bool)
    if isinstance(value, ast.BinOp):
        return _a_number(value.left) and _a_number(value.right)
    return False


def test_the_limits_are_stated_once():
    """No reader, and no module of the package, keeps a limit of its own beside the budget's
    table: every MAX_ constant is in chainrule.budget."""
    import ast
    from pathlib import Path

    package = Path(budget.__file__).parent
    for path in package.rglob("*.py"):
        if path.name == "budget.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign) or not _a_number(node.value):
                continue  # an Option declared for a limit (--max-numbers) is no limit's value
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            assert not any(name.startswith("MAX_") for name in names), (path, names)
    assert (budget.EXPRESSION_DEPTH, budget.EXPRESSION_EXPONENT, budget.EXPRESSION_NUMBER) == (
        100,
        100,
        10**300,
    )


def _chain_document(nodes: int) -> dict:
    formulas, previous = {}, "x"
    for i in range(nodes):
        formulas[f"h{i}"], previous = f"w*{previous}", f"h{i}"
    return {
        "inputs": ["x"],
        "parameters": ["w"],
        "targets": ["y"],
        "nodes": formulas,
        "cost": f"({previous} - y)^2/2",
    }


def test_a_graph_file_builds_in_linear_time(tmp_path):
    # Dag.build ran networkx.has_path once per node, and each declaration rebuilt the set of
    # known symbols: quadratic, minutes at 10,000 nodes.
    path = tmp_path / "chain.json"
    nodes = budget.GRAPH_FILE_NAMES - 3  # and x, w and y: as many names as a file may declare
    path.write_text(json.dumps(_chain_document(nodes)))
    started = time.process_time()
    graph = load_graph_file(str(path))
    assert time.process_time() - started < HANG_CPU_SECONDS  # quadratic took minutes
    assert path_counts(graph)["w"] == (nodes, (nodes + 1) * (nodes + 2) // 2 - 1)


def test_a_one_megabyte_graph_file_reads_in_seconds(tmp_path):
    nodes, previous = {}, "x"
    for i in range(100):
        nodes[f"h{i}"] = " + ".join(f"w{j % 10}*{previous}" for j in range(1050))
        previous = f"h{i}"
    document = {
        "inputs": ["x"],
        "parameters": [f"w{j}" for j in range(10)],
        "targets": ["y"],
        "nodes": nodes,
        "cost": f"({previous} - y)^2/2",
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    assert 900_000 < path.stat().st_size < budget.GRAPH_FILE_BYTES
    started = time.process_time()
    load_graph_file(str(path))
    assert time.process_time() - started < HANG_CPU_SECONDS  # was about 60 s


@pytest.mark.parametrize(
    "document, message",
    [
        (
            _chain_document(budget.GRAPH_FILE_NAMES),
            f"{budget.GRAPH_FILE_NAMES + 3:,} names and nodes, more than the "
            f"{budget.GRAPH_FILE_NAMES:,} a graph file may declare",
        ),
        (
            {"inputs": ["J"], "parameters": ["w"], "cost": "w*J"},
            "inputs: 'J' is reserved for the cost",
        ),
        (
            {"inputs": ["x"], "parameters": ["w"], "nodes": {"J": "w*x"}, "cost": "J"},
            "nodes: 'J' is reserved for the cost",
        ),
        (
            {"inputs": ["x"], "parameters": ["w"], "nodes": {"h": "relu(w*x - w*x)"}, "cost": "h"},
            "the formula of 'h' simplifies to 0 and uses no input, parameter or node declared "
            "before it",
        ),
        (
            {"inputs": ["x"], "parameters": ["w"], "targets": ["y"], "cost": "y^2"},
            "the cost simplifies to y**2 and uses no input, parameter or node",
        ),
        (
            {"inputs": ["x"], "parameters": ["w", "v"], "nodes": {"h": "w*x + v - v"}, "cost": "h"},
            "v never reaches the cost: the formula of 'h' mentions v, but it cancels out "
            "(h simplifies to w*x)",
        ),
    ],
)
def test_graph_file_structure_errors_say_what_is_wrong(document, message):
    with pytest.raises(SpecError) as error:
        dag_from_document(document).build()
    assert message in str(error.value)


def test_graph_files_past_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(" " * budget.GRAPH_FILE_BYTES + "{}")
    with pytest.raises(SpecError, match="is larger than the 1,000,000 bytes a graph file may be"):
        load_graph_file(str(path))


def test_dag_refuses_at_declaration_what_would_fail_later():
    dag = Dag()
    x, w = dag.input("x"), dag.parameter("w")
    with pytest.raises(SpecError, match="uses the undefined function f: give its formula"):
        dag.node("h", sp.Function("f")(w * x))
    with pytest.raises(SpecError, match="has an undefined value"):
        dag.node("h", w * x / 0)
    with pytest.raises(SpecError, match="a constant that is not a real number"):
        dag.node("h", w * x * sp.log(-1))
    with pytest.raises(SpecError, match="simplifies to 3 and uses no input"):
        dag.node("h", 3)
    with pytest.raises(SpecError, match="is text"):
        dag.node("h", "w*x")
    with pytest.raises(SpecError, match="'J' is declared already, as an input: 'J' names the cost"):
        other = Dag()
        other.input("J")
        other.cost(other.parameter("v") ** 2)
    h = dag.node("h", sigmoid(w * x))
    dag.cost(h / M)
    assert sorted(dag.build().predecessors("h")) == ["w", "x"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: Network([2, 2], activation=None), "activation must be a name"),
        (lambda: Network(3), "give a list of layer sizes"),
        (lambda: Network([2, 1], cost="softmax-ce"), "cost softmax-ce needs at least 2 outputs"),
        (lambda: Network([2, 2], cost=None), "unknown cost None"),
        (lambda: mlp([]), "invalid architecture ()"),
        (lambda: mlp([2, 2], activation="nope"), "unknown activation 'nope'"),
        (lambda: mlp(5), "mlp needs a list of layer sizes"),
    ],
)
def test_the_python_api_raises_spec_errors(call, message):
    with pytest.raises(SpecError) as error:
        call()
    assert message in str(error.value)


def test_mlp_takes_one_activation_per_layer():
    graph = mlp([1, 1, 1], activation="tanh,identity").build()
    assert "tanh" in str(graph.nodes["a^(2)_1"]["formula"])
    assert graph.nodes["a^(3)_1"]["formula"] == node_symbol("z^(3)_1")


def test_paths_through_a_cycle_are_refused_not_followed_for_ever():
    graph = nx.DiGraph(cost="J")
    graph.add_edges_from([("w", "a"), ("a", "b"), ("b", "a"), ("b", "J")])
    with pytest.raises(SpecError, match=r"the graph has a cycle \(a -> b -> a\)"):
        list(iter_paths(graph, "w"))
    with pytest.raises(SpecError, match="must be acyclic"):
        path_counts(graph)


# -- the command line: exit statuses that mean one thing each ----------------------------------


@pytest.mark.parametrize(
    "raised, status, message",
    [
        (
            KeyError("x\ny"),
            3,
            "chainrule: error: internal error: KeyError: 'x\\ny' (this is a bug; "
            "CHAINRULE_DEBUG=1 shows the traceback)\n",
        ),
        (ZeroDivisionError("division by zero"), 3, "internal error: ZeroDivisionError"),
        (MemoryError(), 2, "chainrule: error: too large: the computation ran out of memory"),
        (
            RecursionError("deep"),
            2,
            "chainrule: error: too large: an expression is nested too deeply",
        ),
        (KeyboardInterrupt(), 130, ""),
    ],
)
def test_unexpected_errors_are_one_line_with_their_own_status(
    run_cli, monkeypatch, raised, status, message
):
    from chainrule.cli.commands import count

    def run_count(args, out):
        raise raised

    monkeypatch.delenv("CHAINRULE_DEBUG", raising=False)
    monkeypatch.setattr(count, "run", run_count)
    got, out, err = run_cli("count", "2-2-2", expect=None)
    assert (
        (got, out) == (status, "") and message in err and err.count("\n") == (1 if message else 0)
    )
    monkeypatch.setenv("CHAINRULE_DEBUG", "1")
    if status != 130:
        with pytest.raises(type(raised)):
            run_cli("count", "2-2-2", expect=None)


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["verify", "2-2-2", "--init-scale", "1e308"],
            "--init-scale: expected a number up to 1e+06",
        ),
        (["train", "--lr", "1e7"], "--lr: expected a number up to 1e+06"),
        (["chains", "2-1", "--cost", "softmax-ce"], "cost softmax-ce needs at least 2 outputs"),
        # paths on layer sizes once ignored --rnn-cost without a word; values refused it.
        (["paths", "2-2-2", "--rnn-cost", "sum"], "2-2-2 has no time steps: drop it"),
        (["values", "2-2-2", "--rnn-cost", "sum"], "2-2-2 has no time steps: drop it"),
        (
            ["paths", "examples/graphs/mazur.json", "--rnn-cost", "sum"],
            "has no time steps: drop it",
        ),
    ],
)
def test_options_that_gave_wrong_results_are_refused(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert (status, out) == (2, "") and message in err and err.count("\n") == 1


# -- saturated outputs: the fused output delta -------------------------------------------------


@pytest.mark.parametrize(
    "cost, weights, targets, expected",
    [
        ("bce", [[1000.0]], [[0.0]], [[1.0]]),  # a = sigmoid(1000) = 1.0 exactly, y = 0
        ("bce", [[-1000.0]], [[1.0]], [[-1.0]]),  # a = 0.0 exactly, y = 1
        ("softmax-ce", [[1000.0], [-1000.0]], [[0.0, 1.0]], [[1.0], [-1.0]]),  # a = (1, 0)
    ],
)
def test_saturated_outputs_have_finite_gradients(cost, weights, targets, expected):
    import numpy as np

    from chainrule.numeric.backprop import backprop
    from chainrule.numeric.case import Case
    from chainrule.verification.verify import SATURATED, verify

    network = Network([1, len(weights)], cost=cost)
    case = Case(network, (np.array(weights),), None, np.array([[1.0]]), np.array(targets))
    with np.errstate(all="ignore"):
        cost, gradients, _ = backprop(case)
        report = verify(case)
    assert np.array_equal(gradients[0], np.array(expected))
    assert report.methods["chain_sum"].skipped == SATURATED
    delta = report.methods["delta"]
    assert delta.ok is True and np.array_equal(delta.gradients.weights[0], np.array(expected))
    # J comes from the logits, as a fused loss computes it: finite (softplus(1000) = 1000, and
    # for the softmax -(z_2 - log(e^z_1 + e^z_2)) = 2000)
    assert cost == pytest.approx(1000.0 * len(weights)) and report.cost == cost
    assert report.ok is True and report.methods["finite_differences"].ok is True
    assert report.methods["sympy_diff"].ok is True


def test_the_python_api_refuses_an_impossible_case_with_the_cli_message(run_cli):
    """The budget serves the API too: random_case refuses before numpy allocates 80 GB, with
    the message the command line gives, its advice naming the keyword a Python caller passes
    where the command line names its option."""
    from chainrule.errors import TooLarge
    from chainrule.graph.spec import Network
    from chainrule.numeric.case import random_case

    with pytest.raises(TooLarge) as refusal:
        random_case(Network([100000, 100000, 100000]))
    _, _, err = run_cli("verify", "100000-100000-100000", expect=2)
    python = str(refusal.value)
    assert python.endswith("raise it with max_numbers=80003200000")
    assert err == "chainrule: error: " + python.replace("max_numbers=", "--max-numbers ") + "\n"


def test_a_gradient_refuses_too_many_chains_and_too_large_a_closed_view():
    """The API's Gradient holds its chains in memory and composes the closed view: both are
    counted first and refused past the same budget as `chainrule chains`."""
    import chainrule
    from chainrule.errors import TooLarge

    wide = chainrule.gradient(chainrule.Network([10] * 7), "theta^(1)_11")
    with pytest.raises(TooLarge, match="^100,000 chains of dJ/dtheta"):
        wide.abstract()
    deep = chainrule.gradient(chainrule.Network([2] * 8), "theta^(1)_11")
    with pytest.raises(TooLarge, match="closed view of dJ/dtheta.* use local"):
        deep.text("closed")
    assert deep.local() is not None  # the local view is within the budget


@pytest.mark.parametrize(
    "argv, text, message",
    [
        (
            ["count"],
            '{"inputs": ["x"], "parameters": ["w"], "targets": ["y"], '
            '"nodes": {"h": "w*x", "h": "w*w*x"}, "cost": "(h - y)^2"}',
            "the key 'h' is given twice in one object",
        ),
        (
            ["verify", "--case"],
            '{"sizes": [1, 1], "sizes": [2, 1], "activation": "sigmoid", "cost": "mse", '
            '"bias": false, "weights": [[[0.5]]], "biases": null, "inputs": [[1]], '
            '"targets": [[0]]}',
            "the key 'sizes' is given twice in one object",
        ),
    ],
)
def test_a_key_given_twice_in_an_input_file_is_refused(run_cli, tmp_path, argv, text, message):
    """json would keep the last value and drop the first without a word."""
    path = tmp_path / "input.json"
    path.write_text(text)
    _, _, err = run_cli(*argv, str(path), expect=2)
    assert message in err and err.count("\n") == 1


def test_a_key_given_twice_in_a_graph_sent_to_the_explorer_is_refused():
    from chainrule.explore.api import run_command

    text = (
        '{"inputs": ["x"], "parameters": ["w", "w"], "targets": ["y"], '
        '"nodes": {"h": "w*x"}, "cost": "(h - y)^2", "cost": "h"}'
    )
    status, document = run_command("chains", {"graph": [text]})
    assert status == 400
    assert document["error"] == (
        "graph file 'graph.json': the key 'cost' is given twice in one object"
    )
