"""Any computation graph: DAGs in Python and in graph files, and gradients by the inputs."""

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import sympy as sp

import chainrule
from chainrule.calculus.counting import operation_counts
from chainrule.calculus.delta import factoring_steps, proves_equal_to_path_sum, step_expression
from chainrule.calculus.symbolic import composed_cost, is_identically_zero, node_symbol
from chainrule.graph.build import build_graph
from chainrule.graph.chains import iter_chains
from chainrule.graph.dag import Dag, mlp, sigmoid, tanh
from chainrule.graph.graphfile import dag_from_document, load_graph_file, parse_formula
from chainrule.graph.paths import iter_paths, path_counts
from chainrule.graph.spec import Network, SpecError
from chainrule.notation.gradient import Gradient
from chainrule.verification.verify import random_leaf_values, verify

GRAPHS = Path(__file__).resolve().parent.parent / "examples" / "graphs"


def residual_block():
    """z = θ·a + a_prev: the block's output adds its input back."""
    dag = Dag()
    x, w, theta, y = dag.input("x"), dag.parameter("w"), dag.parameter("theta"), dag.target("y")
    a_prev = dag.node("a_prev", tanh(w * x))
    a = dag.node("a", sigmoid(a_prev))
    z = dag.node("z", theta * a + a_prev)
    dag.cost((z - y) ** 2 / 2)
    return dag.build()


def input_skip():
    """A skip connection from the input straight to the output layer."""
    dag = Dag()
    x1, x2 = dag.input("x1"), dag.input("x2")
    w1, w2, v, s = (dag.parameter(n) for n in ("w1", "w2", "v", "s"))
    y = dag.target("y")
    h = dag.node("h", sigmoid(w1 * x1 + w2 * x2))
    o = dag.node("o", sigmoid(v * h + s * x1))
    dag.cost(-(y * sp.log(o) + (1 - y) * sp.log(1 - o)))
    return dag.build()


def tied():
    """One weight on two edges."""
    dag = Dag()
    x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
    h = dag.node("h", tanh(w * x))
    o = dag.node("o", sigmoid(w * h))
    dag.cost((o - y) ** 2 / 2)
    return dag.build()


BUILDERS = {
    "residual": residual_block,
    "skip": input_skip,
    "tied": tied,
    "residual.json": lambda: load_graph_file(str(GRAPHS / "residual.json")),
    "tied.json": lambda: load_graph_file(str(GRAPHS / "tied.json")),
}


def _sources(graph):
    return [n for n, kind in graph.nodes(data="kind") if kind in ("param", "input")]


@pytest.mark.parametrize("name", BUILDERS)
def test_counts_match_brute_force(name):
    graph = BUILDERS[name]()
    counts = path_counts(graph)
    for source in _sources(graph):
        ours = list(iter_paths(graph, source))
        brute = [tuple(p) for p in nx.all_simple_paths(graph, source, graph.graph["cost"])]
        assert sorted(ours) == sorted(brute)
        assert counts[source] == (len(brute), sum(len(p) - 1 for p in brute))


@pytest.mark.parametrize("name", BUILDERS)
def test_chain_sums_equal_sympy_diff_exactly(name):
    graph = BUILDERS[name]()
    cost = composed_cost(graph)
    for source in _sources(graph):
        closed = Gradient(graph, source).closed()
        assert is_identically_zero(closed - sp.diff(cost, node_symbol(source))), source


@pytest.mark.parametrize("name", BUILDERS)
def test_delta_factoring_is_proven_on_every_step(name):
    graph = BUILDERS[name]()
    for source in _sources(graph):
        assert proves_equal_to_path_sum(graph, source)
        for step in factoring_steps(graph, source):
            assert proves_equal_to_path_sum(graph, source, step_expression(graph, step))
            if step.grouped:
                assert proves_equal_to_path_sum(graph, source, step.grouped_expression())
        assert factoring_steps(graph, source)[-1].terms[0].head is not None


