"""δ factoring: definitions, the factoring shown and proofs of equality."""

import json

import pytest
import sympy as sp

from chainrule.calculus.delta import (delta_definitions, delta_nodes, delta_symbol, expand_deltas,
                             factored_gradient, factoring_steps, proves_equal_to_path_sum,
                             step_expression)
from chainrule.notation import delta_printing as dp
from chainrule.graph.build import build_graph
from chainrule.graph.spec import Network
from chainrule.calculus.symbolic import abstract_sum
from chainrule.graph.chains import iter_chains

from conftest import ARCHITECTURES
from latex_check import katex_failures, katex_module_dir, structural_problems
from shared import EXACT_CASES

TEXT = dp.Style.text()


@pytest.fixture(scope="module")
def graph_2_2_2():
    return build_graph(Network([2, 2, 2]))


def test_delta_definitions_of_2_2_2(graph_2_2_2):
    assert [str(dp.delta_definition(graph_2_2_2, node, TEXT)) for node in delta_nodes(graph_2_2_2)] == [
        "delta^(3)_1 = dJ/da^(3)_1 * da^(3)_1/dz^(3)_1",
        "delta^(3)_2 = dJ/da^(3)_2 * da^(3)_2/dz^(3)_2",
        "delta^(2)_1 = da^(2)_1/dz^(2)_1 * (delta^(3)_1 * dz^(3)_1/da^(2)_1 + delta^(3)_2 * dz^(3)_2/da^(2)_1)",
        "delta^(2)_2 = da^(2)_2/dz^(2)_2 * (delta^(3)_1 * dz^(3)_1/da^(2)_2 + delta^(3)_2 * dz^(3)_2/da^(2)_2)",
    ]
    assert [str(dp.delta_definition(graph_2_2_2, node, TEXT, "local"))
            for node in delta_nodes(graph_2_2_2)] == [
        "delta^(3)_1 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1)",
        "delta^(3)_2 = (a^(3)_2 - y_2)/m * a^(3)_2*(1 - a^(3)_2)",
        "delta^(2)_1 = a^(2)_1*(1 - a^(2)_1) * (delta^(3)_1 * theta^(2)_11 + delta^(3)_2 * theta^(2)_21)",
        "delta^(2)_2 = a^(2)_2*(1 - a^(2)_2) * (delta^(3)_1 * theta^(2)_12 + delta^(3)_2 * theta^(2)_22)",
    ]


def test_every_gradient_is_delta_times_activation(graph_2_2_2):
    net = Network([2, 2, 2])
    assert [str(dp.factored_gradient(graph_2_2_2, p.name, TEXT, "local"))
            for p in net.parameters()] == [
        "dJ/dtheta^(1)_11 = delta^(2)_1 * x_1", "dJ/dtheta^(1)_12 = delta^(2)_1 * x_2",
        "dJ/dtheta^(1)_21 = delta^(2)_2 * x_1", "dJ/dtheta^(1)_22 = delta^(2)_2 * x_2",
        "dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1", "dJ/dtheta^(2)_12 = delta^(3)_1 * a^(2)_2",
        "dJ/dtheta^(2)_21 = delta^(3)_2 * a^(2)_1", "dJ/dtheta^(2)_22 = delta^(3)_2 * a^(2)_2",
    ]
    bias_graph = build_graph(Network([2, 2, 2], bias=True))
    assert str(dp.factored_gradient(bias_graph, "theta^(2)_20", TEXT, "local")) == (
        "dJ/dtheta^(2)_20 = delta^(3)_2 * 1")


