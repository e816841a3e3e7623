"""``chainrule chains --view matrix``: the layer-level chains and the batch form, written in
text, unicode, LaTeX and JSON, counted before they are listed, at real widths in a moment."""

import json
import subprocess
import sys

import pytest
from latex_check import katex_failures, katex_module_dir, structural_problems
from shared import HANG_CPU_SECONDS

import chainrule.api as api
from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.records.chains import MatrixChainsRecord

TEXT_2_2_2 = """\
dJ/dTheta^(1): 1 chain, 5 Jacobians (8 scalar chains); Theta^(1) is 2x2
  dJ/da^(3) * da^(3)/dz^(3) * dz^(3)/da^(2) * da^(2)/dz^(2) * dz^(2)/dTheta^(1)
  1x2         2x2             2x2             2x2             2x4
  in batch form, a row per example:
    dJ/da^(3) = (a^(3) - y)/m
    mx2         mx2
    delta^(3) = dJ/da^(3) .* f'(z^(3))
    mx2         mx2          mx2
    delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))
    mx2          mx2       2x2           mx2
    dJ/dTheta^(1) = (delta^(2))^T x
    2x2              mx2          mx2
"""

UNICODE_BIAS = """\
dJ/db^(3): 1 chain, 3 Jacobians (2 scalar chains); b^(3) is 1×2
  ∂J/∂a⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂z⁽³⁾/∂b⁽³⁾
  1×2        2×2           2×2
  in batch form, a row per example:
    ∂J/∂a⁽³⁾ = (a⁽³⁾ - y)/m
    m×2        m×2
    δ⁽³⁾ = ∂J/∂a⁽³⁾ ⊙ f′(z⁽³⁾)
    m×2    m×2        m×2
    ∂J/∂b⁽³⁾ = 1ᵀ  δ⁽³⁾
    1×2        m×1 m×2
"""


def test_text_writes_each_factor_and_operand_over_its_shape(run_cli):
    _, out, _ = run_cli("chains", "2-2-2", "--view", "matrix", "--param", "1,2,1")
    assert out == TEXT_2_2_2


def test_unicode_and_the_bias_row(run_cli):
    _, out, _ = run_cli(
        "chains", "2-2-2", "--bias", "--view", "matrix", "--param", "2,1,0", "--format", "unicode"
    )
    assert out == UNICODE_BIAS


def test_a_selection_names_tensors_by_an_entry_or_by_name(run_cli):
    _, by_entry, _ = run_cli("chains", "2-2-2", "--view", "matrix", "--param", "1,1,1")
    _, by_name, _ = run_cli("chains", "2-2-2", "--view", "matrix", "--param", "Theta^(1)")
    _, twice, _ = run_cli(
        "chains", "2-2-2", "--view", "matrix", "--param", "1,1,1", "--param", "1,2,2"
    )
    assert by_entry == by_name == twice == TEXT_2_2_2
    _, everything, _ = run_cli("chains", "2-2-2", "--view", "matrix")
    headings = [line for line in everything.splitlines() if line.startswith("dJ/d")]
    assert len(headings) == 2 and everything.startswith(TEXT_2_2_2)


def test_latex_under_braces_every_operand(run_cli):
    _, out, _ = run_cli(
        "chains", "2-1", "--view", "matrix", "--format", "latex", "--param", "1,1,2"
    )
    assert out == (
        "% dJ/dTheta^(1): 1 chain, 3 Jacobians (2 scalar chains); Theta^(1) is 1x2\n"
        "\\[\n\\begin{aligned}\n"
        r"\frac{\partial J}{\partial \Theta^{(1)}} &= "
        r"\underbrace{\frac{\partial J}{\partial a^{(2)}}}_{1 \times 1} "
        r"\underbrace{\frac{\partial a^{(2)}}{\partial z^{(2)}}}_{1 \times 1} "
        r"\underbrace{\frac{\partial z^{(2)}}{\partial \Theta^{(1)}}}_{1 \times 2} \\" + "\n"
        r"\underbrace{\frac{\partial J}{\partial a^{(2)}}}_{m \times 1} &= "
        r"\underbrace{\frac{a^{(2)} - y}{m}}_{m \times 1} \\" + "\n"
        r"\underbrace{\delta^{(2)}}_{m \times 1} &= "
        r"\underbrace{\frac{\partial J}{\partial a^{(2)}}}_{m \times 1} \odot "
        r"\underbrace{f'\left(z^{(2)}\right)}_{m \times 1} \\" + "\n"
        r"\underbrace{\frac{\partial J}{\partial \Theta^{(1)}}}_{1 \times 2} &= "
        r"\left(\underbrace{\delta^{(2)}}_{m \times 1}\right)^{\top} "
        r"\underbrace{x}_{m \times 2}" + "\n\\end{aligned}\n\\]\n"
    )


