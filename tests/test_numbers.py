"""Numbers in the chains and the δ steps: ``chains --view numbers`` and ``delta`` with a case.

Every number they write is checked against HIPS autograd, through the programs of
tests/test_values.py (written from the documented equations, sharing nothing with chainrule
but the names), and against ``values``: a factor's value is autograd's derivative of its node's
function, a chain's value its product summed over the examples, the gradient (the sum of the
chains) autograd's ∂J/∂source, every δ autograd's ∂J/∂node.
"""

import json
import re

import numpy as np
import pytest

import chainrule.api as api
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.spec import Network
from chainrule.notation.numbers import figure
from chainrule.numeric.case import random_case

pytest.importorskip("autograd")
from test_values import (
    GRAPH_CASES,
    LAYERED,
    TOLERANCE,
    graph_file_program,
    layered_program,
    resnet_program,
    rnn_program,
)

MAZUR = ("examples/graphs/mazur.json", "--case", "examples/cases/mazur.json")


def close(got, expected) -> bool:
    return bool(np.allclose(got, expected, **TOLERANCE))


def check_chains(record, program, values_record) -> None:
    """Every factor, chain and gradient of a numbers view against autograd and values."""
    values, deltas = program.numbers()
    gradients = values_record.as_dict()["gradients"]
    document = record.as_dict()
    assert document, "no gradient was written"
    for entry in document:
        source = entry["parameter"]
        total = 0.0
        for chain in entry["chains"]:
            product = np.ones(program.m)
            for factor in chain["factors"]:
                expected = program.factor(factor["of"], factor["wrt"], values)
                assert close(factor["value"], expected), (source, factor)
                product = product * np.asarray(factor["value"])
            assert close(chain["per_example"], product), (source, chain)
            assert chain["value"] == pytest.approx(float(product.sum()), rel=1e-12, abs=1e-12)
            total += chain["value"]
        assert entry["gradient"] == pytest.approx(total, rel=1e-12, abs=1e-12)
        expected = float(np.sum(deltas[source]))
        assert entry["gradient"] == pytest.approx(expected, rel=1e-12, abs=1e-12), source
        if source in gradients:
            assert entry["gradient"] == pytest.approx(gradients[source], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("network", LAYERED, ids=lambda n: f"{n.architecture}-{n.cost}")
@pytest.mark.parametrize("examples", [1, 3])
@pytest.mark.parametrize("wrt", ["parameters", "inputs"])
def test_layered_chain_numbers_agree_with_autograd_and_values(network, examples, wrt):
    case = random_case(network, examples=examples, seed=examples + 7)
    record = api.chains(case=case, view="numbers", wrt=wrt)
    check_chains(record, layered_program(case), api.values(case=case))


@pytest.mark.parametrize("path, values", GRAPH_CASES, ids=lambda p: str(p)[:30])
def test_graph_file_chain_numbers_agree_with_autograd(path, values):
    values = values.get("values", values)
    case = api.case(path, values)
    record = api.chains(path, case=case, view="numbers")
    check_chains(record, graph_file_program(path, values), api.values(path, case=case))


def _leaves(record):
    """A drawn values record's leaves, as a case of named leaves takes them."""
    return {
        name: (row if record.kind_of(name) == "input" else row[0])
        for name, row in record.as_dict()["forward"].items()
        if record.kind_of(name) in ("input", "param")
    }


def test_rnn_and_resnet_chain_numbers_agree_with_autograd():
    options = {"bias": True, "activation": "tanh,sigmoid"}
    drawn = api.values("rnn:2-2-1:2", examples=2, seed=3, **options)
    leaves = {**_leaves(drawn), "y^(2)_1": [0.25, 0.75]}
    case = api.case("rnn:2-2-1:2", leaves, **options)
    record = api.chains("rnn:2-2-1:2", case=case, view="numbers", **options)
    program = rnn_program(2, 2, 1, 2, leaves)
    check_chains(record, program, api.values("rnn:2-2-1:2", case=case, **options))

    options = {"activation": "tanh,sigmoid", "cost": "bce"}
    drawn = api.values("resnet:2x2", examples=2, seed=4, **options)
    leaves = {**_leaves(drawn), "y_1": [1.0, 0.0]}
    case = api.case("resnet:2x2", leaves, **options)
    record = api.chains("resnet:2x2", case=case, view="numbers", wrt="inputs", **options)
    program = resnet_program(2, 2, leaves)
    check_chains(record, program, api.values("resnet:2x2", case=case, **options))


def test_the_mazur_chain_reads_as_the_post_writes_it(run_cli):
    _, out, _ = run_cli("chains", *MAZUR, "--param", "w5", "--view", "numbers")
    assert out.splitlines()[2:] == [
        "dJ/dw5: 1 chain, 4 terms",
        "  dE_total/dE_o1 * dE_o1/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
        "    = 1 * 0.741365 * 0.186816 * 0.593270 = 0.082167",
        "  dE_total/dw5 = 0.082167",
    ]
    _, out, _ = run_cli(
        "chains", *MAZUR, "--param", "w5", "--view", "numbers", "--format", "unicode"
    )
    assert "    = 1 · 0.741365 · 0.186816 · 0.593270 = 0.082167" in out.splitlines()


def test_several_examples_say_what_is_summed(run_cli):
    _, out, _ = run_cli("chains", "1-1", "--view", "numbers", "--examples", "2", "--seed", "1")
    lines = out.splitlines()
    assert "summed over the 2 examples" in lines[0]
    assert lines[4].endswith("(example 1)") and lines[5].endswith("(example 2)")
    assert lines[6].endswith("(summed over the 2 examples)")
    record = api.chains("1-1", view="numbers", examples=2, seed=1)
    ((chain,),) = [group.numbers.chains for group in record.groups()]
    assert lines[6].split(" = ")[-1].split()[0] == f"{chain.value:.6f}"


def test_the_json_is_the_record_and_streams_the_same(run_cli):
    for arguments in (
        ("2-2-2", "--view", "numbers", "--param", "1,1,1", "--examples", "2"),
        (*MAZUR, "--view", "numbers"),
    ):
        _, out, _ = run_cli("chains", *arguments, "--json")
        document = json.loads(out)
        architecture = arguments[0]
        case = arguments[2] if arguments[1] == "--case" else None
        options = {"param": ["1,1,1"], "examples": 2} if case is None else {}
        record = api.chains(architecture, case=case, view="numbers", **options)
        assert document == json.loads(json.dumps(record.as_dict()))
        assert set(document[0]["chains"][0]) == {"factors", "value", "per_example"}
        assert set(document[0]["chains"][0]["factors"][0]) == {"of", "wrt", "latex", "value"}


def test_a_layered_case_file_sets_the_network(run_cli):
    _, out, _ = run_cli(
        "chains",
        "--case",
        "examples/cases/mazur-2-2-2.json",
        "--view",
        "numbers",
        "--param",
        "2,1,1",
    )
    assert "    = 0.741365 * 0.186816 * 0.593270 = 0.082167" in out.splitlines()
    _, _, err = run_cli(
        "chains",
        "2-3-2",
        "--case",
        "examples/cases/mazur-2-2-2.json",
        "--view",
        "numbers",
        expect=2,
    )
    assert "disagree" in err


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("2-2-2", "--case", "examples/cases/mazur.json"), "--case is for the numbers of a case"),
        (("2-2-2", "--seed", "3", "--view", "local"), "--seed is for the numbers"),
        (("2-2-2", "--max-numbers", "9"), "add it, or drop --max-numbers"),
        (("2-2-2", "--view", "numbers", "--max-numbers", "9"), "raise it with --max-numbers 84"),
        (("2-2-2", "--view", "numbers", "--limit", "3"), "raise it with --limit 12"),
        (("784-512-512-10", "--view", "numbers"), "2,057,835,520 chains"),
        (("--view", "numbers"), "give an architecture (ARCH) or a case file"),
        ((*MAZUR, "--view", "numbers", "--seed", "2"), "the case file holds the numbers"),
        (("2-2-2", "--view", "numbers", "--examples", "0"), "expected a positive integer"),
    ],
)
def test_refusals_are_one_line(run_cli, arguments, message):
    _, out, err = run_cli("chains", *arguments, expect=2)
    assert out == "" and err.count("\n") == 1 and message in err, err


