"""Verification: all methods agree, a broken rule is caught, and the CLI's contract holds."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_numeric import autograd_gradients

from chainrule import rules
from chainrule.graph.spec import ACTIVATIONS, Network
from chainrule.numeric.backprop import forward
from chainrule.numeric.case import random_case
from chainrule.records import verify as verify_record
from chainrule.verification.casefile import case_from_dict, save_case
from chainrule.verification.verify import verify


def test_every_method_agrees_on_2_2_2():
    report = verify(random_case(Network([2, 2, 2]), examples=4, seed=0))
    assert report.ok
    for name in ["chain_sum", "delta", "finite_differences", "sympy_diff"]:
        assert report.methods[name].ok is True and report.methods[name].skipped is None


def test_sympy_is_left_out_of_large_cases_and_says_so():
    report = verify(
        random_case(
            Network([4, 6, 6, 3], bias=True, activation="tanh", cost="bce"), examples=4, seed=0
        )
    )
    assert report.ok
    assert report.methods["sympy_diff"].skipped.startswith("left out above 45 parameters")
    assert report.methods["chain_sum"].ok and report.methods["delta"].ok


def test_a_wrong_rule_is_caught(monkeypatch):
    """Break dJ/da of mse the classic way, (y − a)/m: the chain sum and δ must disagree."""
    broken = rules.COSTS["mse"]._replace(derivative=lambda a, y, m: (y - a) / m)
    monkeypatch.setitem(rules.COSTS, "mse", broken)
    report = verify(random_case(Network([2, 2, 2]), examples=3, seed=1))
    assert not report.ok
    assert report.methods["chain_sum"].ok is False and report.methods["delta"].ok is False
    assert report.methods["matrix"].ok is False  # the matrix form reads the same rule
    assert report.methods["finite_differences"].ok is True  # the oracles still agree


def test_case_gradients_match_autograd_and_are_reported_in_case_shapes():
    case = random_case(
        Network([3, 2, 2], bias=True, cost="softmax-ce", activation="relu"), examples=2, seed=4
    )
    report = verify(case)
    _, weights, biases = autograd_gradients(case)
    for method in ["chain_sum", "delta", "backprop", "sympy_diff"]:
        gradients = report.methods[method].gradients
        assert all(
            np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(gradients.weights, weights)
        )
        assert all(
            np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(gradients.biases, biases)
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    activation=st.sampled_from(ACTIVATIONS),
    cost=st.sampled_from(["mse", "se", "bce", "softmax-ce"]),
    bias=st.booleans(),
    examples=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_all_methods_agree_on_random_networks(sizes, activation, cost, bias, examples, seed):
    if cost == "softmax-ce" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]  # softmax-ce needs at least 2 outputs
    case = random_case(
        Network(sizes, bias=bias, activation=activation, cost=cost), examples=examples, seed=seed
    )
    # Finite differences step 1e-4 either side: keep kinked activations away from their kink.
    zs, _ = forward(case.weights, case.biases, case.inputs, case.network.activation)
    assume(activation not in ("relu", "leaky_relu") or all(np.abs(z).min() > 1e-3 for z in zs))
    report = verify(case, methods=("chain_sum", "delta", "finite_differences"))
    reference = report.methods["backprop"].gradients.flat()
    for name in ["chain_sum", "delta", "finite_differences"]:
        got = report.methods[name].gradients.flat()
        assert np.allclose(got, reference, rtol=1e-7, atol=1e-9), name


def test_verify_cli_passes(run_cli):
    status, out, err = run_cli("verify", "2-2-2")
    assert status == 0 and err == ""
    for title in [
        "expanded chain sum",
        "delta (reverse sweep)",
        "numeric backprop",
        "finite differences",
        "sympy.diff",
    ]:
        assert title in out
    assert out.rstrip().endswith("every method computed agrees with numeric backprop")


def test_verify_cli_large_case_lists_every_method(run_cli):
    status, out, _ = run_cli("verify", "4-6-6-3", "--bias", "--activation", "tanh", "--cost", "bce")
    assert status == 0
    assert "sympy.diff" in out and "skipped: left out above 45 parameters" in out
    assert sum(line.endswith(" agrees") for line in out.splitlines()) == 4


def test_verify_cli_json(run_cli):
    status, out, _ = run_cli(
        "verify",
        "2-3-2",
        "--bias",
        "--examples",
        "3",
        "--seed",
        "5",
        "--init-scale",
        "0.5",
        "--json",
    )
    document = json.loads(out)
    assert status == 0 and document["ok"] is True and document["cost"] > 0
    assert set(document["methods"]) == {
        "chain_sum",
        "delta",
        "matrix",
        "backprop",
        "finite_differences",
        "sympy_diff",
    }
    assert document["methods"]["matrix"]["ok"] is True
    assert set(document["methods"]["delta"]) >= {"max_abs_error", "max_rel_error", "skipped"}
    weights = document["gradients"]["backprop"]["weights"]
    assert [np.array(w).shape for w in weights] == [(3, 2), (2, 3)]
    assert np.array(document["gradients"]["delta"]["biases"][1]).shape == (2,)
    assert document["tolerance"]["finite_differences"] == {"rtol": 1e-6, "atol": 1e-9}


def test_verify_cli_exit_1_when_a_method_disagrees(run_cli, monkeypatch):
    broken = rules.ACTIVATIONS["sigmoid"]._replace(derivative=lambda z, a: a * (1 + a))
    monkeypatch.setitem(rules.ACTIVATIONS, "sigmoid", broken)
    status, out, _ = run_cli("verify", "1-1-1", expect=1)
    assert status == 1 and "DISAGREES" in out and "disagree" in out.splitlines()[-1]


def test_save_and_reload_a_case(run_cli, tmp_path):
    path = tmp_path / "case.json"
    _, first, _ = run_cli("verify", "2-2-1", "--seed", "3", "--save-case", str(path), "--json")
    status, again, _ = run_cli("verify", "--case", str(path), "--json")
    assert status == 0
    assert json.loads(first)["gradients"] == json.loads(again)["gradients"]


def test_hand_chosen_case_file_matches_independent_tools(run_cli, tmp_path):
    document = {
        "sizes": [2, 2, 1],
        "activation": "sigmoid",
        "cost": "mse",
        "bias": True,
        "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.7, -0.5]]],
        "biases": [[0.05, -0.1], [0.2]],
        "inputs": [[1.0, 0.0], [0.5, -1.0]],
        "targets": [[1.0], [0.0]],
    }
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(document))
    status, out, _ = run_cli("verify", "--case", str(path), "--json")
    report = json.loads(out)
    from chainrule.verification.casefile import load_case

    _, weights, biases = autograd_gradients(load_case(path))
    assert status == 0 and report["ok"]
    for method in ["chain_sum", "delta", "sympy_diff", "backprop"]:
        got = report["gradients"][method]
        assert all(np.allclose(np.array(g), w, rtol=1e-10) for g, w in zip(got["weights"], weights))
        assert all(np.allclose(np.array(g), b, rtol=1e-10) for g, b in zip(got["biases"], biases))


BROKEN_CASES = [
    ("not json", "is not valid JSON"),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2]], "targets": [[NaN, '
        "1]]}",
        "'targets' holds nan, which is not a finite number",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, Infinity]]], "inputs": [[1, 2]], "targets": '
        "[[0, 1]]}",
        "'weights[0]' holds inf, which is not a finite number",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2, 3], [3, 4, 5]]], "inputs": [[1, 2]], "targets": '
        "[[0, 1]]}",
        "'weights[0]' has shape [2, 3]; layer 1 needs [2, 2]",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2, 3]], "targets": [[0, '
        "1]]}",
        "'inputs' rows have 3 numbers; the input layer has 2",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2]], "targets": [[0, 1, '
        "2]]}",
        "'targets' has shape [1, 3]",
    ),
    (
        '{"sizes": [2, 2], "cost": "hinge", "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2]], '
        '"targets": [[0, 1]]}',
        "unknown cost 'hinge'",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, "x"]]], "inputs": [[1, 2]], "targets": [[0, '
        "1]]}",
        "which is not a number",
    ),
    (
        '{"sizes": [2, 2], "bias": true, "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2]], '
        '"targets": [[0, 1]]}',
        "'bias' is true but the case file has no 'biases'",
    ),
    (
        '{"sizes": [2, 2], "weights": [[[1, 2], [3, 4]]], "inputs": [[1, 2], [3]], "targets": '
        "[[0, 1]]}",
        "rows of different lengths",
    ),
    ("[1, 2]", "a case file holds one JSON object"),
    ('{"sizes": [2, 2]}', "the case file has no 'weights', 'inputs', 'targets'"),
]


@pytest.mark.parametrize("text, message", BROKEN_CASES)
def test_broken_case_files_are_clear_errors(run_cli, tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    status, out, err = run_cli("verify", "--case", str(path), expect=2)
    assert status == 2 and out == ""
    assert err.startswith("chainrule: error: case file ") and err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify"], "give an architecture (ARCH) or a case file (--case FILE)"),
        (["verify", "--case", "/nonexistent/case.json"], "cannot read case file"),
        (
            ["verify", "2-2-2", "--examples", "0"],
            "argument --examples: expected a positive integer",
        ),
        (
            ["verify", "2-2-2", "--init-scale", "-1"],
            "argument --init-scale: expected a number, 0 or more",
        ),
        (
            ["verify", "2-2-2", "--init-scale", "nan"],
            "argument --init-scale: expected a number, 0 or more",
        ),
        (["verify", "2-2-2", "--seed", "x"], "argument --seed: expected a whole number"),
        (["train", "3-2-1"], "--data xor needs 2 inputs and 1 output"),
        (["train", "2-2-1", "--lr", "0"], "argument --lr: expected a positive number"),
        (["train", "2-2-1", "--init", "zeros"], "argument --init: invalid choice: 'zeros'"),
        (["train", "2-2-1", "--data", "/nonexistent.json"], "cannot read data file"),
    ],
)
def test_numeric_cli_errors(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def test_verify_arch_and_case_must_agree(run_cli, tmp_path):
    path = tmp_path / "case.json"
    save_case(random_case(Network([2, 2, 2])), path)
    status, _, err = run_cli("verify", "3-3", "--case", str(path), expect=2)
    assert status == 2 and "disagree" in err


def test_train_xor_drives_the_cost_down(run_cli):
    status, out, _ = run_cli("train", "2-2-1", "--data", "xor", "--bias")  # 2000 epochs
    assert status == 0
    epochs = [line for line in out.splitlines() if line.startswith("epoch")]
    assert len(epochs) == 2001
    costs = [float(line.split()[-1]) for line in epochs]
    assert costs[-1] < costs[0] / 10
    assert "cost went down" in out


def test_train_json_series(run_cli):
    status, out, _ = run_cli("train", "2-2-1", "--epochs", "20", "--json", "--lr", "1")
    document = json.loads(out)
    assert [row["epoch"] for row in document["costs"]] == list(range(21))
    assert document["costs"][-1]["cost"] < document["costs"][0]["cost"]
    assert document["identical_hidden_units"] == []


def test_train_constant_init_keeps_hidden_units_identical(run_cli):
    status, out, _ = run_cli(
        "train", "2-3-1", "--bias", "--init", "constant", "--epochs", "200", "--init-scale", "0.5"
    )
    assert status == 0
    assert "the 3 hidden units of layer 2 are still identical" in out
    assert "Random starting weights (the default) break this symmetry" in out
    _, document, _ = run_cli(
        "train", "2-3-1", "--bias", "--init", "constant", "--epochs", "200", "--json"
    )
    assert json.loads(document)["identical_hidden_units"] == [{"layer": 2, "units": 3}]


def test_train_on_random_data_and_on_a_file(run_cli, tmp_path):
    status, out, _ = run_cli(
        "train", "3-4-2", "--data", "random", "--examples", "6", "--epochs", "30"
    )
    assert status == 0 and "cost went down" in out
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"inputs": [[0.0], [1.0]], "targets": [[1.0], [0.0]]}))
    status, out, _ = run_cli("train", "1-2-1", "--bias", "--data", str(path), "--epochs", "50")
    assert status == 0 and "cost went down" in out


def test_wide_networks_verify_quickly_and_say_what_they_left_out(run_cli):
    status, out, _ = run_cli("verify", "200-200-200")
    assert status == 0
    assert "skipped: the graph has 160,600 edges, more than the 50,000" in out
    assert "agrees (on 2,000 parameters sampled (seed 0))" in out


def test_a_diverging_run_reports_without_numpy_warnings(run_cli):
    status, out, err = run_cli("train", "2-2-1", "--epochs", "3", "--lr", "1e6")
    assert status == 0 and err == "" and "cost went up" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "2-2-1", "--cost", "bce", "--init-scale", "1000"],
        ["verify", "2-2-1", "--cost", "bce", "--init-scale", "1000", "--wrt", "inputs"],
        ["verify", "2-2-3", "--cost", "softmax-ce", "--init-scale", "1000"],
        ["verify", "2-2-2", "--init-scale", "1000"],
        ["verify", "rnn:1-2-2:2", "--cost", "softmax-ce", "--init-scale", "100"],
    ],
)
def test_saturated_outputs_verify_finite_and_agree(run_cli, argv):
    """At saturated outputs the cost comes from the logits (softplus(z) − y z, a log-sum-exp)
    and the δ sweep starts there: J and every gradient are finite and agree (exit 0), and the
    chain sum, whose dJ/da divides by zero there, is left out saying so."""
    _, out, err = run_cli(*argv, "--json")
    document = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert err == "" and document["ok"] is True and np.isfinite(document["cost"])
    assert document["methods"]["delta"]["ok"] is True


def test_the_cost_of_a_saturated_output_is_the_fused_loss():
    """At z = 40 and y = 0, J = softplus(40) = 40, as the frameworks' fused losses give it."""
    case = case_from_dict(
        {"sizes": [1, 1], "cost": "bce", "weights": [[[40.0]]], "inputs": [[1.0]], "targets": [[0]]}
    )
    record = verify_record.compute(verify_record.request(case=case))
    assert record.ok and record.cost == pytest.approx(40.0, rel=1e-15)
    assert record.parameter_gradients() == [("theta^(1)_11", 40.0, 1.0)]


