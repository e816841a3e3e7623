"""δ factoring: definitions, the factoring shown and proofs of equality."""

import json
from pathlib import Path

import pytest
import sympy as sp
from latex_check import katex_failures, katex_module_dir, structural_problems
from shared import EXACT_CASES

from chainrule.calculus.delta import (
    DeltaRef,
    Product,
    define_delta,
    define_deltas,
    delta_definitions,
    delta_nodes,
    delta_symbol,
    expand_deltas,
    factor_gradient,
    factored_gradient,
    factoring_steps,
    proves_equal_to_path_sum,
    step_expression,
)
from chainrule.calculus.symbolic import abstract_sum
from chainrule.graph.build import build_graph
from chainrule.graph.chains import iter_chains
from chainrule.graph.spec import Network
from chainrule.notation import notation_for

GRAPHS = Path(__file__).resolve().parent.parent / "examples" / "graphs"


@pytest.fixture(scope="module")
def graph_2_2_2():
    return build_graph(Network([2, 2, 2]))


def test_delta_definitions_of_2_2_2(graph_2_2_2):
    text = notation_for("text", graph_2_2_2)
    definitions = define_deltas(graph_2_2_2)
    assert [d.delta.node for d in definitions] == delta_nodes(graph_2_2_2)
    assert [str(text.delta_definition(d)) for d in definitions] == [
        "delta^(3)_1 = dJ/da^(3)_1 * da^(3)_1/dz^(3)_1",
        "delta^(3)_2 = dJ/da^(3)_2 * da^(3)_2/dz^(3)_2",
        "delta^(2)_1 = da^(2)_1/dz^(2)_1 * (delta^(3)_1 * dz^(3)_1/da^(2)_1 + delta^(3)_2 * "
        "dz^(3)_2/da^(2)_1)",
        "delta^(2)_2 = da^(2)_2/dz^(2)_2 * (delta^(3)_1 * dz^(3)_1/da^(2)_2 + delta^(3)_2 * "
        "dz^(3)_2/da^(2)_2)",
    ]
    assert [str(text.delta_definition(d, "local")) for d in definitions] == [
        "delta^(3)_1 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1)",
        "delta^(3)_2 = (a^(3)_2 - y_2)/m * a^(3)_2*(1 - a^(3)_2)",
        "delta^(2)_1 = a^(2)_1*(1 - a^(2)_1) * (delta^(3)_1 * theta^(2)_11 + delta^(3)_2 * "
        "theta^(2)_21)",
        "delta^(2)_2 = a^(2)_2*(1 - a^(2)_2) * (delta^(3)_1 * theta^(2)_12 + delta^(3)_2 * "
        "theta^(2)_22)",
    ]


def test_every_gradient_is_delta_times_activation(graph_2_2_2):
    net = Network([2, 2, 2])
    text = notation_for("text", graph_2_2_2)
    assert [
        str(text.factored_gradient(factor_gradient(graph_2_2_2, p.name), "local"))
        for p in net.parameters()
    ] == [
        "dJ/dtheta^(1)_11 = delta^(2)_1 * x_1",
        "dJ/dtheta^(1)_12 = delta^(2)_1 * x_2",
        "dJ/dtheta^(1)_21 = delta^(2)_2 * x_1",
        "dJ/dtheta^(1)_22 = delta^(2)_2 * x_2",
        "dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1",
        "dJ/dtheta^(2)_12 = delta^(3)_1 * a^(2)_2",
        "dJ/dtheta^(2)_21 = delta^(3)_2 * a^(2)_1",
        "dJ/dtheta^(2)_22 = delta^(3)_2 * a^(2)_2",
    ]
    bias_graph = build_graph(Network([2, 2, 2], bias=True))
    assert str(
        notation_for("text", bias_graph).factored_gradient(
            factor_gradient(bias_graph, "theta^(2)_20"), "local"
        )
    ) == ("dJ/dtheta^(2)_20 = delta^(3)_2 * 1")


