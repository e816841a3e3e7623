"""``chainrule check`` of matrix claims: δ^(l) and ∂J/∂Θ^(l) a layer at a time, judged for any
widths (the shape algebra with every width a symbol) and proven on a small instance of the same
shapes; each diagnosis named with its shapes, each with a claim that triggers it and one that
does not; the column-vector convention named; real widths without a scalar graph."""

import json
import subprocess
import sys

import numpy as np
import pytest
from shared import HANG_CPU_SECONDS

import chainrule.api as api
from chainrule.errors import SpecError
from chainrule.graph.spec import Network
from chainrule.notation.matrix_reading import looks_like_matrix_claim, read_matrix_claim, written
from chainrule.verification.matrix_claims import judge_matrix

NET = Network([4, 6, 5, 3])  # every width differs, so a transpose never fits by accident


def verdict(claim: str, network: Network = NET) -> tuple[str, str | None, dict]:
    document, _ = judge_matrix(network, claim)
    kind = document["diagnosis"]["kind"] if document["diagnosis"] else None
    return document["verdict"], kind, document


@pytest.mark.parametrize(
    "claim",
    [
        "delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))",
        "delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))",
        "δ⁽²⁾ = (δ⁽³⁾ Θ⁽²⁾) ⊙ f′(z⁽²⁾)",
        r"\delta^{(2)} = \left(\delta^{(3)} \Theta^{(2)}\right) \odot f'\left(z^{(2)}\right)",
        r"\delta^{(2)} = \delta^{(3)} \Theta^{(2)} \circ \sigma'(z^{(2)})",
        "delta^(2) = delta^(3) * Theta^(2) .* a^(2) .* (1 - a^(2))",  # the sigmoid's f'
        "delta^(4) = (a^(4) - y)/m .* f'(z^(4))",
        r"\delta^{(4)} = \frac{1}{m}\left(a^{(4)} - y\right) \odot \sigma'(z^{(4)})",
        "delta^(4) = dJ/da^(4) .* f'(z^(4))",
        "dJ/dTheta^(1) = (delta^(2))^T x",
        r"\frac{\partial J}{\partial \Theta^{(1)}} = \left(\delta^{(2)}\right)^\top x",
        r"\frac{\partial J}{\partial \Theta^{(3)}} = {\delta^{(4)}}^{T} a^{(3)}",
        "dJ/dTheta^(2) = delta^(3)' * a^(2)",  # Octave's transpose
        "dJ/dx = delta^(2) Theta^(1)",
    ],
)
def test_right_claims_are_proven(claim):
    result, kind, document = verdict(claim)
    assert (result, kind, document["convention"]) == ("correct", None, "rows"), document
    assert document["detail"].startswith("proven: claim − true ≡ 0 entry by entry")


@pytest.mark.parametrize(
    "claim",
    [
        "delta^(2) = (Theta^(2))^T delta^(3) .* f'(z^(2))",
        r"\delta^{(2)} = \left(\Theta^{(2)}\right)^{\top} \delta^{(3)} \odot g'(z^{(2)})",
        "dJ/dTheta^(1) = delta^(2) x^T",
        "delta^(4) = (a^(4) - y)/m .* f'(z^(4))",  # the same in both conventions
    ],
)
def test_the_column_vector_convention_is_named_not_called_wrong(claim):
    result, kind, document = verdict(claim)
    assert (result, kind) == ("correct", None)
    if "Theta" in claim or "x^T" in claim:
        assert document["convention"] == "columns"
        assert document["detail"].startswith("correct in the column-vector convention")
        assert "chainrule writes rows as examples" in document["detail"]


# -- each diagnosis: a claim that triggers it, and a near one that does not ----------------------

