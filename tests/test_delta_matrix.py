"""``chainrule delta --view matrix``: the δ recursion for a batch, a layer at a time, every
operand's shape under it; in text, unicode, LaTeX, MathML and JSON; for layer sizes, ``rnn:``,
``resnet:`` and graph files whose names group into tensors; evaluated, it is backpropagation."""

import json
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from latex_check import katex_failures, katex_module_dir, structural_problems

import chainrule.api as api
from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.spec import Network
from chainrule.numeric.backprop import backprop
from chainrule.numeric.case import random_case
from chainrule.records.delta import MatrixDeltaRecord

TEXT_2_3_2_BIAS = """\
the forward pass, a row per example (m examples), each operand's shape under it
  z^(2) = x  (Theta^(1))^T + b^(2)
  mx3     mx2 3x2            1x3
  a^(2) = f(z^(2))
  mx3     mx3
  z^(3) = a^(2) (Theta^(2))^T + b^(3)
  mx2     mx3    2x3            1x2
  a^(3) = f(z^(3))
  mx2     mx2

delta^(l) = dJ/dz^(l) for the whole batch, from the cost down, and the gradient of every \
weight as soon as its delta is known
  dJ/da^(3) = (a^(3) - y)/m
  mx2         mx2
  delta^(3) = dJ/da^(3) .* f'(z^(3))
  mx2         mx2          mx2
  dJ/db^(3) = 1^T delta^(3)
  1x2         mx1 mx2
  dJ/dTheta^(2) = (delta^(3))^T a^(2)
  2x3              mx2          mx3
  delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))
  mx3          mx2       2x3           mx3
  dJ/db^(2) = 1^T delta^(2)
  1x3         mx1 mx3
  dJ/dTheta^(1) = (delta^(2))^T x
  3x2              mx3          mx2
"""


def test_text_writes_the_recursion_with_every_operands_shape(run_cli):
    _, out, _ = run_cli("delta", "2-3-2", "--bias", "--view", "matrix")
    assert out == TEXT_2_3_2_BIAS


def test_unicode_at_a_real_width(run_cli):
    _, out, _ = run_cli("delta", "784-512-512-10", "--view", "matrix", "--format", "unicode")
    assert "  δ⁽²⁾ = (δ⁽³⁾  Θ⁽²⁾) ⊙ f′(z⁽²⁾)\n  m×512   m×512 512×512 m×512\n" in out
    assert out.endswith("  ∂J/∂Θ⁽¹⁾ = (δ⁽²⁾)ᵀ x\n  512×784     m×512  m×784\n")


def test_a_selection_writes_only_the_deltas_its_gradient_needs(run_cli):
    _, out, _ = run_cli("delta", "2-3-2", "--view", "matrix", "--param", "2,1,1")
    backward = out.split("\n\n")[1]
    assert "gradient of Theta^(2) as soon" in backward
    assert "delta^(2)" not in backward and "dJ/dTheta^(2) = (delta^(3))^T a^(2)" in backward


def test_the_json_names_every_operand_with_its_shape(run_cli):
    _, out, _ = run_cli("delta", "2-3-2", "--view", "matrix", "--json")
    document = json.loads(out)
    assert document == api.delta("2-3-2", view="matrix").as_dict()
    assert (document["architecture"], document["view"], document["wrt"]) == (
        "2-3-2",
        "matrix",
        "parameters",
    )
    (recursion,) = [e for e in document["equations"] if e["lhs"] == "delta^(2)"]
    assert recursion["rhs"] == "(delta^(3) Theta^(2)) .* f'(z^(2))"
    assert recursion["unicode"] == "δ⁽²⁾ = (δ⁽³⁾ Θ⁽²⁾) ⊙ f′(z⁽²⁾)"
    assert recursion["operands"] == [
        {"name": "delta^(2)", "shape": ["m", 3]},
        {"name": "delta^(3)", "shape": ["m", 2]},
        {"name": "Theta^(2)", "shape": [2, 3]},
        {"name": "f'(z^(2))", "shape": ["m", 3]},
    ]
    assert [e["kind"] for e in document["equations"]] == [
        "cost",
        "delta",
        "gradient",
        "delta",
        "gradient",
    ]
    assert document["forward"][0]["rhs"] == "x (Theta^(1))^T"


def _evaluated(record: MatrixDeltaRecord, leaves, targets, m):
    """The record's equations evaluated in order with numpy: the gradients they end in."""
    from chainrule.verification.matrix import _Evaluation, _swept

    return _swept(record.equations, _Evaluation(record.view, leaves, targets, m))