def test_non_finite_numbers_never_pass(run_cli, tmp_path):
    """A NaN gradient or an infinite cost is a failure, never an agreement (exit 1)."""
    huge = tmp_path / "huge.json"
    huge.write_text(
        json.dumps(
            {
                "sizes": [1, 1, 1],
                "activation": "identity",
                "weights": [[[1e200]], [[1e200]]],
                "inputs": [[1.0]],
                "targets": [[0.0]],
            }
        )
    )
    argv = ["verify", "--case", str(huge)]
    status, out, err = run_cli(*argv, expect=1)
    assert status == 1 and err == "" and "the cost is not finite" in out
    status, out, _ = run_cli(*argv, "--json", expect=1)
    document = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert status == 1 and document["ok"] is False


def test_a_nan_among_the_gradients_is_a_disagreement():
    from chainrule.verification.verify import EXACT, Gradients, MethodResult, _compare

    reference = Gradients([np.array([[1.0, 2.0]])], None)
    result = MethodResult(
        "chain_sum", Gradients([np.array([[1.0, np.nan]])], None), tolerance=EXACT
    )
    _compare(result, reference)
    assert result.ok is False and result.max_abs_error == float("inf")


def test_sampled_finite_differences_compare_only_the_sample(monkeypatch):
    import chainrule.verification.verify as verify_module

    monkeypatch.setattr(verify_module, "MAX_FINITE_DIFFERENCES", 5)
    report = verify_module.verify(random_case(Network([3, 4, 2]), examples=2, seed=0))
    result = report.methods["finite_differences"]
    assert result.note == "on 5 parameters sampled (seed 0)"
    assert int(result.compared.sum()) == 5 and result.ok is True