def test_factoring_of_theta_1_11_collapses_into_delta_2_1_x_1(graph_2_2_2):
    steps = factoring_steps(graph_2_2_2, "theta^(1)_11")
    lines = [notation_for("text", graph_2_2_2).step(step) for step in steps]
    assert len(steps) == 3 and len(steps[0].terms) == 2 and len(steps[-1].terms) == 1
    assert lines[0][0] is None
    assert lines[1] == (
        "(dJ/da^(3)_1 * da^(3)_1/dz^(3)_1) * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * "
        "dz^(2)_1/dtheta^(1)_11"
        " + (dJ/da^(3)_2 * da^(3)_2/dz^(3)_2) * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1 * "
        "dz^(2)_1/dtheta^(1)_11",
        "delta^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11"
        " + delta^(3)_2 * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11",
    )
    assert lines[2] == (
        "(delta^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 + delta^(3)_2 * dz^(3)_2/da^(2)_1 * "
        "da^(2)_1/dz^(2)_1)"
        " * dz^(2)_1/dtheta^(1)_11",
        "delta^(2)_1 * dz^(2)_1/dtheta^(1)_11",
    )


def _mi(base: str, index: str, layer: int) -> str:
    return f"<msubsup><mi>{base}</mi><mi>{index}</mi><mi>({layer})</mi></msubsup>"


def _mfrac(of: str, wrt: str) -> str:
    return f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow><mrow><mo>&#x2202;</mo>{wrt}</mrow></mfrac>"


DELTA, A2, Z2, Z3 = "&#948;", _mi("a", "1", 2), _mi("z", "1", 2), _mi("z", "1", 3)

# One record, δ^(2)_1 of 1-1-1, in every format and view: (format, view, lhs, rhs).
DELTA_2_1 = [
    ("text", "abstract", "delta^(2)_1", "delta^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1"),
    ("text", "local", "delta^(2)_1", "delta^(3)_1 * theta^(2)_11 * a^(2)_1*(1 - a^(2)_1)"),
    ("unicode", "abstract", "δ⁽²⁾₁", "δ⁽³⁾₁ · ∂z⁽³⁾₁/∂a⁽²⁾₁ · ∂a⁽²⁾₁/∂z⁽²⁾₁"),
    ("unicode", "local", "δ⁽²⁾₁", "δ⁽³⁾₁ · θ⁽²⁾₁₁ · a⁽²⁾₁*(1 - a⁽²⁾₁)"),
    (
        "latex",
        "abstract",
        r"\delta_{1}^{(2)}",
        r"\delta_{1}^{(3)} \cdot \frac{\partial z_{1}^{(3)}}{\partial a_{1}^{(2)}} "
        r"\frac{\partial a_{1}^{(2)}}{\partial z_{1}^{(2)}}",
    ),
    (
        "latex",
        "local",
        r"\delta_{1}^{(2)}",
        r"\delta_{1}^{(3)} \cdot \theta_{11}^{(2)} \cdot a_{1}^{(2)} \left(1 - a_{1}^{(2)}\right)",
    ),
    (
        "mathml",
        "abstract",
        _mi(DELTA, "1", 2),
        _mi(DELTA, "1", 3)
        + "<mo>&#x22C5;</mo>"
        + _mfrac(Z3, A2)
        + "<mo>&#x2062;</mo>"
        + _mfrac(A2, Z2),
    ),
    (
        "mathml",
        "local",
        _mi(DELTA, "1", 2),
        _mi(DELTA, "1", 3) + "<mo>&#x22C5;</mo>" + _mi("&#952;", "11", 2) + "<mo>&#x22C5;</mo>"
        f"<mrow>{A2}<mo>&InvisibleTimes;</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>-</mo>{A2}</mrow>"
        "<mo>)</mo></mrow></mrow>",
    ),
]


@pytest.mark.parametrize("format, view, lhs, rhs", DELTA_2_1)
def test_one_delta_record_in_every_format(format, view, lhs, rhs):
    graph = build_graph(Network([1, 1, 1]))
    definition = define_delta(graph, "z^(2)_1")
    notation = notation_for(format, graph)
    assert tuple(notation.delta_definition(definition, view)) == (lhs, rhs)
    assert notation.doprint(definition, view) == f"{lhs} = {rhs}"
    # the same record is what the proofs read: δ^(3)_1 ∂z/∂a ∂a/∂z, in partials and δ
    assert definition.expression() == delta_definitions(graph)[delta_symbol(graph, "z^(2)_1")]