DIAGNOSED = [
    (
        "wrong_order",
        "delta^(2) = Theta^(2) delta^(3) .* f'(z^(2))",
        "Θ^(2) δ^(3): (5×6)(m×5) does not multiply; the factors of Θ^(2) δ^(3) are in the "
        "wrong order: with rows as examples the product is δ^(3) Θ^(2)",
    ),
    (
        "transposed",
        "delta^(2) = delta^(3) (Theta^(2))^T .* f'(z^(2))",
        "δ^(3) (Θ^(2))ᵀ: (m×5)(6×5) does not multiply; (Θ^(2))ᵀ: the transpose is one too many",
    ),
    (
        "transposed",
        "dJ/dTheta^(1) = x^T delta^(2)",
        "the right side is 4×6, but ∂J/∂Θ^(1) is 6×4; the whole right side is transposed",
    ),
    (
        "transposed",
        "dJ/dTheta^(1) = delta^(2) x",
        "δ^(2) x: (m×6)(m×4) does not multiply; δ^(2) is transposed: a ᵀ is missing",
    ),
    (
        "shape_mismatch",
        "delta^(2) = delta^(3) Theta^(3) Theta^(2) .* f'(z^(2))",
        "δ^(3) Θ^(3): (m×5)(3×5) does not multiply",
    ),
    (
        "missing_activation_derivative",
        "delta^(2) = delta^(3) Theta^(2)",
        "the ⊙ f'(z^(2)) is missing",
    ),
    ("missing_factor", "delta^(4) = (a^(4) - y) .* f'(z^(4))", "the 1/m is missing"),
    (
        "wrong_layer",
        "delta^(2) = delta^(3) Theta^(1) .* f'(z^(2))",
        "δ^(3) Θ^(1): (m×5)(6×4) does not multiply; Θ^(1) is of the wrong layer",
    ),
    (
        "wrong_layer",
        "dJ/dTheta^(1) = (delta^(3))^T x",
        "the right side is 5×4, but ∂J/∂Θ^(1) is 6×4; δ^(3) is of the wrong layer",
    ),
    ("sign", "delta^(4) = (y - a^(4))/m .* f'(z^(4))", "off by a sign"),
    ("counterexample", "delta^(2) = delta^(3) Theta^(2) .* f'(z^(2)) + 1", "the shapes fit"),
]


@pytest.mark.parametrize("kind, claim, text", DIAGNOSED)
def test_each_diagnosis_is_named_with_its_shapes(kind, claim, text):
    result, found, document = verdict(claim)
    assert (result, found) == ("wrong", kind)
    assert document["diagnosis"]["text"].startswith(text), document["diagnosis"]["text"]
    assert "the true form is" in document["diagnosis"]["text"]


@pytest.mark.parametrize(
    "kind, claim",
    [
        ("wrong_order", "delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))"),
        ("transposed", "dJ/dTheta^(1) = (delta^(2))^T x"),
        ("shape_mismatch", "delta^(3) = delta^(4) Theta^(3) .* f'(z^(3))"),
        ("missing_activation_derivative", "delta^(3) = delta^(4) Theta^(3) .* f'(z^(3))"),
        ("missing_factor", "delta^(4) = (a^(4) - y)/m .* f'(z^(4))"),
        ("wrong_layer", "dJ/dTheta^(2) = (delta^(3))^T a^(2)"),
        ("sign", "delta^(4) = (a^(4) - y)/m .* f'(z^(4))"),
    ],
)
def test_a_near_right_claim_does_not_trigger_it(kind, claim):
    result, found, _ = verdict(claim)
    assert result == "correct" and found != kind


def test_a_claim_that_fits_only_because_two_widths_are_equal_is_caught():
    """784-512-512-10: Θ^(2) is 512×512, so δ^(3) (Θ^(2))ᵀ multiplies here, and is wrong:
    for widths that differ it does not."""
    network = Network([784, 512, 512, 10])
    result, kind, document = verdict("delta^(2) = delta^(3) (Theta^(2))^T .* f'(z^(2))", network)
    assert (result, kind) == ("wrong", "transposed")
    assert document["diagnosis"]["text"].startswith(
        "for widths that differ, δ^(3) (Θ^(2))ᵀ: (m×n3)(n2×n3) does not multiply"
    )


def test_real_widths_name_their_shapes():
    network = Network([784, 512, 512, 10])
    _, kind, document = verdict("delta^(3) = Theta^(3) delta^(4) .* f'(z^(3))", network)
    assert kind == "wrong_order"
    assert document["diagnosis"]["text"].startswith("Θ^(3) δ^(4): (10×512)(m×10) does not multiply")