def test_the_api_refuses_by_keyword():
    with pytest.raises(SpecError, match="case is for the numbers of a case, which view="):
        api.chains("2-2-2", case="examples/cases/mazur-2-2-2.json")
    with pytest.raises(TooLarge, match="max_numbers=84"):
        api.chains("2-2-2", view="numbers", max_numbers=9)


def assert_latex_renders(out: str) -> None:
    """Every display block of `out` well formed, and rendered by KaTeX (where installed)."""
    from latex_check import katex_failures, structural_problems

    blocks = re.findall(r"\\\[\n(.*?)\n\\\]", out, re.S)
    assert blocks and all(structural_problems(block) == [] for block in blocks)
    assert katex_failures(blocks) in (None, [])


def test_the_latex_renders(run_cli):
    _, out, _ = run_cli(
        "chains", "2-1", "--view", "numbers", "--examples", "2", "--format", "latex"
    )
    assert_latex_renders(out)
    _, out, _ = run_cli("chains", *MAZUR, "--view", "numbers", "--format", "latex")
    assert_latex_renders(out)


# --- delta with a case ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "network",
    [Network([2, 2, 2]), Network([2, 3, 2], bias=True, activation="tanh", cost="softmax-ce")],
    ids=lambda n: n.architecture,
)
@pytest.mark.parametrize("examples", [1, 3])
def test_delta_numbers_agree_with_autograd(network, examples):
    case = random_case(network, examples=examples, seed=examples)
    values, deltas = layered_program(case).numbers()
    document = api.delta(case=case).as_dict()
    assert document["case"] == {"origin": "the case given", "examples": examples}
    for entry in document["deltas"]:
        node = entry["name"].replace("delta", "z")
        assert close(entry["value"], deltas[node]), entry["name"]
    for entry in document["gradients"]:
        name = entry["parameter"]
        assert close(entry["per_example"], deltas[name]), name
        assert entry["value"] == pytest.approx(float(np.sum(deltas[name])), rel=1e-12, abs=1e-12)
    selected = api.delta(case=case, param=["1,1,1"]).as_dict()["factoring"][0]
    for step in selected["steps"]:
        for name, row in step["deltas"].items():
            assert close(row, deltas[name.replace("delta", "z")]), name