# --- the budget: every method priced before anything is built ------------------------------


def test_sympy_is_left_out_of_large_networks_by_their_inputs_too():
    """--wrt inputs differentiates the same composed cost: the same rule leaves it out."""
    report = verify(random_case(Network([10, 10, 10, 10]), seed=0), wrt="inputs")
    assert report.methods["sympy_diff"].skipped.startswith("left out above 45 parameters")
    assert report.ok and report.methods["delta"].ok and report.methods["chain_sum"].ok
    small = verify(random_case(Network([2, 3, 2]), seed=1), wrt="inputs")
    assert small.methods["sympy_diff"].ok is True  # within the budget, it still runs


def test_a_method_left_out_builds_nothing(monkeypatch):
    """Past the graph's budget nothing of the graph is made: no graph, no leaf symbols."""
    import chainrule.verification.verify as verify_module

    def refuse(*args, **kwargs):
        raise AssertionError("built for a method that is left out")

    monkeypatch.setattr(verify_module, "MAX_EDGES_EVALUATED", 10)
    for name in ("build_graph", "case_leaf_values", "evaluate_edges"):
        monkeypatch.setattr(verify_module, name, refuse)
    report = verify_module.verify(random_case(Network([4, 5, 6, 3]), examples=2, seed=2))
    assert report.methods["delta"].skipped.startswith("the graph has 153 edges, more than the 10")
    assert report.methods["finite_differences"].ok is True and report.ok