@pytest.mark.parametrize(
    "options, claim",
    [
        ({"cost": "bce", "activation": "tanh"}, "delta^(3) = dJ/da^(3) .* f'(z^(3))"),
        ({"activation": "tanh"}, "delta^(2) = delta^(3) Theta^(2) .* (1 - a^(2) .* a^(2))"),
        ({"bias": True}, "dJ/db^(3) = 1^T delta^(3)"),
        ({"bias": True, "activation": "relu"}, "dJ/db^(2) = 1^T delta^(2)"),
    ],
)
def test_other_costs_activations_and_biases(options, claim):
    assert verdict(claim, Network([2, 3, 4], **options))[:2] == ("correct", None)


def test_the_judges_truth_is_numeric_backprop():
    """The δs and gradients the judge compares with, evaluated with numpy on a random case,
    are numeric backprop's (chainrule.numeric shares no code with the layer-level graph)."""
    from chainrule.numeric.backprop import backprop
    from chainrule.numeric.case import random_case
    from chainrule.verification.matrix import _Evaluation, _swept, case_leaves
    from chainrule.verification.matrix_claims import true_equations

    network = Network([3, 4, 2], bias=True)
    case = random_case(network, examples=6, seed=5)
    equations = [true_equations(network)[key] for key in ("delta:z^(3)", "gradient:Theta^(2)")]
    equations += [true_equations(network)[key] for key in ("delta:z^(2)", "gradient:Theta^(1)")]
    evaluation = _Evaluation(_view(network), case_leaves(case), {"y": case.targets}, 6)
    values = _swept(tuple(equations), evaluation)
    _, weights, _ = backprop(case)
    assert np.allclose(values["Theta^(1)"], weights[0], rtol=1e-12)
    assert np.allclose(values["Theta^(2)"], weights[1], rtol=1e-12)


def _view(network):
    from chainrule.graph.layers import network_layers

    return network_layers(network)


# -- reading ----------------------------------------------------------------------------------


def test_matrix_claims_are_told_from_scalar_ones():
    assert looks_like_matrix_claim("delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))")
    assert looks_like_matrix_claim(r"\frac{\partial J}{\partial \Theta^{(1)}} = 0")
    assert looks_like_matrix_claim("∂J/∂Θ⁽¹⁾ = (δ⁽²⁾)ᵀ x")
    assert not looks_like_matrix_claim("delta^(2)_1 = 0")
    assert not looks_like_matrix_claim("dJ/dtheta^(1)_11 = delta^(2)_1 * x_1")
    assert not looks_like_matrix_claim(r"\delta^{(3)}_1 = 0")


def test_the_tree_keeps_the_order_of_products():
    claim = read_matrix_claim("delta^(2) = Theta^(2) delta^(3) .* f'(z^(2))", 4)
    assert written(claim.rhs) == "(Theta^(2) delta^(3)) .* f'(z^(2))"
    assert written(claim.rhs, "latex").startswith(r"\left(\Theta^{(2)} \delta^{(3)}\right)")


@pytest.mark.parametrize(
    "claim, message",
    [
        ("delta^(2) = __import__('os')", "unexpected '_' at position 12"),
        ("delta^(2) = delta^(9) Theta^(2)", "no delta^(9) at position 12"),
        ("delta^(2) = delta^(3) / Theta^(2)", "divides by a number or m only"),
        ("delta^(2) = f'(a^(2))", "f' at position 12 is applied to z^(l)"),
        ("delta^(2) = " + "(" * 500 + "x" + ")" * 500, "nesting deeper than"),
        ("delta^(2) = x" + " + x" * 20_000, "characters is longer than"),
    ],
)
def test_unreadable_claims_are_one_line(run_cli, claim, message):
    _, out, err = run_cli("check", "4-6-5-3", claim, expect=2)
    assert out == "" and message in err and err.count("\n") == 1