@pytest.mark.parametrize(
    "sizes, options",
    [
        ([2, 3, 2], {"bias": True}),
        ([3, 4, 4, 2], {"activation": "tanh", "cost": "bce"}),
        ([2, 3, 3], {"cost": "softmax-ce", "activation": "relu"}),
    ],
)
def test_the_printed_recursion_evaluates_to_numeric_backprop(sizes, options):
    """numpy backprop (chainrule.numeric) shares no code with the layer-level graph: the
    equations the record holds, evaluated, are its gradients."""
    from chainrule.verification.matrix import case_leaves

    network = Network(sizes, **options)
    case = random_case(network, examples=5, seed=3)
    record = api.delta(network, view="matrix")
    ours = _evaluated(record, case_leaves(case), {"y": case.targets}, 5)
    _, weights, biases = backprop(case)[:3]
    for layer, theta in enumerate(weights, start=1):
        assert np.allclose(ours[f"Theta^({layer})"], theta, rtol=1e-12, atol=1e-15)
    for layer, bias in enumerate(biases or (), start=2):
        assert np.allclose(ours[f"b^({layer})"].ravel(), bias, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("subject", ["rnn:1-2-1:3", "resnet:2x3", "examples/graphs/indexed.json"])
def test_the_recursion_of_graphs_evaluates_to_the_scalar_sweep(subject):
    """rnn:, resnet: and an indexed graph file: the record's equations against the δ sweep
    over the scalar graph (itself checked against sympy.diff by verify)."""
    from chainrule.graph.layers import group_nodes
    from chainrule.records.subject import SubjectRequest, resolve
    from chainrule.verification.matrix import graph_leaves
    from chainrule.verification.verify import adjoints, evaluate_edges, random_leaf_values

    record = api.delta(subject, view="matrix", bias=subject.startswith("resnet"))
    graph = resolve(SubjectRequest(subject, bias=subject.startswith("resnet"))).graph()
    leaves = random_leaf_values(graph, examples=3, seed=4)
    tensors, targets = graph_leaves(graph, record.view, leaves, 3)
    ours = _evaluated(record, tensors, targets, 3)
    sweep = adjoints(graph, evaluate_edges(graph, leaves, 3), 3)
    member = group_nodes(graph).member
    checked = 0
    for node, kind in graph.nodes(data="kind"):
        if kind != "param":
            continue
        name, index = member[node]
        row, column = (index[0] - 1, index[1] - 1) if len(index) == 2 else (0, index[-1] - 1)
        expected = float(np.sum(sweep[node]))
        assert ours[name][row, column] == pytest.approx(expected, rel=1e-10, abs=1e-14)
        checked += 1
    assert checked == len([n for n, k in graph.nodes(data="kind") if k == "param"]) > 0


def test_rnn_resnet_and_graph_files_write_their_recursions(run_cli):
    _, rnn, _ = run_cli("delta", "rnn:1-2-1:2", "--view", "matrix")
    assert (
        "  delta_z^(1) = (delta_z^(2) W) .* f'(z^(1))\n  mx2            mx2         2x2   mx2\n"
        in rnn
    )
    assert "dJ/dU = (delta_z^(1))^T x^(1) + (delta_z^(2))^T x^(2)" in rnn
    _, resnet, _ = run_cli("delta", "resnet:2x30", "--view", "matrix")  # 2^30 chains, 30 steps
    assert resnet.count("\n  delta_") == 2 * 30 + 1
    _, indexed, _ = run_cli("delta", "examples/graphs/indexed.json", "--view", "matrix")
    assert "  delta_z = (delta_o V) .* f'(z)\n  mx2        mx1     1x2   mx2\n" in indexed
    assert indexed.endswith("  dJ/dW = (delta_z)^T x\n  2x2      mx2        mx2\n")


def test_inputs_have_their_gradient_a_row_per_example(run_cli):
    _, out, _ = run_cli("delta", "2-3-2", "--view", "matrix", "--wrt", "inputs")
    assert out.endswith("  dJ/dx = delta^(2) Theta^(1)\n  mx2     mx3       3x2\n")


def test_mathml_is_well_formed_with_a_shape_under_every_operand(run_cli):
    _, out, _ = run_cli("delta", "2-3-2", "--bias", "--view", "matrix", "--format", "mathml")
    blocks = [line for line in out.splitlines() if line.startswith("<math")]
    assert len(blocks) == 2
    operands = sum(
        len(equation["operands"])
        for equation in api.delta("2-3-2", bias=True, view="matrix").as_dict()["equations"]
    )
    backward = ElementTree.fromstring(blocks[1].replace("&#x", "&amp;#x"))
    assert len(backward.findall(".//munder")) == operands
    assert "<mo>&#x2299;</mo>" in blocks[1] and "<msup><mi>&#x398;</mi>" in blocks[1]


def test_the_scalar_delta_takes_mathml_too(run_cli):
    _, out, _ = run_cli("delta", "1-1", "--format", "mathml")
    assert out.startswith("<!-- delta^(l)_j = dJ/dz^(l)_j") and "<math display=" in out


def _latex_blocks(run_cli) -> list[str]:
    blocks = []
    for arguments in (["2-3-2", "--bias"], ["rnn:1-2-2:3"], ["resnet:2x2", "--bias"]):
        _, out, _ = run_cli("delta", *arguments, "--view", "matrix", "--format", "latex")
        blocks += [block.split("\\[\n", 1)[1] for block in out.split("\\]") if "\\[\n" in block]
    return blocks


def test_latex_under_braces_every_operand(run_cli):
    blocks = _latex_blocks(run_cli)
    assert len(blocks) == 6
    assert {b: structural_problems(b) for b in blocks if structural_problems(b)} == {}
    assert (
        r"\underbrace{\delta^{(2)}}_{m \times 3} &= \left(\underbrace{\delta^{(3)}}_{m \times 2} "
        r"\underbrace{\Theta^{(2)}}_{2 \times 3}\right) \odot "
        r"\underbrace{f'\left(z^{(2)}\right)}_{m \times 3}"
    ) in blocks[1]


@pytest.mark.skipif(
    katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)"
)
def test_latex_renders_in_katex(run_cli):
    assert katex_failures(_latex_blocks(run_cli)) == []


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["2-2-2", "--ops"], "--ops counts the scalar operations; leave out --view matrix"),
        (["2-2-2", "--param", "Q"], "no parameter 'Q' in 2-2-2"),
        (["-".join(["2"] * 5000)], "delta recursion has 14,998 Jacobians"),
        (["examples/graphs/mazur.json", "--limit", "3"], "more than --limit 3"),
    ],
)
def test_refusals_are_one_line_and_exit_2(run_cli, arguments, message):
    _, out, err = run_cli("delta", *arguments, "--view", "matrix", expect=2)
    assert out == "" and message in err and err.count("\n") == 1