def test_finite_differences_are_priced_by_passes_and_layers(monkeypatch):
    """A deep narrow network costs little arithmetic but a pass's overhead per layer: its
    finite differences take the sample that fits, say so, and agree where they are taken."""
    from chainrule import budget

    network = Network([2] * 200)
    per_source = 4 * budget.forward_pass_work(network.sizes, 4)
    report = verify(random_case(network, seed=3))
    result = report.methods["finite_differences"]
    fits = budget.MAX_FINITE_DIFFERENCE_WORK // per_source
    assert fits < network.parameter_count == 796
    assert result.note == (
        f"on {fits} parameters sampled (seed 0); all 796 would take 3,184 forward passes "
        "through 199 weight layers"
    )
    assert int(result.compared.sum()) == fits and result.ok is True


def test_a_graph_whose_derivatives_cost_too_much_is_checked_by_what_fits():
    """A formula of 300 weights: SymPy would walk it once per edge, so the chain sum and the δ
    sweep are left out, sympy.diff too; finite differences are the reference, on a sample."""
    import sympy as sp

    from chainrule.graph.dag import Dag, sigmoid
    from chainrule.verification.verify import random_leaf_values

    dag = Dag()
    x, y = dag.input("x"), dag.target("y")
    weights = [dag.parameter(f"w{i}") for i in range(300)]
    dag.cost((sigmoid(sp.Add(*(w * x**i for i, w in enumerate(weights)))) - y) ** 2 / 2)
    graph = dag.build()
    sources = [f"w{i}" for i in range(300)]
    report = verify(graph, sources, random_leaf_values(graph, 2, seed=1), 2, "wide")
    assert report.reference == "finite_differences"
    for method in ("chain_sum", "delta"):
        assert report.methods[method].skipped.startswith("its local derivatives take SymPy")
    assert "differentiating it for 300 sources" in report.methods["sympy_diff"].skipped
    note = report.methods["finite_differences"].note
    assert "parameters sampled (seed 0); all 300 would take 1,200 forward passes" in note


