"""LaTeX and text for δ: definitions, factored gradients, the factoring steps and the matrix form.

SymPy would reorder these products, so they are rendered from the graph's structure instead:
an output δ in chain order (∂J/∂a · ∂a/∂z), a hidden δ the textbook way (f'(z) first, then the
sum over the layer above). Each piece renders in the abstract view (partials) or the local view
(formulas), in LaTeX or in text (ASCII or unicode).

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([2, 2, 2]))
>>> style = Style.text()
>>> print(delta_definition(graph, "z^(2)_1", style))
delta^(2)_1 = da^(2)_1/dz^(2)_1 * (delta^(3)_1 * dz^(3)_1/da^(2)_1 + delta^(3)_2 * dz^(3)_2/da^(2)_1)
>>> print(delta_definition(graph, "z^(2)_1", style, view="local"))
delta^(2)_1 = a^(2)_1*(1 - a^(2)_1) * (delta^(3)_1 * theta^(2)_11 + delta^(3)_2 * theta^(2)_21)
>>> print(factored_gradient(graph, "theta^(1)_11", style, view="local"))
dJ/dtheta^(1)_11 = delta^(2)_1 * x_1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, NamedTuple

import networkx as nx

from chainrule.graph import names

from chainrule.notation import printing
from chainrule.graph.chains import Factor
from chainrule.calculus.delta import Step, Term, delta_latex, delta_name, is_delta_node


@dataclass(frozen=True)
class Style:
    """How to write the pieces: LaTeX, MathML (fragments for HTML), ASCII or unicode text."""

    latex: bool = False
    unicode: bool = False
    mathml: bool = False

    @classmethod
    def text(cls, unicode: bool = False) -> Style:
        return cls(latex=False, unicode=unicode)

    @property
    def times(self) -> str:
        if self.mathml:
            return "<mo>&#x22C5;</mo>"
        return r" \cdot " if self.latex else (" · " if self.unicode else " * ")

    @property
    def juxtapose(self) -> str:  # between partials in the abstract view
        if self.mathml:
            return "<mo>&#x2062;</mo>"
        return " " if self.latex else self.times

    @property
    def plus(self) -> str:
        return "<mo>+</mo>" if self.mathml else " + "

    def group(self, inside: str) -> str:
        if self.mathml:
            return f"<mrow><mo>(</mo>{inside}<mo>)</mo></mrow>"
        return rf"\left({inside}\right)" if self.latex else f"({inside})"

    def name(self, node: str, latex: str) -> str:
        if self.mathml:
            from sympy.printing.mathml import mathml

            from chainrule.calculus.symbolic import node_symbol

            return mathml(node_symbol(node), printer="presentation")
        if self.latex:
            return latex
        return names.unicode_name(node) if self.unicode else node

    def partial(self, of: str, of_latex: str, wrt: str, wrt_latex: str) -> str:
        if self.mathml:
            return (f"<mfrac><mrow><mo>&#x2202;</mo>{self.name(of, of_latex)}</mrow>"
                    f"<mrow><mo>&#x2202;</mo>{self.name(wrt, wrt_latex)}</mrow></mfrac>")
        if self.latex:
            return rf"\frac{{\partial {of_latex}}}{{\partial {wrt_latex}}}"
        d = "∂" if self.unicode else "d"
        return f"{d}{self.name(of, of_latex)}/{d}{self.name(wrt, wrt_latex)}"


class Equation(NamedTuple):
    """``lhs = rhs``, kept apart so that writers can align and continue equations."""

    lhs: str
    rhs: str

    def __str__(self) -> str:
        return f"{self.lhs} = {self.rhs}"


def _factor(graph: nx.DiGraph, of: Hashable, wrt: Hashable) -> Factor:
    return graph.edges[wrt, of]["factor"]


def _factor_string(graph: nx.DiGraph, factor: Factor, style: Style, view: str) -> str:
    if view == "abstract":
        return style.partial(factor.of, factor.of_latex, factor.wrt, factor.wrt_latex)
    if style.mathml:
        return printing.formula_mathml(graph, factor)
    if style.latex:
        return printing.factor_latex(graph, factor, "local")
    return printing.chain_text(graph, (factor,), "local", unicode=style.unicode)


def _delta(graph: nx.DiGraph, node: Hashable, style: Style) -> str:
    return style.name(delta_name(graph, node), delta_latex(graph, node))


def _adjoint(graph: nx.DiGraph, node: Hashable, style: Style, view: str) -> list[str]:
    """The terms of Σ_s ref(s)·∂s/∂node, each written as a product, in reading order."""
    cost = graph.graph["cost"]
    terms = []
    for successor in graph.successors(node):
        edge = _factor_string(graph, _factor(graph, successor, node), style, view)
        if successor == cost:
            terms.append(edge)
        elif is_delta_node(graph, successor):
            terms.append(_delta(graph, successor, style) + style.times + edge)
        else:
            inner = _adjoint(graph, successor, style, view)
            if len(inner) == 1:  # a single path on to J: keep the chain's order, cost first
                terms.append(inner[0] + style.juxtapose + edge if view == "abstract"
                             else inner[0] + style.times + edge)
            else:  # f'(z) times a sum over the layer above, as the textbook writes it
                terms.append(edge + style.times + style.group(style.plus.join(inner)))
    return terms


def delta_definition(graph: nx.DiGraph, node: Hashable, style: Style, view: str = "abstract"
                     ) -> Equation:
    """``δ(node) = ...`` in partials (abstract) or formulas (local)."""
    return Equation(_delta(graph, node, style), style.plus.join(_adjoint(graph, node, style, view)))


def gradient_lhs(graph: nx.DiGraph, parameter: Hashable, style: Style) -> str:
    data = graph.nodes[parameter]
    return style.partial("J", "J", parameter, data["latex"])


def factored_gradient(graph: nx.DiGraph, parameter: Hashable, style: Style,
                      view: str = "abstract") -> Equation:
    """``∂J/∂θ = δ ∂z/∂θ`` (abstract) or ``= δ a`` (local)."""
    return Equation(gradient_lhs(graph, parameter, style),
                    style.plus.join(_adjoint(graph, parameter, style, view)))


def _term(graph: nx.DiGraph, term: Term, style: Style) -> str:
    parts = [] if term.cut is None else [_delta(graph, term.cut, style)]
    parts += [_factor_string(graph, factor, style, "abstract") for factor in term.suffix]
    return style.juxtapose.join(parts) if term.cut is None else (
        parts[0] + (style.times + style.juxtapose.join(parts[1:]) if parts[1:] else ""))


def step_lines(graph: nx.DiGraph, step: Step, style: Style) -> tuple[str | None, str]:
    """A step as (its grouped form, its δ form); step 0 has no grouped form."""
    replaced = style.plus.join(_term(graph, term, style) for term in step.terms)
    if not step.groups:
        return None, replaced
    grouped_terms = []
    for term, members in step.groups:
        if len(members) == 1 and not members[0][1]:  # untouched by this step: no group to show
            grouped_terms.append(_term(graph, term, style))
            continue
        inside = style.plus.join(
            style.juxtapose.join(
                ([] if before.cut is None else [_delta(graph, before.cut, style)])
                + [_factor_string(graph, factor, style, "abstract") for factor in middle])
            for before, middle in members)
        suffix = [_factor_string(graph, factor, style, "abstract") for factor in term.suffix]
        grouped_terms.append(style.juxtapose.join([style.group(inside), *suffix]))
    return style.plus.join(grouped_terms), replaced


def matrix_form(network, style: Style) -> list[Equation]:
    """The layer-at-a-time form: the output δ, then one line per hidden δ and per weight layer.

    δ^(l) is a row vector (one column per neuron, one row per example); a bias adds a leading
    column of ones to a^(l).
    """
    L = network.depth
    if style.mathml:
        return _matrix_form_mathml(network)
    if style.latex:
        output = (r"\delta^{(L)} = \frac{\partial J}{\partial a^{(L)}} "
                  + (r"\frac{\partial a^{(L)}}{\partial z^{(L)}}" if network.softmax_output
                     else r"\odot f'\left(z^{(L)}\right)"))
        hidden = [rf"\delta^{{({l})}} = \delta^{{({l + 1})}} \Theta^{{({l})}} "
                  rf"\odot f'\left(z^{{({l})}}\right)" for l in range(L - 1, 1, -1)]
        weights = [rf"\frac{{\partial J}}{{\partial \Theta^{{({l})}}}} = "
                   rf"\left(\delta^{{({l + 1})}}\right)^{{\top}} " + ("x" if l == 1 else f"a^{{({l})}}")
                   for l in range(1, L)]
        return [Equation(*line.split(" = ", 1))
                for line in [output.replace("(L)", f"({L})"), *hidden, *weights]]
    theta, delta, odot, top = (("Θ", "δ", "⊙", "ᵀ") if style.unicode
                               else ("Theta", "delta", ".*", "^T"))
    d = "∂" if style.unicode else "d"
    output = (f"{delta}^({L}) = {d}J/{d}a^({L}) "
              + (f"{d}a^({L})/{d}z^({L})" if network.softmax_output else f"{odot} f'(z^({L}))"))
    hidden = [f"{delta}^({l}) = {delta}^({l + 1}) {theta}^({l}) {odot} f'(z^({l}))"
              for l in range(L - 1, 1, -1)]
    weights = [f"{d}J/{d}{theta}^({l}) = ({delta}^({l + 1})){top} " + ("x" if l == 1 else f"a^({l})")
               for l in range(1, L)]
    return [Equation(*line.split(" = ", 1)) for line in [output, *hidden, *weights]]


def _matrix_form_mathml(network) -> list[Equation]:
    def sup(base: str, layer: int) -> str:
        return f"<msup><mi>{base}</mi><mrow><mo>(</mo><mn>{layer}</mn><mo>)</mo></mrow></msup>"

    def d(of: str, wrt: str) -> str:
        return f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow><mrow><mo>&#x2202;</mo>{wrt}</mrow></mfrac>"

    def fprime(layer: int) -> str:
        return f"<msup><mi>f</mi><mo>&#x2032;</mo></msup><mrow><mo>(</mo>{sup('z', layer)}<mo>)</mo></mrow>"

    L, odot = network.depth, "<mo>&#x2299;</mo>"
    output = d("<mi>J</mi>", sup("a", L)) + (d(sup("a", L), sup("z", L)) if network.softmax_output
                                              else odot + fprime(L))
    equations = [Equation(sup("&#x3B4;", L), output)]
    equations += [Equation(sup("&#x3B4;", l), sup("&#x3B4;", l + 1) + sup("&#x398;", l) + odot
                           + fprime(l)) for l in range(L - 1, 1, -1)]
    equations += [Equation(d("<mi>J</mi>", sup("&#x398;", l)),
                           f"<msup><mrow><mo>(</mo>{sup('&#x3B4;', l + 1)}<mo>)</mo></mrow><mi>T</mi></msup>"
                           + ("<mi>x</mi>" if l == 1 else sup("a", l))) for l in range(1, L)]
    return equations