@pytest.mark.parametrize("name", BUILDERS)
def test_verification_against_finite_differences_and_sympy(name):
    graph = BUILDERS[name]()
    report = verify(graph, _sources(graph), random_leaf_values(graph, 3, seed=5), 3, name)
    assert report.ok and report.reference == "sympy_diff"
    assert {n: r.ok for n, r in report.methods.items() if n != "sympy_diff"} == {
        "chain_sum": True,
        "delta": True,
        "matrix": None,  # these graphs' own formulas have no matrix form, which it says
        "finite_differences": True,
    }
    assert "formula" in report.methods["matrix"].skipped


def test_shared_weight_chains_are_the_union_over_its_uses():
    graph = tied()
    assert [str(c) for c in iter_chains(graph, "w")] == ["dJ/do * do/dh * dh/dw", "dJ/do * do/dw"]
    assert path_counts(graph)["w"] == (2, 5)


def test_residual_block_has_both_paths():
    graph = residual_block()
    assert [str(c) for c in iter_chains(graph, "w")] == [
        "dJ/dz * dz/da * da/da_prev * da_prev/dw",
        "dJ/dz * dz/da_prev * da_prev/dw",
    ]
    assert str(graph.edges["a_prev", "z"]["factor"]) == "dz/da_prev"


def test_operation_counts_on_a_dag():
    ops = operation_counts(input_skip())
    assert ops.expanded == (
        sum(t - c for c, t in [path_counts(input_skip())[p] for p in ("w1", "w2", "v", "s")]),
        0,
    )
    assert ops.reverse.multiplications < ops.forward.multiplications + ops.expanded.multiplications


@pytest.mark.parametrize(
    "sizes, bias", [((2, 2, 2), False), ((2, 3, 2), True), ((3, 2, 2, 1), False)]
)
def test_mlp_through_the_dag_api_matches_the_layered_builder_term_for_term(sizes, bias):
    layered = build_graph(Network(sizes, bias=bias))
    through_dag = mlp(sizes, bias=bias).build()
    assert path_counts(layered) == path_counts(through_dag)
    for parameter in Network(sizes, bias=bias).parameters():
        ours = [[f.as_dict() for f in c] for c in iter_chains(through_dag, parameter.name)]
        assert ours == [[f.as_dict() for f in c] for c in iter_chains(layered, parameter.name)]
        difference = (
            Gradient(through_dag, parameter.name).closed()
            - Gradient(layered, parameter.name).closed()
        )
        assert is_identically_zero(difference)
    assert operation_counts(layered) == operation_counts(through_dag)


@pytest.mark.parametrize(
    "problem, message",
    [
        (lambda d: d.node("h", "sigmoid(x)"), "the formula of 'h' is text"),
        (lambda d: d.node("h", sp.Symbol("q", real=True)), "uses q, not declared before it"),
        (lambda d: d.input("x"), "'x' is declared twice"),
        (lambda d: d.node("h", [1, 2]), "is a list, not a SymPy expression"),
        (lambda d: d.input("two words"), "invalid node name"),
    ],
)
def test_dag_api_errors(problem, message):
    dag = Dag()
    dag.input("x")
    with pytest.raises(SpecError, match=message):
        problem(dag)


def test_a_graph_needs_a_cost_and_every_node_must_reach_it():
    dag = Dag()
    x, w = dag.input("x"), dag.parameter("w")
    with pytest.raises(SpecError, match="no cost"):
        dag.build()
    dag.parameter("unused")
    dag.cost((w * x) ** 2)
    with pytest.raises(SpecError, match="unused never reaches the cost"):
        dag.build()


@pytest.mark.parametrize(
    "text, message",
    [
        ("sigmoid(w", "the formula ends where ')' was expected in \"sigmoid(w\""),
        ("w x", "unexpected 'x' at position 2: expected an operator or the end of the formula"),
        ("foo(w)", "unknown function 'foo' at position 0"),
        ("w + q", "unknown name 'q' at position 4"),
        (
            "__import__('os').system('x')",
            "unexpected '_' at position 0: expected a number, a name, a function or '('",
        ),
        ("w.real", "unexpected '.' at position 1"),
        ("lambda: 0", "unknown name 'lambda' at position 0"),
        ("w :", "unexpected ':' at position 2"),
        ("", "nothing to read"),
        ("w" * 20_001, "longer than the 20,000 allowed"),
    ],
)
def test_formula_errors_name_the_offending_text(text, message):
    with pytest.raises(SpecError) as error:
        parse_formula(text, {"w": node_symbol("w")})
    assert message in str(error.value)