def test_a_graph_past_max_graph_is_left_out_naming_it():
    report = verify(random_case(Network([2, 2, 2]), seed=0), max_graph=10)
    for method in ("chain_sum", "delta", "sympy_diff"):
        assert report.methods[method].skipped == (
            "the graph would have 41 nodes and edges, more than max_graph=10; raise it with "
            "max_graph=41"
        )
    assert report.methods["finite_differences"].ok is True and report.ok


def test_verify_of_any_size_is_priced_within_its_budget(run_cli):
    """The cases that once ran for minutes: each method that runs is within its estimate."""
    status, out, _ = run_cli("verify", "500-500-10", "--json")
    methods = json.loads(out)["methods"]
    assert status == 0 and methods["finite_differences"]["ok"] is True
    assert methods["finite_differences"]["note"].startswith("on ")
    assert "would take 1,020,000 forward passes" in methods["finite_differences"]["note"]
    assert methods["delta"]["skipped"].startswith("the graph has 510,520 edges")


def test_the_python_api_returns_the_record_the_cli_prints(run_cli, tmp_path):
    import chainrule.api as api
    from chainrule.errors import SpecError

    def timeless(document):
        for result in document["methods"].values():
            result.pop("seconds")
        return document

    record = api.verify("2-3-1", seed=3, examples=2)
    _, out, _ = run_cli("verify", "2-3-1", "--seed", "3", "--examples", "2", "--json")
    assert timeless(json.loads(json.dumps(record.as_dict()))) == timeless(json.loads(out))
    case = random_case(Network([2, 2, 1]), seed=7)
    given = api.verify(case=case)
    assert given.ok and given.origin == "the case given" and given.case is case
    path = tmp_path / "case.json"
    save_case(case, path)
    assert api.verify(case=str(path)).as_dict()["gradients"] == given.as_dict()["gradients"]
    with pytest.raises(SpecError, match="seed draws a random case: drop it, or leave out case$"):
        api.verify("2-2-1", case=str(path), seed=4)