def test_what_is_printed_is_what_is_proven(graph_2_2_2):
    factored = factor_gradient(graph_2_2_2, "theta^(1)_11")
    assert factored.expression() == factored_gradient(graph_2_2_2, "theta^(1)_11")
    assert proves_equal_to_path_sum(graph_2_2_2, "theta^(1)_11", factored)
    (term,) = factored.terms
    other = define_delta(graph_2_2_2, "z^(2)_2").delta
    wrong = factored._replace(terms=(term._replace(head=other),))
    assert notation_for("text", graph_2_2_2).factored_gradient(wrong).rhs == (
        "delta^(2)_2 * dz^(2)_1/dtheta^(1)_11"
    )
    assert not proves_equal_to_path_sum(graph_2_2_2, "theta^(1)_11", wrong)
    assert isinstance(term, Product) and isinstance(other, DeltaRef)


def test_one_function_collects_the_factoring(graph_2_2_2):
    text = notation_for("text", graph_2_2_2)
    steps = factoring_steps(graph_2_2_2, "theta^(1)_11")
    sides = text.factoring("theta^(1)_11")
    assert sides == text.factoring("theta^(1)_11", steps)
    assert sides == [
        text.step(steps[0])[1],
        *text.step(steps[1]),
        *text.step(steps[2]),
        "delta^(2)_1 * x_1",
    ]


def test_softmax_output_delta_sums_over_the_softmax_paths():
    graph = build_graph(Network([2, 3], cost="softmax-ce"))
    definition = notation_for("text", graph).delta_definition(define_delta(graph, "z^(2)_2"))
    assert definition.rhs == (
        "dJ/da^(2)_1 * da^(2)_1/dz^(2)_2 + dJ/da^(2)_2 * da^(2)_2/dz^(2)_2"
        " + dJ/da^(2)_3 * da^(2)_3/dz^(2)_2"
    )
    steps = factoring_steps(graph, "theta^(1)_12")
    assert len(steps[0].terms) == 3 and [t.head.node for t in steps[1].terms] == ["z^(2)_1"]


@pytest.mark.parametrize("sizes, options", EXACT_CASES, ids=lambda case: str(case))
def test_factored_gradient_equals_the_path_sum(sizes, options):
    net = Network(sizes, **options)
    graph = build_graph(net)
    for parameter in net.parameters():
        assert proves_equal_to_path_sum(graph, parameter.name)
        for step in factoring_steps(graph, parameter.name):
            assert proves_equal_to_path_sum(graph, parameter.name, step_expression(graph, step))
            if step.grouped:  # the grouped line printed before each merge is proven too
                assert proves_equal_to_path_sum(graph, parameter.name, step.grouped_expression())


def test_the_proof_can_fail(graph_2_2_2):
    definitions = delta_definitions(graph_2_2_2)
    wrong = factored_gradient(graph_2_2_2, "theta^(1)_11").xreplace(
        {delta_symbol(graph_2_2_2, "z^(2)_1"): delta_symbol(graph_2_2_2, "z^(2)_2")}
    )
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
    assert (
        len(gradients) == 8
        and "dJ/dtheta^(1)_11 = delta^(2)_1 * dz^(2)_1/dtheta^(1)_11" in gradients
    )
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
        "delta^(3)_1",
        "delta^(3)_2",
        "delta^(2)_1",
        "delta^(2)_2",
    ]
    assert document["deltas"][0]["latex"] == r"\delta_{1}^{(3)}"
    assert document["deltas"][0]["definition_latex"] == (
        r"\delta_{1}^{(3)} = \frac{\partial J}{\partial a_{1}^{(3)}} "
        r"\frac{\partial a_{1}^{(3)}}{\partial z_{1}^{(3)}}"
    )
    assert document["gradients"] == [
        {
            "parameter": "theta^(2)_12",
            "text": "dJ/dtheta^(2)_12 = delta^(3)_1 * dz^(3)_1/dtheta^(2)_12",
            "latex": r"\frac{\partial J}{\partial \theta_{12}^{(2)}} = \delta_{1}^{(3)} \cdot "
            r"\frac{\partial z_{1}^{(3)}}{\partial \theta_{12}^{(2)}}",
            "local": "dJ/dtheta^(2)_12 = delta^(3)_1 * a^(2)_2",
            "local_latex": r"\frac{\partial J}{\partial \theta_{12}^{(2)}} = \delta_{1}^{(3)} "
            r"\cdot a_{2}^{(2)}",
        }
    ]
    assert document["ops"] == {
        "expanded": {"multiplications": 40, "additions": 4},
        "reverse": {"multiplications": 16, "additions": 2},
        "forward": {"multiplications": 36, "additions": 4},
    }
    assert len(document["factoring"][0]["steps"]) == 2