def test_formulas_parse_to_the_expected_expressions():
    w, x = node_symbol("w"), node_symbol("x")
    names = {"w": w, "x": x}
    assert parse_formula("-w^2 + 3*x/2", names) == -(w**2) + sp.Rational(3, 2) * x
    assert parse_formula("2**-w", names) == 2 ** (-w)
    assert parse_formula("tanh((w - x) * 0.25)", names) == sp.tanh((w - x) / 4)
    assert parse_formula("log(exp(x))", names) == x


@pytest.mark.parametrize(
    "document, message",
    [
        ([], "a graph file holds one JSON object"),
        (
            {"inputs": ["x"], "parameters": ["w"], "cost": "w*x", "layers": 3},
            "unknown field 'layers'",
        ),
        (
            {"inputs": ["x"], "parameters": ["w"], "nodes": {"h": "w*q"}, "cost": "h"},
            "node 'h': unknown name 'q'",
        ),
        ({"inputs": ["x"], "parameters": ["w"], "nodes": {"h": "w*x"}}, "has no 'cost'"),
        ({"inputs": ["sigmoid"], "parameters": ["w"], "cost": "w"}, "not a usable name"),
        (
            {"inputs": ["x"], "parameters": ["w"], "cost": "w*x + eval(x)"},
            "cost: unknown function 'eval'",
        ),
        (
            {"inputs": ["x"], "parameters": ["w"], "nodes": {"h": 3}, "cost": "h"},
            "a formula must be text",
        ),
    ],
)
def test_graph_file_errors(document, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dag_from_document(document).build()


def test_graph_file_cli(run_cli, tmp_path):
    path = str(GRAPHS / "tied.json")
    status, out, _ = run_cli("count", path, "--json", "--ops")
    (row,) = json.loads(out)
    assert (row["architecture"], row["parameters"], row["chains"], row["terms"]) == (
        "tied.json",
        2,
        4,
        10,
    )
    status, out, _ = run_cli("chains", path, "--param", "w")
    assert out.splitlines() == [
        "dJ/dw: 2 chains, 5 terms",
        "  dJ/dout * dout/dh * dh/dw",
        "  dJ/dout * dout/dw",
    ]
    status, out, _ = run_cli("delta", path, "--param", "w")
    assert status == 0 and out.splitlines()[-1].strip().startswith("= delta_h * ")
    status, out, _ = run_cli("verify", path)
    assert status == 0 and out.rstrip().endswith("every method computed agrees with sympy.diff")
    status, out, _ = run_cli("verify", path, "--wrt", "inputs", "--json")
    assert json.loads(out)["ok"] is True and set(json.loads(out)["gradients"]["delta"]) == {"x"}
    pytest.importorskip("matplotlib")
    status, out, _ = run_cli("draw", path, "--param", "b", "--delta", "-o", str(tmp_path / "g.svg"))
    assert status == 0 and (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["chains", "missing.json"], "cannot read graph file 'missing.json'"),
        (
            ["chains", str(GRAPHS / "tied.json"), "--param", "q"],
            "no parameter 'q' in tied.json; it has w, b",
        ),
        (
            ["verify", str(GRAPHS / "tied.json"), "--case", "tests/golden/cases/tanh-2-2-1.json"],
            "describes a layered network; a graph's case names its leaves",
        ),
    ],
)
def test_graph_file_cli_errors(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def test_a_broken_graph_file_is_one_line(run_cli, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps({"inputs": ["x"], "parameters": ["w"], "nodes": {"h": "w*x)"}, "cost": "h"})
    )
    status, _, err = run_cli("count", str(path), expect=2)
    assert status == 2 and err == (
        f"chainrule: error: graph file '{path}': node 'h': unexpected ')' "
        'at position 3: expected an operator or the end of the formula in "w*x)"\n'
    )


def test_input_gradients_on_layered_networks(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--wrt", "inputs")
    assert status == 0 and out.splitlines()[0] == "dJ/dx_1: 4 chains, 20 terms"
    graph = build_graph(Network([2, 2, 2]))
    assert (
        path_counts(graph)["x_1"]
        == (4, 20)
        == chainrule.calculus.counting.count_input(Network([2, 2, 2]))
    )
    assert proves_equal_to_path_sum(graph, "x_2")
    report = verify(
        chainrule.numeric.case.random_case(
            Network([3, 4, 2], bias=True, cost="softmax-ce"), examples=3, seed=2
        ),
        wrt="inputs",
    )
    assert report.ok and report.reference == "backprop"
    assert np.asarray(report.methods["delta"].gradients.values["x_1"]).shape == (3,)
    status, out, _ = run_cli("verify", "2-3-2", "--wrt", "inputs", "--examples", "2")
    assert status == 0 and "every method computed agrees with numeric backprop" in out
    status, out, _ = run_cli("delta", "2-2-2", "--wrt", "inputs")
    assert "= delta^(2)_1 * theta^(1)_11 + delta^(2)_2 * theta^(1)_21" in out


def test_graph_latex_is_valid(run_cli):
    from latex_check import katex_failures, katex_module_dir, structural_problems

    from chainrule.calculus.delta import define_deltas, factor_gradient
    from chainrule.notation import notation_for

    strings = []
    for name in BUILDERS:
        graph = BUILDERS[name]()
        latex = notation_for("latex", graph)
        for source in _sources(graph):
            chains = list(iter_chains(graph, source))
            strings += [latex.gradient(source, chains, view) for view in ("abstract", "local")]
            strings += [
                str(latex.factored_gradient(factor_gradient(graph, source), view))
                for view in ("abstract", "local")
            ]
        strings += [
            str(latex.delta_definition(definition, view))
            for definition in define_deltas(graph)
            for view in ("abstract", "local")
        ]
    _, out, _ = run_cli(
        "chains", str(GRAPHS / "residual.json"), "--format", "latex", "--view", "local"
    )
    strings += [block.split("\\[\n", 1)[1] for block in out.split("\\]") if "\\[\n" in block]
    assert {s: structural_problems(s) for s in strings if structural_problems(s)} == {}
    if katex_module_dir() is not None:
        assert katex_failures(strings) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("(" * 200 + "w" + ")" * 200, "nesting deeper than 100 levels"),
        ("-" * 9000 + "w", "nesting deeper than 100 levels"),
        ("w*x/0", "an undefined value (a division by zero or the log of 0)"),
        ("w + log(0)", "an undefined value"),
        ("w*1e400", "the number 1e400 at position 2 is too large"),
        ("w*2^2^2^2^2^2", "an exponent larger than 100"),
    ],
)
def test_formulas_that_would_crash_or_hang_are_refused(text, message):
    with pytest.raises(SpecError) as error:
        parse_formula(text, {"w": node_symbol("w"), "x": node_symbol("x")})
    assert message in str(error.value) and len(str(error.value)) < 300


def test_writing_over_a_directory_and_huge_case_numbers_are_clear_errors(run_cli, tmp_path):
    status, _, err = run_cli("verify", "2-2-2", "--save-case", str(tmp_path), expect=2)
    assert status == 2 and err == f"chainrule: error: cannot write '{tmp_path}': Is a directory\n"
    case = tmp_path / "case.json"
    case.write_text(
        '{"sizes": [1, 1], "weights": [[[1]]], "inputs": [[1' + "0" * 400 + ']], "targets": [[0]]}'
    )
    status, _, err = run_cli("verify", "--case", str(case), expect=2)
    assert status == 2 and "holds a number too large for a float" in err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    status, _, err = run_cli("count", str(deep), expect=2)
    assert status == 2 and "is nested too deeply to read" in err


def test_a_graph_without_inputs_says_so(run_cli, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"parameters": ["w"], "targets": ["y"], "cost": "(w - y)^2"}))
    status, _, err = run_cli("verify", str(path), "--wrt", "inputs", expect=2)
    assert status == 2 and err == "chainrule: error: g.json has no inputs\n"