def test_train_json_has_no_nan(run_cli):
    status, out, _ = run_cli(
        "train", "2-2-1", "--activation", "identity", "--epochs", "5", "--lr", "1e6", "--json"
    )
    document = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert status == 0 and document["costs"][-1]["cost"] is None


# --- the evaluator that stands in for lambdify --------------------------------------------------


def _lambdified(expression, values):
    import sympy as sp

    symbols = sorted(expression.free_symbols, key=str)
    return sp.lambdify(symbols, expression, "numpy")(*(values[s] for s in symbols))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_evaluator_matches_lambdify_on_every_rule(name):
    import sympy as sp

    from chainrule.verification.evaluate import evaluate

    z, a, y, m = sp.symbols("z a y m", real=True)
    values = {
        z: np.array([-1.5, -0.2, 0.3, 2.0]),
        y: np.array([0.0, 1.0, 0.25, 0.5]),
        m: np.full(4, 4.0),
    }
    rule = rules.ACTIVATIONS[name]
    values[a] = evaluate(rule.function(z), values)
    formulas = [rule.function(z), rule.derivative(z, a)]
    formulas += [cost.per_output(sp.Symbol("p", real=True), y, m) for cost in rules.COSTS.values()]
    values[sp.Symbol("p", real=True)] = np.array([0.1, 0.4, 0.6, 0.9])
    for formula in formulas:
        expected = np.broadcast_to(_lambdified(formula, values), (4,))
        np.testing.assert_allclose(evaluate(formula, values), expected, rtol=1e-14, atol=0)


def test_the_evaluator_falls_back_to_lambdify_for_other_functions():
    import sympy as sp

    from chainrule.verification.evaluate import evaluate

    z = sp.Symbol("z", real=True)
    formula = sp.atan(z) * sp.asinh(z) + sp.Piecewise((z, z > 1), (-z, z < -1))
    values = {z: np.array([-2.0, 0.5, 3.0])}
    got = evaluate(formula, values)
    assert np.isnan(got[1])  # no branch of the Piecewise holds at 0.5
    np.testing.assert_allclose(got[[0, 2]], _lambdified(formula, values)[[0, 2]], rtol=1e-14)