def test_count_ops(run_cli):
    _, out, _ = run_cli("count", "2-2-2-2-2-2-2-2-2-2-2-2", "--ops", "--json")
    (row,) = json.loads(out)
    assert row["ops"]["expanded"]["multiplications"] == row["terms"] - row["chains"]
    assert (
        row["ops"]["reverse"]["multiplications"]
        < 200
        < 100_000
        < row["ops"]["expanded"]["multiplications"]
    )
    status, text, _ = run_cli("count", "2-2-2", "784-512-512-10", "--ops")
    assert status == 0 and text.splitlines()[0].split()[-6:] == [
        "expanded",
        "ops",
        "reverse",
        "ops",
        "forward",
        "ops",
    ]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["delta", "2-2-2", "--param", "3,1,1"], "no parameter theta^(3)_11 in 2-2-2"),
        (["delta", "100-100-100"], "more than --limit 10,000"),
        (
            ["delta", "10-10-10-10", "--param", "1,1,1", "--limit", "50"],
            "100 chains in the selected",
        ),
        (  # 4,096 chains of 27 terms, written again at each of 13 steps: 11 MB and 3 s
            ["delta", "-".join(["2"] * 14), "--param", "1,1,1"],
            "would write about 1,548,288 terms over their steps, more than the 1,000,000 "
            "(100 a chain) that --limit 10,000 allows; raise it with --limit 15483",
        ),
    ],
)
def test_delta_cli_errors(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "architecture, param",
    [
        ("2-2-2", "1,1,1"),
        ("2-3-3-2", "1,2,1"),
        ("2-2-2-2-2", "1,1,1"),
        ("2-3-2", "2,1,1"),
        ("rnn:1-2-1:3", "U_11"),
        (str(GRAPHS / "residual.json"), "v1"),
    ],
)
def test_the_factoring_estimate_bounds_the_terms_written(architecture, param):
    from chainrule.records.delta import factoring_terms
    from chainrule.records.subject import SubjectRequest, resolve

    subject = resolve(SubjectRequest(architecture))
    (source,) = subject.sources("parameters", [param])
    steps = factoring_steps(subject.graph(), source.name)
    written = sum(
        len(term.items) + (term.head is not None) for step in steps for term in step.terms
    )
    assert written <= factoring_terms(subject, [source]) <= 3 * written


def _delta_latex() -> list[str]:
    strings = []
    for net in [Network([2, 2, 2]), Network([2, 3, 3], cost="softmax-ce", bias=True)]:
        graph = build_graph(net)
        latex = notation_for("latex", graph)
        strings += [
            str(latex.delta_definition(definition, view))
            for definition in define_deltas(graph)
            for view in ("abstract", "local")
        ]
        strings += [
            str(latex.factored_gradient(factor_gradient(graph, p.name), view))
            for p in net.parameters()
            for view in ("abstract", "local")
        ]
        strings += [str(eq) for eq in latex.matrix_form(net)]
        for p in list(net.parameters())[:4]:
            for step in factoring_steps(graph, p.name):
                strings += [side for side in latex.step(step) if side]
    return strings


def test_delta_latex_is_well_formed():
    assert {s: structural_problems(s) for s in _delta_latex() if structural_problems(s)} == {}


@pytest.mark.skipif(
    katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)"
)
def test_delta_latex_renders_in_katex(run_cli):
    _, out, _ = run_cli("delta", "2-2-2", "--format", "latex", "--ops")
    blocks = [block.split("\\[\n", 1)[1] for block in out.split("\\]") if "\\[\n" in block]
    assert len(blocks) == 3
    assert katex_failures(_delta_latex() + blocks) == []


def test_the_python_api_returns_the_record_the_cli_prints(run_cli):
    import chainrule.api as api

    record = api.delta("2-2-2", param=["1,2,2"], ops=True)
    _, out, _ = run_cli("delta", "2-2-2", "--param", "1,2,2", "--ops", "--json")
    assert record.as_dict() == json.loads(out)
    assert [factoring.source.name for factoring in record.factorings] == ["theta^(1)_22"]