def test_json_is_the_records_document_and_the_issues_shape(run_cli):
    _, out, _ = run_cli("chains", "3-2-1", "--view", "matrix", "--json")
    document = json.loads(out)
    assert document == api.chains("3-2-1", view="matrix").as_dict()
    first = document[0]
    assert (first["parameter"], first["shape"], first["scalar_chains"]) == ("Theta^(1)", [2, 3], 6)
    assert first["chains"][0][0] == {
        "of": "J",
        "wrt": "a^(3)",
        "shape": [1, 1],
        "latex": r"\frac{\partial J}{\partial a^{(3)}}",
    }
    assert [factor["shape"] for factor in first["chains"][0]] == [
        [1, 1],
        [1, 1],
        [1, 2],
        [2, 2],
        [2, 6],
    ]
    assert first["batch"][-1] == {
        "kind": "gradient",
        "lhs": "dJ/dTheta^(1)",
        "rhs": "(delta^(2))^T x",
        "shape": [2, 3],
        "latex": r"\frac{\partial J}{\partial \Theta^{(1)}} = "
        r"\left(\delta^{(2)}\right)^{\top} x",
    }
    assert [entry["batch"][1]["shape"] for entry in document] == [["m", 1], ["m", 1]]


def test_inputs_have_their_gradient_a_row_per_example(run_cli):
    _, out, _ = run_cli("chains", "2-3-2", "--view", "matrix", "--wrt", "inputs", "--json")
    (entry,) = json.loads(out)
    assert entry["parameter"] == "x" and entry["shape"] == ["m", 2]
    assert entry["batch"][-1]["rhs"] == "delta^(2) Theta^(1)"
    status, _, err = run_cli(
        "chains", "2-3-2", "--view", "matrix", "--wrt", "inputs", "--param", "1,1,1", expect=2
    )
    assert "--param selects weights" in err


def test_rnn_resnet_and_graph_files(run_cli):
    _, out, _ = run_cli("chains", "rnn:1-2-1:4", "--view", "matrix", "--param", "W", "--json")
    (entry,) = json.loads(out)
    assert len(entry["chains"]) == 3  # W is used at steps 2, 3 and 4
    assert entry["batch"][-1]["rhs"] == (
        "(delta_z^(2))^T h^(1) + (delta_z^(3))^T h^(2) + (delta_z^(4))^T h^(3)"
    )
    _, out, _ = run_cli("chains", "resnet:2x3", "--view", "matrix", "--json")
    counts = {entry["parameter"]: len(entry["chains"]) for entry in json.loads(out)}
    assert counts == {"W^(1)": 4, "W^(2)": 2, "W^(3)": 1, "V": 1}
    _, out, _ = run_cli("chains", "examples/graphs/indexed.json", "--view", "matrix", "--json")
    assert [entry["parameter"] for entry in json.loads(out)] == ["W", "b", "V"]
    _, out, _ = run_cli(
        "chains", "examples/graphs/indexed.json", "--view", "matrix", "--param", "W_21"
    )
    assert out.startswith("dJ/dW: 1 chain, 5 Jacobians (4 scalar chains); W is 2x2\n")


def test_resnets_2_to_the_n_paths_are_counted_before_any_is_listed(run_cli):
    status, out, err = run_cli("chains", "resnet:2x30", "--view", "matrix", expect=2)
    assert out == ""
    assert err == (  # 2^29 through W^(1), 2^28 through W^(2), ..., 1 through W^(30) and V
        "chainrule: error: the selection has 1,073,741,824 layer-level chains, more than "
        "--limit 10,000; raise it with --limit 1073741824 or select fewer with --param NAME\n"
    )
    with pytest.raises(TooLarge, match=r"raise it with limit=1073741824"):
        api.chains("resnet:2x30", view="matrix")
    status, _, err = run_cli("chains", "resnet:2x200", "--view", "matrix", expect=2)
    assert "far too many; select fewer with --param NAME" in err
    # a long RNN's chains are few but long: their Jacobians are counted too
    status, _, err = run_cli("chains", "rnn:1-1-1:3000", "--view", "matrix", expect=2)
    assert "Jacobians in its layer-level chains, more than the 1,000,000" in err


def test_a_layer_graph_past_max_graph_is_refused_before_it_is_built(run_cli):
    _, _, err = run_cli(
        "chains", "rnn:1-1-1:100000000", "--view", "matrix", "--max-graph", "1000", expect=2
    )
    assert err == (  # 3 tensors and 5 edges a step
        "chainrule: error: 800,000,008 tensors and edges in the layer-level graph of "
        "rnn:1-1-1:100000000, more than the limit of 1,000; raise it with --max-graph 800000008\n"
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ["2-2-2", "--param", "Q"],
            "no parameter 'Q' in 2-2-2; give l,j,k for theta^(l)_jk or one of its parameter "
            "matrices, Theta^(1), Theta^(2)",
        ),
        (["2-2-2", "--param", "1,1"], "invalid parameter '1,1': give l,j,k"),
        (["2-2-2", "--param", "3,1,1"], "no parameter theta^(3)_11 in 2-2-2"),
        (
            ["rnn:1-2-1:3", "--param", "Q"],
            "no parameter 'Q' in rnn:1-2-1:3; give one of its parameter matrices, U, W, V",
        ),
        (["rnn:1-2-1:3", "--param", "W_33"], "no parameter 'W_33' in rnn:1-2-1:3"),
        (["2-2-2", "--param", "x"], "no parameter 'x' in 2-2-2"),
        (["examples/graphs/tied.json", "--bias"], "a graph file's formulas set its activations"),
        (["resnet:2x2", "--cost", "softmax-ce"], "needs at least 2 outputs"),
    ],
)
def test_bad_selections_are_one_line_and_exit_2(run_cli, arguments, message):
    status, out, err = run_cli("chains", *arguments, "--view", "matrix", expect=2)
    assert out == "" and err.startswith("chainrule: error: ") and message in err
    assert err.count("\n") == 1


