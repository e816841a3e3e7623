import json

import pytest
from latex_check import katex_failures, katex_module_dir, structural_problems

from chainrule.graph.build import build_graph
from chainrule.graph.chains import iter_chains
from chainrule.graph.spec import ACTIVATIONS, Network
from chainrule.notation.printing import (
    chain_latex,
    chain_text,
    formula_latex,
    gradient_latex,
    gradient_text,
)


def P(of: str, wrt: str) -> str:
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}}"


A3_1, A3_2, Z3_1, Z3_2 = "a_{1}^{(3)}", "a_{2}^{(3)}", "z_{1}^{(3)}", "z_{2}^{(3)}"
A2_1, A2_2, Z2_1, Z2_2 = "a_{1}^{(2)}", "a_{2}^{(2)}", "z_{1}^{(2)}", "z_{2}^{(2)}"

# (parameter, chain number, abstract LaTeX, local LaTeX), written from the notation by hand.
CHAINS_2_2_2 = [
    (
        "theta^(2)_11",
        0,
        " ".join([P("J", A3_1), P(A3_1, Z3_1), P(Z3_1, r"\theta_{11}^{(2)}")]),
        r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot "
        r"a_{1}^{(2)}",
    ),
    (
        "theta^(2)_21",
        0,
        " ".join([P("J", A3_2), P(A3_2, Z3_2), P(Z3_2, r"\theta_{21}^{(2)}")]),
        r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot "
        r"a_{1}^{(2)}",
    ),
    (
        "theta^(1)_11",
        0,
        " ".join(
            [
                P("J", A3_1),
                P(A3_1, Z3_1),
                P(Z3_1, A2_1),
                P(A2_1, Z2_1),
                P(Z2_1, r"\theta_{11}^{(1)}"),
            ]
        ),
        r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot "
        r"\theta_{11}^{(2)} \cdot a_{1}^{(2)} \left(1 - a_{1}^{(2)}\right) \cdot x_{1}",
    ),
    (
        "theta^(1)_11",
        1,
        " ".join(
            [
                P("J", A3_2),
                P(A3_2, Z3_2),
                P(Z3_2, A2_1),
                P(A2_1, Z2_1),
                P(Z2_1, r"\theta_{11}^{(1)}"),
            ]
        ),
        r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot "
        r"\theta_{21}^{(2)} \cdot a_{1}^{(2)} \left(1 - a_{1}^{(2)}\right) \cdot x_{1}",
    ),
    (
        "theta^(1)_21",
        0,
        " ".join(
            [
                P("J", A3_1),
                P(A3_1, Z3_1),
                P(Z3_1, A2_2),
                P(A2_2, Z2_2),
                P(Z2_2, r"\theta_{21}^{(1)}"),
            ]
        ),
        r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot "
        r"\theta_{12}^{(2)} \cdot a_{2}^{(2)} \left(1 - a_{2}^{(2)}\right) \cdot x_{1}",
    ),
    (
        "theta^(1)_22",
        1,
        " ".join(
            [
                P("J", A3_2),
                P(A3_2, Z3_2),
                P(Z3_2, A2_2),
                P(A2_2, Z2_2),
                P(Z2_2, r"\theta_{22}^{(1)}"),
            ]
        ),
        r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot "
        r"\theta_{22}^{(2)} \cdot a_{2}^{(2)} \left(1 - a_{2}^{(2)}\right) \cdot x_{2}",
    ),
]


@pytest.fixture(scope="module")
def graph_2_2_2():
    return build_graph(Network([2, 2, 2]))


@pytest.mark.parametrize("parameter, number, abstract, local", CHAINS_2_2_2)
def test_chain_latex_2_2_2(graph_2_2_2, parameter, number, abstract, local):
    chain = list(iter_chains(graph_2_2_2, parameter))[number]
    assert chain_latex(graph_2_2_2, chain, "abstract") == abstract == chain.latex
    assert chain_latex(graph_2_2_2, chain, "local") == local


def test_gradient_latex_of_theta_1_11(graph_2_2_2):
    chains = list(iter_chains(graph_2_2_2, "theta^(1)_11"))
    assert gradient_latex(graph_2_2_2, "theta^(1)_11", chains, "abstract") == (
        "\\begin{aligned}\n"
        rf"\frac{{\partial J}}{{\partial \theta_{{11}}^{{(1)}}}} &= {CHAINS_2_2_2[2][2]} \\"
        "\n"
        rf"&\quad + {CHAINS_2_2_2[3][2]}"
        "\n"
        "\\end{aligned}"
    )