def test_factoring_of_theta_1_11_collapses_into_delta_2_1_x_1(graph_2_2_2):
    steps = factoring_steps(graph_2_2_2, "theta^(1)_11")
    lines = [dp.step_lines(graph_2_2_2, step, TEXT) for step in steps]
    assert len(steps) == 3 and len(steps[0].terms) == 2 and len(steps[-1].terms) == 1
    assert lines[0][0] is None
    assert lines[1] == (
        "(dJ/da^(3)_1 * da^(3)_1/dz^(3)_1) * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11"
        " + (dJ/da^(3)_2 * da^(3)_2/dz^(3)_2) * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11",
        "delta^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11"
        " + delta^(3)_2 * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11")
    assert lines[2] == (
        "(delta^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 + delta^(3)_2 * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1)"
        " * dz^(2)_1/dtheta^(1)_11",
        "delta^(2)_1 * dz^(2)_1/dtheta^(1)_11")


def test_softmax_output_delta_sums_over_the_softmax_paths():
    graph = build_graph(Network([2, 3], cost="softmax-ce"))
    definition = dp.delta_definition(graph, "z^(2)_2", TEXT)
    assert definition.rhs == (
        "dJ/da^(2)_1 * da^(2)_1/dz^(2)_2 + dJ/da^(2)_2 * da^(2)_2/dz^(2)_2"
        " + dJ/da^(2)_3 * da^(2)_3/dz^(2)_2")
    steps = factoring_steps(graph, "theta^(1)_12")
    assert len(steps[0].terms) == 3 and [t.cut for t in steps[1].terms] == ["z^(2)_1"]


@pytest.mark.parametrize("sizes, options", EXACT_CASES, ids=lambda case: str(case))
def test_factored_gradient_equals_the_path_sum(sizes, options):
    net = Network(sizes, **options)
    graph = build_graph(net)
    for parameter in net.parameters():
        assert proves_equal_to_path_sum(graph, parameter.name)
        for step in factoring_steps(graph, parameter.name):
            assert proves_equal_to_path_sum(graph, parameter.name, step_expression(graph, step))


def test_the_proof_can_fail(graph_2_2_2):
    definitions = delta_definitions(graph_2_2_2)
    wrong = factored_gradient(graph_2_2_2, "theta^(1)_11").xreplace(
        {delta_symbol(graph_2_2_2, "z^(2)_1"): delta_symbol(graph_2_2_2, "z^(2)_2")})
    assert not proves_equal_to_path_sum(graph_2_2_2, "theta^(1)_11", wrong)
    dropped = definitions[delta_symbol(graph_2_2_2, "z^(2)_1")].args[0]  # one factor only
    path_sum = abstract_sum(iter_chains(graph_2_2_2, "theta^(1)_11"))
    assert sp.expand(expand_deltas(dropped, definitions) - path_sum) != 0


def test_delta_cli_2_2_2(run_cli):
    status, out, err = run_cli("delta", "2-2-2")
    assert status == 0 and err == ""
    lines = out.splitlines()
    for name in ["delta^(3)_1", "delta^(3)_2", "delta^(2)_1", "delta^(2)_2"]:
        assert any(line.startswith(f"{name} = ") for line in lines)
    gradients = [line for line in lines if line.startswith("dJ/dtheta")]
    assert len(gradients) == 8 and "dJ/dtheta^(1)_11 = delta^(2)_1 * dz^(2)_1/dtheta^(1)_11" in gradients
    assert " " * len("dJ/dtheta^(1)_11") + " = delta^(2)_1 * x_1" in lines
    assert "dJ/dTheta^(1) = (delta^(2))^T x" in lines


def test_delta_cli_factoring(run_cli):
    status, out, _ = run_cli("delta", "2-2-2", "--param", "1,1,1")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("factoring dJ/dtheta^(1)_11: its 2 chains")
    assert lines[-1] == " " * len("dJ/dtheta^(1)_11") + " = delta^(2)_1 * x_1"
    assert lines[-2].endswith("= delta^(2)_1 * dz^(2)_1/dtheta^(1)_11")