def test_a_graph_whose_names_do_not_group_is_refused_by_the_derivation(run_cli, tmp_path):
    path = tmp_path / "stem.json"
    path.write_text(
        '{"inputs": ["x"], "parameters": ["w", "w_1"], "targets": ["y"], '
        '"nodes": {"h": "w*w_1*x"}, "cost": "(h - y)^2"}'
    )
    _, out, err = run_cli("delta", str(path), "--view", "matrix", expect=2)
    assert out == "" and "w names a node and is the stem of others" in err
    assert err.startswith("chainrule: error: ") and err.count("\n") == 1


def test_the_api_refuses_as_a_python_caller_spells_it():
    with pytest.raises(TooLarge, match="more than limit=10,000; raise it with limit=14998"):
        api.delta(Network([2] * 5000), view="matrix")
    with pytest.raises(SpecError, match="view: expected one of scalar, matrix"):
        api.delta("2-2-2", view="closed")


def test_the_explorer_answers_the_same_document():
    from starlette.testclient import TestClient

    from chainrule.explore.server import create_app

    with budget.front_end("http"):
        expected = api.delta("2-3-2", view="matrix").as_dict()
    client = TestClient(create_app(allowed_hosts=["testserver"]))
    response = client.get("/api/delta?arch=2-3-2&view=matrix")
    assert response.status_code == 200 and response.json() == expected


def test_a_tensor_of_parameters_alone_has_no_forward_formula_but_a_recursion(run_cli):
    """q = x + y of three parameters is the same row for every example: the forward pass has
    no batch formula for it (it is left out), the δ recursion has one."""
    _, out, _ = run_cli("delta", "examples/graphs/cs231n-circuit.json", "--view", "matrix")
    assert "the forward pass" not in out
    assert "  dJ/dx = 1^T delta_q\n  1x1     mx1 mx1\n" in out