def test_text_forms(graph_2_2_2):
    chain = next(iter_chains(graph_2_2_2, "theta^(2)_11"))
    assert chain_text(graph_2_2_2, chain) == (
        "dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_11"
    )
    assert (
        chain_text(graph_2_2_2, chain, unicode=True) == "∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂θ⁽²⁾₁₁"
    )
    assert chain_text(graph_2_2_2, chain, "local") == (
        "(a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1) * a^(2)_1"
    )
    text = gradient_text(graph_2_2_2, "theta^(1)_11", iter_chains(graph_2_2_2, "theta^(1)_11"))
    first, second = text.splitlines()
    assert first.startswith("dJ/dtheta^(1)_11 = dJ/da^(3)_1 * ")
    assert second.startswith(" " * len("dJ/dtheta^(1)_11") + " + dJ/da^(3)_2 * ")


def test_unknown_view_is_refused(graph_2_2_2):
    chain = next(iter_chains(graph_2_2_2, "theta^(2)_11"))
    with pytest.raises(ValueError, match="unknown view 'sideways'"):
        chain_latex(graph_2_2_2, chain, "sideways")


def _emitted_latex() -> list[str]:
    """Every kind of LaTeX chainrule emits, over every activation and cost, with bias."""
    networks = [
        Network([2, 2, 2]),
        Network([2, 3, 2], bias=True),
        Network([2, 2, 3], cost="softmax-ce", activation="tanh"),
        Network([2, 2, 1], cost="bce", activation="relu,sigmoid"),
        Network([1, 2, 1], cost="se", activation="leaky_relu,softplus"),
        Network([1, 1, 1], activation="identity", bias=True),
        Network([11, 1, 1]),
    ]  # two-digit indices
    strings = []
    for net in networks:
        graph = build_graph(net)
        for parameter in list(net.parameters())[:12]:
            chains = list(iter_chains(graph, parameter.name))
            strings += [chain.latex for chain in chains]
            strings += [formula_latex(graph, factor) for chain in chains for factor in chain]
            for view in ["abstract", "local"] + (["closed"] if net.parameter_count < 8 else []):
                strings.append(gradient_latex(graph, parameter.name, chains, view))
    assert all(activation in repr(networks) for activation in ACTIVATIONS)
    return strings


@pytest.fixture(scope="module")
def emitted_latex():
    return _emitted_latex()


def test_every_emitted_latex_string_is_well_formed(emitted_latex):
    problems = {latex: structural_problems(latex) for latex in emitted_latex}
    assert {latex: p for latex, p in problems.items() if p} == {}
    assert structural_problems(r"\frac{a") and structural_problems(r"\mathbb{R}")


@pytest.mark.skipif(
    katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)"
)
def test_every_emitted_latex_string_renders_in_katex(emitted_latex):
    assert katex_failures(emitted_latex) == []
    assert len(katex_failures([r"\frac{a", r"\unknowncommand"])) == 2