def test_delta_of_a_graph_file_agrees_with_autograd():
    path, given = GRAPH_CASES[-1]
    given = given["values"]
    values, deltas = graph_file_program(path, given).numbers()
    document = api.delta(path, case=api.case(path, given)).as_dict()
    for entry in document["deltas"]:
        assert close(entry["value"], deltas[entry["name"].removeprefix("delta_")]), entry
    for entry in document["gradients"]:
        assert entry["value"] == pytest.approx(float(np.sum(deltas[entry["parameter"]])))


def test_the_mazur_deltas_read_step_by_step(run_cli):
    _, out, _ = run_cli("delta", *MAZUR, "--param", "w5")
    assert out.splitlines()[3:] == [
        "dE_total/dw5 = dE_total/dE_o1 * dE_o1/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
        "             = 1 * 0.741365 * 0.186816 * 0.593270",
        "             = (dE_total/dE_o1) * dE_o1/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
        "             = delta_E_o1 * dE_o1/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
        "             = 1 * 0.741365 * 0.186816 * 0.593270",
        "             = (delta_E_o1 * dE_o1/dout_o1) * dout_o1/dnet_o1 * dnet_o1/dw5",
        "             = delta_out_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
        "             = 0.741365 * 0.186816 * 0.593270",
        "             = (delta_out_o1 * dout_o1/dnet_o1) * dnet_o1/dw5",
        "             = delta_net_o1 * dnet_o1/dw5",
        "             = 0.138499 * 0.593270",
        "             = delta_net_o1 * out_h1",
        "             = 0.082167",
    ]
    _, out, _ = run_cli("delta", *MAZUR)
    lines = out.splitlines()
    at = lines.index(
        "delta_out_h1 = delta_net_o1 * dnet_o1/dout_h1 + delta_net_o2 * dnet_o2/dout_h1"
    )
    assert lines[at + 2] == (
        "             = 0.138499 * 0.400000 + (-0.038098) * 0.500000 = 0.036350"
    )
    assert "             = 8.77135e-03 * 0.050000 = 4.38568e-04" in lines  # dE/dw1