def test_a_graph_with_any_sympy_function_verifies():
    import sympy as sp

    from chainrule.graph.dag import Dag
    from chainrule.verification.verify import random_leaf_values

    dag = Dag()
    x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
    h = dag.node("h", sp.atan(w * x) + sp.sin(x))
    dag.cost((h - y) ** 2 / 2)
    graph = dag.build()
    report = verify(graph, ["w", "x"], random_leaf_values(graph, 3, seed=1), 3, "atan")
    assert report.ok and report.methods["chain_sum"].max_rel_error < 1e-12


def test_a_wide_weighted_input_is_summed_as_its_formula_says():
    """Past WIDE_FAN_IN inputs, the forward pass adds z's terms from the graph instead of
    building its SymPy sum: the two must agree, with a bias and without."""
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import Network
    from chainrule.graph.symbols import node_symbol
    from chainrule.numeric.case import random_case
    from chainrule.verification.evaluate import evaluate
    from chainrule.verification.verify import (
        WIDE_FAN_IN,
        case_leaf_values,
        forward_pass,
        value_formula,
    )

    for bias in (False, True):
        network = Network([WIDE_FAN_IN + 6, 3], bias=bias)
        graph = build_graph(network)
        leaves = case_leaf_values(random_case(network, examples=3, seed=4))
        fast = forward_pass(graph, leaves, 3)
        for j in (1, 2, 3):
            name = f"z^(2)_{j}"
            slow = evaluate(value_formula(graph, name), leaves, {})
            assert np.allclose(fast[node_symbol(name)], slow, rtol=1e-13, atol=0)


# -- the matrix form: the batch equations evaluated in numpy, at any width ----------------------


def test_the_matrix_form_verifies_a_real_width_against_backprop():
    """784-512-512-10 at m = 8 has no scalar graph to evaluate: the matrix form equals numeric
    backprop, the oracle that shares no code with it, to 1e-9 of the largest gradient."""
    record = verify_record.compute(verify_record.VerifyRequest.of("784-512-512-10", examples=8))
    matrix, reference = record.methods["matrix"], record.methods["backprop"]
    scale = float(np.max(np.abs(reference.gradients.flat())))
    assert matrix.ok is True and matrix.skipped is None and scale > 0.01
    assert matrix.max_abs_error <= 1e-9 * scale
    assert [g.shape for g in matrix.gradients.weights] == [(512, 784), (512, 512), (10, 512)]
    assert record.methods["delta"].skipped.startswith("the graph has 1,338,388 edges")


@pytest.mark.parametrize(
    "architecture, options",
    [
        ("rnn:1-2-1:3", {"bias": True}),
        ("rnn:2-3-2:2", {"cost": "softmax-ce", "activation": "tanh"}),
        ("resnet:2x3", {"bias": True, "activation": "tanh"}),
        ("examples/graphs/indexed.json", {}),
    ],
)
@pytest.mark.parametrize("wrt", ["parameters", "inputs"])
def test_the_matrix_form_verifies_graphs_whose_names_group(architecture, options, wrt):
    record = verify_record.compute(
        verify_record.VerifyRequest.of(architecture, wrt=wrt, seed=2, **options)
    )
    matrix = record.methods["matrix"]
    assert record.ok and matrix.ok is True, matrix.skipped
    assert set(matrix.gradients.values) == set(record.source_gradients())


def test_the_matrix_form_says_why_it_is_left_out():
    with np.errstate(all="ignore"):  # the saturated case overflows, as it should
        saturated = verify(random_case(Network([2, 2, 1], cost="bce"), seed=0, init_scale=1000))
    assert saturated.methods["matrix"].skipped.startswith("an output is exactly 0 or 1")
    from chainrule.verification.verify import _matrix_left_out

    deep = random_case(Network([1] * 4_200), examples=2)
    assert _matrix_left_out(deep).startswith("its 4,199 weight layers' batch equations")
    graph = verify_record.compute(verify_record.VerifyRequest.of("examples/graphs/mazur.json"))
    assert graph.methods["matrix"].skipped.startswith("the cost is the graph's own formula")
