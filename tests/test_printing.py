import json

import pytest

from chainrule.graph.chains import iter_chains
from chainrule.graph.build import build_graph
from chainrule.notation.printing import (chain_latex, chain_text, formula_latex, gradient_latex,
                                gradient_text)
from chainrule.graph.spec import ACTIVATIONS, Network

from latex_check import katex_failures, katex_module_dir, structural_problems


def P(of: str, wrt: str) -> str:
    return rf"\frac{{\partial {of}}}{{\partial {wrt}}}"


A3_1, A3_2, Z3_1, Z3_2 = "a_{1}^{(3)}", "a_{2}^{(3)}", "z_{1}^{(3)}", "z_{2}^{(3)}"
A2_1, A2_2, Z2_1, Z2_2 = "a_{1}^{(2)}", "a_{2}^{(2)}", "z_{1}^{(2)}", "z_{2}^{(2)}"

# (parameter, chain number, abstract LaTeX, local LaTeX), written from the notation by hand.
CHAINS_2_2_2 = [
    ("theta^(2)_11", 0,
     " ".join([P("J", A3_1), P(A3_1, Z3_1), P(Z3_1, r"\theta_{11}^{(2)}")]),
     r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot a_{1}^{(2)}"),
    ("theta^(2)_21", 0,
     " ".join([P("J", A3_2), P(A3_2, Z3_2), P(Z3_2, r"\theta_{21}^{(2)}")]),
     r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot a_{1}^{(2)}"),
    ("theta^(1)_11", 0,
     " ".join([P("J", A3_1), P(A3_1, Z3_1), P(Z3_1, A2_1), P(A2_1, Z2_1),
               P(Z2_1, r"\theta_{11}^{(1)}")]),
     r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot "
     r"\theta_{11}^{(2)} \cdot a_{1}^{(2)} \left(1 - a_{1}^{(2)}\right) \cdot x_{1}"),
    ("theta^(1)_11", 1,
     " ".join([P("J", A3_2), P(A3_2, Z3_2), P(Z3_2, A2_1), P(A2_1, Z2_1),
               P(Z2_1, r"\theta_{11}^{(1)}")]),
     r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot "
     r"\theta_{21}^{(2)} \cdot a_{1}^{(2)} \left(1 - a_{1}^{(2)}\right) \cdot x_{1}"),
    ("theta^(1)_21", 0,
     " ".join([P("J", A3_1), P(A3_1, Z3_1), P(Z3_1, A2_2), P(A2_2, Z2_2),
               P(Z2_2, r"\theta_{21}^{(1)}")]),
     r"\frac{a_{1}^{(3)} - y_{1}}{m} \cdot a_{1}^{(3)} \left(1 - a_{1}^{(3)}\right) \cdot "
     r"\theta_{12}^{(2)} \cdot a_{2}^{(2)} \left(1 - a_{2}^{(2)}\right) \cdot x_{1}"),
    ("theta^(1)_22", 1,
     " ".join([P("J", A3_2), P(A3_2, Z3_2), P(Z3_2, A2_2), P(A2_2, Z2_2),
               P(Z2_2, r"\theta_{22}^{(1)}")]),
     r"\frac{a_{2}^{(3)} - y_{2}}{m} \cdot a_{2}^{(3)} \left(1 - a_{2}^{(3)}\right) \cdot "
     r"\theta_{22}^{(2)} \cdot a_{2}^{(2)} \left(1 - a_{2}^{(2)}\right) \cdot x_{2}"),
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
        rf"\frac{{\partial J}}{{\partial \theta_{{11}}^{{(1)}}}} &= {CHAINS_2_2_2[2][2]} \\" "\n"
        rf"&\quad + {CHAINS_2_2_2[3][2]}" "\n"
        "\\end{aligned}")


def test_text_forms(graph_2_2_2):
    chain = next(iter_chains(graph_2_2_2, "theta^(2)_11"))
    assert chain_text(graph_2_2_2, chain) == (
        "dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_11")
    assert chain_text(graph_2_2_2, chain, unicode=True) == "∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂θ⁽²⁾₁₁"
    assert chain_text(graph_2_2_2, chain, "local") == (
        "(a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1) * a^(2)_1")
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
    networks = [Network([2, 2, 2]), Network([2, 3, 2], bias=True),
                Network([2, 2, 3], cost="softmax-ce", activation="tanh"),
                Network([2, 2, 1], cost="bce", activation="relu,sigmoid"),
                Network([1, 2, 1], cost="se", activation="leaky_relu,softplus"),
                Network([1, 1, 1], activation="identity", bias=True),
                Network([11, 1, 1])]  # two-digit indices
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


@pytest.mark.skipif(katex_module_dir() is None, reason="KaTeX is not installed (.ci/run installs it)")
def test_every_emitted_latex_string_renders_in_katex(emitted_latex):
    assert katex_failures(emitted_latex) == []
    assert len(katex_failures([r"\frac{a", r"\unknowncommand"])) == 2


def test_chains_latex_cli(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--param", "1,1,1", "--format", "latex")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "% dJ/dtheta^(1)_11: 2 chains, 10 terms"
    assert lines[1] == r"\[" and lines[-1] == r"\]"
    assert lines[3] == (r"\frac{\partial J}{\partial \theta_{11}^{(1)}} &= " + CHAINS_2_2_2[2][2]
                        + r" \\")
    assert lines[4] == r"&\quad + " + CHAINS_2_2_2[3][2]


def test_chains_local_view_cli_has_the_true_sign(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--param", "1,1,1", "--view", "local")
    assert status == 0
    chains = out.splitlines()[1:]
    assert chains[0].strip().startswith("(a^(3)_1 - y_1)/m * ")
    assert "(y_1 - a^(3)_1)" not in out


def test_chains_local_view_json_carries_formulas(run_cli):
    _, out, _ = run_cli("chains", "2-2-2", "--bias", "--param", "1,2,0", "--view", "local",
                        "--json")
    (entry,) = json.loads(out)
    factors = entry["chains"][0]
    assert [f["formula"] for f in factors] == [
        "(a^(3)_1 - y_1)/m", "a^(3)_1*(1 - a^(3)_1)", "theta^(2)_12", "a^(2)_2*(1 - a^(2)_2)", "1"]
    assert factors[0]["formula_latex"] == r"\frac{a_{1}^{(3)} - y_{1}}{m}"
    assert factors[-1]["latex"] == r"\frac{\partial z_{2}^{(2)}}{\partial \theta_{20}^{(1)}}"


def test_chains_closed_view_cli(run_cli):
    _, out, _ = run_cli("chains", "1-1", "--view", "closed", "--cost", "se",
                        "--activation", "identity", "--json")
    (entry,) = json.loads(out)
    assert entry["closed"] == "x_1*(theta^(1)_11*x_1 - y_1)"
    assert entry["closed_latex"] == r"x_{1} \left(\theta_{11}^{(1)} x_{1} - y_{1}\right)"
    _, text, _ = run_cli("chains", "1-1", "--view", "closed", "--cost", "se",
                         "--activation", "identity")
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
    assert blocks[0].splitlines()[1].startswith(r"\frac{\partial J}{\partial \theta_{10}^{(1)}} &= ")
    assert sum(block.count(r"\\") + 1 for block in blocks) == 18  # one line per chain