def test_chains_latex_cli(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--param", "1,1,1", "--format", "latex")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "% dJ/dtheta^(1)_11: 2 chains, 10 terms"
    assert lines[1] == r"\[" and lines[-1] == r"\]"
    assert lines[3] == (
        r"\frac{\partial J}{\partial \theta_{11}^{(1)}} &= " + CHAINS_2_2_2[2][2] + r" \\"
    )
    assert lines[4] == r"&\quad + " + CHAINS_2_2_2[3][2]


def test_chains_local_view_cli_has_the_true_sign(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--param", "1,1,1", "--view", "local")
    assert status == 0
    chains = out.splitlines()[1:]
    assert chains[0].strip().startswith("(a^(3)_1 - y_1)/m * ")
    assert "(y_1 - a^(3)_1)" not in out


def test_chains_local_view_json_carries_formulas(run_cli):
    _, out, _ = run_cli(
        "chains", "2-2-2", "--bias", "--param", "1,2,0", "--view", "local", "--json"
    )
    (entry,) = json.loads(out)
    factors = entry["chains"][0]
    assert [f["formula"] for f in factors] == [
        "(a^(3)_1 - y_1)/m",
        "a^(3)_1*(1 - a^(3)_1)",
        "theta^(2)_12",
        "a^(2)_2*(1 - a^(2)_2)",
        "1",
    ]
    assert factors[0]["formula_latex"] == r"\frac{a_{1}^{(3)} - y_{1}}{m}"
    assert factors[-1]["latex"] == r"\frac{\partial z_{2}^{(2)}}{\partial \theta_{20}^{(1)}}"


def test_chains_closed_view_cli(run_cli):
    _, out, _ = run_cli(
        "chains", "1-1", "--view", "closed", "--cost", "se", "--activation", "identity", "--json"
    )
    (entry,) = json.loads(out)
    assert entry["closed"] == "x_1*(theta^(1)_11*x_1 - y_1)"
    assert entry["closed_latex"] == r"x_{1} \left(\theta_{11}^{(1)} x_{1} - y_{1}\right)"
    _, text, _ = run_cli(
        "chains", "1-1", "--view", "closed", "--cost", "se", "--activation", "identity"
    )
    assert text.splitlines()[1] == "  dJ/dtheta^(1)_11 = x_1*(theta^(1)_11*x_1 - y_1)"


def test_chains_unicode_cli(run_cli):
    _, out, _ = run_cli("chains", "1-1-1", "--param", "2,1,1", "--format", "unicode")
    assert out.splitlines()[1] == "  ∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂θ⁽²⁾₁₁"


def test_chain_shows_itself_in_jupyter(graph_2_2_2):
    chain = next(iter_chains(graph_2_2_2, "theta^(2)_11"))
    assert chain._repr_latex_() == f"$\\displaystyle {CHAINS_2_2_2[0][2]}$"
    assert str(chain) == chain.text


def test_network_latex_has_every_gradient():
    from chainrule.notation.printing import network_latex

    graph = build_graph(Network([2, 2, 2], bias=True))
    blocks = network_latex(graph, "local").split("\n\n")
    assert len(blocks) == 12
    assert (
        blocks[0].splitlines()[1].startswith(r"\frac{\partial J}{\partial \theta_{10}^{(1)}} &= ")
    )
    assert sum(block.count(r"\\") + 1 for block in blocks) == 18  # one line per chain


# --- one notation class per format --------------------------------------------------------------


def _mi(base: str, index: str, layer: int) -> str:
    """A node name as SymPy's presentation MathML writes it from its text name."""
    return f"<msubsup><mi>{base}</mi><mi>{index}</mi><mi>({layer})</mi></msubsup>"


def _mfrac(of: str, wrt: str) -> str:
    return f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow><mrow><mo>&#x2202;</mo>{wrt}</mrow></mfrac>"


ML_A3, ML_Z3, ML_A2, ML_THETA2 = (
    _mi("a", "1", 3),
    _mi("z", "1", 3),
    _mi("a", "1", 2),
    _mi("&#952;", "11", 2),
)
ML_TIMES, ML_JUXTAPOSE = "<mo>&#x22C5;</mo>", "<mo>&#x2062;</mo>"

# The first chain of theta^(2)_11 in 1-1-1, in each format: (format, view, expected).
CHAIN_1_1_1 = [
    ("text", "abstract", "dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_11"),
    ("text", "local", "(a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1) * a^(2)_1"),
    ("unicode", "abstract", "∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂θ⁽²⁾₁₁"),
    ("unicode", "local", "(a⁽³⁾₁ - y₁)/m · a⁽³⁾₁*(1 - a⁽³⁾₁) · a⁽²⁾₁"),
    (
        "latex",
        "abstract",
        " ".join(
            [
                P("J", "a_{1}^{(3)}"),
                P("a_{1}^{(3)}", "z_{1}^{(3)}"),
                P("z_{1}^{(3)}", r"\theta_{11}^{(2)}"),
            ]
        ),
    ),
    (
        "latex",
        "local",
        r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} "
        r"\left(1 - a_{1}^{(3)}\right) \cdot a_{1}^{(2)}",
    ),
    (
        "mathml",
        "abstract",
        ML_JUXTAPOSE.join(
            [_mfrac("<mi>J</mi>", ML_A3), _mfrac(ML_A3, ML_Z3), _mfrac(ML_Z3, ML_THETA2)]
        ),
    ),
    (
        "mathml",
        "local",
        ML_TIMES.join(
            [
                f"<mrow><mfrac><mrow>{ML_A3}<mo>-</mo><msub><mi>y</mi><mi>1</mi></msub></mrow><mi>m</mi>"
                "</mfrac></mrow>",
                f"<mrow>{ML_A3}<mo>&InvisibleTimes;</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>-</mo>{ML_A3}"
                "</mrow><mo>)</mo></mrow></mrow>",
                ML_A2,
            ]
        ),
    ),
]


@pytest.fixture(scope="module")
def graph_1_1_1():
    return build_graph(Network([1, 1, 1]))


@pytest.mark.parametrize("format, view, expected", CHAIN_1_1_1)
def test_each_notation_writes_a_chain(graph_1_1_1, format, view, expected):
    from chainrule.notation import notation_for

    chain = next(iter_chains(graph_1_1_1, "theta^(2)_11"))
    assert notation_for(format, graph_1_1_1).chain(chain, view) == expected
    assert notation_for(format, graph_1_1_1).doprint(chain, view) == expected


# (format, its class, ∂J/∂θ^(2)_11, a group, the first line of the matrix form of 1-1-1)
NOTATIONS = [
    ("text", "TextNotation", "dJ/dtheta^(2)_11", "(x)", ("delta^(3)", "dJ/da^(3) .* f'(z^(3))")),
    ("unicode", "UnicodeNotation", "∂J/∂θ⁽²⁾₁₁", "(x)", ("δ^(3)", "∂J/∂a^(3) ⊙ f'(z^(3))")),
    (
        "latex",
        "LatexNotation",
        P("J", r"\theta_{11}^{(2)}"),
        r"\left(x\right)",
        (r"\delta^{(3)}", r"\frac{\partial J}{\partial a^{(3)}} \odot f'\left(z^{(3)}\right)"),
    ),
    (
        "mathml",
        "MathMLNotation",
        _mfrac("<mi>J</mi>", ML_THETA2),
        "<mrow><mo>(</mo>x<mo>)</mo></mrow>",
        (
            "<msup><mi>&#x3B4;</mi><mrow><mo>(</mo><mn>3</mn><mo>)</mo></mrow></msup>",
            "<mfrac><mrow><mo>&#x2202;</mo><mi>J</mi></mrow><mrow><mo>&#x2202;</mo><msup><mi>a</mi><mrow>"
            "<mo>(</mo><mn>3</mn><mo>)</mo></mrow></msup></mrow></mfrac><mo>&#x2299;</mo><msup><mi>f</mi>"
            "<mo>&#x2032;</mo></msup><mrow><mo>(</mo><msup><mi>z</mi><mrow><mo>(</mo><mn>3</mn><mo>)</mo>"
            "</mrow></msup><mo>)</mo></mrow>",
        ),
    ),
]


@pytest.mark.parametrize("format, class_name, lhs, group, matrix_output", NOTATIONS)
def test_each_notation_class(graph_1_1_1, format, class_name, lhs, group, matrix_output):
    from chainrule.notation import notation_for

    notation = notation_for(format, graph_1_1_1)
    assert type(notation).__name__ == class_name and notation.format == format
    assert notation_for(format, graph_1_1_1) is notation  # one per graph: its cache is shared
    assert notation.gradient_lhs("theta^(2)_11") == lhs
    assert notation.group("x") == group
    assert tuple(notation.matrix_form(Network([1, 1, 1]))[0]) == matrix_output


def test_unknown_format_is_refused():
    from chainrule.notation import notation_for

    with pytest.raises(ValueError, match="unknown format 'pdf'; choose from text, unicode"):
        notation_for("pdf")


def test_a_notation_without_a_graph_writes_records_and_says_what_it_lacks(graph_1_1_1):
    from chainrule.notation import notation_for

    chain = next(iter_chains(graph_1_1_1, "theta^(2)_11"))
    assert notation_for("text").chain(chain) == CHAIN_1_1_1[0][2]
    with pytest.raises(ValueError, match="made without a graph"):
        notation_for("latex").chain(chain, "local")


def test_printed_formulas_live_in_the_notation_not_in_the_graph():
    from chainrule.notation import notation_for

    graph = build_graph(Network([2, 2, 2]))
    for format in ("text", "unicode", "latex", "mathml"):
        notation = notation_for(format, graph)
        for chain in iter_chains(graph, "theta^(1)_11"):
            notation.chain(chain, "local")
            notation.factor_formula(chain[0])
        assert notation._formulas  # kept on the notation object
    assert all(set(data) <= {"factor", "derivative"} for _, _, data in graph.edges(data=True))
    assert not {"latex_printer", "printer"} & set(graph.graph)


def test_gradient_shows_itself_through_the_notations():
    import chainrule

    g = chainrule.gradient(Network([1, 1, 1]), "theta^(2)_11")
    assert g.latex() == gradient_latex(g.graph, "theta^(2)_11", g.chains)
    assert g.text("local", unicode=True) == (
        "∂J/∂θ⁽²⁾₁₁ = (a⁽³⁾₁ - y₁)/m · a⁽³⁾₁*(1 - a⁽³⁾₁) · a⁽²⁾₁"
    )
    assert str(g) == "dJ/dtheta^(2)_11 = dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_11"
    assert chainrule.Gradient is type(g)


def test_calculus_imports_no_notation():
    import subprocess
    import sys

    probe = (
        "import sys, chainrule.calculus.symbolic, chainrule.calculus.delta; "
        "print(sorted(m for m in sys.modules if m.startswith('chainrule.notation')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


# --- piecewise formulas and negative factors, as a person reads them ------------------------------


def _local(network: Network, parameter: str, style: str, number: int = 0) -> str:
    from chainrule.notation import notation_for

    graph = build_graph(network)
    chain = list(iter_chains(graph, parameter))[number]
    return notation_for(style, graph).chain(chain, "local")


def test_relu_derivative_in_unicode_reads_as_words_not_a_sympy_call():
    assert _local(Network([1, 1, 1], activation="relu"), "theta^(1)_11", "unicode") == (
        "(a⁽³⁾₁ - y₁)/m · (1 if z⁽³⁾₁ > 0 else 0) · θ⁽²⁾₁₁ · (1 if z⁽²⁾₁ > 0 else 0) · x₁"
    )
    assert "(1 if z⁽²⁾₁ > 0 else 1/100)" in _local(
        Network([1, 1], activation="leaky_relu"), "theta^(1)_11", "unicode"
    )
    # plain text keeps SymPy's spelling, which scripts read back
    assert "Piecewise((1, z^(2)_1 > 0), (0, True))" in _local(
        Network([1, 1], activation="relu"), "theta^(1)_11", "text"
    )


def test_relu_derivative_in_mathml_is_a_brace_of_cases():
    mathml = _local(Network([1, 1], activation="relu"), "theta^(1)_11", "mathml")
    assert "piecewise" not in mathml and "True" not in mathml
    assert (
        '<mrow><mo>{</mo><mtable columnalign="left left"><mtr><mtd><mn>1</mn></mtd><mtd>'
        "<mtext>if&#160;</mtext><mrow><msubsup><mi>z</mi><mi>1</mi><mi>(2)</mi></msubsup>"
        "<mo>&gt;</mo><mn>0</mn></mrow></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd>"
        "<mtext>otherwise</mtext></mtd></mtr></mtable></mrow>"
    ) in mathml


def test_a_negative_factor_keeps_its_parentheses_in_mathml():
    """softmax-ce's -y/(a m) · -a a: without parentheses it reads as a subtraction."""
    mathml = _local(Network([1, 2], cost="softmax-ce"), "theta^(1)_11", "mathml", 1)
    assert mathml.startswith("<mrow><mo>(</mo><mrow><mo>-</mo><mfrac>")
    assert "<mo>&#x22C5;</mo><mrow><mo>(</mo><mrow><mo>-</mo><msubsup>" in mathml


def test_a_hatted_name_has_its_hat_in_mathml():
    """rnn: and resnet: name their outputs yhat: MathML wrote the word (the explorer showed
    ∂yhat₁), as LaTeX never did (\\hat{y}_{1})."""
    from chainrule.notation import notation_for

    mathml = notation_for("mathml")
    assert mathml.name("yhat_1", "") == (
        '<msub><mover accent="true"><mi>y</mi><mo>^</mo></mover><mi>1</mi></msub>'
    )
    assert "hat" not in mathml.name("yhat^(3)_1", "").replace('accent="true"', "")
    assert mathml.name("what_1", "").count("mover") == 2  # any letter and hat
    assert "mover" not in mathml.name("theta^(1)_11", "")