def test_the_api_refuses_as_a_python_caller_spells_it():
    with pytest.raises(SpecError, match="view: expected one of abstract, local, closed, matrix"):
        api.chains("2-2-2", view="matrices")
    record = api.chains("784-512-512-10", view="matrix", param=["2,1,1"])
    assert isinstance(record, MatrixChainsRecord)
    (group,) = record.groups()
    assert group.source.scalar_chains == 512 * 512 * 10
    assert [str(eq.shape) for eq in group.equations][-1] == "512×512"


def _latex_strings() -> list[str]:
    strings = []
    for architecture, options in [
        ("2-3-2", {"bias": True}),
        ("2-3-3", {"cost": "softmax-ce"}),
        ("2-2-1", {"cost": "bce"}),
        ("rnn:1-2-2:3", {"bias": True}),
        ("resnet:2x2", {"bias": True}),
        ("examples/graphs/indexed.json", {}),
        ("examples/graphs/tied.json", {}),
    ]:
        for wrt in ("parameters", "inputs"):
            for entry in api.chains(architecture, view="matrix", wrt=wrt, **options).as_dict():
                strings += [factor["latex"] for chain in entry["chains"] for factor in chain]
                strings += [equation["latex"] for equation in entry["batch"] or ()]
    return strings


def _latex_blocks(run_cli) -> list[str]:
    blocks = []
    for arguments in (["2-3-2", "--bias"], ["rnn:1-2-2:3"], ["examples/graphs/residual.json"]):
        _, out, _ = run_cli("chains", *arguments, "--view", "matrix", "--format", "latex")
        blocks += [block.split("\\[\n", 1)[1] for block in out.split("\\]") if "\\[\n" in block]
    return blocks


def test_every_latex_string_is_well_formed(run_cli):
    strings = _latex_strings() + _latex_blocks(run_cli)
    assert len(strings) > 200
    assert {s: structural_problems(s) for s in strings if structural_problems(s)} == {}


@pytest.mark.skipif(
    katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)"
)
def test_every_latex_string_renders_in_katex(run_cli):
    assert katex_failures(_latex_strings() + _latex_blocks(run_cli)) == []


def test_the_explorer_answers_the_same_document():
    from starlette.testclient import TestClient

    from chainrule.explore.server import create_app

    with budget.front_end("http"):
        expected = api.chains("2-2-2", view="matrix").as_dict()
    client = TestClient(create_app(allowed_hosts=["testserver"]))
    response = client.get("/api/chains?arch=2-2-2&view=matrix")
    assert response.status_code == 200 and response.json() == expected


def test_784_512_512_10_loads_neither_sympy_nor_networkx_nor_numpy():
    probe = (
        "import sys; from chainrule.cli.entry import main; "
        "main(['chains', '784-512-512-10', '--view', 'matrix']); "
        "print(sorted(m for m in ('networkx', 'sympy', 'numpy') if m in sys.modules), "
        "file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=HANG_CPU_SECONDS
    )
    assert done.returncode == 0 and done.stderr.strip() == "[]"
    assert "dJ/dTheta^(1): 1 chain, 7 Jacobians (2,055,208,960 scalar chains)" in done.stdout
    assert "512x401408" in done.stdout  # dz^(2)/dTheta^(1): one row per z, a column per weight


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["rnn:1-1-1:2", "--param", "W_" + "1" * 5000], "no parameter 'W_111"),
        (["rnn:1-1-1:2", "--param", "x" + "_1," * 5000], "no parameter 'x_1,_1,_1,"),
        (["1-" * 100_000 + "1", "--param", "1,1,1"], "in the layer-level graph of"),
        (["rnn:1-1-1:999999999", "--param", "W"], "in the layer-level graph of"),
    ],
)
def test_hostile_selections_are_refused_at_once(run_cli, arguments, message):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    status, out, err = run_cli("chains", *arguments, "--view", "matrix", expect=2)
    assert out == "" and message in err and len(err) < 1000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before < HANG_CPU_SECONDS


def test_a_deep_narrow_network_is_written_within_its_budget(run_cli):
    _, out, _ = run_cli("chains", "-".join(["1"] * 2000), "--view", "matrix", "--param", "1,1,1")
    # 3 + 2(L - l - 1) factors, as the scalar chains of a weight of layer l have terms
    assert out.startswith("dJ/dTheta^(1): 1 chain, 3,999 Jacobians (1 scalar chain)")
    assert out.count("delta^(") > 2000