def test_delta_with_several_examples_sums_each_gradient(run_cli):
    _, out, _ = run_cli("delta", "1-1", "--numbers", "--examples", "2", "--format", "unicode")
    lines = out.splitlines()
    record = api.delta("1-1", numbers=True, examples=2)
    (gradient,) = record.as_dict()["gradients"]
    (summed,) = [line for line in lines if line.endswith("(summed over the 2 examples)")]
    assert f"= {figure(gradient['value'])} " in summed


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("2-2-2", "--seed", "3"), "--seed is for the numbers of a case, which --numbers"),
        (("2-2-2", "--numbers", "--max-numbers", "10"), "raise it with --max-numbers"),
        (("--numbers",), "give an architecture (ARCH) or a case file"),
        ((*MAZUR, "--seed", "1"), "the case file holds the numbers"),
        (("2-2-2", "--case", "examples/cases/mazur.json"), "unknown leaf 'i1'"),
        (("2-2-2", "--numbers", "--view", "matrix"), "leave out --view matrix for them"),
    ],
)
def test_delta_refusals_are_one_line(run_cli, arguments, message):
    _, out, err = run_cli("delta", *arguments, expect=2)
    assert out == "" and err.count("\n") == 1 and message in err, err


@pytest.mark.parametrize("format", ["latex", "json"])
def test_delta_numbers_in_latex_and_json(run_cli, format):
    _, out, _ = run_cli(
        "delta", "2-2-2", "--numbers", "--examples", "2", "--param", "1,1,1", "--format", format
    )
    if format == "json":
        document = json.loads(out)
        assert document["factoring"][0]["value"] == pytest.approx(
            sum(document["gradients"][0]["per_example"])
        )
        return
    assert_latex_renders(out)
    assert r"\quad \text{(example 2)}" in out


def test_delta_of_rnn_and_resnet_agrees_with_autograd():
    options = {"bias": True, "activation": "tanh,sigmoid"}
    drawn = api.values("rnn:2-2-1:2", examples=2, seed=3, **options)
    leaves = {**_leaves(drawn), "y^(2)_1": [0.25, 0.75]}
    subjects = [
        ("rnn:2-2-1:2", leaves, options, rnn_program(2, 2, 1, 2, leaves)),
    ]
    options = {"activation": "tanh,sigmoid", "cost": "bce"}
    drawn = api.values("resnet:2x2", examples=2, seed=4, **options)
    leaves = {**_leaves(drawn), "y_1": [1.0, 0.0]}
    subjects.append(("resnet:2x2", leaves, options, resnet_program(2, 2, leaves)))
    for subject, leaves, options, program in subjects:
        _, deltas = program.numbers()
        case = api.case(subject, leaves, **options)
        document = api.delta(subject, case=case, **options).as_dict()
        assert document["deltas"], subject
        for entry in document["deltas"]:
            node = entry["name"].removeprefix("delta_")
            assert close(entry["value"], deltas[node]), (subject, entry["name"])
        for entry in document["gradients"]:
            name = entry["parameter"]
            assert close(entry["per_example"], deltas[name]), (subject, name)
            expected = float(np.sum(deltas[name]))
            assert entry["value"] == pytest.approx(expected, rel=1e-12, abs=1e-12), name


def test_the_values_read_keep_to_values_budget_and_the_numbers_written_to_max_numbers():
    # 30-30-2 has thousands of values; the one chain of θ^(2)_11 writes six numbers: three
    # factors, their product, the chain's value and the gradient
    record = api.chains("30-30-2", view="numbers", param=["2,1,1"], max_numbers=6)
    ((chain,),) = [group.numbers.chains for group in record.groups()]
    assert chain.factors.shape == (3, 1)
    with pytest.raises(TooLarge, match="max_numbers="):
        api.chains("30-30-2", view="numbers", param=["1,1,1"], max_numbers=6)
    # delta with one weight selected prices its factoring, not every δ of the network
    document = api.delta("30-30-2", numbers=True, param=["2,1,1"], max_numbers=20).as_dict()
    assert document["factoring"][0]["value"] == pytest.approx(document["gradients"][0]["value"])


def test_the_explorers_api_answers_the_numbers_view_as_the_cli(run_cli):
    pytest.importorskip("starlette")
    from chainrule.explore.api import run_command

    _, out, _ = run_cli(
        "chains", "2-2-2", "--view", "numbers", "--param", "1,1,1", "--examples", "2", "--json"
    )
    status, document = run_command(
        "chains", {"arch": "2-2-2", "view": "numbers", "param": "1,1,1", "examples": "2"}
    )
    assert status == 200 and json.loads(json.dumps(document)) == json.loads(out)