def test_the_command_line_mixes_scalar_and_matrix_claims(run_cli):
    status, out, _ = run_cli(
        "check",
        "2-3-2",
        "dJ/dtheta^(1)_11 = delta^(2)_1 * x_1",
        "delta^(2) = Theta^(2) delta^(3) .* f'(z^(2))",
        "--json",
        expect=1,
    )
    first, second = json.loads(out)["claims"]
    assert first["verdict"] == "correct" and "view" not in first
    assert (second["verdict"], second["view"], second["diagnosis"]["kind"]) == (
        "wrong",
        "matrix",
        "wrong_order",
    )
    assert second["true_latex"] == (
        r"\delta^{(2)} = \left(\delta^{(3)} \Theta^{(2)}\right) \odot f'\left(z^{(2)}\right)"
    )


def test_the_text_shows_the_evidence_and_the_true_form(run_cli):
    _, out, _ = run_cli("check", "4-6-5-3", "delta^(2) = delta^(3) Theta^(2)", expect=1)
    assert out.splitlines()[1:] == [
        "  wrong (missing_activation_derivative): the ⊙ f'(z^(2)) is missing: δ^(2) = ∂J/∂z "
        "passes back through the activation; the true form is δ⁽²⁾ = (δ⁽³⁾ Θ⁽²⁾) ⊙ f′(z⁽²⁾)",
        "  evidence: the corrected claim (δ^(3) Θ^(2)) ⊙ f′(z^(2)) = true, equal on an instance "
        "of the same shapes (widths 2-3-4-2, m = 5), its shapes fitting for any widths",
        "  true: delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))",
    ]


def test_the_api_answers_the_same():
    record = api.check("4-6-5-3", claims=["delta^(3) = delta^(4) Theta^(3) .* f'(z^(3))"])
    assert record.ok and record.graph is None  # no scalar graph was built
    with pytest.raises(SpecError, match="has no biases"):
        api.check("2-2-2", claims=["dJ/db^(2) = 1^T delta^(2)"])


def test_784_512_512_10_is_checked_without_a_scalar_graph():
    """Its scalar graph (2 million nodes and edges) is past what check builds: a matrix claim
    is judged without one (building one here would end the process)."""
    probe = (
        "import sys; import chainrule.verification.claims as claims; "
        "claims.graph_for_network = lambda *_: sys.exit('a scalar graph was asked for'); "
        "from chainrule.cli.entry import main; "
        "status = main(['check', '784-512-512-10', \"delta^(2) = delta^(3) Theta^(2) .* "
        "f'(z^(2))\"]); print(status, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=HANG_CPU_SECONDS
    )
    assert done.stderr.strip() == "0", done.stderr
    assert "correct: proven" in done.stdout


def test_the_readmes_wrong_matrix_claim_is_real_output(run_cli):
    """The README shows it in a text block (exit status 1, which its console blocks may not
    have): the output as the command writes it."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(\$ chainrule check 784.*?)```", readme, re.S).group(1)
    command, *output = block.rstrip("\n").split("\n")
    program, *argv = shlex.split(command.removeprefix("$ "))
    _, out, _ = run_cli(*argv, expect=1)
    assert out == "\n".join(output) + "\n"


def test_a_softmax_output_is_judged_by_its_jacobian(run_cli):
    """The truth's softmax term sums over the outputs (a column of n_L ones, not of m); f' of a
    softmax layer is refused by name; (a − y)/m holds only for targets that sum to 1, so it is
    wrong in general, as the scalar check says of δ^(3)_1."""
    network = Network([2, 2, 3], cost="softmax-ce")
    assert verdict("delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))", network)[:2] == (
        "correct",
        None,
    )
    assert verdict("delta^(3) = (a^(3) - y)/m", network)[:2] == ("wrong", "counterexample")
    scalar = api.check(network, claims=["delta^(3)_1 = (a^(3)_1 - y_1)/m"])
    assert scalar.verdicts[0].document["verdict"] == "wrong"
    _, out, err = run_cli(
        "check", "2-2-3", "--cost", "softmax-ce", "delta^(3) = dJ/da^(3) .* f'(z^(3))", expect=2
    )
    assert out == "" and "layer 3 is a softmax, whose Jacobian is not diagonal" in err