def test_delta_cli_json_and_ops(run_cli):
    status, out, _ = run_cli("delta", "2-2-2", "--json", "--ops", "--param", "2,1,2")
    document = json.loads(out)
    assert [d["name"] for d in document["deltas"]] == [
        "delta^(3)_1", "delta^(3)_2", "delta^(2)_1", "delta^(2)_2"]
    assert document["deltas"][0]["latex"] == r"\delta_{1}^{(3)}"
    assert document["deltas"][0]["definition_latex"] == (
        r"\delta_{1}^{(3)} = \frac{\partial J}{\partial a_{1}^{(3)}} "
        r"\frac{\partial a_{1}^{(3)}}{\partial z_{1}^{(3)}}")
    assert document["gradients"] == [{
        "parameter": "theta^(2)_12",
        "text": "dJ/dtheta^(2)_12 = delta^(3)_1 * dz^(3)_1/dtheta^(2)_12",
        "latex": r"\frac{\partial J}{\partial \theta_{12}^{(2)}} = \delta_{1}^{(3)} \cdot "
                 r"\frac{\partial z_{1}^{(3)}}{\partial \theta_{12}^{(2)}}",
        "local": "dJ/dtheta^(2)_12 = delta^(3)_1 * a^(2)_2",
        "local_latex": r"\frac{\partial J}{\partial \theta_{12}^{(2)}} = \delta_{1}^{(3)} \cdot a_{2}^{(2)}"}]
    assert document["ops"] == {"expanded": {"multiplications": 40, "additions": 4},
                               "reverse": {"multiplications": 16, "additions": 2},
                               "forward": {"multiplications": 36, "additions": 4}}
    assert len(document["factoring"][0]["steps"]) == 2


def test_count_ops(run_cli):
    _, out, _ = run_cli("count", "2-2-2-2-2-2-2-2-2-2-2-2", "--ops", "--json")
    (row,) = json.loads(out)
    assert row["ops"]["expanded"]["multiplications"] == row["terms"] - row["chains"]
    assert row["ops"]["reverse"]["multiplications"] < 200 < 100_000 < row["ops"]["expanded"][
        "multiplications"]
    status, text, _ = run_cli("count", "2-2-2", "784-512-512-10", "--ops")
    assert status == 0 and text.splitlines()[0].split()[-6:] == [
        "expanded", "ops", "reverse", "ops", "forward", "ops"]


@pytest.mark.parametrize("argv, message", [
    (["delta", "2-2-2", "--param", "3,1,1"], "no parameter theta^(3)_11 in 2-2-2"),
    (["delta", "100-100-100"], "more than --limit 10,000"),
    (["delta", "10-10-10-10", "--param", "1,1,1", "--limit", "50"], "100 chains in the selected"),
])
def test_delta_cli_errors(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def _delta_latex() -> list[str]:
    strings = []
    for net in [Network([2, 2, 2]), Network([2, 3, 3], cost="softmax-ce", bias=True)]:
        graph = build_graph(net)
        latex = dp.Style(latex=True)
        strings += [str(dp.delta_definition(graph, node, latex, view))
                    for node in delta_nodes(graph) for view in ("abstract", "local")]
        strings += [str(dp.factored_gradient(graph, p.name, latex, view))
                    for p in net.parameters() for view in ("abstract", "local")]
        strings += [str(eq) for eq in dp.matrix_form(net, latex)]
        for p in list(net.parameters())[:4]:
            for step in factoring_steps(graph, p.name):
                strings += [side for side in dp.step_lines(graph, step, latex) if side]
    return strings


def test_delta_latex_is_well_formed():
    assert {s: structural_problems(s) for s in _delta_latex() if structural_problems(s)} == {}


@pytest.mark.skipif(katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)")
def test_delta_latex_renders_in_katex(run_cli):
    _, out, _ = run_cli("delta", "2-2-2", "--format", "latex", "--ops")
    blocks = [block.split("\\[\n", 1)[1] for block in out.split("\\]") if "\\[\n" in block]
    assert len(blocks) == 3
    assert katex_failures(_delta_latex() + blocks) == []
